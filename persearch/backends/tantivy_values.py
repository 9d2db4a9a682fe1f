"""Typed record fields on the tantivy backend: slots, filters, sorting and facet counts.

tantivy's schema is fixed when an index is created, so it declares *slots*
up front: :data:`SLOTS` keyword fields ``k0``… (raw text, indexed, fast),
number fields ``f0``… (f64) and date fields ``i0``… (i64 keys), all fast
fields (tantivy's column store). Unused slots cost nothing. The
:class:`~persearch.backends.base.FieldTable` of the index folder maps each
record field to its slot, written before any document uses it; a field
beyond the last slot of its type stays untyped metadata.

Everything runs inside tantivy:

* a filter is a ``range_query`` (fast-field range) or ``term_query`` on the
  slot, as a zero-score ``Must`` clause (``MustNot`` when negated);
* facets are one ``aggregate`` call: a ``terms`` aggregation per keyword or
  number facet, a day ``histogram`` per date facet;
* a sort is ``order_by_field`` on the slot (documents without a value come
  last both ways). tantivy orders equal values by document, not score, so
  every run of equal values the page holds (seen with one neighbour on each
  side) is ranked again: the page's share of ``query AND field = value``, by
  score, from the run's start in the whole order (counted with a range
  query, or for keywords with a ``terms`` aggregation: tantivy has no text
  ranges). Runs of one document cost nothing more.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import tantivy

from .base import FILTER_FIELDS, equal_runs

if TYPE_CHECKING:
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter, Range
    from ..values.records import FieldSpec

#: Slots per type: name prefix and how many. A keyword field costs nothing until used.
SLOTS = {"keyword": ("k", 32), "number": ("f", 16), "date": ("i", 16)}
#: Buckets a terms aggregation returns at most (facet counts are exact up to this many distinct values).
FACET_SIZE = 65000
_DAY = 86400
#: The terms-aggregation bucket of documents without a keyword (no keyword term holds a NUL).
_MISSING_KEYWORD = "\x00"
_FIELD_TYPE = {"number": tantivy.FieldType.Float, "date": tantivy.FieldType.Integer}
_Occur = tantivy.Occur
_Q = tantivy.Query


def add_slots(builder: Any) -> None:
    """Declare every slot in a tantivy schema builder."""
    for kind, (prefix, count) in SLOTS.items():
        for i in range(count):
            name = f"{prefix}{i}"
            if kind == "keyword":
                builder.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic", fast=True)
            elif kind == "number":
                builder.add_float_field(name, indexed=True, fast=True)
            else:
                builder.add_integer_field(name, indexed=True, fast=True)


def allot(name: str, spec: FieldSpec, slots: Mapping[str, str]) -> str | None:
    """The first free slot of ``spec``'s type for a new field (None: all taken)."""
    prefix, count = SLOTS[spec.type]
    used = set(slots.values())
    return next((f"{prefix}{i}" for i in range(count) if f"{prefix}{i}" not in used), None)


def add_typed(document: Any, typed: Mapping[str, list[Any]], specs: Mapping[str, FieldSpec],
              slots: Mapping[str, str]) -> None:
    """Add a persearch document's typed values to a tantivy document (fields without a slot are left out)."""
    for name, values in typed.items():
        slot, spec = slots.get(name), specs.get(name)
        if slot is None or spec is None:
            continue
        if spec.type == "keyword":
            for value in values:
                document.add_text(slot, value)
        elif spec.type == "number":
            for value in values:
                document.add_float(slot, float(value))
        else:
            for value in values:
                document.add_integer(slot, int(value))


class TypedSearch:
    """Filters, facets and sorting of one search on one searcher (see the module docstring)."""

    def __init__(self, schema: Any, searcher: Any, specs: Mapping[str, FieldSpec], slots: Mapping[str, str]) -> None:
        self.schema, self.searcher = schema, searcher
        self.specs, self.slots = specs, slots

    # -- filters ---------------------------------------------------------------------
    def filtered(self, query: Any, filters: Sequence[Filter]) -> Any:
        """``query`` restricted by ``filters``: each one a zero-score Must (or a MustNot) clause."""
        if not filters:
            return query
        clauses = [(_Occur.Must, query)]
        for f in filters:
            clause = self._filter(f)
            if f.negate:
                clauses.append((_Occur.MustNot, clause))
            else:
                clauses.append((_Occur.Must, _Q.const_score_query(clause, 0.0)))
        return _Q.boolean_query(clauses)

    def _filter(self, f: Filter) -> Any:
        if f.field in FILTER_FIELDS:
            return _any([_Q.term_query(self.schema, f.field, v) for v in f.values])
        spec, slot = self.specs[f.field], self.slot(f.field)
        if spec.type == "keyword":
            return _any([_Q.term_query(self.schema, slot, v) for v in f.values])
        return _any([self._range(slot, spec.type, r) for r in f.ranges])

    def _range(self, slot: str, kind: str, r: Range) -> Any:
        if r.low is None and r.high is None:
            return _Q.exists_query(slot)
        cast = float if kind == "number" else int
        low = None if r.low is None else cast(r.low)
        high = None if r.high is None else cast(r.high)
        return _Q.range_query(self.schema, slot, _FIELD_TYPE[kind], low, high,
                              r.include_low or low is None, r.include_high or high is None)

    def slot(self, name: str) -> str:
        return self.slots[name]

    # -- facets ----------------------------------------------------------------------
    def facet_counts(self, query: Any, facets: Sequence[Facet]) -> tuple[dict[str, dict[Any, int]], int | None]:
        """Every facet in one ``aggregate`` call: ``{facet name: {value: documents}}`` (date keys by
        day), and the number of matches when a facet can tell it (else None).

        A keyword field with one value a document also counts the documents
        without it (``missing``), so its buckets add up to the total and no
        separate count is run.
        """
        if not facets:
            return {}, None
        aggs = {}
        counter = next((i for i, f in enumerate(facets)
                        if f.type == "keyword" and not self.specs[f.field].multi), None)
        for i, facet in enumerate(facets):
            slot = self.slot(facet.field)
            if facet.type == "date":
                aggs[f"f{i}"] = {"histogram": {"field": slot, "interval": _DAY, "min_doc_count": 1}}
            else:
                aggs[f"f{i}"] = {"terms": {"field": slot, "size": FACET_SIZE}}
                if i == counter:
                    aggs[f"f{i}"]["terms"]["missing"] = _MISSING_KEYWORD
        found = self.searcher.aggregate(query, aggs)
        out = {}
        total = None
        for i, facet in enumerate(facets):
            agg = found.get(f"f{i}") or {}
            buckets = agg.get("buckets") or []
            if facet.type == "date":
                out[facet.name] = {int(b["key"]): b["doc_count"] for b in buckets}
            elif facet.type == "number":
                out[facet.name] = {float(b["key"]): b["doc_count"] for b in buckets}
            else:
                out[facet.name] = {str(b["key"]): b["doc_count"] for b in buckets}
            if i == counter:
                total = sum(b["doc_count"] for b in buckets) + int(agg.get("sum_other_doc_count") or 0)
                out[facet.name].pop(_MISSING_KEYWORD, None)
        return out, total

    # -- sorting -----------------------------------------------------------------------
    def sorted_page(self, query: Any, sort: Sort, limit: int, offset: int) -> tuple[list[Any], int]:
        """The page's document addresses in ``sort`` order, equal values ranked by score, and the
        number of matches (an ordered search visits every match anyway: counting is free).

        The page is read with one neighbour on each side, so a value seen once
        whose neighbours differ needs nothing more (unique dates: no extra search).
        """
        spec, slot = self.specs[sort.field], self.slot(sort.field)
        order = tantivy.Order.Desc if sort.descending else tantivy.Order.Asc
        before = 1 if offset > 0 else 0
        result = self.searcher.search(query, limit=limit + before + 1, offset=offset - before, order_by_field=slot,
                                      order=order, count=True)
        found = result.hits
        values = [value for value, _ in found]
        addresses = [address for _, address in found[before:before + limit]]
        for start, end, earlier, later in equal_runs(values, before, len(addresses)):
            if end - start > 1 or earlier or later:
                value = values[before + start]
                first = self._run_start(query, spec, slot, sort, value) if earlier else offset + start
                ranked = self.searcher.search(self._equal(query, spec.type, slot, value), limit=end - start,
                                              offset=offset + start - first, count=False).hits
                addresses[start:start + len(ranked)] = [address for _, address in ranked]
        return addresses, int(result.count)

    def _equal(self, query: Any, kind: str, slot: str, value: Any) -> Any:
        if value is None:
            same = _Q.exists_query(slot)
            return _Q.boolean_query([(_Occur.Must, query), (_Occur.MustNot, same)])
        if kind == "keyword":
            same = _Q.term_query(self.schema, slot, value)
        else:
            cast = float if kind == "number" else int
            same = _Q.range_query(self.schema, slot, _FIELD_TYPE[kind], cast(value), cast(value), True, True)
        return _Q.boolean_query([(_Occur.Must, query), (_Occur.Must, _Q.const_score_query(same, 0.0))])

    def _run_start(self, query: Any, spec: FieldSpec, slot: str, sort: Sort, value: Any) -> int:
        """How many matches come before the documents whose value is ``value`` in the sort order."""
        if value is None:  # documents without a value come after every other
            before = _Q.boolean_query([(_Occur.Must, query), (_Occur.Must, _Q.exists_query(slot))])
            return _count(self.searcher, before)
        if spec.type == "keyword":
            counts = self.searcher.aggregate(query, {"v": {"terms": {"field": slot, "size": FACET_SIZE}}})
            buckets = (counts.get("v") or {}).get("buckets") or []
            if sort.descending:
                return sum(b["doc_count"] for b in buckets if str(b["key"]) > value)
            return sum(b["doc_count"] for b in buckets if str(b["key"]) < value)
        cast = float if spec.type == "number" else int
        if sort.descending:
            earlier = _Q.range_query(self.schema, slot, _FIELD_TYPE[spec.type], cast(value), None, False, True)
        else:
            earlier = _Q.range_query(self.schema, slot, _FIELD_TYPE[spec.type], None, cast(value), True, False)
        return _count(self.searcher, _Q.boolean_query([(_Occur.Must, query), (_Occur.Must, earlier)]))


def _any(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else _Q.boolean_query([(_Occur.Should, q) for q in queries])


def _count(searcher: Any, query: Any) -> int:
    return int(searcher.search(query, limit=1, count=True).count)


__all__ = ["SLOTS", "FACET_SIZE", "add_slots", "allot", "add_typed", "TypedSearch"]
