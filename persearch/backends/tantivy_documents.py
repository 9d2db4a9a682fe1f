"""tantivy's side of a persearch document: the schema, a Document in, stored fields out.

persearch's analyzer stays the only source of terms: every field is fed to
tantivy pre-tokenized (``PreTokenizedString``) with the positions persearch
chose, so compounds and spelling variants share positions exactly as in the
Whoosh backend.

Schema: ``id``, ``path``, ``format``, ``encoding`` (raw terms for lookups,
deletes and filters), ``title`` and ``body`` (pre-tokenized, positions),
``fields`` (the small stored fields, NUL-separated), ``text`` (the original
text and its tokens, stored: see :func:`_document`; tantivy compresses its
document store itself) and the typed record fields' slots (tantivy_values.py).
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Mapping

import tantivy

from .. import compact
from ..analysis.analyzer import Analyzer, Columns
from ..files import write_json
from ..stored_tokens import for_storage, pack_columns, pack_for_storage, unpack_columns
from .base import FILTER_FIELDS, SEARCH_FIELDS, Document
from .tantivy_values import add_slots, add_typed

if TYPE_CHECKING:
    from ..values.records import FieldSpec

#: The typed fields a document is written with: ``(specs, slots)`` of the index's FieldTable.
Typing = tuple[Mapping[str, "FieldSpec"], Mapping[str, str]]
NO_TYPING: Typing = ({}, {})
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

_Token = tantivy.Token
_PreTokenized = tantivy.PreTokenizedString


def make_schema() -> Any:
    """The tantivy schema (the analyzer lives in persearch, not in the schema)."""
    sb = tantivy.SchemaBuilder()
    for name in FILTER_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    for name in SEARCH_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="position")
    sb.add_bytes_field("fields", stored=True)
    sb.add_bytes_field("text", stored=True)
    add_slots(sb)
    return sb.build()




#: One document analyzed, as a worker process sends it back: the Document and
#: its title and body tokens, packed (persearch.stored_tokens: unpickling
#: these bytes is ~200× faster than unpickling lists of tokens).
Analyzed = tuple[Document, bytes, bytes]


def analyze_document(analyzer: Analyzer, doc: Document) -> Analyzed:
    """The index-time tokens of a document (stopwords kept, like the Whoosh adapter), packed."""
    columns = analyzer.columns
    return doc, pack_columns(*columns(doc.title or "")), pack_columns(*columns(doc.text or ""))


def make_document(analyzed: Analyzed, typing: Typing = NO_TYPING) -> Any:
    """A document a worker analyzed, as a tantivy document."""
    doc, title, body = analyzed
    return _document(doc, unpack_columns(title), unpack_columns(body), for_storage(title, body), typing)


def new_document(analyzer: Analyzer, doc: Document, typing: Typing = NO_TYPING) -> Any:
    """A document analyzed here, as a tantivy document (no trip through packed tokens)."""
    title, body = analyzer.columns(doc.title or ""), analyzer.columns(doc.text or "")
    return _document(doc, title, body, pack_for_storage(title, body), typing)


def _pretokenized(columns: Columns) -> Any:
    # Tokens in position order, as the analyzer yields them (tantivy drops out-of-order positions).
    # No text: tantivy indexes only the tokens, and these fields are not stored.
    terms, starts, ends, positions = columns
    return _PreTokenized("", list(map(_Token, terms, positions, starts, ends)))


_COMPACT_TEXT, _UTF8_TEXT = b"c", b"u"  # how a stored text is written


def _document(doc: Document, title: Columns, body: Columns, stored_tokens: bytes, typing: Typing) -> Any:
    out = tantivy.Document()
    out.add_text("id", doc.id)
    for name in ("path", "format", "encoding"):
        value = getattr(doc, name)
        if value:
            out.add_text(name, value)
    if doc.typed:
        add_typed(out, doc.typed, *typing)
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


def hit_fields(raw: bytes | None) -> dict[str, Any]:
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


def stored_text(doc: Any) -> str:
    return StoredBody(doc).text()


class StoredBody:
    """A stored document's text and its packed tokens, which share one stored value:
    copied out of the engine once, on first use, for both."""

    __slots__ = ("doc", "raw")

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.raw: bytes | None = None

    def _raw(self) -> bytes:
        if self.raw is None:
            self.raw = self.doc.get_first("text") or b""
        return self.raw

    def text(self) -> str:
        raw = self._raw()
        if not raw:
            return ""
        text = raw[5:5 + int.from_bytes(raw[1:5], "little")]
        return compact.decode(text) if raw[:1] == _COMPACT_TEXT else text.decode("utf-8")

    def tokens(self) -> bytes | None:
        raw = self._raw()
        return raw[5 + int.from_bytes(raw[1:5], "little"):] if raw else None


def new_index(path: str) -> None:
    """Create an empty tantivy index in folder ``path`` with persearch's schema and store blocks."""
    writer = tantivy.Index(make_schema(), path, reuse=False).writer(HEAP_BYTES, THREADS)
    writer.commit()  # an empty first commit: meta.json records an opstamp (the generation)
    writer.wait_merging_threads()  # and releases tantivy's lock
    meta_path = os.path.join(path, "meta.json")
    meta = read_json(meta_path)
    meta.setdefault("index_settings", {})["docstore_blocksize"] = STORE_BLOCK_BYTES
    write_json(meta_path, meta)


def read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)

