"""Typed record fields on the Whoosh backend: filters, sorting and facet counts.

Each typed field is a Whoosh field of its own, named by type: ``k_<name>``
(keywords: ``ID``, with a column), ``n_<name>`` (numbers: 64-bit float
``NUMERIC``) and ``d_<name>`` (date keys: signed 64-bit int ``NUMERIC``),
all *sortable*, i.e. with Whoosh's per-document column. A document without
a value holds the column default, :data:`MISSING_RAW` (the largest sortable
value) or ``""`` for keywords.

What was measured cheapest while giving the same answers as Whoosh's own
``NumericRange`` filter and ``groupedby`` facets (docs/query.md,
*Measured*): the columns are read once per searcher (Whoosh reopens the
searcher after a commit) into Python lists, and

* a number or date filter is a document set cut out of the column sorted
  by value, with ``bisect`` (no walk over trie terms per query); a keyword
  filter is the union of its values' posting sets (cached);
* facet counts are a ``Counter`` over the matching documents
  (``results.docs()``, the set ``len(results)`` builds anyway), mapped
  through the cached per-document values;
* a sort is a Whoosh facet reading a cached key per document, with the
  score as tie-break (``MultiFacet``), so documents without the field come
  last in both directions, as on tantivy.

A field some document holds several values of (``FieldSpec.multi``) is
filtered through Whoosh's own ``NumericRange`` and counted from its
postings: its column holds only the first value.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import chain
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh import query as wq
from whoosh import sorting
from whoosh.util.numeric import from_sortable, to_sortable

from .base import FILTER_FIELDS

if TYPE_CHECKING:
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter, Range
    from ..values.records import FieldSpec

#: Whoosh field name prefix of each typed field kind.
PREFIX = {"keyword": "k_", "number": "n_", "date": "d_"}
#: The column value of a number or date field a document does not have (the largest sortable value).
MISSING_RAW = 2 ** 64 - 1
_SIGN = 2 ** 63
_DAY = 86400


def engine_field(name: str, kind: str) -> str:
    """The Whoosh field holding record field ``name`` of type ``kind``: ``engine_field("date", "date") == "d_date"``."""
    return PREFIX[kind] + name


def typed_fields(typed: Mapping[str, list[Any]], specs: Mapping[str, FieldSpec]) -> dict[str, list[Any]]:
    """A document's typed values as Whoosh writer arguments (fields not in ``specs`` are left out)."""
    out = {}
    for name, values in typed.items():
        spec = specs.get(name)
        if spec is not None and values:
            out[engine_field(name, spec.type)] = values if spec.type != "number" else [float(v) for v in values]
    return out


def _raw(kind: str, value: float) -> int:
    """A value in the column's sortable encoding (order-preserving)."""
    return int(value) + _SIGN if kind == "date" else to_sortable(float, 64, True, float(value))


def _decode(kind: str, raw: int) -> float | int:
    return raw - _SIGN if kind == "date" else from_sortable(float, 64, True, raw)


class WhooshValues:
    """The typed fields' values of one searcher, read once and cached (see the module docstring)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self._columns: dict[str, list[Any]] = {}
        self._sorted: dict[str, tuple[list[int], list[int]]] = {}
        self._term_docs: dict[tuple[str, str], frozenset[int]] = {}
        self._facet_values: dict[tuple[str, str, bool], list[Any]] = {}
        self._sort_keys: dict[tuple[str, str, bool], list[int]] = {}

    # -- columns ---------------------------------------------------------------------
    def column(self, field: str, kind: str) -> list[Any]:
        """Per global document number: the raw sortable value (numbers, dates) or the text (keywords).

        Read segment by segment: Whoosh's multi-segment column reader leaves
        out segments without the column, which would shift every later document.
        """
        found = self._columns.get(field)
        if found is None:
            missing: Any = "" if kind == "keyword" else MISSING_RAW
            found = []
            for sub, _offset in self.searcher.leaf_searchers():
                reader = sub.reader()
                if reader.has_column(field):
                    found.extend(reader.column_reader(field, translate=kind == "keyword"))
                else:
                    found.extend([missing] * reader.doc_count_all())
            self._columns[field] = found
        return found

    def _sorted_present(self, field: str, kind: str) -> tuple[list[int], list[int]]:
        """``(raw values, documents)`` of the documents with a value, ordered by value."""
        found = self._sorted.get(field)
        if found is None:
            pairs = sorted((raw, doc) for doc, raw in enumerate(self.column(field, kind)) if raw != MISSING_RAW)
            found = self._sorted[field] = ([raw for raw, _ in pairs], [doc for _, doc in pairs])
        return found

    def term_docs(self, field: str, term: str) -> frozenset[int]:
        """The documents holding ``term`` in ``field`` (cached per searcher)."""
        key = (field, term)
        found = self._term_docs.get(key)
        if found is None:
            reader = self.reader
            found = frozenset(reader.postings(field, term).all_ids()) if (field, term) in reader else frozenset()
            self._term_docs[key] = found
        return found

    # -- filters -----------------------------------------------------------------------
    def filter_sets(self, filters: Iterable[Filter], specs: Mapping[str, FieldSpec]
                    ) -> tuple[set[int] | None, set[int]]:
        """``(allow, restrict)`` document sets for Whoosh's ``filter=`` and ``mask=`` (allow None: no limit)."""
        allow: set[int] | None = None
        restrict: set[int] = set()
        for f in filters:
            docs = self._matching(f, specs)
            if f.negate:
                restrict |= docs
            elif allow is None:
                allow = set(docs)
            else:
                allow &= docs
        return allow, restrict

    def _matching(self, f: Filter, specs: Mapping[str, FieldSpec]) -> set[int]:
        if f.field in FILTER_FIELDS:
            return set().union(*(self.term_docs(f.field, v) for v in f.values))
        spec = specs[f.field]
        field = engine_field(f.field, spec.type)
        if spec.type == "keyword":
            return set().union(*(self.term_docs(field, v) for v in f.values))
        if spec.multi:  # the column holds only the first value: Whoosh's own range over every value
            ranges = [wq.NumericRange(field, r.low, r.high, startexcl=not r.include_low, endexcl=not r.include_high)
                      for r in f.ranges]
            return set(self.searcher.docs_for_query(wq.Or(ranges)))
        values, docs = self._sorted_present(field, spec.type)
        found: set[int] = set()
        for r in f.ranges:
            found.update(docs[self._cut(values, spec.type, r)])
        return found

    @staticmethod
    def _cut(values: list[int], kind: str, r: Range) -> slice:
        low = 0 if r.low is None else (bisect_left if r.include_low else bisect_right)(values, _raw(kind, r.low))
        high = len(values) if r.high is None else \
            (bisect_right if r.include_high else bisect_left)(values, _raw(kind, r.high))
        return slice(low, max(low, high))

    # -- facets --------------------------------------------------------------------------
    def facet_counts(self, docs: Iterable[int], facets: Iterable[Facet],
                     specs: Mapping[str, FieldSpec]) -> dict[str, dict[Any, int]]:
        """``{facet name: {value: documents}}`` over ``docs`` (values as the engine holds them: terms,
        numbers, date keys floored to the day)."""
        docs = list(docs)
        out = {}
        for facet in facets:
            spec = specs[facet.field]
            values = self._values(engine_field(facet.field, spec.type), spec.type, spec.multi)
            if spec.multi:
                counts = Counter(chain.from_iterable(map(values.__getitem__, docs)))
            else:
                counts = Counter(map(values.__getitem__, docs))
                counts.pop(None, None)
            out[facet.name] = dict(counts)
        return out

    def _values(self, field: str, kind: str, multi: bool) -> list[Any]:
        """Per document: its facet value (None: none) or, for a multi-valued field, a tuple of them."""
        key = (field, kind, multi)
        found = self._facet_values.get(key)
        if found is not None:
            return found
        if not multi:
            column = self.column(field, kind)
            if kind == "keyword":
                found = [v if v else None for v in column]
            elif kind == "date":
                found = [None if raw == MISSING_RAW else (raw - _SIGN) // _DAY * _DAY for raw in column]
            else:
                found = [None if raw == MISSING_RAW else _decode(kind, raw) for raw in column]
        else:
            per_doc: list[list[Any]] = [[] for _ in range(self.searcher.doc_count_all())]
            reader = self.reader
            if (field in reader.indexed_field_names()):
                fieldobj = reader.schema[field]
                terms = reader.lexicon(field) if kind == "keyword" else fieldobj.sortable_terms(reader, field)
                for term in terms:
                    value: Any = term.decode("utf-8") if kind == "keyword" else fieldobj.from_bytes(term)
                    if kind == "date":
                        value = value // _DAY * _DAY
                    for doc in reader.postings(field, term).all_ids():
                        if value not in per_doc[doc]:
                            per_doc[doc].append(value)
            found = [tuple(v) for v in per_doc]
        self._facet_values[key] = found
        return found

    # -- sorting -------------------------------------------------------------------------
    def sort_facet(self, sort: Sort, specs: Mapping[str, FieldSpec]) -> Any:
        """A Whoosh ``sortedby`` for ``sort``: the field's key, then the score (best first)."""
        spec = specs[sort.field]
        keys = self._sort_keys_for(engine_field(sort.field, spec.type), spec.type, sort.descending)
        return sorting.MultiFacet([_KeyListFacet(keys), sorting.ScoreFacet()])

    def _sort_keys_for(self, field: str, kind: str, descending: bool) -> list[int]:
        """Per document an integer that sorts it ascending, documents without a value last."""
        cache = (field, kind, descending)
        found = self._sort_keys.get(cache)
        if found is not None:
            return found
        column = self.column(field, kind)
        if kind == "keyword":
            rank = {value: i for i, value in enumerate(sorted({v for v in column if v}))}
            last = len(rank)
            found = [last if not v else (last - 1 - rank[v] if descending else rank[v]) for v in column]
        elif descending:
            found = [MISSING_RAW + 1 if raw == MISSING_RAW else MISSING_RAW - raw for raw in column]
        else:
            found = column  # MISSING_RAW is the largest: last already
        self._sort_keys[cache] = found
        return found


class _KeyListFacet(sorting.FacetType):
    """Sorts by a key looked up per global document number (cached by :class:`WhooshValues`)."""

    def __init__(self, keys: list[int]) -> None:
        self.keys = keys

    def categorizer(self, global_searcher: Any) -> "_KeyListCategorizer":
        return _KeyListCategorizer(self.keys)


class _KeyListCategorizer(sorting.Categorizer):
    def __init__(self, keys: list[int]) -> None:
        self.keys = keys
        self.offset = 0

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        self.offset = docoffset

    def key_for(self, matcher: Any, segment_docnum: int) -> int:
        return self.keys[self.offset + segment_docnum]


__all__ = ["PREFIX", "MISSING_RAW", "engine_field", "typed_fields", "WhooshValues"]
