"""tantivy's side of a persearch document: the schema, a Document in, stored fields out.

persearch's analyzer stays the only source of terms: every field is fed to
tantivy pre-tokenized (``PreTokenizedString``) with the positions persearch
chose, so compounds and spelling variants share positions exactly as in the
Whoosh backend.

Schema: ``id``, ``path``, ``format``, ``encoding`` (raw terms for lookups,
deletes and filters), ``title`` and ``body`` (pre-tokenized, positions), the
typed record fields' slots (tantivy_values.py) and ``part`` and ``at``, the
place of the document's stored record (tantivy_store.py): its small fields
(NUL-separated) and its body (the original text and its tokens). tantivy's
own document store holds nothing.

Indexes made before the stored records moved out of tantivy (December 2026)
keep them in two stored fields, ``fields`` and ``text``, in the same
encodings; they are read and written that way still (*legacy*), and a
``--rebuild`` moves them to the new layout.
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Mapping

import tantivy

from .. import compact
from ..analysis.analyzer import Analyzer, Columns
from ..stored_tokens import for_storage, pack_columns, pack_for_storage, unpack_columns
from .base import FILTER_FIELDS, SEARCH_FIELDS, Document
from .tantivy_store import AT, PART, PartWriter, add_record_fields
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
    add_record_fields(sb)
    add_slots(sb)
    return sb.build()


def stores_records_aside(path: str) -> bool:
    """Whether the tantivy index in folder ``path`` keeps its stored records in parts (else: legacy)."""
    return any(field.get("name") == AT for field in read_json(os.path.join(path, "meta.json"))["schema"])


#: One document analyzed, as a worker process sends it back: the Document and
#: its title and body tokens, packed (persearch.stored_tokens: unpickling
#: these bytes is ~200× faster than unpickling lists of tokens).
Analyzed = tuple[Document, bytes, bytes]


def analyze_document(analyzer: Analyzer, doc: Document) -> Analyzed:
    """The index-time tokens of a document (stopwords kept, like the Whoosh adapter), packed."""
    columns = analyzer.columns
    return doc, pack_columns(*columns(doc.title or "")), pack_columns(*columns(doc.text or ""))


def make_document(analyzed: Analyzed, part: PartWriter | None, typing: Typing = NO_TYPING) -> Any:
    """A document a worker analyzed, as a tantivy document; its record goes to ``part`` (None: legacy)."""
    doc, title, body = analyzed
    return _document(doc, unpack_columns(title), unpack_columns(body), for_storage(title, body), part, typing)


def new_document(analyzer: Analyzer, doc: Document, part: PartWriter | None, typing: Typing = NO_TYPING) -> Any:
    """A document analyzed here, as a tantivy document (no trip through packed tokens); its record
    goes to ``part`` (None: a legacy index, where tantivy stores it)."""
    title, body = analyzer.columns(doc.title or ""), analyzer.columns(doc.text or "")
    return _document(doc, title, body, pack_for_storage(title, body), part, typing)


def _pretokenized(columns: Columns) -> Any:
    # Tokens in position order, as the analyzer yields them (tantivy drops out-of-order positions).
    # No text: tantivy indexes only the tokens, and these fields are not stored.
    terms, starts, ends, positions = columns
    return _PreTokenized("", list(map(_Token, terms, positions, starts, ends)))


_COMPACT_TEXT, _UTF8_TEXT = b"c", b"u"  # how a stored text is written


def _document(doc: Document, title: Columns, body: Columns, stored_tokens: bytes, part: PartWriter | None,
              typing: Typing) -> Any:
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
    # The body: how the text is written, its byte length, the text, then its
    # tokens for the highlighter. Every stored byte costs each fetch a copy,
    # so Persian text takes one byte a character (persearch.compact).
    text = compact.encode(doc.text or "")
    head = _COMPACT_TEXT if text is not None else _UTF8_TEXT
    if text is None:
        text = (doc.text or "").encode("utf-8")
    fields, stored = _encode_fields(doc), head + len(text).to_bytes(4, "little") + text + stored_tokens
    if part is None:  # legacy: in tantivy's document store
        out.add_bytes("fields", fields)
        out.add_bytes("text", stored)
    else:
        out.add_unsigned(PART, part.number)
        out.add_unsigned(AT, part.add(fields, stored))
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


#: The JSON decoder's C scanner: what json.loads runs, without its two Python layers around it
#: (half of its ~1.2 µs for a hit's metadata, paid for every hit).
_SCAN_JSON = json.JSONDecoder().scan_once


def _json(text: str) -> Any:
    """``json.loads(text)`` for a value ``json.dumps`` wrote (nothing around it)."""
    try:
        value, end = _SCAN_JSON(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)  # else json.loads says what is wrong


def hit_fields(raw: bytes | None) -> dict[str, Any]:
    """The stored small fields in the shape the Whoosh backend returns."""
    if raw and raw[:1] == _FAST:
        doc_id, path, fmt, encoding, size, mtime, hsh, meta, title = raw[1:].decode("utf-8").split("\0", 8)
        out: dict[str, Any] = {"id": doc_id, "path": path, "format": fmt, "title": title, "size": int(size),
                               "mtime": float(mtime), "hash": hsh, "metadata": _json(meta) if meta else {}}
        if encoding:
            out["encoding"] = encoding
        return out
    out = {k: v for k, v in json.loads(raw).items() if v is not None} if raw else {}
    out.setdefault("title", "")
    out.setdefault("path", "")
    out.setdefault("format", "")
    out["metadata"] = out.get("metadata") or {}
    return out


class StoredBody:
    """A stored document's text and its packed tokens, which share one stored value (the body)."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def text(self) -> str:
        return str(self.sliced())

    def sliced(self) -> str | compact.CompactText:
        """The text as a snippet reads it: in the one-byte code, a view decoding only the slices read."""
        raw = self.raw
        if not raw:
            return ""
        size = int.from_bytes(raw[1:5], "little")
        if raw[:1] == _COMPACT_TEXT:
            return compact.CompactText(raw, 5, size)
        return raw[5:5 + size].decode("utf-8")

    def tokens(self) -> bytes | None:
        raw = self.raw
        return raw[5 + int.from_bytes(raw[1:5], "little"):] if raw else None


def stored_text(body: bytes) -> str:
    """The original text of a stored body."""
    return StoredBody(body).text()


def new_index(path: str) -> None:
    """Create an empty tantivy index in folder ``path`` with persearch's schema."""
    writer = tantivy.Index(make_schema(), path, reuse=False).writer(HEAP_BYTES, THREADS)
    writer.commit()  # an empty first commit: meta.json records an opstamp (the generation)
    writer.wait_merging_threads()  # and releases tantivy's lock


def read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)

