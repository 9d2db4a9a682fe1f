"""persearch.values.filters: --filter options and field:value clauses → typed filters (no engine)."""
from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch.errors import InvalidOption, QueryError
from persearch.values import filters
from persearch.values.dates import format_jalali, key_from_date, parse_date
from persearch.values.filters import Filter, Range, extract_query_filters, parse_filter, parse_filters

TYPES = {"source": "keyword", "date": "date", "year": "number", "views": "number", "تاریخ": "date",
         "منبع": "keyword"}
DAY = 86400


def key(text: str) -> int:
    return parse_date(text).start


def test_keyword_values_are_alternatives() -> None:
    f = parse_filter("source=farsnews,varzesh3", TYPES)
    assert (f.field, f.type, f.values, f.negate) == ("source", "keyword", ("farsnews", "varzesh3"), False)
    assert parse_filter("منبع=خبرگزاري فارس،مهر", TYPES).values == ("خبرگزاری فارس", "مهر")
    assert parse_filter('source="a,b",c', TYPES).values == ("a,b", "c")
    assert parse_filter("source!=varzesh3", TYPES).negate
    assert parse_filter("source:farsnews", TYPES).values == ("farsnews",)


@pytest.mark.parametrize("option, low, high", [
    ("date=1402/05", "1402/05/01", "1402/06/01"),                      # a month: every day of it
    ("date=مرداد ۱۴۰۲", "1402/05/01", "1402/06/01"),
    ("date=1402/05/12", "1402/05/12", "1402/05/13"),
    ("date=1402", "1402/01/01", "1403/01/01"),
    ("date=1402/05/01..1402/05/31", "1402/05/01", "1402/06/01"),
    ("date=2023-07-23..2023-08-22", "1402/05/01", "1402/06/01"),       # the same month in Gregorian
    ("date>=1402/05/01", "1402/05/01", None),
    ("date>1402/05", "1402/06/01", None),                              # after the whole month
    ("date<1402/05", None, "1402/05/01"),
    ("date<=1402/05/12", None, "1402/05/13"),                          # to the end of that day
    ("date:>=۱۴۰۲/۰۵/۰۱", "1402/05/01", None),
    ("date<2023-08-01", None, "2023-08-01"),
    ("date=1402/05/10..", "1402/05/10", None),
    ("تاریخ=..۱۲ مرداد ۱۴۰۲", None, "1402/05/13"),
])
def test_date_filters_are_half_open_key_ranges(option: str, low: str | None, high: str | None) -> None:
    (r,) = parse_filter(option, TYPES).ranges
    assert r.low == (key(low) if low else None) and r.high == (key(high) if high else None)
    assert r.include_low and r.include_high == (high is None)  # an open side is written inclusive


@pytest.mark.parametrize("option, expected", [
    ("year>=1400", Range(1400, None)),
    ("year:>=۱۴۰۰", Range(1400, None)),
    ("year>1400", Range(1400, None, include_low=False)),
    ("year<1400", Range(None, 1400, include_high=False)),
    ("year<=1400", Range(None, 1400)),
    ("year=1400", Range(1400, 1400)),
    ("year=1390..1400", Range(1390, 1400)),
    ("year=..1400", Range(None, 1400)),
    ("views>=۱٬۰۰۰", Range(1000, None)),
])
def test_number_filters(option: str, expected: Range) -> None:
    assert parse_filter(option, TYPES).ranges == (expected,)


def test_several_alternatives_and_options() -> None:
    f = parse_filter("year=1390,1395..1400", TYPES)
    assert f.ranges == (Range(1390, 1390), Range(1395, 1400))
    both = parse_filters(["source=farsnews", "date>=1402/05/01", "date<1402/06/01"], TYPES)
    assert [x.field for x in both] == ["source", "date", "date"]


@pytest.mark.parametrize("option, error, words", [
    ("x=1", InvalidOption, "unknown filter field x: use one of"),
    ("=1", QueryError, "write NAME=VALUE"),
    ("source", QueryError, "write NAME=VALUE"),
    ("source=", QueryError, "give a value after source="),
    ("source=a,,b", QueryError, "an empty value"),
    ("source>=a", QueryError, "source is a keyword field"),
    ("date>=1402,1403", QueryError, "takes one value"),
    ("date>=1402..1403", QueryError, "takes one value"),
    ("date=1402/13", QueryError, 'filter date=1402/13: "1402/13" is not a date: month 13'),
    ("date>1402/12/30", QueryError, "1402 is not a leap year"),
    ("date=1402/06..1402/05", QueryError, "is empty"),
    ("year=abc", QueryError, 'filter year=abc: "abc" is not a number'),
    ("year=1400..1390", QueryError, "is empty"),
    ("year=..", QueryError, "is not a range"),
])
def test_malformed_filters_get_one_clear_line(option: str, error: type, words: str) -> None:
    with pytest.raises(error) as info:
        parse_filter(option, TYPES)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_unknown_field_lists_the_known_ones() -> None:
    with pytest.raises(InvalidOption, match="unknown filter field x: use one of date, source, views, year"):
        parse_filter("x=1", {"source": "keyword", "date": "date", "year": "number", "views": "number"})
    with pytest.raises(InvalidOption, match="no record fields"):
        parse_filter("date=1402", {})


def test_query_clauses_are_lifted_out() -> None:
    rest, found = extract_query_filters("استقلال date:1402/05/01..1402/05/31 year:>=1400 پرسپولیس", TYPES)
    assert rest == "استقلال پرسپولیس"
    assert found[0].ranges == (Range(key("1402/05/01"), key("1402/06/01"), include_high=False),)
    assert found[1].ranges == (Range(1400, None),)
    rest, found = extract_query_filters('"رئیس جمهور" -source:varzesh3 title:ایران', TYPES)
    assert rest == '"رئیس جمهور" title:ایران' and found[0].negate and found[0].values == ("varzesh3",)
    rest, found = extract_query_filters("NOT date:1402 ایران", TYPES)
    assert rest == "ایران" and found[0].negate
    rest, found = extract_query_filters("ایران date: ۱۴۰۲/۰۵ title: تهران", TYPES)  # a space after the colon
    assert rest == "ایران title: تهران" and found[0].ranges == parse_filter("date=1402/05", TYPES).ranges
    rest, found = extract_query_filters('منبع:"خبرگزاری فارس",مهر تاریخ:۱۴۰۲/۰۵', TYPES)
    assert rest == "" and found[0].values == ("خبرگزاری فارس", "مهر") and found[1].field == "تاریخ"
    # names that are not typed fields, and colons inside phrases, stay in the query
    assert extract_query_filters('http://x.ir "date:1402" body:متن', TYPES) == ('http://x.ir "date:1402" body:متن', [])


@pytest.mark.parametrize("query, words", [
    ("ایران (date:1402 OR تهران)", "outside parentheses"),
    ("ایران OR date:1402", "cannot be OR-ed"),
    ("date:1402 || ایران", "cannot be OR-ed"),
    ("ایران date:1402/13/01", "month 13 does not exist"),
    ("ایران source:>=a", "keyword field"),
])
def test_malformed_query_clauses(query: str, words: str) -> None:
    with pytest.raises(QueryError, match=words) as info:
        extract_query_filters(query, TYPES)
    assert "\n" not in str(info.value)


def test_reference_matching() -> None:
    month = parse_filter("date=1402/05", TYPES)
    assert month.matches([key("1402/05/31 23:59")]) and not month.matches([key("1402/06/01")])
    assert month.matches([key("1402/04/31"), key("1402/05/01")])  # any of a document's values
    assert parse_filter("source!=varzesh3", TYPES).matches(["farsnews"])
    assert not parse_filter("year>1400", TYPES).matches([1400]) and parse_filter("year>=1400", TYPES).matches([1400])
    assert not Filter("year", "number", ranges=(Range(1, 2),)).matches(["1"])


def test_doc_examples_hold() -> None:
    assert doctest.testmod(filters).failed == 0


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1700, 1, 1), date(2318, 12, 31)), st.integers(0, 800), st.integers(-5, 900),
       st.sampled_from(["=", ">=", ">", "<", "<="]))
def test_gregorian_and_jalali_filters_select_the_same_documents(first: date, days: int, doc_offset: int,
                                                                op: str) -> None:
    last = first + timedelta(days=days)
    j_first, j_last = format_jalali(key_from_date(first)), format_jalali(key_from_date(last))
    if op == "=":
        gregorian, jalali = parse_filter(f"date={first}..{last}", TYPES), parse_filter(f"date={j_first}..{j_last}", TYPES)
    else:
        gregorian, jalali = parse_filter(f"date{op}{first}", TYPES), parse_filter(f"date{op}{j_first}", TYPES)
    assert gregorian.ranges == jalali.ranges
    doc = key_from_date(first) + doc_offset * DAY + 3600 * (doc_offset % 24)
    assert gregorian.matches([doc]) == jalali.matches([doc])
    inside = key_from_date(first) <= doc < key_from_date(last) + DAY
    expected = {"=": inside, ">=": doc >= key_from_date(first), ">": doc >= key_from_date(first) + DAY,
                "<": doc < key_from_date(first), "<=": doc < key_from_date(first) + DAY}[op]
    assert gregorian.matches([doc]) == expected


_PIECES = st.sampled_from(["date", "year", "source", "x", "تاریخ", "=", "!=", ">=", ">", "<", ":", "..", ",", "،",
                           '"', "1402/05/12", "۱۴۰۲", "2023-08-01", "abc", "مرداد", " ", "(", ")", "OR", "NOT",
                           "-", "13", "ایران"])


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=10).map("".join)))
def test_only_documented_errors(text: str) -> None:
    for parse in (lambda t: [parse_filter(t, TYPES)], lambda t: extract_query_filters(t, TYPES)[1]):
        try:
            found = parse(text)
        except (QueryError, InvalidOption) as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        for f in found:
            assert f.field in TYPES and (f.values or f.ranges)
            for r in f.ranges:
                assert r.low is None or r.high is None or r.low <= r.high


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["ایران", "کتاب", '"رئیس جمهور"', "title:تهران", "date:1402", "year:>=1400",
                                 "-source:a", "source:b,c", "x:y", "OR", "(", ")"]), max_size=8))
def test_the_rest_never_holds_a_typed_clause(tokens: list[str]) -> None:
    query = " ".join(tokens)
    try:
        rest, found = extract_query_filters(query, TYPES)
    except QueryError:
        return
    assert not any(t.split(":")[0].lstrip("-+") in TYPES for t in rest.split() if ":" in t)
    assert len(found) == sum(1 for t in tokens if t.split(":")[0].lstrip("-") in TYPES)
