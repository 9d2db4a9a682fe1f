"""The typed values of a batch of records (one file, or one ``add_documents`` call).

An index records, for every typed field, a :class:`FieldSpec`: its type and
whether some document holds several values of it. :func:`type_records`
takes the specs recorded so far and the records' metadata, infers the type
of each field seen for the first time (:class:`~persearch.values.fields.FieldTypes`,
over these records), turns every value into its typed form, and says which
specs are new (or now hold several values) so the index can record them
before the documents are written.

    >>> batch = type_records([{"منبع": "فارس", "تاریخ": "۱۴۰۲/۰۵/۱۲"}, {"منبع": ["مهر", "ایسنا"]}], {})
    >>> batch.typed[1], batch.new
    ({'منبع': ['مهر', 'ایسنا']}, {'منبع': FieldSpec(type='keyword', multi=True), 'تاریخ': FieldSpec(type='date', multi=False)})

A value that does not read as its field's type stays in the metadata as
text and is reported (:class:`~persearch.values.fields.Problem`); nothing is
dropped. Field names that are not :data:`~persearch.values.fields.FIELD_NAME`
(spaces, over 64 characters) and those in ``skip`` stay untyped metadata.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple, Sequence

from ..errors import QueryError

if TYPE_CHECKING:
    from .fields import Problem

# fields.py (and the date grammar behind it) loads when a batch is typed: reading an
# index's field table, which needs only FieldSpec, should not pay for it.


class FieldSpec(NamedTuple):
    """What an index records of one typed field."""

    type: str
    #: True once a document holds more than one (distinct) value of it.
    multi: bool = False


class TypedBatch(NamedTuple):
    """:func:`type_records`'s answer, in the order of the records given."""

    #: Per record: ``{field: [typed values]}`` (distinct, in the order written).
    typed: list[dict[str, list[Any]]]
    #: Per record: the values kept as text.
    problems: list[list[Problem]]
    #: Specs to record: fields seen for the first time, and recorded single-valued ones that now hold several.
    new: dict[str, FieldSpec]


def type_records(records: Sequence[Mapping[str, Any]], known: Mapping[str, FieldSpec], *,
                 skip: Iterable[str] = ()) -> TypedBatch:
    """Typed values of ``records`` (metadata dicts) under the recorded specs ``known``."""
    from .fields import FieldTypes

    skip = frozenset(skip)
    typer = FieldTypes(declared={name: spec.type for name, spec in known.items()}, skip=skip)
    for record in records:
        if any(key not in known for key in record):
            typer.observe(_nameable(record, skip))
    types = typer.types()
    cache: dict[tuple[str, type, Any], Any] = {}  # dates and sources repeat: each distinct value is read once
    typed: list[dict[str, list[Any]]] = []
    problems: list[list[Problem]] = []
    multi: set[str] = set()
    for record in records:
        values, failed = _coerce(record, types, skip, cache)
        typed.append(values)
        problems.append(failed)
        multi.update(name for name, items in values.items() if len(items) > 1)
    seen = {name for values in typed for name in values}
    new = {name: FieldSpec(types[name], name in multi) for name in sorted(seen, key=list(types).index)
           if name not in known or (name in multi and not known[name].multi)}
    return TypedBatch(typed, problems, new)


def _nameable(record: Mapping[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    from .fields import FIELD_NAME

    return {k: v for k, v in record.items() if isinstance(k, str) and k not in skip and FIELD_NAME.match(k)}


def _coerce(record: Mapping[str, Any], types: Mapping[str, str], skip: frozenset[str],
            cache: dict[tuple[str, type, Any], Any]) -> tuple[dict[str, list[Any]], list[Problem]]:
    from .fields import FIELD_NAME, Problem, parse_value

    values: dict[str, list[Any]] = {}
    failed: list[Problem] = []
    for name, raw in record.items():
        kind = types.get(name) if isinstance(name, str) and name not in skip else None
        if kind is None or not FIELD_NAME.match(name):
            continue
        items: list[Any] = []
        for item in raw if isinstance(raw, list) else [raw]:
            if item is None or isinstance(item, (dict, list)) or (isinstance(item, str) and not item.strip()):
                continue
            key = (kind, type(item), item)  # 1402 and 1402.0 are equal but read differently as dates
            found = cache.get(key, _MISSING)
            if found is _MISSING:
                try:
                    found = parse_value(kind, item)
                except QueryError as exc:
                    found = Problem(name, item, str(exc))
                cache[key] = found
            if isinstance(found, Problem):
                failed.append(found if found.field == name else Problem(name, item, found.reason))
            elif found not in items:
                items.append(found)
        if items:
            values[name] = items
    return values, failed


_MISSING = object()


def merge_specs(recorded: Mapping[str, FieldSpec], new: Mapping[str, FieldSpec]) -> dict[str, FieldSpec]:
    """``recorded`` with ``new`` added: a recorded type is never changed, only its ``multi`` flag raised.

    >>> merge_specs({"tags": FieldSpec("keyword")}, {"tags": FieldSpec("keyword", True), "year": FieldSpec("number")})
    {'tags': FieldSpec(type='keyword', multi=True), 'year': FieldSpec(type='number', multi=False)}
    """
    merged = dict(recorded)
    for name, spec in new.items():
        old = merged.get(name)
        if old is None:
            merged[name] = spec
        elif spec.multi and not old.multi and spec.type == old.type:
            merged[name] = FieldSpec(old.type, True)
    return merged


__all__ = ["FieldSpec", "TypedBatch", "type_records", "merge_specs"]
