"""The tantivy backend: the same Persian index in tantivy's Rust engine, BM25 ranking.

persearch's analyzer stays the only source of terms: every field is fed to
tantivy pre-tokenized (``PreTokenizedString``) with the positions persearch
chose, so compounds and spelling variants share positions exactly as in the
Whoosh backend. Highlighting, suggestions and the query language are shared;
this module only stores documents and translates query trees.

    >>> backend = TantivyBackend.create("/tmp/ix", Analyzer())   # doctest: +SKIP
    >>> backend.add([Document(id="1", text="کتاب‌ها را خواندم", title="کتاب")])
    >>> backend.commit()
    >>> backend.search(Term("کتاب"), limit=10).total
    1

Schema: ``id``, ``path``, ``format``, ``encoding`` (raw terms for lookups,
deletes and filters), ``meta`` (one raw term ``key\\x1fvalue`` per metadata
value), ``title`` and ``body`` (pre-tokenized, positions), ``fields`` (the
small stored fields, NUL-separated) and ``text`` (the original text and its
tokens, stored: see :func:`_document`; tantivy compresses its document store itself).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from functools import partial
from typing import Any, Iterable, Iterator

from ..errors import IndexLocked, InvalidOption, MissingExtra, PersearchError

try:
    import tantivy
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtra("the tantivy backend needs the tantivy extra: pip install 'persearch[tantivy]'") from None

from .. import compact
from ..files import fsync_folder, write_json
from .. import querytree as qt
from ..analysis.analyzer import Analyzer, Columns
from ..stored_tokens import for_storage, pack_columns, pack_for_storage, unpack_columns
from .base import SEARCH_FIELDS, TITLE_BOOST, BackendResults, Document, StoredHit

#: Raw-term fields a filter may name directly; metadata keys go through ``meta``.
FILTER_FIELDS = ("id", "path", "format", "encoding")
_META_KEY = re.compile(r"^[\w\-]{1,64}$")
_META_SEP = "\x1f"  # cannot occur in a metadata key, so "key<SEP>value" is unambiguous
#: Writer memory before tantivy flushes a segment. One indexing thread: the
#: Python side (analysis, token objects) is the bottleneck, and one thread
#: keeps one segment per commit, like the Whoosh backend.
HEAP_BYTES = 128_000_000
THREADS = 1
#: tantivy stores documents in compressed blocks and decompresses a whole
#: block to fetch one hit. Its default, 16 KB, costs a news article's fetch
#: 18.6 µs; 2 KB blocks cost 10.3 µs (poetry: 12.0 -> 6.0 µs) for a store
#: 4-12 % larger. tantivy's Python binding cannot set the block size; tantivy
#: reads it from meta.json, where create() writes it before any document.
STORE_BLOCK_BYTES = 2048
#: optimize() re-adds everything through one thread with this budget: one segment.
OPTIMIZE_HEAP_BYTES = 2_000_000_000
#: A prefix or fuzzy term expands into at most this many ranked term queries
#: (the most frequent); further matching terms still match, with score 0.
MAX_EXPANSION = 128
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")

_Token = tantivy.Token
_PreTokenized = tantivy.PreTokenizedString
_Occur = tantivy.Occur
_Q = tantivy.Query


def make_schema() -> Any:
    """The tantivy schema (the analyzer lives in persearch, not in the schema)."""
    sb = tantivy.SchemaBuilder()
    for name in (*FILTER_FIELDS, "meta"):
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    for name in SEARCH_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="position")
    sb.add_bytes_field("fields", stored=True)
    sb.add_bytes_field("text", stored=True)
    return sb.build()


def _filter_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: One document analyzed, as a worker process sends it back: the Document and
#: its title and body tokens, packed (persearch.stored_tokens: unpickling
#: these bytes is ~200× faster than unpickling lists of tokens).
Analyzed = tuple[Document, bytes, bytes]


def analyze_document(analyzer: Analyzer, doc: Document) -> Analyzed:
    """The index-time tokens of a document (stopwords kept, like the Whoosh adapter), packed."""
    columns = analyzer.columns
    return doc, pack_columns(*columns(doc.title or "")), pack_columns(*columns(doc.text or ""))


def make_document(analyzed: Analyzed) -> Any:
    """A document a worker analyzed, as a tantivy document."""
    doc, title, body = analyzed
    return _document(doc, unpack_columns(title), unpack_columns(body), for_storage(title, body))


def new_document(analyzer: Analyzer, doc: Document) -> Any:
    """A document analyzed here, as a tantivy document (no trip through packed tokens)."""
    title, body = analyzer.columns(doc.title or ""), analyzer.columns(doc.text or "")
    return _document(doc, title, body, pack_for_storage(title, body))


def _pretokenized(columns: Columns) -> Any:
    # Tokens in position order, as the analyzer yields them (tantivy drops out-of-order positions).
    # No text: tantivy indexes only the tokens, and these fields are not stored.
    terms, starts, ends, positions = columns
    return _PreTokenized("", list(map(_Token, terms, positions, starts, ends)))


_COMPACT_TEXT, _UTF8_TEXT = b"c", b"u"  # how a stored text is written


def _document(doc: Document, title: Columns, body: Columns, stored_tokens: bytes) -> Any:
    out = tantivy.Document()
    out.add_text("id", doc.id)
    for name in ("path", "format", "encoding"):
        value = getattr(doc, name)
        if value:
            out.add_text(name, value)
    for key, value in (doc.metadata or {}).items():
        if _META_KEY.match(key):
            for v in value if isinstance(value, list) else [value]:
                out.add_text("meta", key + _META_SEP + _filter_text(v))
    out.add_pre_tokenized_text("title", _pretokenized(title))
    out.add_pre_tokenized_text("body", _pretokenized(body))
    out.add_bytes("fields", _encode_fields(doc))
    # One stored field: how the text is written, its byte length, the text,
    # then its tokens for the highlighter (each stored field costs every hit a
    # conversion: one is cheaper). Every stored byte costs each fetch ~1 ns,
    # so Persian text takes one byte a character (persearch.compact).
    text = compact.encode(doc.text or "")
    head = _COMPACT_TEXT if text is not None else _UTF8_TEXT
    if text is None:
        text = (doc.text or "").encode("utf-8")
    out.add_bytes("text", head + len(text).to_bytes(4, "little") + text + stored_tokens)
    return out


_FAST = b"\x01"  # marks the NUL-separated layout; anything else is JSON


def _encode_fields(doc: Document) -> bytes:
    """The small stored fields. Read for every hit, so not JSON: NUL-separated
    strings split 10× faster. The title goes last (split at most 8 times), so
    only an id, path, format, encoding or hash holding a NUL needs JSON."""
    head = [doc.id, doc.path or "", doc.format or "", doc.encoding or "", str(int(doc.size or 0)),
            repr(float(doc.mtime or 0.0)), doc.hash or ""]
    meta = json.dumps(doc.metadata, ensure_ascii=False, separators=(",", ":")) if doc.metadata else ""
    if any("\0" in part for part in head):
        small = {"id": doc.id, "path": doc.path or None, "format": doc.format or None,
                 "encoding": doc.encoding or None, "title": doc.title or "", "size": doc.size,
                 "mtime": doc.mtime, "hash": doc.hash, "metadata": doc.metadata or None}
        return json.dumps(small, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _FAST + "\0".join([*head, meta, doc.title or ""]).encode("utf-8")


def _hit_fields(raw: bytes | None) -> dict[str, Any]:
    """The stored small fields in the shape the Whoosh backend returns."""
    if raw and raw[:1] == _FAST:
        doc_id, path, fmt, encoding, size, mtime, hsh, meta, title = raw[1:].decode("utf-8").split("\0", 8)
        out: dict[str, Any] = {"id": doc_id, "path": path, "format": fmt, "title": title, "size": int(size),
                               "mtime": float(mtime), "hash": hsh, "metadata": json.loads(meta) if meta else {}}
        if encoding:
            out["encoding"] = encoding
        return out
    out = {k: v for k, v in json.loads(raw).items() if v is not None} if raw else {}
    out.setdefault("title", "")
    out.setdefault("path", "")
    out.setdefault("format", "")
    out["metadata"] = out.get("metadata") or {}
    return out


def _text(doc: Any) -> str:
    raw = doc.get_first("text")
    if not raw:
        return ""
    text = raw[5:5 + int.from_bytes(raw[1:5], "little")]
    return compact.decode(text) if raw[:1] == _COMPACT_TEXT else text.decode("utf-8")


def _tokens(doc: Any) -> bytes | None:
    raw = doc.get_first("text")
    return raw[5 + int.from_bytes(raw[1:5], "little"):] if raw else None


class TantivyBackend:
    """A :class:`~persearch.backends.base.Backend` on tantivy (extra ``persearch[tantivy]``)."""

    name = "tantivy"

    def __init__(self, ix: Any, path: str | os.PathLike[str], analyzer: Analyzer | None = None,
                 lock_timeout: float = 10.0) -> None:
        self._ix = ix
        self.path = str(path)
        self.analyzer = analyzer
        self.lock_timeout = lock_timeout
        self._schema = ix.schema
        self._writer: Any = None
        self._searcher: Any = None
        self._seen: tuple[int, int, int] | None = None
        self._generation: tuple[tuple[int, int, int], int] | None = None

    # -- life cycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, **kw: Any) -> "TantivyBackend":
        """Create an empty index in folder ``path``."""
        os.makedirs(path, exist_ok=True)
        _new_index(str(path))
        return cls(tantivy.Index.open(str(path)), path, analyzer, **kw)

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, **kw: Any) -> "TantivyBackend":
        """Open the index in folder ``path``."""
        if not os.path.exists(os.path.join(path, "meta.json")):
            raise PersearchError(f"no tantivy index in {path}")
        return cls(tantivy.Index.open(str(path)), path, analyzer, **kw)

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *,
                        with_changes: bool = False) -> "SegmentWriter | AnalyzedBatch":
        """A builder for one worker process of a parallel build.

        New documents alone: the worker writes finished segments the parent's
        commit adopts (:class:`SegmentWriter`). When the same commit also
        deletes or replaces documents (``with_changes``), the worker only
        analyzes and the parent indexes (:class:`AnalyzedBatch`): tantivy
        commits a writer's deletes itself, and adopted segments could only
        join after them, not in the same commit.
        """
        return AnalyzedBatch(analyzer) if with_changes else SegmentWriter(path, analyzer)

    def close(self) -> None:
        """Release the searcher; drop an uncommitted writer (and its lock)."""
        self._writer = None
        self._searcher = None

    def generation(self) -> int:
        """The committed generation: tantivy's opstamp, which every commit advances."""
        meta = os.path.join(self.path, "meta.json")
        st = os.stat(meta)
        seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._generation is None or self._generation[0] != seen:  # asked per suggestion: read once per commit
            with open(meta, encoding="utf-8") as fh:
                self._generation = (seen, int(json.load(fh).get("opstamp", 0)))
        return self._generation[1]

    # -- writing --------------------------------------------------------------
    def _w(self, heap: int = HEAP_BYTES, threads: int = THREADS) -> Any:
        if self._writer is None:
            # A fresh view first: tantivy keeps the list of files it manages in
            # memory, and a writer made from a stale list would drop files
            # another process (or an adoption) added since from that list.
            self._ix = tantivy.Index.open(self.path)
            # tantivy refuses a second writer at once (LockBusy); persearch waits a bounded time.
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    self._writer = self._ix.writer(heap, threads)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc):
                        raise
                    if time.monotonic() >= deadline:
                        raise IndexLocked(f"index at {self.path} is locked by another writer; "
                                          f"try again when it has finished") from None
                    time.sleep(0.05)
            # Files a writer killed before its commit left behind (kill -9) go now.
            self._writer.garbage_collect_files()
        return self._writer

    def _new_documents(self, documents: Iterable[Document]) -> Iterator[tuple[str, Any]]:
        """``(id, tantivy document)`` for each document, analyzed here."""
        if self.analyzer is None:
            raise PersearchError("this tantivy backend was opened without an analyzer: it cannot index")
        analyzer = self.analyzer
        for doc in documents:
            yield doc.id, new_document(analyzer, doc)

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""
        writer = self._w()
        for doc_id, document in self._new_documents(documents):
            writer.delete_documents_by_term("id", doc_id)
            writer.add_document(document)

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new (no replace-by-id)."""
        writer = self._w()
        for _, document in self._new_documents(documents):
            writer.add_document(document)

    def delete(self, ids: Iterable[str]) -> None:
        """Delete documents by id; visible after :meth:`commit`."""
        writer = self._w()
        for doc_id in ids:
            writer.delete_documents_by_term("id", doc_id)

    def delete_paths(self, paths: Iterable[str]) -> None:
        """Delete every document read from these files."""
        paths = list(paths)
        if not paths:
            return
        writer = self._w()
        for path in paths:
            writer.delete_documents_by_term("path", path)

    def pending(self) -> bool:
        """Whether there are uncommitted changes."""
        return self._writer is not None

    def commit(self, segments: Iterable[Any] = ()) -> None:
        """Make every change durable and visible in one tantivy commit.

        ``segments`` come from worker processes: analyzed batches
        (:class:`AnalyzedBatch`), whose documents join the index in the same
        commit as the changes made here, or written segments
        (:class:`SegmentWriter`), adopted in one meta.json write. Written
        segments are for commits with no other change (see
        :meth:`segment_builder`); given both, the changes are committed
        first and the segments adopted just after. The writer (and
        tantivy's lock) is dropped afterwards, once merges the commit
        started have finished.
        """
        segments = [s for s in segments if s]
        written = [s for s in segments if isinstance(s, WrittenSegments)]
        batches = [s for s in segments if not isinstance(s, WrittenSegments)]
        if self._writer is not None or batches:
            writer = self._w()
            for batch in batches:
                for analyzed in batch:
                    writer.add_document(make_document(analyzed))
            self._finish(writer)
        if written:
            self._adopt(written)
        # Worker folders of failed builds: the index's write lock is held, so no other build runs.
        for entry in os.listdir(self.path):
            if entry.startswith(_BUILD_PREFIX):
                shutil.rmtree(os.path.join(self.path, entry), ignore_errors=True)

    def _adopt(self, written: list["WrittenSegments"]) -> None:
        """Make segments written by workers part of the index, in one meta.json write.

        Their files are moved in and listed in ``.managed.json`` first, so if
        the process dies before meta.json lists them, the next writer's
        garbage collection deletes them; readers see them only once the new
        meta.json replaces the old one.
        """
        # Held, never committed: tantivy's writer lock keeps any other writer
        # from committing its older segment list over this meta.json.
        writer = self._w()
        self._writer = None
        try:
            meta_path, managed_path = os.path.join(self.path, "meta.json"), os.path.join(self.path, ".managed.json")
            meta, managed = _read_json(meta_path), _read_json(managed_path)
            moves = [(os.path.join(part.folder, name), os.path.join(self.path, name))
                     for part in written for name in part.files()]
            write_json(managed_path, managed + [os.path.basename(dst) for _, dst in moves])
            for src, dst in moves:
                os.replace(src, dst)
            fsync_folder(self.path)  # the files are in place before meta.json names them
            added = [segment for part in written for segment in part.segments]
            meta["segments"] = meta["segments"] + added
            # The opstamp is persearch's generation: every commit must advance it.
            meta["opstamp"] = int(meta.get("opstamp", 0)) + sum(int(seg["max_doc"]) for seg in added) + 1
            write_json(meta_path, meta)
            fsync_folder(self.path)
        finally:
            writer.wait_merging_threads()  # drops it and the lock, committing nothing
            # tantivy keeps meta.json and its managed files' list in memory: a
            # fresh view, also when this failed half-way (the next writer then
            # collects the moved files).
            self._ix = tantivy.Index.open(self.path)
            self._searcher = None

    def _finish(self, writer: Any) -> None:
        """Commit, wait for the merges it started, drop the writer (and its lock)."""
        self._writer = None
        writer.commit()
        writer.wait_merging_threads()
        self._searcher = None

    def optimize(self) -> None:
        """Rewrite the index as one segment and commit.

        tantivy's Python binding cannot merge segments on demand, so every
        document is re-added (re-analyzed from its stored text) through one
        indexing thread with a budget large enough for one segment.
        """
        docs = list(self._documents())
        self.cancel()
        writer = self._w(OPTIMIZE_HEAP_BYTES, 1)
        writer.delete_all_documents()
        for _, document in self._new_documents(docs):
            writer.add_document(document)
        self._finish(writer)

    def segment_count(self) -> int:
        """Number of segments in the committed index."""
        return int(self._s().num_segments)

    def cancel(self) -> None:
        """Drop uncommitted changes (and tantivy's lock with the writer)."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()

    # -- reading --------------------------------------------------------------
    def _s(self) -> Any:
        # tantivy reloads on commit with a delay; a stat of meta.json tells at
        # once whether any process committed since our searcher was taken.
        st = os.stat(os.path.join(self.path, "meta.json"))
        seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._searcher is None or seen != self._seen:
            self._ix.reload()
            self._searcher = self._ix.searcher()
            self._seen = seen
        return self._searcher

    def doc_count(self) -> int:
        """Number of live documents."""
        return int(self._s().num_docs)

    def _all(self, searcher: Any) -> list[Any]:
        n = searcher.num_docs
        if not n:
            return []
        return [addr for _, addr in searcher.search(_Q.all_query(), limit=n, count=False).hits]

    def _documents(self) -> Iterator[Document]:
        searcher = self._s()
        for addr in self._all(searcher):
            doc = searcher.doc(addr)
            f = _hit_fields(doc.get_first("fields"))
            yield Document(id=f["id"], text=_text(doc), title=f["title"], path=f["path"], size=f.get("size") or 0,
                           mtime=f.get("mtime") or 0.0, hash=f.get("hash") or "", format=f["format"],
                           encoding=f.get("encoding") or "", metadata=f["metadata"])

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, ``text`` included."""
        searcher = self._s()
        hits = searcher.search(_Q.term_query(self._schema, "id", doc_id), limit=1, count=False).hits
        if not hits:
            return None
        doc = searcher.doc(hits[0][1])
        fields = _hit_fields(doc.get_first("fields"))
        fields["text"] = _text(doc)
        return fields

    def terms(self, field: str = "body") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` for every term of a field."""
        if field not in SEARCH_FIELDS:
            return
        for term, freq in self._s().terms_with_prefix(field, ""):
            yield term, int(freq)

    def term_count(self) -> int:
        """Distinct analyzed terms over title and body."""
        searcher = self._s()
        seen: set[str] = set()
        for field in SEARCH_FIELDS:
            seen.update(term for term, _ in searcher.terms_with_prefix(field, ""))
        return len(seen)

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields of every live document (recovery and rebuild only)."""
        searcher = self._s()
        for addr in self._all(searcher):
            doc = searcher.doc(addr)
            fields = _hit_fields(doc.get_first("fields"))
            fields["text"] = _text(doc)
            yield fields

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        searcher = self._s()
        for addr in self._all(searcher):
            f = _hit_fields(searcher.doc(addr).get_first("fields"))
            if f.get("path"):
                yield f["id"], f["path"], f.get("size") or 0, f.get("mtime") or 0.0, f.get("hash") or ""

    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: dict[str, Any] | None = None) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset``."""
        searcher = self._s()
        tquery = _Translator(self._schema, searcher).translate(query)
        if filters:
            tfilter = self._filter(searcher, filters)
            if tquery is not None:
                # The filter must match but adds nothing to the score.
                tquery = _Q.boolean_query([(_Occur.Must, tquery), (_Occur.Must, _Q.const_score_query(tfilter, 0.0))])
        if tquery is None:
            return BackendResults(0, [])
        wanted = max(1, offset + limit)
        found = searcher.search(tquery, limit=wanted, count=False).hits
        hits = []
        for score, addr in found[offset:offset + limit] if limit > 0 else ():
            doc = searcher.doc(addr)
            fields = _hit_fields(doc.get_first("fields"))
            hits.append(StoredHit(id=fields["id"], score=float(score), fields=fields, load_text=partial(_text, doc),
                                  load_tokens=partial(_tokens, doc)))
        if len(found) < wanted:  # every match was collected: the count is exact
            return BackendResults(len(found), hits)
        # Counting visits every match (no block skipping): only when someone reads the total.
        return BackendResults(None, hits, count=partial(_count, searcher, tquery), lower=wanted)

    def _filter(self, searcher: Any, filters: dict[str, Any]) -> Any:
        clauses = []
        for key, value in filters.items():
            values = value if isinstance(value, (list, tuple, set)) else [value]
            if key in FILTER_FIELDS:
                terms = [_Q.term_query(self._schema, key, _filter_text(v)) for v in values]
            else:
                if not _META_KEY.match(key) or not searcher.terms_with_prefix("meta", key + _META_SEP, limit=1):
                    keys = {t.split(_META_SEP, 1)[0] for t, _ in searcher.terms_with_prefix("meta", "")}
                    known = sorted({*FILTER_FIELDS, *keys})
                    raise InvalidOption(f"unknown filter field {key!r}: use one of {', '.join(known)}")
                terms = [_Q.term_query(self._schema, "meta", key + _META_SEP + _filter_text(v)) for v in values]
            clauses.append((_Occur.Must, _Q.boolean_query([(_Occur.Should, t) for t in terms])))
        return _Q.boolean_query(clauses)


def _new_index(path: str) -> None:
    """Create an empty tantivy index in folder ``path`` with persearch's schema and store blocks."""
    writer = tantivy.Index(make_schema(), path, reuse=False).writer(HEAP_BYTES, THREADS)
    writer.commit()  # an empty first commit: meta.json records an opstamp (the generation)
    writer.wait_merging_threads()  # and releases tantivy's lock
    meta_path = os.path.join(path, "meta.json")
    meta = _read_json(meta_path)
    meta.setdefault("index_settings", {})["docstore_blocksize"] = STORE_BLOCK_BYTES
    write_json(meta_path, meta)


def _read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _count(searcher: Any, query: Any) -> int:
    return int(searcher.search(query, limit=1, count=True).count)


class _Translator:
    """A persearch query tree as a tantivy query (None: matches nothing)."""

    def __init__(self, schema: Any, searcher: Any) -> None:
        self.schema = schema
        self.searcher = searcher

    def translate(self, node: qt.Node) -> Any:
        if isinstance(node, qt.Term):
            if node.field in FILTER_FIELDS:  # id:..., path:...: the raw stored value
                return _boost(_Q.term_query(self.schema, node.field, node.text), node.boost)
            return self._fields(node.field, node.boost, partial(self._term, node.text))
        if isinstance(node, qt.Prefix):
            return self._fields(node.field, node.boost, partial(self._prefix, node.text))
        if isinstance(node, qt.Fuzzy):
            return self._fields(node.field, node.boost, partial(self._fuzzy, node))
        if isinstance(node, qt.Phrase):
            return self._fields(node.field, node.boost, partial(self._phrase, node))
        if isinstance(node, qt.And):
            children = [self.translate(c) for c in node.children]
            if not children or any(c is None for c in children):
                return None
            return children[0] if len(children) == 1 else _Q.boolean_query([(_Occur.Must, c) for c in children])
        if isinstance(node, qt.Or):
            children = [c for c in (self.translate(c) for c in node.children) if c is not None]
            if len(children) < max(1, node.min_match):
                return None
            if len(children) == 1:
                return children[0]
            should = [(_Occur.Should, c) for c in children]
            if node.min_match > 1:
                return _Q.boolean_query(should, node.min_match)
            return _Q.boolean_query(should)
        if isinstance(node, qt.AndNot):
            positive = self.translate(node.positive)
            if positive is None:
                return None
            negative = self.translate(node.negative)
            if negative is None:
                return positive
            return _Q.boolean_query([(_Occur.Must, positive), (_Occur.MustNot, negative)])
        if isinstance(node, qt.MatchAll):
            return _Q.all_query()
        if isinstance(node, qt.MatchNone):
            return None
        raise InvalidOption(f"unknown query node {type(node).__name__}")

    def _fields(self, field: str | None, boost: float, make: Any) -> Any:
        if field is None:
            title, body = make("title"), make("body")
            parts = [q for q in (_boost(title, boost * TITLE_BOOST), _boost(body, boost)) if q is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else _Q.boolean_query([(_Occur.Should, q) for q in parts])
        if field in FILTER_FIELDS:
            return None  # only a plain term means anything on a raw field
        if field not in SEARCH_FIELDS:
            raise InvalidOption(f"unknown field {field!r}: use {', '.join(SEARCH_FIELDS)}")
        return _boost(make(field), boost)

    def _term(self, text: str, field: str) -> Any:
        return _Q.term_query(self.schema, field, text)

    def _terms(self, field: str, terms: list[tuple[str, int]]) -> Any:
        """Ranked term queries for the most frequent expansions, the rest at score 0."""
        if not terms:
            return None
        ranked = [(_Occur.Should, _Q.term_query(self.schema, field, t)) for t, _ in terms[:MAX_EXPANSION]]
        rest = [t for t, _ in terms[MAX_EXPANSION:]]
        if rest:
            ranked.append((_Occur.Should, _Q.const_score_query(_Q.term_set_query(self.schema, field, rest), 0.0)))
        return ranked[0][1] if len(ranked) == 1 else _Q.boolean_query(ranked)

    def _prefix(self, text: str, field: str) -> Any:
        # tantivy scores its own prefix queries flat: expand into ranked terms instead.
        return self._terms(field, self.searcher.terms_with_prefix(field, text))

    def _fuzzy(self, node: qt.Fuzzy, field: str) -> Any:
        # tantivy's Levenshtein automaton walks the term dictionary in Rust;
        # expanding in Python cost 10 ms a query. Its score is flat, like
        # Whoosh's FuzzyTerm; unlike it, the first letter may differ too
        # (tantivy has no prefix length).
        return _Q.fuzzy_term_query(self.schema, field, node.text, distance=node.distance,
                                   transposition_cost_one=False)

    def _phrase(self, node: qt.Phrase, field: str) -> Any:
        if len(node.terms) == 1:
            return self._alternatives(field, node.terms[0])
        if all(isinstance(t, str) for t in node.terms):
            return _Q.phrase_query(self.schema, field, list(node.terms), slop=node.slop)
        # Alternatives at a position: a regex per position ("a|b"), matched against the term dictionary.
        words = [_regex(t) for t in node.terms]
        return _Q.regex_phrase_query(self.schema, field, words, slop=node.slop)

    def _alternatives(self, field: str, item: str | tuple[str, ...]) -> Any:
        if isinstance(item, str):
            return _Q.term_query(self.schema, field, item)
        return _Q.boolean_query([(_Occur.Should, _Q.term_query(self.schema, field, t)) for t in item])


def _boost(query: Any, boost: float) -> Any:
    if query is None or boost == 1.0:
        return query
    return _Q.boost_query(query, boost)


def _regex(item: str | tuple[str, ...]) -> str:
    items = (item,) if isinstance(item, str) else item
    return "|".join(_REGEX_SPECIAL.sub(r"\\\1", t) for t in items)


#: Worker folders inside the index folder: ``.build-<random>``.
_BUILD_PREFIX = ".build-"


class WrittenSegments:
    """What a :class:`SegmentWriter` sends back: its folder and the segments in it (tantivy's meta entries)."""

    def __init__(self, folder: str, segments: list[dict[str, Any]]) -> None:
        self.folder = folder
        self.segments = segments

    def files(self) -> list[str]:
        """The names of the segments' files (``<segment id>.<part>``)."""
        ids = {segment["segment_id"].replace("-", "") for segment in self.segments}
        return sorted(name for name in os.listdir(self.folder) if name.split(".", 1)[0] in ids)


class SegmentWriter:
    """A worker's own tantivy index, whose segments the parent's commit adopts.

    The worker does all of a document's work (analysis, tantivy's tokens,
    tantivy's indexing) in a folder of its own inside the index folder, and
    the parent none (turning every worker's tokens into tantivy's in the
    parent, holding the GIL, left two processes only 1.3× faster than one on
    news; this way about 1.5×). Nothing is visible until the parent moves the
    segment files in (:meth:`TantivyBackend._adopt`); a crash leaves only a
    folder that the next commit deletes.
    """

    def __init__(self, path: str, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._folder = tempfile.mkdtemp(prefix=_BUILD_PREFIX, dir=path)
        _new_index(self._folder)
        self._writer: Any = tantivy.Index.open(self._folder).writer(HEAP_BYTES, THREADS)
        self._added = 0

    def append(self, documents: Iterable[Document]) -> None:
        """Index documents (new ones: the parent deleted nothing they replace)."""
        writer, analyzer = self._writer, self._analyzer
        for doc in documents:
            writer.add_document(new_document(analyzer, doc))
            self._added += 1

    def finish(self) -> WrittenSegments | None:
        """Commit the worker's index; its segments, picklable, for ``commit(segments=...)``."""
        writer, self._writer = self._writer, None
        if not self._added:
            writer.rollback()
            del writer
            shutil.rmtree(self._folder, ignore_errors=True)
            return None
        writer.commit()
        writer.wait_merging_threads()
        return WrittenSegments(self._folder, _read_json(os.path.join(self._folder, "meta.json"))["segments"])


class AnalyzedBatch:
    """What a worker process sends back when its documents replace others: analyzed documents.

    Analysis is the expensive, pure-Python part; workers do it in parallel and
    the parent feeds the tokens to tantivy's writer in its commit
    (:meth:`TantivyBackend.commit`), with its deletes. Nothing touches the
    index until then.
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._docs: list[Analyzed] = []

    def append(self, documents: Iterable[Document]) -> None:
        """Analyze documents (new ones: the parent deleted any old versions)."""
        self._docs.extend(analyze_document(self._analyzer, doc) for doc in documents)

    def finish(self) -> list[Analyzed] | None:
        """The analyzed documents, picklable, for ``commit(segments=...)``."""
        return self._docs or None
