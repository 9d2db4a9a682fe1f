/* persearch._spans: StoredTokens.spans's inner loop in C (optional).

   persearch/stored_tokens.py is the definition; this module computes exactly
   what its pure-Python loop computes, and is used only when it was compiled
   (pip builds it where a C compiler is present; a failed build is skipped and
   the Python loop runs). tests/test_stored_tokens.py holds the two to the
   same answers.

   Why: highlighting a hit looks each query term up among its stored tokens
   (about 3 KB of NUL-separated terms for a news article). In Python the
   searches are C (bytes.find) but numbering each find and building its tuple
   are not: ~13 us a hit, a fifth of a query on the tantivy backend. Here the
   terms are searched with memmem and NULs counted in one pass.

   find_spans(raw, low, high, count, width, needles, decode, numbered)
     raw[low:high]  the pack's terms: NUL, term, NUL, term, ..., NUL
     count, width   how many tokens; 2 or 4 bytes per offset. Each token's
                    start, then each token's end, follow the terms at
                    raw[high:], little endian.
     needles        from stored_tokens.needle(): NUL + term + NUL (a whole
                    term) or NUL + prefix (any term starting with it)
     decode         bytes -> str for a term (compact.decode or UTF-8)
     numbered       add each token's number as a fourth item
   returns [(start, end, term[, number]), ...] in the order of the terms, or
   None when the pack does not hold together (the Python loop then raises as
   it always has). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32 /* no memmem */
static void *memmem(const void *haystack, size_t n, const void *needle, size_t m) {
    const unsigned char *h = haystack, *p = needle;
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (h[i] == p[0] && memcmp(h + i, p, m) == 0)
            return (void *)(h + i);
    return NULL;
}
#endif

typedef struct {
    Py_ssize_t at;     /* where the find's leading NUL is in raw */
    Py_ssize_t needle; /* which needle found it */
} Find;

static int by_place(const void *a, const void *b) {
    Py_ssize_t x = ((const Find *)a)->at, y = ((const Find *)b)->at;
    return (x > y) - (x < y);
}

static Py_ssize_t offset_at(const unsigned char *p, int width) {
    if (width == 2)
        return (Py_ssize_t)p[0] | ((Py_ssize_t)p[1] << 8);
    /* a signed 32-bit offset, as array("i") writes it */
    return (Py_ssize_t)(int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                                 ((uint32_t)p[3] << 24));
}

static int add_find(Find **finds, Py_ssize_t *n, Py_ssize_t *room, Py_ssize_t at, Py_ssize_t needle) {
    if (*n == *room) {
        Py_ssize_t more = *room ? 2 * *room : 64;
        Find *grown = PyMem_Realloc(*finds, (size_t)more * sizeof(Find));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *finds = grown;
        *room = more;
    }
    (*finds)[*n].at = at;
    (*finds)[*n].needle = needle;
    (*n)++;
    return 0;
}

/* decode(bytes) for one term */
static PyObject *decoded(PyObject *decode, const unsigned char *term, Py_ssize_t size) {
    PyObject *raw = PyBytes_FromStringAndSize((const char *)term, size);
    if (raw == NULL)
        return NULL;
    PyObject *text = PyObject_CallOneArg(decode, raw);
    Py_DECREF(raw);
    return text;
}

static PyObject *find_spans(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer raw;
    Py_ssize_t low, high, count;
    int width, numbered;
    PyObject *needles, *decode;
    if (!PyArg_ParseTuple(args, "y*nnniO!Op", &raw, &low, &high, &count, &width, &PyList_Type, &needles, &decode,
                          &numbered))
        return NULL;
    const unsigned char *data = raw.buf;
    Py_ssize_t size = raw.len;
    PyObject *out = NULL, *labels = NULL;
    Find *finds = NULL;
    Py_ssize_t n = 0, room = 0;
    Py_ssize_t n_needles = PyList_GET_SIZE(needles);
    if ((width != 2 && width != 4) || low < 0 || low > high || count < 0 ||
        high > size || (size - high) / (2 * width) < count) {
        PyBuffer_Release(&raw);
        Py_RETURN_NONE;
    }
    for (Py_ssize_t k = 0; k < n_needles; k++) {
        PyObject *item = PyList_GET_ITEM(needles, k);
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "needles must be bytes");
            goto fail;
        }
        const unsigned char *wanted = (const unsigned char *)PyBytes_AS_STRING(item);
        Py_ssize_t m = PyBytes_GET_SIZE(item);
        if (m < 2) /* a bare NUL: no term, no prefix */
            continue;
        int whole = wanted[m - 1] == 0;
        /* A whole term's closing NUL opens the next term: the next search starts on it. */
        Py_ssize_t step = whole ? m - 1 : m;
        Py_ssize_t from = low;
        while (high - from >= m) {
            const unsigned char *hit = memmem(data + from, (size_t)(high - from), wanted, (size_t)m);
            if (hit == NULL)
                break;
            Py_ssize_t at = hit - data;
            if (add_find(&finds, &n, &room, at, k) < 0)
                goto fail;
            from = at + step;
        }
    }
    out = PyList_New(n);
    if (out == NULL)
        goto fail;
    if (n == 0)
        goto done;
    if (n_needles > 1)
        qsort(finds, (size_t)n, sizeof(Find), by_place); /* two needles never find one place twice */
    labels = PyList_New(n_needles); /* each whole term decoded once, when first found */
    if (labels == NULL)
        goto fail;
    Py_ssize_t index = 0, last = low;
    const unsigned char *starts = data + high, *ends = data + high + width * count;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t at = finds[i].at, k = finds[i].needle;
        /* a token's number: the NULs before it */
        for (const unsigned char *p = data + last, *stop = data + at; p < stop; p++)
            index += *p == 0;
        last = at;
        if (index >= count) { /* more terms than offsets: not a pack */
            Py_CLEAR(out);
            out = Py_NewRef(Py_None);
            goto done;
        }
        PyObject *wanted = PyList_GET_ITEM(needles, k);
        Py_ssize_t m = PyBytes_GET_SIZE(wanted);
        PyObject *label;
        if (PyBytes_AS_STRING(wanted)[m - 1] == 0) {
            label = PyList_GET_ITEM(labels, k);
            if (label == NULL) {
                label = decoded(decode, (const unsigned char *)PyBytes_AS_STRING(wanted) + 1, m - 2);
                if (label == NULL)
                    goto fail;
                PyList_SET_ITEM(labels, k, label);
            }
            Py_INCREF(label);
        } else { /* a prefix: the term runs to the next NUL */
            const unsigned char *end = memchr(data + at + m, 0, (size_t)(high - at - m));
            label = decoded(decode, data + at + 1, (end != NULL ? end - data : high) - at - 1);
            if (label == NULL)
                goto fail;
        }
        PyObject *row = numbered ? Py_BuildValue("(nnNn)", offset_at(starts + width * index, width),
                                                 offset_at(ends + width * index, width), label, index)
                                 : Py_BuildValue("(nnN)", offset_at(starts + width * index, width),
                                                 offset_at(ends + width * index, width), label);
        if (row == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, row);
    }
done:
    Py_XDECREF(labels);
    PyMem_Free(finds);
    PyBuffer_Release(&raw);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(labels);
    PyMem_Free(finds);
    PyBuffer_Release(&raw);
    return NULL;
}

static PyMethodDef methods[] = {
    {"find_spans", find_spans, METH_VARARGS, "StoredTokens.spans's loop (see persearch/stored_tokens.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "persearch._spans", "StoredTokens.spans's inner loop in C (optional).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__spans(void) { return PyModule_Create(&module); }
