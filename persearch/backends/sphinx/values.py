"""Typed record fields on the sphinx backend: slots, a row's values, and their filters, order and facets.

Every node's RT index declares :data:`~.config.TYPED_SLOTS` slots up front
(a Sphinx schema is fixed in its configuration); the
:class:`~persearch.backends.base.FieldTable` of the index's data folder
gives each typed field one (``t0``…), before any document uses it. Slot
``i`` is three attributes: ``v{i}``, every value of the field as a 64-bit
integer (its *code*); ``d{i}``, a date field's values as day numbers; and
``s{i}``, a keyword field's (first) value as text.

Codes keep what Sphinx compares: a date is its key (wall-clock seconds); a
number is its IEEE-754 bits, turned so that integers order as the numbers
do (exact, where Sphinx's own floats have 24 bits); a keyword is a 63-bit
hash of its term, which the store maps back to the text for facets.

    >>> code("number", -2.5) < code("number", 0.0) < code("number", 1e-9) < code("number", 3.0)
    True
    >>> number_from_code(code("number", 1250.0))
    1250.0

In SphinxQL every filter is an attribute condition (always with bound
values; Sphinx's WHERE is a plain AND of conditions, without OR or NOT):

- a keyword, or numbers and dates that are whole values (``views=15,40``):
  ``v IN (…)``, ``v NOT IN (…)`` (any value in the set / none);
- one range: ``v BETWEEN a AND b`` (or ``>=``, ``<=``): some value in it;
- anything else — several ranges, a range excluded, a field that must
  exist — a 0/1 expression in the select list the WHERE asks for: ``IN()``
  of codes, ``GREATEST(v) >= a`` (some value from a on), ``LEAST(v) <= b``,
  and for a field holding one value a document, ``LEAST(v)`` as that value;
  a date range of whole days, ``IN(d, days…)``. What no expression can say
  — a bounded range (or several) of a field holding several values a
  document, neither whole values nor whole days — is refused with one line
  (docs/backends.md, *Scaling out*).

Sorting is ``ORDER BY`` the value (``LEAST(v)``, or ``s`` for a keyword) with
documents without one last; facets are ``GROUP BY v`` (``d`` for dates by
day): Sphinx counts a document once in each of its values' groups.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ...errors import InvalidOption
from .config import TYPED_SLOTS

if TYPE_CHECKING:
    from ...values.facets import Facet, Sort
    from ...values.filters import Filter, Range
    from ...values.records import FieldSpec

_DAY = 86400
#: Whole days a date filter may list (``IN(d, …)``) where a range cannot be said otherwise.
MAX_DAYS = 4096
#: Groups a facet query returns at most (facet counts are exact up to this many distinct values).
FACET_SIZE = 65000
_DOUBLE, _SIGNED = struct.Struct(">d"), struct.Struct(">q")


def allot(name: str, spec: FieldSpec, slots: Mapping[str, str]) -> str | None:
    """The first free slot for a new field (any type), None when every one is taken."""
    used = set(slots.values())
    return next((f"t{i}" for i in range(TYPED_SLOTS) if f"t{i}" not in used), None)


def slot_number(slot: str) -> int:
    return int(slot[1:])


# -- codes ------------------------------------------------------------------------------
def code(kind: str, value: Any) -> int:
    """A typed value as the 64-bit integer its slot holds."""
    if kind == "keyword":
        return keyword_code(str(value))
    if kind == "date":
        return int(value)
    number = float(value) + 0.0  # -0.0 becomes 0.0
    bits = _SIGNED.unpack(_DOUBLE.pack(number))[0]
    return bits ^ 0x7FFFFFFFFFFFFFFF if bits < 0 else bits


def keyword_code(term: str) -> int:
    """A keyword term's code: 63 bits of its hash (never Python's salted ``hash()``)."""
    return int.from_bytes(blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") >> 1


def number_from_code(value: int) -> float:
    """The number a ``code("number", …)`` stands for."""
    bits = value ^ 0x7FFFFFFFFFFFFFFF if value < 0 else value
    return float(_DOUBLE.unpack(_SIGNED.pack(bits))[0])


# -- a row ---------------------------------------------------------------------------------
def slot_columns(slots: Iterable[str]) -> list[str]:
    """The attribute columns of the given slots, in the order :func:`slot_values` gives their values."""
    return [f"{a}{slot_number(s)}" for s in sorted(set(slots), key=slot_number) for a in ("v", "d", "s")]


def slot_values(typed: Mapping[str, list[Any]], specs: Mapping[str, FieldSpec],
                slots: Mapping[str, str]) -> list[Any]:
    """One document's values for :func:`slot_columns` of every slot in ``slots`` (MVAs as tuples)."""
    by_slot = {slot: name for name, slot in slots.items()}
    out: list[Any] = []
    for slot in sorted(by_slot, key=slot_number):
        name = by_slot[slot]
        values, spec = typed.get(name) or [], specs.get(name)
        if not values or spec is None:
            out += [(), (), ""]
            continue
        codes = tuple(sorted({code(spec.type, v) for v in values}))
        days = tuple(sorted({int(v) // _DAY for v in values})) if spec.type == "date" else ()
        out += [codes, days, str(values[0]) if spec.type == "keyword" else ""]
    return out


def keyword_values(typed: Mapping[str, list[Any]], specs: Mapping[str, FieldSpec]) -> Iterable[tuple[int, str]]:
    """``(code, term)`` of a document's keyword values (the store keeps them for facets)."""
    for name, values in typed.items():
        spec = specs.get(name)
        if spec is not None and spec.type == "keyword":
            for value in values:
                yield keyword_code(str(value)), str(value)


# -- a search ------------------------------------------------------------------------------
@dataclass
class Conditions:
    """What filters add to a SELECT: expressions with aliases (``expr AS _fN``) and WHERE
    conditions, each with its bound values, in the order they appear in the statement."""

    select: list[tuple[str, list[Any]]] = field(default_factory=list)
    where: list[tuple[str, list[Any]]] = field(default_factory=list)

    def alias(self, expression: str, args: list[Any], wanted: int) -> None:
        name = f"_f{len(self.select)}"
        self.select.append((f"{expression} AS {name}", args))
        self.where.append((f"{name} = {wanted}", []))


def conditions(filters: Sequence[Filter], specs: Mapping[str, FieldSpec], slots: Mapping[str, str]) -> Conditions:
    """The SphinxQL conditions of typed filters (raw fields are MATCH words: :mod:`.translate`)."""
    out = Conditions()
    for f in filters:
        spec, i = specs[f.field], slot_number(slots[f.field])
        v = f"v{i}"
        if f.type == "keyword":
            out.where.append((f"{v} {'NOT IN' if f.negate else 'IN'} %s", [[keyword_code(x) for x in f.values]]))
            continue
        points = _points(f.type, f.ranges)
        if points is not None:
            out.where.append((f"{v} {'NOT IN' if f.negate else 'IN'} %s", [points]))
        elif len(f.ranges) == 1 and not f.negate and (f.ranges[0].low is not None or f.ranges[0].high is not None):
            sql, args = _between(v, _bounds(f.type, f.ranges[0]))
            out.where.append((sql, args))
        else:
            parts = [_some_value_in(f, spec.multi, i, r) for r in f.ranges]
            expression = " OR ".join(f"({sql})" for sql, _ in parts)
            out.alias(f"IF(LENGTH({v}) > 0 AND ({expression}), 1, 0)", [a for _, args in parts for a in args],
                      0 if f.negate else 1)
    return out


def _points(kind: str, ranges: Sequence[Range]) -> list[int] | None:
    """The codes of ranges that are each one whole value (``views=15,40``), else None."""
    if not all(r.low is not None and r.low == r.high and r.include_low and r.include_high for r in ranges):
        return None
    return [code(kind, r.low) for r in ranges]


def _bounds(kind: str, r: Range) -> tuple[int | None, int | None]:
    """A range as inclusive code bounds (codes are integers: an excluded end is the next code)."""
    low = None if r.low is None else code(kind, r.low) + (0 if r.include_low else 1)
    high = None if r.high is None else code(kind, r.high) - (0 if r.include_high else 1)
    return low, high


def _between(column: str, bounds: tuple[int | None, int | None]) -> tuple[str, list[Any]]:
    low, high = bounds
    if low is not None and high is not None:
        return f"{column} BETWEEN %s AND %s", [low, high]
    if low is not None:
        return f"{column} >= %s", [low]
    return f"{column} <= %s", [high]


def _some_value_in(f: Filter, multi: bool, i: int, r: Range) -> tuple[str, list[Any]]:
    """An expression true when some value of slot ``i`` lies in ``r`` (see the module docstring)."""
    low, high = _bounds(f.type, r)
    v = f"v{i}"
    if low is None and high is None:
        return "1", []
    if low is None:
        return f"LEAST({v}) <= %s", [high]
    if high is None:
        return f"GREATEST({v}) >= %s", [low]
    if not multi:
        return f"LEAST({v}) >= %s AND LEAST({v}) <= %s", [low, high]
    if f.type == "date" and low % _DAY == 0 and (high + 1) % _DAY == 0 and (high + 1 - low) // _DAY <= MAX_DAYS:
        days = list(range(low // _DAY, (high + 1) // _DAY))
        return f"IN(d{i}, {', '.join(['%s'] * len(days))})", days
    raise InvalidOption(f"filter {f.text}: the sphinx backend cannot test a range of {f.field}, which holds several "
                        f"values a document, inside other ranges or excluded (a range of whole days can be)")


def sort_order(sort: Sort, slots: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Select expressions and ORDER BY terms of a sort: ``_m`` (1 for a document without the
    field: last, both ways), then the value (``_k``, or ``s{i}`` for a keyword)."""
    i = slot_number(slots[sort.field])
    direction = "DESC" if sort.descending else "ASC"
    key = f"s{i}" if sort.type == "keyword" else "_k"
    value = f"s{i}" if sort.type == "keyword" else f"LEAST(v{i}) AS _k"
    return [f"IF(LENGTH(v{i}) > 0, 0, 1) AS _m", value], ["_m ASC", f"{key} {direction}"]


def facet_column(facet: Facet, slots: Mapping[str, str]) -> str:
    """The attribute a facet groups by: every value, or a date's days."""
    i = slot_number(slots[facet.field])
    return f"d{i}" if facet.type == "date" else f"v{i}"


def facet_value(facet: Facet, group: int, keywords: Mapping[int, str]) -> Any:
    """A group's value as the other engines give it: a keyword's text, a number, a day's first second."""
    if facet.type == "date":
        return int(group) * _DAY
    if facet.type == "number":
        return number_from_code(int(group))
    return keywords.get(int(group))


__all__ = ["allot", "slot_number", "code", "keyword_code", "number_from_code", "slot_columns", "slot_values",
           "keyword_values", "Conditions", "conditions", "sort_order", "facet_column", "facet_value", "FACET_SIZE"]
