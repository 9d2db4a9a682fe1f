"""Typed record fields at the index level: declarations, and documents given from code (checked and typed).

An index's typed fields live in its engine folder (``fields.json``, kept by
the backend: :class:`~persearch.backends.base.FieldTable`); the types a user
*declared* (``add_paths(..., fields={"date": "date"})``, ``--field
date=date``) are also kept in ``persearch.json``, so that a rebuild, which
starts a fresh engine folder, types those fields the same way and infers
the others again from their values.

    >>> declare_fields(["تاریخ=date"], {})
    {'تاریخ': 'date'}
"""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..backends.base import RESERVED_FIELDS, Document
from ..errors import InvalidOption

if TYPE_CHECKING:
    from ..backends.base import Backend
    from ..values.records import FieldSpec


def declare_fields(fields: Mapping[str, str] | Iterable[str] | None,
                   recorded: Mapping[str, FieldSpec]) -> dict[str, str]:
    """``--field NAME=TYPE`` declarations (or a mapping), checked against the types ``recorded``.

    A reserved name (title, body, text, id, path, format, encoding, score)
    or a field recorded with another type is an InvalidOption saying what to do.
    """
    from ..values.fields import parse_field_declarations

    declared = parse_field_declarations(fields)
    for name, kind in declared.items():
        if name in RESERVED_FIELDS:
            raise InvalidOption(f"--field {name}: {name} is not a record field persearch can type "
                                f"(reserved: {', '.join(sorted(RESERVED_FIELDS))})")
        spec = recorded.get(name)
        if spec is not None and spec.type != kind:
            raise InvalidOption(f"field {name} is recorded as {spec.type} in this index; to make it {kind}, "
                                f"rebuild: persearch index PATH --rebuild --field {name}={kind}")
    return declared


def declared_fields_map(meta: Mapping[str, Any]) -> dict[str, str]:
    """The declared types kept in ``persearch.json`` (``{"date": "date"}``)."""
    found = meta.get("fields")
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def declared_fields(meta: Mapping[str, Any]) -> dict[str, FieldSpec]:
    """The declared types kept in ``persearch.json``, as specs to record in an engine."""
    from ..values.fields import FIELD_TYPES
    from ..values.records import FieldSpec

    return {name: FieldSpec(kind) for name, kind in declared_fields_map(meta).items() if kind in FIELD_TYPES}


def type_own_documents(backend: Backend, documents: list[Document]) -> None:
    """Type the metadata of documents given from code (``add_documents``, a rebuild's copies)
    and record their new fields first; values that do not read stay text."""
    from ..ingest import type_documents

    new, _kept = type_documents(documents, backend.fields())
    if new:
        backend.add_fields(new)


def as_document(item: Document | Mapping[str, Any]) -> Document:
    """A Document from what :meth:`Index.add_documents` was given, or one clear error."""
    if isinstance(item, Mapping):
        fields = dict(item)
        if "id" not in fields or "text" not in fields:
            raise InvalidOption(f"a document needs an 'id' and a 'text', not only {sorted(fields)}")
        item = Document(id=fields.pop("id"), text=fields.pop("text"), title=fields.pop("title", None) or "",
                        metadata=fields)
    elif not isinstance(item, Document):
        raise InvalidOption(f"a document is a persearch.Document or a dict with 'id' and 'text', "
                            f"not {type(item).__name__}")
    if isinstance(item.id, int) and not isinstance(item.id, bool):
        item.id = str(item.id)
    if item.title is None:
        item.title = ""
    for name in ("id", "text", "title"):
        if not isinstance(getattr(item, name), str):
            raise InvalidOption(f"document {item.id!r}: {name} must be text, not {type(getattr(item, name)).__name__}")
    if not item.id:
        raise InvalidOption("a document id cannot be empty")
    if any(isinstance(v, datetime.date) for v in (item.metadata or {}).values()):
        # A Python date is kept as ISO text (what the metadata can store), typed as a date.
        item.metadata = {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in item.metadata.items()}
    return item


__all__ = ["declare_fields", "declared_fields", "declared_fields_map", "type_own_documents", "as_document"]
