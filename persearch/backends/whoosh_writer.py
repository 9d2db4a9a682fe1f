"""A Whoosh segment writer fed the analyzer's columns: the same files, a third of the work.

Whoosh's own writer analyzes a text field by pulling a ``Token`` object per
word out of the field's analyzer, groups them per term in its format's
``word_values``, and puts every posting into a pool as a five-item tuple
(field, term, document, weight, positions). The pool is sorted as a whole
and, past its memory limit, spilled to disk one pickled tuple at a time; the
codec then takes the sorted postings back one by one, looks each document's
field length up in a column it reads back from disk, and adds them to its
blocks one call at a time. On the news corpus that was two thirds of a
build (docs/indexing.md, *Speed*).

:class:`ColumnSegmentWriter` writes the very same segment (the same codec,
the same bytes; ``tests/test_whoosh_writer.py`` compares them) from what
persearch already has in hand:

- title and body come as the analyzer's columns (terms and positions, see
  ``Analyzer.columns``), grouped per term with one dict, no Token objects;
- the pool (:class:`TermPool`) keeps per field a dict term → documents,
  weights and encoded positions, already in document order, so nothing is
  sorted but the terms; past its limit it writes one record per *term* to a
  run file, and runs are merged term by term;
- at the end each term's postings go to the codec's block writer a block
  (128 postings) at a time, with the block's statistics computed from the
  whole block.

Other fields (id, path, format, ...) and postings of merged segments go
through the same pool as Whoosh's tuples.
"""
from __future__ import annotations

import heapq
import marshal
import zlib
from array import array
from pickle import dumps
from typing import Any, Iterable, Iterator

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.system import pack_uint
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

#: Columns of one text: terms, starts, ends, positions (``Analyzer.columns``).
Columns = tuple[list[str], list[int], list[int], list[int]]

# Estimated bytes a posting and a new term take in the pool (list slots, the
# positions bytes object, dict entries): what the memory limit is checked against.
_POSTING_BYTES = 48
_TERM_BYTES = 240
_ONE_POSITION = pack_uint(1)
#: Posting blocks smaller than this (pickled) are stored without deflate.
COMPRESS_MIN_BYTES = 256


def encode_positions(positions: list[int]) -> bytes:
    """A posting's positions as Whoosh's ``Positions`` format stores them
    (the count, then the pickled deltas): ``Positions().encode(positions)``."""
    if len(positions) == 1:
        return _ONE_POSITION + dumps(positions, 2)
    deltas = [positions[0]]
    deltas += map(int.__sub__, positions[1:], positions[:-1])
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class _Singles(dict):  # type: ignore[type-arg]
    """Encoded one-position postings by position: most postings are one of a few thousand."""

    def __missing__(self, position: int) -> bytes:
        value = self[position] = encode_positions([position])
        return value


_SINGLES = _Singles()
# Postings of one term in a pool: documents, weights, encoded positions (or other values).
_Postings = tuple[list[int], list[float], list[bytes]]


def _term_key(tbytes: bytes) -> str:
    # Terms are kept as str (analyzer terms need no encoding per posting);
    # surrogateescape takes any bytes and gives them back unchanged.
    return tbytes.decode("utf-8", "surrogateescape")


def _term_bytes(term: str) -> bytes:
    return term.encode("utf-8", "surrogateescape")


class TermPool:
    """Postings grouped per field and term, in document order, with a memory limit.

    ``add`` takes Whoosh's posting tuples; :meth:`add_text` a whole text
    field of one document. Documents must arrive in increasing order per
    term (a writer adds its documents, then merged segments after them).
    """

    def __init__(self, tempstore: Any, limitmb: int = 128) -> None:
        self._tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.size = 0
        self.fields: dict[str, dict[str, _Postings]] = {}
        self.runs: list[str] = []

    def _terms(self, fieldname: str) -> dict[str, _Postings]:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting: ``(field, term bytes, document, weight, value bytes or None)``."""
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms(fieldname)
        term = _term_key(tbytes)
        postings = terms.get(term)
        if postings is None:
            postings = terms[term] = ([], [], [])
            self.size += _TERM_BYTES + len(tbytes)
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes or b"")
        self.size += _POSTING_BYTES + (len(vbytes) if vbytes else 0)
        if self.size > self.limit:
            self.save()

    def add_text(self, fieldname: str, docnum: int, terms: list[str], positions: list[int]) -> int:
        """The postings of one document's text field from its columns; returns its length in tokens."""
        grouped: dict[str, list[int]] = {}
        for term, position in zip(terms, positions):
            found = grouped.get(term)
            if found is None:
                grouped[term] = [position]
            else:
                found.append(position)
        pool = self._terms(fieldname)
        singles = _SINGLES
        size = 0
        for term, found in grouped.items():
            postings = pool.get(term)
            if postings is None:
                postings = pool[term] = ([], [], [])
                size += _TERM_BYTES + 2 * len(term)
            count = len(found)
            value = singles[found[0]] if count == 1 else encode_positions(found)
            postings[0].append(docnum)
            postings[1].append(count)
            postings[2].append(value)
            size += _POSTING_BYTES + len(value)
        self.size += size
        if self.size > self.limit:
            self.save()
        return len(terms)

    def save(self) -> None:
        """Write the pool to a run file, one record per term in (field, term) order, and empty it."""
        if not self.fields:
            return
        name = f"{random_name()}.run"
        with self._tempstore.create_file(name).raw_file() as fh:
            for fieldname, term, (docs, weights, values) in self._sorted():
                marshal.dump((fieldname, term, array("I", docs).tobytes(), array("d", weights).tobytes(), values),
                             fh)
        self.runs.append(name)
        self.fields = {}
        self.size = 0

    def _sorted(self) -> Iterator[tuple[str, bytes, _Postings]]:
        """(field, term bytes, postings) in field and term-bytes order."""
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes, term in sorted((_term_bytes(term), term) for term in terms):
                yield fieldname, tbytes, terms[term]

    def _read_run(self, name: str) -> Iterator[tuple[str, bytes, _Postings]]:
        with self._tempstore.open_file(name).raw_file() as fh:
            while True:
                try:
                    fieldname, term, docs, weights, values = marshal.load(fh)
                except EOFError:
                    break
                yield fieldname, term, (array("I", docs).tolist(), array("d", weights).tolist(), values)
        self._tempstore.delete_file(name)
        self.runs.remove(name)

    def iter_terms(self) -> Iterator[tuple[str, bytes, _Postings]]:
        """Every (field, term, postings) in order, runs merged: a term's postings in document order."""
        if not self.runs:
            yield from self._sorted()
            return
        # Runs hold earlier documents than later runs, and the pool the latest.
        sources = [self._read_run(name) for name in list(self.runs)] + [self._sorted()]
        merged = heapq.merge(*[_tagged(source, order) for order, source in enumerate(sources)])
        current: tuple[str, bytes] | None = None
        docs: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        for (fieldname, term), _, postings in merged:
            if (fieldname, term) != current:
                if current is not None:
                    yield current[0], current[1], (docs, weights, values)
                current, docs, weights, values = (fieldname, term), [], [], []
            docs += postings[0]
            weights += postings[1]
            values += postings[2]
        if current is not None:
            yield current[0], current[1], (docs, weights, values)

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self._tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.fields = {}


def _tagged(source: Iterable[tuple[str, bytes, Any]], order: int) -> Iterator[tuple[tuple[str, bytes], int, Any]]:
    for fieldname, term, postings in source:
        yield (fieldname, term), order, postings


class ColumnSegmentWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` with persearch's text fields fed as columns (see the module docstring)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        limitmb = kwargs.get("limitmb", 128)
        super().__init__(ix, **kwargs)
        self.pool = TermPool(self._tempstorage, limitmb=limitmb)

    def add_analyzed(self, fields: dict[str, Any], texts: dict[str, Columns]) -> None:
        """Add one document: ``fields`` as for ``add_document`` (title and body
        given as their text, for storing), ``texts`` the columns of the text
        fields to index instead of analyzing them."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        pool = self.pool
        names = sorted(name for name, value in fields.items() if value is not None)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                field = schema[name]
                value = fields[name]
                length = 0
                if name in texts:
                    terms, _, _, positions = texts[name]
                    length = pool.add_text(name, docnum, terms, positions) if field.scorable else 0
                elif field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        pool.add((name, tbytes, docnum, weight, vbytes))
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type  # typed record fields are sortable: a per-document column
                if column is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def replace_analyzed(self, fields: dict[str, Any], texts: dict[str, Columns]) -> None:
        """:meth:`add_analyzed` after deleting the committed documents with the same unique
        fields (what ``update_document`` does)."""
        unique = [(name, fields[name]) for name in self._unique_fields(fields)]
        if unique:
            with self.searcher() as searcher:
                for docnum in searcher._find_unique(unique):
                    self.delete_document(docnum)
        self.add_analyzed(fields, texts)

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        add = self.pool.add
        for item in self._process_posts(reader.iter_postings(), startdoc, docmap):
            add(item)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            _write_postings(self.fieldwriter, self.schema, perdoc, self.pool.iter_terms())
        finally:
            perdoc.close()
        self.fieldwriter.close()


#: A length byte as the length a reader sees (Whoosh stores field lengths in one byte).
_LENGTH_OF_BYTE = [byte_to_length(b) if b else 0 for b in range(256)]


def _field_lengths(perdoc: Any, fieldname: str) -> list[int]:
    """Every document's length of ``fieldname`` as the codec reads it back (0 when absent)."""
    if not perdoc.has_column(_lenfield(fieldname)):
        return []
    column = perdoc.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    return [_LENGTH_OF_BYTE[b] for b in column]


def _write_postings(fieldwriter: Any, schema: Any, perdoc: Any,
                    terms: Iterable[tuple[str, bytes, _Postings]]) -> None:
    """Write sorted (field, term, postings) through the codec's writers, a block at a time.

    What ``FieldWriter.add_postings`` does posting by posting: the blocks'
    ids, weights, values and length statistics come out the same.
    """
    current = None
    lengths: list[int] = []
    for fieldname, tbytes, (docs, weights, values) in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            current = fieldname
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            lengths = _field_lengths(perdoc, fieldname)
            postwriter = fieldwriter._postwriter
            limit = postwriter._blocklimit
        fieldwriter.start_term(tbytes)
        count = len(docs)
        for at in range(0, count, limit):
            block_docs = docs[at:at + limit]
            block_weights = array("f", weights[at:at + limit])
            postwriter._ids = array("I", block_docs)
            postwriter._weights = block_weights
            postwriter._values = [v for v in values[at:at + limit] if v]
            postwriter._maxweight = max(0, max(block_weights))
            if lengths:
                block_lengths = [n for n in map(lengths.__getitem__, block_docs) if n]
            else:
                block_lengths = []
            postwriter._minlength = min(block_lengths) if block_lengths else None
            postwriter._maxlength = max(block_lengths) if block_lengths else 0
            _write_block(postwriter, last=at + limit >= count)
        fieldwriter.finish_term()  # the blocks are written: records the term's extent and statistics
    if current is not None:
        fieldwriter.finish_field()


def _write_block(postwriter: Any, last: bool) -> None:
    """``W3PostingsWriter._write_block``, compressing only blocks big enough to gain from it.

    Whoosh deflates every block (its "under 20 bytes" test is overwritten by
    the next line), and deflating a block of a few postings costs 40–90 µs of
    zlib set-up to save nothing: most terms have one small block. The block's
    header records its compression, 0 for none, and readers go by it.
    """
    if not postwriter._blockcount:
        postwriter._postfile.write(WHOOSH3_HEADER_MAGIC)
    postwriter._terminfo.add_block(postwriter)
    data = dumps((postwriter._mini_ids(), postwriter._mini_weights(), postwriter._mini_values()), 2)
    comp = postwriter._compression if len(data) >= COMPRESS_MIN_BYTES else 0
    if comp:
        data = zlib.compress(data, comp)
    ids = postwriter._ids
    info = dumps((len(ids), ids[-1], postwriter._maxweight, comp, length_to_byte(postwriter._minlength),
                  length_to_byte(postwriter._maxlength)), 2)
    postfile = postwriter._postfile
    size = len(info) + len(data)
    postfile.write_int(-size if last else size)
    postfile.write(info)
    postfile.write(data)
    postwriter._blockcount += 1
    postwriter._new_block()


__all__ = ["ColumnSegmentWriter", "TermPool", "encode_positions"]
