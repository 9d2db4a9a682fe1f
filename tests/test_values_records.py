"""persearch.values.records and .facets: typing a batch of records, sort and facet options (no engine)."""
from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch.errors import InvalidOption
from persearch.values import facets, records
from persearch.values.dates import parse_date
from persearch.values.facets import Facet, Sort, display_counts, parse_facets, parse_sort
from persearch.values.records import FieldSpec, merge_specs, type_records

TYPES = {"date": "date", "source": "keyword", "views": "number", "tags": "keyword"}


def test_a_batch_infers_new_fields_and_keeps_recorded_types() -> None:
    batch = type_records([{"منبع": "خبرگزاري فارس", "تاریخ": "۱۴۰۲/۰۵/۱۲", "سال": "1402"},
                          {"منبع": "مهر", "تاریخ": "2023-08-04", "سال": 1401}],
                         {"سال": FieldSpec("keyword")})
    assert batch.typed == [{"منبع": ["خبرگزاری فارس"], "تاریخ": [parse_date("1402/05/12").start], "سال": ["1402"]},
                           {"منبع": ["مهر"], "تاریخ": [parse_date("1402/05/13").start], "سال": ["1401"]}]
    assert batch.new == {"منبع": FieldSpec("keyword"), "تاریخ": FieldSpec("date")}  # سال was recorded


def test_values_that_do_not_read_are_problems_and_lists_raise_multi() -> None:
    batch = type_records([{"date": "1402/05/12", "tags": ["الف", "ب", "الف"]},
                          {"date": "1402/12/30", "tags": "ب"}], {"date": FieldSpec("date")})
    assert batch.typed[0]["tags"] == ["الف", "ب"]  # distinct, in the order written
    assert batch.typed[1] == {"tags": ["ب"]}
    assert [str(p) for p in batch.problems[1]] == [
        'field date: "1402/12/30" is not a date: اسفند 1402 has 29 days (1402 is not a leap year) (kept as text)']
    assert batch.new == {"tags": FieldSpec("keyword", multi=True)}
    again = type_records([{"tags": ["ج", "د"]}], {"tags": FieldSpec("keyword")})
    assert again.new == {"tags": FieldSpec("keyword", multi=True)}  # a recorded field now holding several


def test_skipped_unnameable_and_empty_fields_stay_untyped() -> None:
    batch = type_records([{"title": "عنوان", "نام با فاصله": "x", "empty": "", "none": None, "nested": {"a": 1}}],
                         {}, skip={"title"})
    assert batch.typed == [{}] and batch.new == {}


def test_merge_never_changes_a_recorded_type() -> None:
    assert merge_specs({"a": FieldSpec("date")}, {"a": FieldSpec("keyword", True)}) == {"a": FieldSpec("date")}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["date", "views", "source"]),
                                st.one_of(st.text(max_size=12), st.integers(-10, 3000), st.floats(allow_nan=True),
                                          st.booleans(), st.none(), st.lists(st.text(max_size=5), max_size=3))),
                max_size=8))
def test_typing_never_raises_and_every_value_is_typed_or_reported(batch_records: list[dict]) -> None:
    batch = type_records(batch_records, {})
    for record, typed, problems in zip(batch_records, batch.typed, batch.problems):
        for name, values in typed.items():
            assert values and len(values) == len(set(map(repr, values)))
        assert all(p.field in record for p in problems)


# -- sort and facet options -------------------------------------------------------------

def test_sort_options() -> None:
    assert parse_sort("date", TYPES) == Sort("date", "date", False)
    assert parse_sort("-views", TYPES) == Sort("views", "number", True)
    assert parse_sort("+source", TYPES) == Sort("source", "keyword", False)
    assert parse_sort("date:desc", TYPES) == Sort("date", "date", True) and parse_sort("views:ASC", TYPES).field == "views"
    assert parse_sort("score", TYPES) is None and parse_sort(None, TYPES) is None
    for bad, words in (("writer", "unknown sort field writer: use one of date, source, tags, views"),
                       ("-score", "best first only"), ("tags", "several values")):
        with pytest.raises(InvalidOption, match=words):
            parse_sort(bad, TYPES, multi_valued=["tags"])


def test_facet_options_and_their_names() -> None:
    assert parse_facets(["source", "date", "date:Month", "source"], TYPES) == [
        Facet("source", "keyword"), Facet("date", "date", "day"), Facet("date", "date", "month")]
    assert [f.name for f in parse_facets("date:year", TYPES)] == ["date:year"]
    with pytest.raises(InvalidOption, match="only a date field takes a unit"):
        parse_facets(["views:month"], TYPES)
    with pytest.raises(InvalidOption, match="unknown facet field"):
        parse_facets(["writer"], TYPES)


def test_counts_are_shown_as_users_read_them() -> None:
    day = 86400
    mordad = parse_date("1402/05/01").start
    raw = {mordad: 2, mordad + 11 * day: 1, parse_date("1401/12/29").start: 4}
    assert display_counts(Facet("date", "date", "day"), raw) == {"1401/12/29": 4, "1402/05/01": 2, "1402/05/12": 1}
    assert display_counts(Facet("date", "date", "year"), raw) == {"1401": 4, "1402": 3}
    assert display_counts(Facet("views", "number"), {3.0: 1, 2.5: 4, 10.0: 4}) == {2.5: 4, 10: 4, 3: 1}
    assert list(display_counts(Facet("source", "keyword"), {"مهر": 2, "فارس": 2, "ایسنا": 5})) == \
        ["ایسنا", "فارس", "مهر"]
    before_1970 = parse_date("1340/01/01").start  # negative keys floor to their own day
    assert display_counts(Facet("date", "date", "day"), {before_1970 + 3600: 1}) == {"1340/01/01": 1}


def test_doc_examples_hold() -> None:
    assert doctest.testmod(records).failed == 0 and doctest.testmod(facets).failed == 0
