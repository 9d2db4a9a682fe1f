"""Typed record fields at the index level: declarations, and documents given from code.

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

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..backends.base import RESERVED_FIELDS
from ..errors import InvalidOption

if TYPE_CHECKING:
    from ..backends.base import Backend, Document
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
    from ..typed_documents import type_documents

    new, _kept = type_documents(documents, backend.fields())
    if new:
        backend.add_fields(new)


__all__ = ["declare_fields", "declared_fields", "declared_fields_map", "type_own_documents"]
