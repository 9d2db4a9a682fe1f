"""What a persearch document is in Whoosh: the schema, a document's fields going in, a hit's fields coming out.

The Whoosh backend's counterpart of tantivy_documents.py. Title and body are
analyzed once per document (``Analyzer.columns``); the same columns are
indexed and stored packed for the highlighter (stored_tokens.py).
"""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, Mapping

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh import fields as wf

from ..analysis.analyzer import Analyzer, Columns
from ..analysis.whoosh_adapter import WhooshAnalyzer
from ..stored_tokens import pack_for_storage
from .base import Document
if TYPE_CHECKING:
    from ..values.records import FieldSpec


def make_schema(analyzer: Analyzer) -> wf.Schema:
    """The Whoosh schema for one analyzer configuration."""
    ana = WhooshAnalyzer(analyzer)
    schema = wf.Schema(
        id=wf.ID(unique=True, stored=True),
        path=wf.ID(stored=True),
        format=wf.ID(stored=True),
        encoding=wf.ID(stored=True),
        title=wf.TEXT(analyzer=ana, stored=True, phrase=True),
        body=wf.TEXT(analyzer=ana, stored=False, phrase=True),
        textz=wf.STORED(),
        tokens=wf.STORED(),
        size=wf.STORED(),
        mtime=wf.STORED(),
        hash=wf.STORED(),
        metadata=wf.STORED(),
    )
    # Typed record fields (whoosh_values.py). A column's default marks a
    # document without a value: the largest sortable number, or "".
    from .whoosh_values import MISSING_RAW, PREFIX

    schema.add(PREFIX["keyword"] + "*", wf.ID(sortable=True), glob=True)
    schema.add(PREFIX["number"] + "*", wf.NUMERIC(numtype=float, bits=64, sortable=True, default=MISSING_RAW),
               glob=True)
    schema.add(PREFIX["date"] + "*", wf.NUMERIC(numtype=int, bits=64, signed=True, sortable=True), glob=True)
    return schema


def document_fields(doc: Document, analyzer: Analyzer,
                    specs: Mapping[str, FieldSpec]) -> tuple[dict[str, Any], dict[str, Columns]]:
    """A Document as fields for :meth:`ColumnSegmentWriter.add_analyzed`, and its analyzed texts.

    Title and body are analyzed here, once (``Analyzer.columns``): their
    tokens are stored (packed) for the highlighter and indexed from the same columns.
    """
    title, body = doc.title or "", doc.text or ""
    texts = {"title": analyzer.columns(title), "body": analyzer.columns(body)}
    fields: dict[str, Any] = {
        "id": doc.id, "path": doc.path or None, "format": doc.format or None, "encoding": doc.encoding or None,
        "title": title, "body": body,
        "textz": zlib.compress(body.encode("utf-8"), 1),
        # Not compressed: packed tokens shrink by a quarter and zlib would cost every hit ~35 µs.
        "tokens": pack_for_storage(texts["title"], texts["body"]),
        "size": doc.size, "mtime": doc.mtime, "hash": doc.hash, "metadata": doc.metadata or None,
    }
    if doc.typed:
        from .whoosh_values import typed_fields  # loaded by the first typed document, not by searches

        fields.update(typed_fields(doc.typed, specs))
    return fields, texts


def hit_fields(stored: dict[str, Any], *, with_text: bool = True) -> dict[str, Any]:
    """Stored Whoosh fields as persearch fields (``text`` decompressed unless ``with_text=False``)."""
    out = {k: v for k, v in stored.items() if k != "textz" and k != "tokens"}
    if with_text:
        out["text"] = decompress(stored.get("textz"))
    out.setdefault("title", "")
    out.setdefault("path", "")
    out.setdefault("format", "")
    out["metadata"] = out.get("metadata") or {}
    return out


def decompress(raw: bytes | None) -> str:
    return zlib.decompress(raw).decode("utf-8") if raw else ""
