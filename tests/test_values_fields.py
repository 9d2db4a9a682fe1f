"""persearch.values.fields: keyword, number and date fields, inferred from values or declared."""
from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch.errors import InvalidOption, QueryError
from persearch.values import fields
from persearch.values.dates import parse_date
from persearch.values.fields import (DATE, KEYWORD, NUMBER, FieldTypes, Problem, infer_types, keyword_term,
                                     parse_field_declarations, parse_number, parse_value)

# Records as a news archive exports them: mixed calendars and digit systems.
NEWS_RECORDS = [
    {"id": "1", "title": "تشدید مجازات شکارچیان متخلف", "text": "…", "source": "farsnews",
     "date": "۱۴۰۲/۰۵/۱۲", "views": "۱٬۲۵۰", "year": "۱۴۰۲", "tags": ["محیط زیست", "قزوین"]},
    {"id": "2", "title": "زیدان: خوشبختانه من فردا بازی نمی کنم", "text": "…", "source": "varzesh3",
     "date": "2023-08-04T10:30:00+03:30", "views": 980, "year": 1402, "tags": ["فوتبال"]},
    {"id": "3", "title": "تعیین تکلیف راکیتیچ", "text": "…", "source": "varzesh3",
     "date": "پنجشنبه ۱۹ مرداد ۱۴۰۲", "views": "3,400", "year": "1401", "tags": []},
    {"id": "4", "title": "ارائه خدمات بانکی", "text": "…", "source": "namnak",
     "date": "", "views": None, "year": "1400", "tags": "سلامت", "code": "0912345"},
]


def test_inference_on_news_records() -> None:
    types = infer_types(NEWS_RECORDS, skip={"id", "title", "text"})
    assert types == {"source": KEYWORD, "date": DATE, "views": NUMBER, "year": NUMBER, "tags": KEYWORD,
                     "code": KEYWORD}


@pytest.mark.parametrize("values, expected", [
    (["1402/05/12", "2023-08-04", "مرداد ۱۴۰۲", "1402"], DATE),       # a bare year fits a date column
    (["1402", "1401", "۱۴۰۰"], NUMBER),                               # bare years alone: a number column
    (["12", "-3.5", "۳٫۵", "1,200", 7, 2.5], NUMBER),
    (["0912345678", "0935111"], KEYWORD),                             # leading zeros: identifiers
    (["12345678901234567890", "1"], KEYWORD),                         # beyond float64's exact integers
    ([True, False], KEYWORD),
    (["فارس", "مهر", "12"], KEYWORD),
    ([["1402/05/12", "1402/05/13"], "1402/05/14"], DATE),             # lists count element by element
    (["1402/05/12"] * 9 + ["دیروز"], DATE),                           # 90 % read as dates
    (["1402/05/12"] * 8 + ["دیروز", "فردا"], KEYWORD),                # 80 % do not make a date field
    (["", None, "  "], KEYWORD),
    (["2023-08-03 " + "x" * 70], KEYWORD),                            # long text is never a date
])
def test_inference_rule(values: list, expected: str) -> None:
    assert infer_types({"f": v} for v in values) == {"f": expected}


def test_declared_types_win_and_failures_are_reported_not_dropped() -> None:
    ft = FieldTypes(declared=parse_field_declarations(["year=keyword", "date=date"]), skip={"id", "title", "text"})
    for record in NEWS_RECORDS:
        ft.observe(record)
    types = ft.types()
    assert types["year"] == KEYWORD and types["date"] == DATE
    typed, problems = ft.coerce({"date": "1402/12/30", "year": "۱۴۰۲", "views": "بسیار", "source": "مهر"})
    assert typed == {"year": ["1402"], "source": ["مهر"]}
    assert [(p.field, p.value) for p in problems] == [("date", "1402/12/30"), ("views", "بسیار")]
    assert str(problems[0]) == ('field date: "1402/12/30" is not a date: اسفند 1402 has 29 days '
                                "(1402 is not a leap year) (kept as text)")


def test_coerce_types_every_value() -> None:
    ft = FieldTypes(skip={"id", "title", "text"})
    for record in NEWS_RECORDS:
        ft.observe(record)
    typed, problems = ft.coerce(NEWS_RECORDS[1])
    assert problems == []
    assert typed["date"] == [parse_date("1402/05/13 10:30").start] and typed["views"] == [980]
    typed, _ = ft.coerce(NEWS_RECORDS[0])
    assert typed["tags"] == ["محیط زیست", "قزوین"] and typed["views"] == [1250]


def test_sample_bounds_the_work() -> None:
    ft = FieldTypes(sample=3)
    for value in ["1", "2", "3", "x", "y", "z"]:
        ft.observe({"n": value})
    assert ft.types() == {"n": NUMBER}


@pytest.mark.parametrize("text, value", [
    ("1400", 1400), ("۱۴۰۰", 1400), ("١٤٠٠", 1400), ("-3", -3), ("+7", 7), ("−2", -2), ("3.5", 3.5),
    ("۳٫۵", 3.5), ("۱۲٬۵۰۰", 12500), ("12,500", 12500), ("1,234,567.5", 1234567.5), ("0", 0), ("0.25", 0.25),
    (".5", 0.5), (12, 12), (2.5, 2.5),
])
def test_numbers(text: object, value: float) -> None:
    assert parse_number(text) == value and type(parse_number(text)) is type(value)


@pytest.mark.parametrize("text, words", [
    ("abc", "is not a number"), ("12a", "is not a number"), ("1,2", "is not a number"), ("", "is not a number"),
    ("0912", "starts with 0"), (True, "is not a number"), (float("nan"), "only finite"),
    (2 ** 60, "too large"), ("123456789012345678", "too large"), ("1.2.3", "is not a number"),
])
def test_not_numbers(text: object, words: str) -> None:
    with pytest.raises(QueryError, match=words):
        parse_number(text)


def test_keyword_terms_fold_only_what_is_invisible() -> None:
    assert keyword_term("خبرگزاري فارس") == keyword_term("خبرگزاری  فارس") == "خبرگزاری فارس"
    assert keyword_term("كرمان") == "کرمان" and keyword_term("۱۴۰۲") == keyword_term("1402") == "1402"
    assert keyword_term("ورزش‌سه") == "ورزش\u200cسه"      # ZWNJ is kept: it shows
    assert keyword_term("آبان") != keyword_term("ابان")   # so does a madda
    assert keyword_term("فا\u200fرس") == "فارس" and keyword_term("فـارس") == "فارس"
    assert keyword_term(12.0) == "12" and keyword_term(False) == "false"


def test_parse_value_per_type() -> None:
    assert parse_value(DATE, "۱۲ مرداد ۱۴۰۲") == parse_value(DATE, "2023-08-03") == parse_value(DATE, "1402-05-12")
    assert parse_value(DATE, 1402) == parse_date("1402").start
    with pytest.raises(QueryError, match="a number, not a date"):
        parse_value(DATE, 1691020800)
    with pytest.raises(QueryError, match="is not a date"):
        parse_value(DATE, True)
    assert parse_value(NUMBER, "۱۲٬۵۰۰") == 12500 and parse_value(KEYWORD, " مهر ") == "مهر"
    with pytest.raises(InvalidOption, match="unknown field type"):
        parse_value("float", "1")


def test_field_declarations() -> None:
    assert parse_field_declarations(["date=date", "views=number, source = keyword"]) == {
        "date": DATE, "views": NUMBER, "source": KEYWORD}
    assert parse_field_declarations({"تاریخ": "DATE"}) == {"تاریخ": DATE}
    assert parse_field_declarations("date=date") == {"date": DATE} and parse_field_declarations(None) == {}
    for bad, words in (["date", "write NAME=TYPE"], ["date=float", "unknown type float"],
                       ["a b=date", "a field name is"], ["d=date,d=number", "declared twice"]):
        with pytest.raises(InvalidOption, match=words) as info:
            parse_field_declarations([bad])
        assert "\n" not in str(info.value)


def test_problem_is_one_line() -> None:
    assert str(Problem("views", "بسیار", '"بسیار" is not a number')) == 'field views: "بسیار" is not a number (kept as text)'


def test_doc_examples_hold() -> None:
    assert doctest.testmod(fields).failed == 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(-(10 ** 15), 10 ** 15), st.decimals(-10 ** 9, 10 ** 9, places=3, allow_nan=False)),
       st.sampled_from(["latin", "persian", "arabic"]), st.booleans())
def test_numbers_in_any_digits_read_back(number: object, digits: str, grouped: bool) -> None:
    text = f"{number:,}" if grouped else str(number)
    expected = float(text.replace(",", "")) if "." in text else int(text.replace(",", ""))
    if digits != "latin":
        zero = "۰" if digits == "persian" else "٠"
        text = text.translate({ord(str(i)): chr(ord(zero) + i) for i in range(10)}
                              | ({ord("."): "٫", ord(","): "٬"} if digits == "arabic" else {}))
    assert parse_number(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                          st.lists(st.text(max_size=8), max_size=3)), max_size=12))
def test_inference_and_coercion_never_raise(values: list) -> None:
    records = [{"f": v} for v in values]
    types = infer_types(records)
    ft = FieldTypes()
    for record in records:
        ft.observe(record)
        typed, problems = ft.coerce(record, types)
        kept = len(typed.get("f", [])) + len(problems)
        assert kept == len(fields._scalars(record["f"]))  # every value is typed or reported
