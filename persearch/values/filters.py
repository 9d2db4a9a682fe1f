"""The filter language: ``--filter`` options and ``field:value`` clauses in a query → typed filters.

Pure functions: nothing here runs a search. A backend turns each
:class:`Filter` into its engine's term or range query; every filter must
match (AND), the values or ranges inside one filter are alternatives (OR).

    >>> types = {"source": "keyword", "date": "date", "year": "number"}
    >>> parse_filter("source=farsnews,varzesh3", types).values
    ('farsnews', 'varzesh3')
    >>> f = parse_filter("date=1402/05", types)                 # the whole of Mordad 1402
    >>> f.ranges == parse_filter("date=2023-07-23..2023-08-22", types).ranges
    True
    >>> rest, filters = extract_query_filters("استقلال date:1402/05/01..1402/05/31 year:>=1400", types)
    >>> rest, [(f.field, f.ranges[0].low) for f in filters]
    ('استقلال', [('date', 1690070400), ('year', 1400)])

Option form: ``NAME=VALUE[,VALUE…]`` (any of them), ``NAME!=VALUE`` (none
of them), ``NAME>=V``, ``NAME>V``, ``NAME<=V``, ``NAME<V``, and ``NAME:…``
as in a query. A number or date value may be a range ``A..B`` (``A..`` and
``..B`` are open); ``،`` separates values like ``,``, and a value holding a
comma goes in double quotes.

Dates compare by whole spans: ``date=1402/05`` is every moment of Mordad,
``date>1402/05`` starts after it, ``date<=1402/05/12`` runs to the end of
that day, and ``A..B`` covers both ends whole. Number ranges include both
ends. Every date range is half-open in keys (``[low, high)``); an open side
is written with inclusive flags (tantivy requires that of an unbounded side).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping

from ..errors import QueryError
from .dates import SECONDS_PER_DAY, key_from_date, parse_date, parse_date_range
from .fields import DATE, FIELD_NAME, KEYWORD, NUMBER, clip, field_type, keyword_term, parse_number

#: Comparison operators, longest first.
OPERATORS = ("!=", ">=", "<=", "=", ">", "<", ":")
_OPTION = re.compile(r"^\s*(?P<field>[^\s=!<>:]+?)\s*(?P<op>!=|>=|<=|=|>|<|:)\s*(?P<value>.*?)\s*$", re.DOTALL)
_VALUE_OP = re.compile(r"^(?P<op>>=|<=|>|<|=)\s*")
_ALTERNATIVE = re.compile(r'\s*("[^"]*"|«[^»]*»|[^,،]+)\s*(?:[,،]|$)')
_RANGE = re.compile(r"\.\.")


@dataclass(frozen=True)
class Range:
    """Values from ``low`` to ``high`` (None: open); the flags say whether each end is included.

    >>> 1400 in Range(1400, None) and 1399 not in Range(1400, None)
    True
    """

    low: int | float | None = None
    high: int | float | None = None
    include_low: bool = True
    include_high: bool = True

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        if self.low is not None and (value < self.low or (value == self.low and not self.include_low)):
            return False
        return self.high is None or value < self.high or (value == self.high and self.include_high)


@dataclass(frozen=True)
class Filter:
    """One filter on one field: any of ``values`` (keyword terms) or of ``ranges`` (numbers, date keys).

    ``negate``: documents matching it are excluded instead. ``text`` is the
    filter as written, for messages.
    """

    field: str
    type: str
    values: tuple[str, ...] = ()
    ranges: tuple[Range, ...] = ()
    negate: bool = False
    text: str = ""

    def matches(self, values: Iterable[int | float | str]) -> bool:
        """Whether a document with these typed values passes (the reference the engines must agree with)."""
        values = list(values)
        if self.type == KEYWORD:
            hit = any(v in self.values for v in values)
        else:
            hit = any(v in r for v in values for r in self.ranges)
        return hit != self.negate


def parse_filter(text: str, field_types: Mapping[str, str]) -> Filter:
    """One ``--filter`` option; InvalidOption for an unknown field, QueryError for a bad value.

    >>> parse_filter("date>=۱۴۰۲/۰۵/۰۱", {"date": "date"}).ranges
    (Range(low=1690070400, high=None, include_low=True, include_high=True),)
    """
    if not isinstance(text, str):
        raise QueryError(f"a filter is text such as source=farsnews, not {type(text).__name__}")
    return _parse_filter(text, tuple(sorted(field_types.items())))


@lru_cache(maxsize=1024)
def _parse_filter(text: str, field_types: tuple[tuple[str, str], ...]) -> Filter:
    # Cached: a server or a benchmark sends the same filters again and again (a Filter is immutable).
    m = _OPTION.match(text)
    if m is None or not FIELD_NAME.match(m.group("field")):
        raise QueryError(f'--filter "{clip(text)}": write NAME=VALUE, NAME>=VALUE, NAME<VALUE … '
                         f"(e.g. source=farsnews or date>=1402/05/01)")
    return _typed(m.group("field"), m.group("op"), m.group("value"), dict(field_types), text, negate=False)


def parse_filters(options: Iterable[str], field_types: Mapping[str, str]) -> list[Filter]:
    """Every ``--filter`` option (all must match)."""
    return [parse_filter(option, field_types) for option in options]


def equality_filter(name: str, value: Any, field_types: Mapping[str, str]) -> Filter:
    """The library's keyword form, ``search(..., filters={"source": "فارس"})``: the field equals
    the value, or any value of a list; a date value is its whole span (``"1402/05"``: that month),
    and a Python ``date`` its day.

    >>> equality_filter("year", [1400, "۱۴۰۲"], {"year": "number"}).ranges
    (Range(low=1400, high=1400, include_low=True, include_high=True), Range(low=1402, high=1402, include_low=True, include_high=True))
    """
    kind = field_type(name, field_types)
    values = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    if not values:
        raise QueryError(f"filter {clip(name)}: give at least one value")
    text = f"{name}={','.join(map(str, values))}"
    if kind == KEYWORD:
        return Filter(name, kind, values=tuple(dict.fromkeys(keyword_term(v) for v in values)), text=text)
    with _in_filter(text):
        if kind == NUMBER:
            return Filter(name, kind, ranges=tuple(Range(n, n) for n in map(parse_number, values)), text=text)
        return Filter(name, kind, ranges=tuple(map(_date_value, values)), text=text)


def _date_value(value: Any) -> Range:
    if isinstance(value, (date, datetime)):
        start = key_from_date(value)
        return Range(start, start + (1 if isinstance(value, datetime) else SECONDS_PER_DAY), include_high=False)
    if not isinstance(value, str):
        raise QueryError(f"{clip(value)} is not a date: write it as text, e.g. 1402/05/12")
    return _equal(DATE, value)


def _typed(name: str, op: str, value: str, field_types: Mapping[str, str], text: str, negate: bool) -> Filter:
    kind = field_type(name, field_types)
    if op == ":":
        vm = _VALUE_OP.match(value)
        op, value = (vm.group("op"), value[vm.end():]) if vm else ("=", value)
    if op == "!=":
        op, negate = "=", not negate
    if not value.strip():
        raise QueryError(f"filter {clip(text)}: give a value after {name}{op}")
    if op != "=":
        if kind == KEYWORD:
            raise QueryError(f"filter {clip(text)}: {name} is a keyword field; "
                             f"{op} needs a number or date field (use {name}=VALUE)")
        if _RANGE.search(value) or any(sep in value for sep in ",،"):
            raise QueryError(f"filter {clip(text)}: {op} takes one value (for a range write {name}=A..B)")
        with _in_filter(text):
            return Filter(name, kind, ranges=(_compare(kind, op, _unquote(value)),), negate=negate, text=text)
    alternatives = _alternatives(value, text)
    if kind == KEYWORD:
        return Filter(name, kind, values=tuple(dict.fromkeys(keyword_term(a) for a in alternatives)),
                      negate=negate, text=text)
    with _in_filter(text):
        return Filter(name, kind, ranges=tuple(_equal(kind, a) for a in alternatives), negate=negate, text=text)


@contextmanager
def _in_filter(text: str) -> Iterator[None]:
    """Say which filter a date or number that does not read came from."""
    try:
        yield
    except QueryError as exc:
        raise QueryError(f"filter {clip(text)}: {exc}") from None


def _alternatives(value: str, text: str) -> list[str]:
    found, pos = [], 0
    while pos < len(value):
        m = _ALTERNATIVE.match(value, pos)
        if m is None or m.end() == pos:
            raise QueryError(f"filter {clip(text)}: an empty value between commas")
        found.append(_unquote(m.group(1)))
        pos = m.end()
    if not found or any(not a.strip() for a in found):
        raise QueryError(f"filter {clip(text)}: an empty value between commas")
    return found


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and (value[0], value[-1]) in (('"', '"'), ("«", "»")):
        return value[1:-1].strip()
    return value


def _compare(kind: str, op: str, value: str) -> Range:
    if kind == NUMBER:
        number = parse_number(value)
        return {">=": Range(number, None), ">": Range(number, None, include_low=False),
                "<=": Range(None, number), "<": Range(None, number, include_high=False)}[op]
    span = parse_date(value)
    return {">=": Range(span.start, None), ">": Range(span.end, None),
            "<=": Range(None, span.end, include_high=False), "<": Range(None, span.start, include_high=False)}[op]


def _equal(kind: str, value: str) -> Range:
    if kind == DATE:
        low, high = parse_date_range(value)
        return Range(low, high, include_high=high is None)
    if not _RANGE.search(value):
        number = parse_number(value)
        return Range(number, number)
    low_text, high_text = (part.strip() for part in _RANGE.split(value, maxsplit=1))
    if not low_text and not high_text:
        raise QueryError(f'"{clip(value)}" is not a range: write A..B, A.. or ..B (e.g. 1390..1400)')
    low = parse_number(low_text) if low_text else None
    high = parse_number(high_text) if high_text else None
    if low is not None and high is not None and low > high:
        raise QueryError(f'the range "{clip(value)}" is empty: its start is above its end')
    return Range(low, high)


# -- clauses inside a query ---------------------------------------------------------

_QUERY_TOKEN = re.compile(r"""
      (?P<space>\s+)
    | (?P<paren>[()])
    | (?P<quote>"[^"]*"?|«[^»]*»?|\u201c[^\u201d]*\u201d?)
    | (?P<clause>(?P<neg>[-+]?)(?P<name>[\w\-]+?):[ \t]*(?P<value>(?:"[^"]*"|«[^»]*»|[^\s()"«»\u201c\u201d])+))
    | (?P<word>[^\s()"«»\u201c\u201d]+)
    """, re.VERBOSE)
_OR = ("OR", "||")


def extract_query_filters(query: str, field_types: Mapping[str, str]) -> tuple[str, list[Filter]]:
    """Lift ``NAME:VALUE`` clauses on typed fields out of a query: ``(the rest of the query, filters)``.

    ``date:1402/05/01..1402/05/31``, ``year:>=1400``, ``source:farsnews``,
    ``source:"خبرگزاری فارس"`` (a space may follow the colon, as after
    ``title:``); ``-date:1402`` or ``NOT date:1402`` excludes.
    Names that are not typed fields (``title:``, ``http:``) stay in the query.
    A filter applies to the whole query, so one inside parentheses or next
    to OR is a QueryError saying so; so is a value that does not read.

    >>> extract_query_filters('title:ایران -source:varzesh3 "۱۲ مرداد"', {"source": "keyword"})[0]
    'title:ایران "۱۲ مرداد"'
    """
    kept: list[str] = []
    filters: list[Filter] = []
    depth, pos = 0, 0
    while pos < len(query):
        m = _QUERY_TOKEN.match(query, pos)
        if m is None:  # an unmatched closing quote mark on its own
            kept.append(query[pos])
            pos += 1
            continue
        pos = m.end()
        kind = m.lastgroup
        if kind == "paren":
            depth = depth + 1 if m.group() == "(" else max(0, depth - 1)
        if kind != "clause" or m.group("name") not in field_types:
            kept.append(m.group())
            continue
        clause = m.group("clause")
        if depth:
            raise QueryError(f"{clause}: a filter applies to the whole query; write it outside parentheses")
        before = "".join(kept).split()
        after = query[pos:].split(None, 1)
        if (before and before[-1] in _OR) or (after and after[0] in _OR):
            raise QueryError(f"{clause}: a filter cannot be OR-ed with words; "
                             f"for either value write {m.group('name')}:A,B")
        negate = m.group("neg") == "-"
        if before and before[-1] == "NOT":
            negate = True
            kept[len(kept) - 1 - _last_word(kept)] = ""
        filters.append(_typed(m.group("name"), ":", m.group("value"), field_types, clause, negate=negate))
    return " ".join("".join(kept).split()), filters


def _last_word(kept: list[str]) -> int:
    """How far from the end of ``kept`` its last non-space token is."""
    for back, token in enumerate(reversed(kept)):
        if token.strip():
            return back
    return 0
