"""Typed record fields end to end on both backends: inference and declarations, filters (also
inside the query), sorting with score ties, facets, document dates — checked against the
reference of persearch.values (Filter.matches) and against each other's answers."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persearch import Index, InvalidOption, QueryError
from persearch.backends.base import Document
from persearch.values.dates import format_jalali, jalali_from_key, parse_date
from persearch.values.filters import parse_filter

# News records as an archive exports them: Jalali and Gregorian dates, Persian, Arabic and
# Latin digits, a dateline with a weekday and a time, sources with Arabic yeh, tag lists.
NEWS = [
    {"id": "n1", "title": "پیروزی استقلال در دربی", "text": "استقلال با گل دیرهنگام پرسپولیس را برد.",
     "source": "ورزش سه", "date": "1402/05/12", "views": "۱٬۲۵۰", "tags": ["فوتبال", "دربی"]},
    {"id": "n2", "title": "تساوی استقلال و سپاهان", "text": "استقلال و سپاهان در اصفهان مساوی کردند. استقلال",
     "source": "فارس", "date": "2023-08-04", "views": 980, "tags": ["فوتبال"]},
    {"id": "n3", "title": "نرخ تورم اعلام شد", "text": "مرکز آمار نرخ تورم مرداد را اعلام کرد.",
     "source": "ایسنا", "date": "۱۴۰۲-۰۵-۲۰", "views": "3,400", "tags": ["اقتصاد"]},
    {"id": "n4", "title": "استقلال در آسیا", "text": "استقلال برای لیگ قهرمانان آسیا آماده می‌شود.",
     "source": "فارس", "date": "پنجشنبه ۱۲ مرداد ۱۴۰۲ ساعت ۲۱:۳۰", "views": 15, "tags": []},
    {"id": "n5", "title": "قیمت دلار", "text": "قیمت دلار در بازار آزاد کاهش یافت.",
     "source": "خبرگزاري فارس", "date": "2023-07-22T23:00:00+03:30", "views": 7},
    {"id": "n6", "title": "استقلال و بودجه", "text": "بودجه باشگاه استقلال تصویب شد.",
     "source": "ایسنا", "date": "١٤٠١/١٢/٢٩", "views": 2500, "tags": ["اقتصاد", "فوتبال"]},
    {"id": "n7", "title": "مصاحبه مربی استقلال", "text": "مربی استقلال درباره بازی آینده صحبت کرد.",
     "source": "ورزش سه", "date": "1402/13/01", "views": "نامعلوم"},
    {"id": "n8", "title": "باران در تهران", "text": "باران شدید در تهران و استقلال خیابان‌ها را آب گرفت.",
     "source": "مهر", "date": "3 August 2023", "views": 40, "tags": ["هوا"]},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def names(results) -> list[str]:
    return [h.id.rsplit("#", 1)[-1] for h in results.hits]


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Index:
    root = tmp_path_factory.mktemp(f"news-{backend}")
    write_jsonl(root / "docs" / "news.jsonl", NEWS)
    index = Index.create(root / "ix", backend=backend)
    report = index.add_paths([root / "docs"])
    index.report = report  # type: ignore[attr-defined]
    yield index
    index.close()


# -- typed fields ---------------------------------------------------------------------------

def test_types_are_inferred_and_recorded_and_bad_values_are_kept_as_text(news: Index) -> None:
    assert news.fields == {"source": "keyword", "date": "date", "views": "number", "tags": "keyword"}
    kept = news.report.kept_as_text  # type: ignore[attr-defined]
    assert [where.rsplit("#", 1)[1] for where, _ in kept] == ["n7", "n7"]
    assert 'field date: "1402/13/01" is not a date: month 13 does not exist' in kept[0][1]
    assert kept[1][1] == 'field views: "نامعلوم" is not a number: write digits, e.g. 1400, ۱۴۰۰, 12.5 or -3 (kept as text)'
    assert all(reason.endswith("(kept as text)") for _, reason in kept)
    [n7] = news.search("مصاحبه", limit=5).hits
    assert n7.values == {"source": "ورزش سه", "date": "1402/13/01", "views": "نامعلوم"}  # nothing dropped
    assert news.document(n7.id)["metadata"]["date"] == "1402/13/01"


def test_hit_values_show_dates_in_both_calendars(news: Index) -> None:
    [hit] = news.search("آسیا").hits
    assert hit.values["date"] == {"jalali": "1402/05/12 21:30", "gregorian": "2023-08-03T21:30:00"}
    assert hit.values["views"] == 15 and hit.to_dict()["fields"]["source"] == "فارس"
    [n5] = news.search("دلار").hits
    assert n5.values["date"] == {"jalali": "1402/04/31 23:00", "gregorian": "2023-07-22T23:00:00+03:30"}


# -- filters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("filters, expected", [
    (["source=فارس"], {"n2", "n4"}),
    (["source=خبرگزاری فارس"], {"n5"}),                       # ي and ی are one letter in a keyword
    (["source=فارس,ایسنا"], {"n2", "n3", "n4", "n6"}),          # OR inside one filter
    (["source=فارس،ایسنا", "tags=فوتبال"], {"n2", "n6"}),      # AND between filters
    (["source!=ورزش سه"], {"n2", "n3", "n4", "n5", "n6", "n8"}),
    (["date=1402/05"], {"n1", "n2", "n3", "n4", "n8"}),         # the whole month of Mordad
    (["date=2023-07-23..2023-08-22"], {"n1", "n2", "n3", "n4", "n8"}),  # the same month in Gregorian
    (["date>=1402/05/13"], {"n2", "n3"}),
    (["date>1402/05/12"], {"n2", "n3"}),                        # after the whole day
    (["date<=1402/05/12"], {"n1", "n4", "n5", "n6", "n8"}),     # to the end of that day (21:30 included)
    (["date<2023-08-03"], {"n5", "n6"}),
    (["date=1401"], {"n6"}),
    (["views>=1000"], {"n1", "n3", "n6"}),
    (["views=10..1000"], {"n2", "n4", "n8"}),
    (["views<15"], {"n5"}),
])
def test_filters_select_what_the_reference_says(news: Index, filters: list[str], expected: set[str]) -> None:
    results = news.search("", filters=filters, limit=50)
    assert set(names(results)) == expected and results.total == len(expected)
    reference = [parse_filter(f, news.fields) for f in filters]
    typed = {r["id"]: _typed(news, r) for r in NEWS}
    assert {i for i, values in typed.items() if all(f.matches(values.get(f.field, [])) for f in reference)} == expected


def _typed(index: Index, record: dict) -> dict[str, list]:
    from persearch.values.records import type_records

    return type_records([{k: v for k, v in record.items() if k not in ("id", "title", "text")}],
                        index.backend.fields()).typed[0]


def test_filters_inside_the_query_and_with_words(news: Index) -> None:
    assert set(names(news.search("استقلال date:1402/05/01..1402/05/31"))) == {"n1", "n2", "n4", "n8"}
    assert set(names(news.search("استقلال views:>=1000"))) == {"n1", "n6"}
    assert set(names(news.search("استقلال -source:فارس date:1402"))) == {"n1", "n8"}
    assert set(names(news.search("date:2023-08-03"))) == {"n1", "n4", "n8"}  # only filters: every match
    gregorian = news.search("استقلال", filters=["date>=2023-08-01", "date<2023-08-05"])
    jalali = news.search("استقلال", filters=["date>=1402/05/10", "date<1402/05/14"])
    assert names(gregorian) == names(jalali) and gregorian.total == 4


def test_the_keyword_form_and_the_old_equality_filters_still_work(news: Index) -> None:
    assert set(names(news.search("استقلال", source="فارس"))) == {"n2", "n4"}
    assert set(names(news.search("استقلال", filters={"tags": ["دربی", "اقتصاد"]}))) == {"n1", "n6"}
    assert set(names(news.search("استقلال", filters={"date": "1402/05", "format": "jsonl"}))) == {"n1", "n2", "n4", "n8"}
    n2 = news.search("سپاهان").hits[0].id
    assert names(news.search("استقلال", id=n2)) == ["n2"]  # a raw field, as the web API asks for one hit
    # The same words as a filter written as text: the name as given, not its Python repr.
    with pytest.raises(InvalidOption, match="^unknown filter field colour: use one of date, encoding, format, id, path"):
        news.search("استقلال", colour="سبز")
    with pytest.raises(InvalidOption, match="^unknown filter field نویسنده: use one of"):
        news.search("استقلال", filters={"نویسنده": "علی"})


@pytest.mark.parametrize("kwargs, error, words", [
    ({"filters": ["date>=1402/13/01"]}, QueryError, "month 13 does not exist"),
    ({"filters": ["date=94/05/12"]}, QueryError, "four digits"),
    ({"filters": ["colour=سبز"]}, InvalidOption, "unknown filter field colour: use one of date, encoding, format"),
    ({"filters": ["source>=فارس"]}, QueryError, "keyword field"),
    ({"sort": "نویسنده"}, InvalidOption, "unknown sort field"),
    ({"sort": "tags"}, InvalidOption, "several values"),
    ({"facets": ["source:month"]}, InvalidOption, "only a date field takes a unit"),
])
def test_malformed_structured_options_are_one_line(news: Index, kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words) as info:
        news.search("استقلال", **kwargs)
    assert "\n" not in str(info.value)
    with pytest.raises(QueryError, match="month 13"):
        news.search("استقلال date:1402/13/01")


# -- sorting ----------------------------------------------------------------------------------

def test_sort_by_date_both_ways_with_score_ties_and_missing_values_last(news: Index) -> None:
    by_score = {h.id.rsplit("#", 1)[1]: h.score for h in news.search("استقلال", limit=50).hits}
    keys = {r["id"]: _typed(news, r).get("date", [None])[0] for r in NEWS if r["id"] in by_score}
    for descending in (False, True):
        results = news.search("استقلال", sort="-date" if descending else "date", limit=50)
        dated = sorted((k for k in keys if keys[k] is not None),
                       key=lambda k: ((-keys[k] if descending else keys[k]), -by_score[k]))
        undated = sorted((k for k in keys if keys[k] is None), key=lambda k: -by_score[k])
        assert names(results) == dated + undated  # n7's date did not read: last both ways
        assert [round(h.score, 6) for h in results.hits] == [round(by_score[k], 6) for k in dated + undated]


def test_equal_sort_values_are_ordered_by_score(news: Index) -> None:
    results = news.search("استقلال", sort="source", limit=50)
    sources = [h.values["source"] for h in results.hits]
    assert sources == sorted(sources)
    varzesh = [h for h in results.hits if h.values["source"] == "ورزش سه"]
    assert [h.score for h in varzesh] == sorted((h.score for h in varzesh), reverse=True) and len(varzesh) == 2


def test_pages_of_a_sorted_search_are_slices_of_one_order(news: Index) -> None:
    whole = names(news.search("", filters=["date>=1401"], sort="-views", limit=50))
    pages = [names(news.search("", filters=["date>=1401"], sort="-views", limit=3, page=p)) for p in (1, 2, 3)]
    assert sum(pages, []) == whole and len(whole) == 7
    assert whole[:3] == ["n3", "n6", "n1"]


# -- facets -------------------------------------------------------------------------------------

def test_facets_count_the_whole_result_not_the_page(news: Index) -> None:
    results = news.search("استقلال", facets=["source", "tags", "date:month", "views"], limit=1)
    assert len(results.hits) == 1 and results.total == 6
    # most frequent first, then by value
    assert list(results.facets["source"].items()) == [("فارس", 2), ("ورزش سه", 2), ("ایسنا", 1), ("مهر", 1)]
    assert results.facets["tags"] == {"فوتبال": 3, "اقتصاد": 1, "دربی": 1, "هوا": 1}  # a list counts each value
    assert results.facets["date:month"] == {"1401/12": 1, "1402/05": 4}     # in date order
    assert list(results.facets["views"]) == [15, 40, 980, 1250, 2500]  # n7's "نامعلوم" is not a number
    assert results.to_dict()["facets"] == results.facets


def test_date_facets_by_day_month_and_year(news: Index) -> None:
    results = news.search("", filters=["date>=1402"], facets=["date", "date:year"])
    assert results.facets["date"] == {"1402/04/31": 1, "1402/05/12": 3, "1402/05/13": 1, "1402/05/20": 1}
    assert results.facets["date:year"] == {"1402": 6}


# -- every engine, one answer ---------------------------------------------------------------------

RECORD = st.fixed_dictionaries({
    "source": st.sampled_from(["فارس", "مهر", "ايسنا", "ورزش سه"]),
    "date": st.one_of(st.dates(min_value=date(2015, 1, 1), max_value=date(2024, 12, 31)).map(str),
                      st.integers(0, 3000).map(lambda d: format_jalali(parse_date("1396/01/01").start + d * 86400))),
    "views": st.integers(0, 50),
})
FILTERS = st.lists(st.one_of(
    st.sampled_from(["source=فارس", "source=مهر,ایسنا", "source!=ورزش سه"]),
    st.sampled_from(["date>=1399/01/01", "date<2020-03-20", "date=1400", "date=2021-03-21..2022-03-20",
                     "date>1401/06", "date<=1397/12/29", "date=1398/07"]),
    st.sampled_from(["views>=25", "views<10", "views=5..30"])), max_size=3)


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """Every backend that can run here (sphinx on the session's nodes)."""
    pytest.importorskip("tantivy")
    from conftest import sphinx_unavailable

    if sphinx_unavailable() is not None:
        return ("whoosh", "tantivy")
    request.getfixturevalue("sphinx_cluster")
    return ("whoosh", "tantivy", "sphinx")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(RECORD, min_size=1, max_size=25), filters=FILTERS,
       sort=st.sampled_from([None, "date", "-date", "views", "-views", "source", "-source"]))
def test_every_backend_agrees_with_the_reference(tmp_path_factory: pytest.TempPathFactory, engines: tuple[str, ...],
                                                 records: list[dict], filters: list[str], sort: str | None) -> None:
    root = tmp_path_factory.mktemp("agree")
    docs = [Document(id=f"d{i}", text="کتاب " * (1 + i % 4) + "قلم", metadata=r) for i, r in enumerate(records)]
    answers = []
    for backend in engines:
        with Index.create(root / backend, backend=backend) as ix:
            ix.add_documents(docs[: len(docs) // 2])  # two commits: two segments
            ix.add_documents(docs[len(docs) // 2:])
            results = ix.search("کتاب", filters=filters, sort=sort, facets=["source", "date:year"], limit=100)
            answers.append((names(results), results.total, results.facets))
            typed = {d.id: _typed(ix, d.metadata) for d in docs}
            reference = [parse_filter(f, ix.fields) for f in filters]
    expected = {i for i, v in typed.items() if all(f.matches(v.get(f.field, [])) for f in reference)}
    field = (sort or "").lstrip("-")
    tf = {d.id: d.text.count("کتاب") for d in docs}

    def tie_class(doc_id: str) -> tuple:  # documents no order can tell apart: same value, same text
        return (typed[doc_id][field][0] if sort else None, tf[doc_id])

    if sort:
        value = {i: typed[i][field][0] for i in expected}
        descending = sort.startswith("-")
        order = sorted(expected, key=lambda i: (_descending(value[i]) if descending else value[i], -tf[i]))
        for found in answers:
            assert [tie_class(i) for i in found[0]] == [tie_class(i) for i in order]
    for found in answers:
        assert set(found[0]) == expected and found[1] == len(expected)
        assert found[2] == answers[0][2]
    assert answers[0][2]["source"] == dict(Counter(typed[i]["source"][0] for i in expected))
    years = Counter(str(jalali_from_key(typed[i]["date"][0])[0]) for i in expected)
    assert answers[0][2]["date:year"] == dict(sorted(years.items()))


def _descending(value: object) -> object:
    """A sort key that orders ``value`` the other way (numbers and text alike)."""
    if isinstance(value, str):
        return tuple(-ord(ch) for ch in value) + (1,)  # a prefix comes after the longer text
    return -value  # type: ignore[operator]


# -- declarations, documents from code, document dates ---------------------------------------------

def test_declared_types_win_and_a_recorded_type_is_only_changed_by_a_rebuild(tmp_path: Path, backend: str) -> None:
    write_jsonl(tmp_path / "d" / "codes.jsonl", [{"id": "1", "text": "کد پستی", "code": "1234"},
                                                 {"id": "2", "text": "کد دیگر", "code": "98"}])
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([tmp_path / "d"], fields={"code": "keyword"})
        assert ix.fields == {"code": "keyword"}
        assert names(ix.search("کد", filters=["code=1234"])) == ["1"]
        with pytest.raises(InvalidOption, match="recorded as keyword.*--rebuild --field code=number"):
            ix.add_paths([tmp_path / "d"], fields=["code=number"])
        with pytest.raises(InvalidOption, match="reserved"):
            ix.add_paths([tmp_path / "d"], fields=["title=keyword"])
        ix.rebuild(fields=["code=number"])
        assert ix.fields == {"code": "number"}
        assert names(ix.search("کد", filters=["code>=100"])) == ["1"]
        ix.rebuild(fields=["code=keyword"])  # its values read as numbers: only the declaration makes it keyword
        assert ix.fields == {"code": "keyword"}
    with Index.open(tmp_path / "ix") as ix:  # the declaration stays with the index, also through rebuilds
        ix.rebuild()
        assert ix.fields == {"code": "keyword"} and names(ix.search("کد", filters=["code=98"])) == ["2"]
    assert json.loads((tmp_path / "ix" / "persearch.json").read_text(encoding="utf-8"))["fields"] == {"code": "keyword"}


def test_documents_from_code_are_typed_too(tmp_path: Path, backend: str) -> None:
    import datetime

    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_document("a", "خبر ورزشی", published=datetime.date(2023, 8, 3), source="ورزش سه")
        ix.add_documents([{"id": "b", "text": "خبر اقتصادی", "published": "۱۴۰۲/۰۵/۲۰", "source": "فارس"}])
        assert ix.fields == {"published": "date", "source": "keyword"}
        assert names(ix.search("خبر", filters=["published=1402/05/12"])) == ["a"]
        assert names(ix.search("خبر", sort="-published")) == ["b", "a"]
        ix.optimize()  # tantivy re-adds every document: the typed values come back from the metadata
        assert names(ix.search("خبر", filters=["published>=1402/05/15"])) == ["b"]


def test_text_and_html_documents_get_their_date(tmp_path: Path, seeds_dir: Path, backend: str) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.html").write_text(
        '<html><head><meta property="article:published_time" content="2023-08-03T10:30:00+03:30">'
        "<title>خبر</title></head><body><p>کتاب تازه</p></body></html>", encoding="utf-8")
    (folder / "undated.txt").write_text("کتاب بی‌تاریخ\nدر تاریخ 1387/2/17 شهرداری کتاب خرید.\n", encoding="utf-8")
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([folder, seeds_dir])
        assert ix.fields == {"date": "date"}
        found = {Path(h.id).name: h.values.get("date") for h in ix.search("", filters=["date>=1402"], limit=10).hits}
        assert found == {"page.html": {"jalali": "1402/05/12 10:30", "gregorian": "2023-08-03T10:30:00+03:30"},
                         "000_df093c946d86f816.txt": {"jalali": "1403/09/05 07:07",
                                                      "gregorian": "2024-11-25T07:07:00"},
                         "004_5de2587191fdc741.txt": {"jalali": "1403/01/10 03:06",
                                                      "gregorian": "2024-03-29T03:06:00"}}
        assert names(ix.search("کتاب", sort="date"))[-1].endswith("undated.txt")
    with Index.create(tmp_path / "off", backend=backend) as ix:
        ix.add_paths([folder], document_dates=False)
        assert ix.fields == {} and ix.search("کتاب").hits[0].values == {}


def test_a_parallel_build_types_fields_as_one_process_does(tmp_path: Path, backend: str) -> None:
    # Two files infer the field "rank" differently: the first (in walk order) decides, whoever reads it.
    write_jsonl(tmp_path / "d" / "a.jsonl", [{"id": str(i), "text": f"کتاب {i}", "rank": str(i)} for i in range(40)])
    write_jsonl(tmp_path / "d" / "b.jsonl", [{"id": str(i), "text": f"کتاب {i}", "rank": f"سطح {i}",
                                              "tags": ["الف", "ب"]} for i in range(40)])
    answers = []
    for workers in (1, 2):
        with Index.create(tmp_path / f"ix{workers}", backend=backend) as ix:
            ix.parallel_min_bytes = 0
            report = ix.add_paths([tmp_path / "d"], workers=workers)
            assert ix.backend.fields()["tags"].multi
            answers.append((ix.fields, len(report.kept_as_text), ix.search("کتاب", filters=["rank>=35"]).total,
                            ix.search("کتاب", facets=["tags"]).facets))
    assert answers[0] == answers[1]
    assert answers[0] == ({"rank": "number", "tags": "keyword"}, 21, 5, {"tags": {"الف": 40, "ب": 40}})
    # An update that replaces documents (tantivy: workers analyze, the parent indexes) keeps them typed.
    write_jsonl(tmp_path / "d" / "a.jsonl", [{"id": str(i), "text": f"کتاب {i}", "rank": str(100 + i)}
                                             for i in range(40)])
    write_jsonl(tmp_path / "d" / "b.jsonl", [{"id": "1", "text": "کتاب تازه", "tags": ["ج"]}])
    with Index.open(tmp_path / "ix2") as ix:
        ix.parallel_min_bytes = 0
        assert ix.update(workers=2).updated == 2
        assert ix.search("کتاب", facets=["tags"]).facets == {"tags": {"ج": 1}}
        assert ix.search("کتاب", filters=["rank>=135"]).total == 5 and ix.search("کتاب", sort="-rank").hits[0].values \
            == {"rank": 139}


def test_typed_fields_survive_an_update_and_segments_without_them(tmp_path: Path, backend: str) -> None:
    write_jsonl(tmp_path / "d" / "a.jsonl", [{"id": "1", "text": "کتاب یک"}])
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([tmp_path / "d"])  # a segment with no typed field at all
        write_jsonl(tmp_path / "d" / "b.jsonl", [{"id": "2", "text": "کتاب دو", "year": 1400},
                                                 {"id": "3", "text": "کتاب سه", "year": 1390}])
        ix.update()
        write_jsonl(tmp_path / "d" / "c.jsonl", [{"id": "4", "text": "کتاب چهار"}])
        ix.update()
        assert names(ix.search("کتاب", sort="year"))[:2] == ["3", "2"]
        assert names(ix.search("کتاب", sort="-year"))[:2] == ["2", "3"]
        assert ix.search("کتاب", facets=["year"]).facets == {"year": {1390: 1, 1400: 1}}
        assert names(ix.search("کتاب", filters=["year<=1395"])) == ["3"]


def test_a_field_beyond_the_engines_room_stays_metadata(tmp_path: Path, backend: str) -> None:
    if backend == "whoosh":
        pytest.skip("the Whoosh backend adds a field for every typed field: it never runs out")
    if backend == "tantivy":
        from persearch.backends.tantivy_values import SLOTS

        many = SLOTS["number"][1] + 1
    else:  # sphinx: slots of any type, declared in the nodes' configuration
        from persearch.backends.sphinx.config import TYPED_SLOTS

        many = TYPED_SLOTS + 1
    record = {"id": "1", "text": "کتاب", **{f"n{i}": i for i in range(many)}}
    write_jsonl(tmp_path / "d" / "a.jsonl", [record])
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        report = ix.add_paths([tmp_path / "d"])
        assert len(ix.fields) == many - 1
        [(where, reason)] = report.kept_as_text
        assert where.endswith("a.jsonl") and "no free number field left" in reason
        assert ix.search("کتاب").hits[0].values[f"n{many - 1}"] == many - 1  # still stored


def test_declarations_survive_the_rebuild_of_an_index_of_an_older_schema(tmp_path: Path, backend: str) -> None:
    write_jsonl(tmp_path / "d" / "codes.jsonl", [{"id": "1", "text": "کد پستی", "code": "1234"}])
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([tmp_path / "d"], fields={"code": "keyword"})
    meta_path = tmp_path / "ix" / "persearch.json"
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "schema_version": 3}), encoding="utf-8")
    with Index.recreate(tmp_path / "ix") as ix:  # what `persearch index PATH --rebuild` does with it
        ix.rebuild()
        assert ix.fields == {"code": "keyword"} and names(ix.search("کد", code="1234")) == ["1"]


def test_a_huge_limit_or_page_is_no_harm_and_fields_may_be_one_name(news: Index) -> None:
    """The library takes any page and limit: a limit far beyond the index (or a page far past its end)
    gives every hit (or none) with the right total, in a child process so that an engine that tried to
    allocate room for a billion hits (tantivy aborts the process) fails the test, not the run.
    ``fields="title"`` is one field, as ``facets="source"`` is one facet."""
    import subprocess
    import sys

    every = news.search("استقلال", limit=1000)
    code = ("import json, sys\nfrom persearch import Index\n"
            "with Index.open(sys.argv[1]) as ix:\n"
            "    big = ix.search('استقلال', limit=10**9)\n"
            "    far = ix.search('استقلال', limit=1000, page=10**6)\n"
            "    ranked = ix.search('استقلال', limit=10**9, sort='-date')\n"
            "    print(json.dumps([big.total, len(big.hits), far.total, len(far.hits), ranked.total,"
            " len(ranked.hits)]))\n")
    child = subprocess.run([sys.executable, "-c", code, str(news.root)], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    assert json.loads(child.stdout) == [every.total, every.total, every.total, 0, every.total, every.total]
    assert every.total > 1
    titled = news.search("استقلال", fields="title")
    assert titled.total == news.search("استقلال", fields=["title"]).total < every.total
