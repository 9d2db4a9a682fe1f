"""A search's structured part: filters, a sort and facets on typed record fields, and hit values.

:func:`read_request` gathers what :func:`~persearch.query.run.search` was
given — ``filters`` (``--filter`` expressions, Filter objects, or a dict of
equality filters), equality keyword arguments, ``field:value`` clauses on
typed fields inside the query, ``sort`` and ``facets`` — into one
:class:`Request`, checked against the index's typed fields (the backend's
field table). The query language proper never sees the clauses it lifts.
A search without any of it, on an index without typed fields, imports
nothing from persearch.values.

    >>> request = read_request(index, "استقلال date:1402/05", ["source=فارس"], {}, "-date", ["source"])  # doctest: +SKIP
    >>> request.query, [f.field for f in request.filters], request.sort.descending  # doctest: +SKIP
    ('استقلال', ['date', 'source'], True)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..backends.base import as_filters
from ..errors import InvalidOption
from ..querytree import MatchAll

if TYPE_CHECKING:
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter
    from .parse import Parsed
    from .searchable import Searchable

#: Raw stored fields a ``--filter`` may name besides the typed fields (their values are plain ASCII).
RAW_FILTER_FIELDS = {"format": "keyword", "encoding": "keyword"}


@dataclass
class Request:
    """What to search (the query without its filter clauses), which documents, in what order, what to count."""

    query: str
    filters: list[Filter] = field(default_factory=list)
    sort: Sort | None = None
    facets: list[Facet] = field(default_factory=list)
    #: The index's typed fields and their types (to show hit values).
    types: dict[str, str] = field(default_factory=dict)

    def match_all(self, parsed: Parsed) -> Parsed:
        """A query that is only filters: every document they let through (notes of repairs kept)."""
        from .parse import Parsed

        return Parsed(MatchAll(), notes=list(parsed.notes))

    def counting(self) -> Request:
        """The same documents, nothing sorted or counted per value (how suggestions count)."""
        return replace(self, sort=None, facets=[])


def read_request(index: Searchable, query: str, filters: Any, equal: Mapping[str, Any], sort: str | None,
                 facets: Sequence[str] | str | None) -> Request:
    """One :class:`Request` from what ``search`` was given; InvalidOption or QueryError (one line) if malformed."""
    specs = index.backend.fields()
    types = {name: spec.type for name, spec in specs.items()}
    request = Request(query, types=types)
    clauses = bool(types) and ":" in query
    if not (clauses or filters or equal or sort not in (None, "", "score") or facets):
        return request  # the common case: nothing to read (and persearch.values not even imported)
    from ..values.facets import parse_facets, parse_sort
    from ..values.filters import Filter, extract_query_filters, parse_filter

    parseable = {**RAW_FILTER_FIELDS, **types}
    if clauses:
        request.query, request.filters = extract_query_filters(query, parseable)
    given: list[Any] = []
    if isinstance(filters, (str, Filter)):
        given = [filters]
    elif isinstance(filters, (list, tuple)):  # the usual forms first: the Mapping check is slow
        given = list(filters)
    elif isinstance(filters, Mapping):
        equal = {**filters, **equal}
    elif filters is not None:
        given = list(filters)
    for item in given:
        if isinstance(item, Filter):
            request.filters.append(item)
        elif isinstance(item, str):
            request.filters.append(parse_filter(item, parseable))
        else:
            raise InvalidOption(f"a filter is text such as source=فارس or date>=1402/05/01, "
                                f"not {type(item).__name__}")
    if equal:
        request.filters.extend(as_filters(dict(equal), specs))
    multi = [name for name, spec in specs.items() if spec.multi]
    request.sort = parse_sort(sort, types, multi)
    request.facets = parse_facets(facets, types)
    return request


def field_values(metadata: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """A document's metadata as shown: dates as ``{"jalali", "gregorian"}``, numbers as numbers;
    other fields, and values that do not read as their type, as written.

    >>> field_values({"date": "2023-08-03", "views": "۱٬۲۵۰", "source": "فارس"},
    ...              {"date": "date", "views": "number", "source": "keyword"})
    {'date': {'jalali': '1402/05/12', 'gregorian': '2023-08-03'}, 'views': 1250, 'source': 'فارس'}
    """
    out: dict[str, Any] = {}
    for name, value in metadata.items():
        kind = types.get(name)
        if kind not in ("date", "number"):
            out[name] = value
        elif isinstance(value, list):
            out[name] = [_shown(kind, v) for v in value]
        else:
            out[name] = _shown(kind, value)
    return out


def _shown(kind: str, value: Any) -> Any:
    from ..errors import QueryError

    try:
        if kind == "number":
            from ..values.fields import parse_number

            return parse_number(value)
        from ..values.dates import parse_date

        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return value
        return date_json(parse_date(str(value)))
    except QueryError:
        return value


def date_json(span: Any) -> dict[str, str]:
    """A date as JSON shows it: Jalali and Gregorian, as precise as it was written
    (``{"jalali": "1402/05", …}`` for a month, with the time for a moment)."""
    from ..values.dates import format_jalali, jalali_from_key

    if span.unit in ("year", "month"):
        y, m, _ = jalali_from_key(span.start)
        jalali = f"{y:04d}" if span.unit == "year" else f"{y:04d}/{m:02d}"
        if span.calendar == "gregorian":  # a Gregorian month or year is not a Jalali one: show its start
            jalali = format_jalali(span.start)
        return {"jalali": jalali, "gregorian": span.isoformat()}
    return {"jalali": format_jalali(span.start, time=span.unit in ("minute", "second")),
            "gregorian": span.isoformat()}


__all__ = ["Request", "read_request", "field_values", "date_json", "RAW_FILTER_FIELDS"]
