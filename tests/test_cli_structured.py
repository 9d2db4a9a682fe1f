"""The command line's structured search on both backends: --field, --filter (and filters in the
query), --sort, --facet, --count, --format, get — what a user or a script sees."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from test_cli import cli, one_error_line, proc

RECORDS = [
    {"id": "a1", "title": "پیروزی استقلال", "text": "استقلال در دربی برد و هواداران شاد شدند.",
     "source": "farsnews", "date": "1402/05/12", "views": "۱٬۲۰۰"},
    {"id": "a2", "title": "تساوی استقلال", "text": "استقلال و سپاهان مساوی کردند؛ استقلال بهتر بود.",
     "source": "varzesh3", "date": "2023-08-04", "views": 300},
    {"id": "a3", "title": "اقتصاد", "text": "نرخ تورم اعلام شد و استقلال بانک مرکزی بحث شد.",
     "source": "isna", "date": "۱۴۰۲-۰۴-۱۵", "views": 50},
    {"id": "a4", "title": "آسیا", "text": "استقلال برای آسیا آماده می‌شود.",
     "source": "farsnews", "date": "12 August 2022", "views": 5},
    {"id": "a5", "title": "مصاحبه", "text": "مربی استقلال درباره بازی صحبت کرد.",
     "source": "varzesh3", "date": "1402/13/01", "views": 70},
]


@pytest.fixture
def records_index(tmp_path: Path, backend: str) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS),
                                       encoding="utf-8")
    location = tmp_path / "index"
    result = cli("index", str(folder), "--index", str(location), "--backend", backend, "--field", "views=number")
    assert result.exit_code == 0, result.stderr
    # the value that is not a date: one line with its record, and the record is indexed
    assert result.stderr.splitlines() == [
        f'persearch: {folder.resolve() / "news.jsonl"}#a5: field date: "1402/13/01" is not a date: month 13 does not '
        f'exist (months are 1-12) (kept as text)']
    assert result.stdout.startswith("files: added 1 ")
    return location


def search_json(location: Path, *args: str) -> dict:
    result = cli("search", *args, "--index", str(location), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ids(data: dict) -> list[str]:
    return [h["id"].rsplit("#", 1)[1] for h in data["hits"]]


def test_filters_by_value_and_by_jalali_and_gregorian_ranges(records_index: Path) -> None:
    assert sorted(ids(search_json(records_index, "استقلال", "--filter", "source=farsnews"))) == ["a1", "a4"]
    assert sorted(ids(search_json(records_index, "استقلال", "--filter", "source=farsnews,isna",
                                  "--filter", "date>=1402/01/01"))) == ["a1", "a3"]
    jalali = search_json(records_index, "استقلال", "--filter", "date>=1402/05/01", "--filter", "date<=1402/05/31")
    gregorian = search_json(records_index, "استقلال", "--filter", "date>=2023-07-23", "--filter", "date<2023-08-23")
    month = search_json(records_index, "استقلال", "--filter", "date=1402/05")
    assert ids(jalali) == ids(gregorian) == ids(month) and sorted(ids(month)) == ["a1", "a2"]
    assert ids(search_json(records_index, "استقلال", "--filter", "date<1402")) == ["a4"]
    assert ids(search_json(records_index, "استقلال", "--filter", "views>1000")) == ["a1"]


def test_ranges_inside_the_query(records_index: Path) -> None:
    assert sorted(ids(search_json(records_index, "استقلال date:1402/05/01..1402/05/31"))) == ["a1", "a2"]
    assert sorted(ids(search_json(records_index, "استقلال", "date:2023-07-23..2023-08-22"))) == ["a1", "a2"]
    assert sorted(ids(search_json(records_index, "views:>=100 -source:farsnews"))) == ["a2"]
    only = search_json(records_index, "date:1402")  # a query of filters only
    assert sorted(ids(only)) == ["a1", "a2", "a3"] and only["total"] == 3


def test_sort_in_both_directions(records_index: Path) -> None:
    ascending = search_json(records_index, "استقلال", "--sort", "date")
    assert ids(ascending) == ["a4", "a3", "a1", "a2", "a5"]  # a5's date did not read: last
    assert [h["fields"]["date"] for h in ascending["hits"][:2]] == [
        {"jalali": "1401/05/21", "gregorian": "2022-08-12"}, {"jalali": "1402/04/15", "gregorian": "2023-07-06"}]
    assert ids(search_json(records_index, "استقلال", "--sort", "-date")) == ["a2", "a1", "a3", "a4", "a5"]
    assert ids(search_json(records_index, "استقلال", "--sort", "-views")) == ["a1", "a2", "a5", "a3", "a4"]


def test_facet_counts_over_the_whole_result(records_index: Path) -> None:
    data = search_json(records_index, "استقلال", "--facet", "source", "--facet", "date:year", "--limit", "1")
    assert len(data["hits"]) == 1 and data["total"] == 5
    assert data["facets"] == {"source": {"farsnews": 2, "varzesh3": 2, "isna": 1},
                              "date:year": {"1401": 1, "1402": 3}}
    table = cli("search", "استقلال", "--index", str(records_index), "--facet", "source")
    assert table.exit_code == 0 and "\nsource\tcount\nfarsnews\t2\nvarzesh3\t2\nisna\t1\n" in table.stdout


def test_count_prints_the_total_only(records_index: Path) -> None:
    result = cli("search", "استقلال", "--filter", "source=varzesh3", "--index", str(records_index), "--count")
    assert (result.exit_code, result.stdout) == (0, "2\n")
    data = json.loads(cli("search", "استقلال", "--index", str(records_index), "--count", "--json").stdout)
    assert data == {"query": "استقلال", "total": 5}


@pytest.mark.parametrize("args, words", [
    (("--filter", "date>=1402/13/45"), 'filter date>=1402/13/45: "1402/13/45" is not a date: month 13'),
    (("--filter", "date=94/05/12"), "write the year with four digits"),
    (("--filter", "writer=x"), "unknown filter field writer: use one of date, encoding, format, source, views"),
    (("--sort", "writer"), "unknown sort field writer"),
    (("--facet", "source:month"), "only a date field takes a unit"),
    (("--format", "xml"), "unknown --format xml: use json, jsonl, csv"),
    (("--json", "--format", "csv"), "two formats"),
])
def test_malformed_options_are_one_line_and_exit_2(records_index: Path, args: tuple[str, ...], words: str) -> None:
    result = cli("search", "استقلال", *args, "--index", str(records_index))
    assert result.exit_code == 2 and result.stdout == ""
    assert words in one_error_line(result.stderr)
    in_query = cli("search", "استقلال date:1402/13/45", "--index", str(records_index), "--json")
    assert in_query.exit_code == 2 and "month 13 does not exist" in one_error_line(in_query.stderr)


def test_export_formats(records_index: Path) -> None:
    lines = cli("search", "استقلال", "--sort", "date", "--index", str(records_index), "--format", "jsonl").stdout
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [r["id"].rsplit("#", 1)[1] for r in rows] == ["a4", "a3", "a1", "a2", "a5"]
    assert rows[0]["fields"]["views"] == 5 and rows[2]["fields"]["views"] == 1200
    table = cli("search", "استقلال", "--sort", "date", "--index", str(records_index), "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(table)))
    assert list(parsed[0])[:6] == ["rank", "id", "path", "title", "score", "snippet"]
    assert [(r["date"], r["date_gregorian"], r["source"]) for r in parsed[:3]] == [
        ("1401/05/21", "2022-08-12", "farsnews"), ("1402/04/15", "2023-07-06", "isna"),
        ("1402/05/12", "2023-08-03", "farsnews")]
    assert (parsed[4]["date"], parsed[4]["date_gregorian"]) == ("1402/13/01", "")  # kept as written


def test_terminal_hits_show_jalali_dates_and_a_page_past_the_last_is_noticed(records_index: Path) -> None:
    shown = cli("search", "آسیا", "--index", str(records_index)).stdout
    assert "   source farsnews · date ۱۴۰۱/۰۵/۲۱ · views 5\n" in shown
    past = cli("search", "استقلال", "--index", str(records_index), "--limit", "2", "--page", "4")
    assert past.exit_code == 0 and past.stdout == ""
    assert "persearch: page 4 is past the last one: 5 hits make 3 pages of 2" in past.stderr
    # A script still reads its format: the JSON object with no hits, the CSV header alone, no JSON lines.
    for export, shown in (("json", None), ("csv", "rank,id,path,title,score,snippet"), ("jsonl", "")):
        past = cli("search", "استقلال", "--index", str(records_index), "--limit", "2", "--page", "4",
                   "--format", export)
        assert past.exit_code == 0 and "page 4 is past the last one" in past.stderr
        if shown is None:
            assert {k: v for k, v in json.loads(past.stdout).items() if k in ("total", "page", "hits")} == {
                "total": 5, "page": 4, "hits": []}
        elif shown:
            assert past.stdout.splitlines()[0].startswith(shown) and len(past.stdout.splitlines()) == 1
        else:
            assert past.stdout == ""


def test_get_prints_a_stored_document(records_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("get", "docs/news.jsonl#a1", "--index", str(records_index))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["پیروزی استقلال", f"{tmp_path.resolve()}/docs/news.jsonl#a1"]
    assert "date: ۱۴۰۲/۰۵/۱۲" in result.stdout and result.stdout.endswith("استقلال در دربی برد و هواداران شاد شدند.\n")
    data = json.loads(cli("get", "docs/news.jsonl#a1", "--index", str(records_index), "--json").stdout)
    assert data["fields"] == {"source": "farsnews", "date": {"jalali": "1402/05/12", "gregorian": "2023-08-03"},
                              "views": 1200}
    assert data["text"] == RECORDS[0]["text"] and data["format"] == "jsonl"
    missing = cli("get", "docs/news.jsonl#zz", "--index", str(records_index))
    assert missing.exit_code == 1 and "no document docs/news.jsonl#zz" in one_error_line(missing.stderr)


def test_a_declared_type_that_conflicts_is_refused(records_index: Path, tmp_path: Path) -> None:
    result = cli("index", str(tmp_path / "docs"), "--index", str(records_index), "--field", "source=number")
    assert result.exit_code == 2
    assert "field source is recorded as keyword" in one_error_line(result.stderr)
    bad = cli("index", str(tmp_path / "docs"), "--index", str(records_index), "--field", "views")
    assert bad.exit_code == 2 and "write NAME=TYPE" in one_error_line(bad.stderr)


def test_structured_search_in_a_real_process(records_index: Path) -> None:
    done = proc("search", "استقلال", "--index", str(records_index), "--filter", "date>=2023-08-01",
                "--sort", "-date", "--facet", "source", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert ids(data) == ["a2", "a1"] and data["facets"] == {"source": {"farsnews": 1, "varzesh3": 1}}
    bad = proc("search", "استقلال", "--index", str(records_index), "--filter", "date>=1402/12/30")
    assert bad.returncode == 2
    assert one_error_line(bad.stderr) == ('persearch: error: filter date>=1402/12/30: "1402/12/30" is not a date: '
                                          'اسفند 1402 has 29 days (1402 is not a leap year)')


@pytest.mark.parametrize("year_zero", ["0000/01/01", "۰۰۰۰-۰۵-۱۲", "0000-01-01"])
def test_a_date_in_year_zero_is_a_value_that_is_not_a_date(tmp_path: Path, backend: str, year_zero: str) -> None:
    """Year 0 exists in neither calendar: in a record it is kept as text (the rest is indexed), in a
    filter it is one line and exit code 2, never an unexpected error that stops the whole run."""
    folder = tmp_path / "docs"
    folder.mkdir()
    rows = [{"id": "z", "text": "سالنامه کهن کتابخانه", "تاریخ": year_zero},
            {"id": "n", "text": "سالنامه تازه کتابخانه", "تاریخ": "1402/05/01"}]
    (folder / "years.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                        encoding="utf-8")
    location = tmp_path / "index"
    built = cli("index", str(folder), "--index", str(location), "--backend", backend, "--field", "تاریخ=date",
                "--json")
    assert built.exit_code == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["documents"]["total"] == 2
    assert [item["where"].rsplit("#", 1)[1] for item in report["kept_as_text"]] == ["z"]
    assert "year 0" in report["kept_as_text"][0]["reason"]
    found = cli("search", "سالنامه", "--filter", "تاریخ>=1402/01/01", "--index", str(location), "--json")
    assert [hit["id"].rsplit("#", 1)[1] for hit in json.loads(found.stdout)["hits"]] == ["n"]
    refused = cli("search", "سالنامه", "--filter", f"تاریخ={year_zero}", "--index", str(location))
    assert refused.exit_code == 2
    assert "year 0" in one_error_line(refused.stderr) and "unexpected" not in refused.stderr


@pytest.mark.parametrize("option", [("--sort", "-"), ("--sort", "+"), ("--facet", ""), ("--facet", ":month")])
def test_a_sort_or_facet_without_a_field_name_says_so(records_index: Path, option: tuple[str, str]) -> None:
    result = cli("search", "استقلال", *option, "--index", str(records_index))
    assert result.exit_code == 2
    what = option[0].lstrip("-")
    assert one_error_line(result.stderr) == f"persearch: error: a {what} needs a field name: use one of date, source, views"
