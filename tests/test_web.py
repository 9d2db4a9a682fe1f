"""The web app through Starlette's TestClient: the JSON API against the CLI's
JSON, bad input, the page (RTL, highlights, paging, suggestions, escaping),
static files, and an index changed by another process while it is served.
"""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette", reason="the web extra is not installed")
pytest.importorskip("httpx2", reason="the TestClient needs httpx2 (the dev extra)")
from starlette.testclient import TestClient  # noqa: E402

from persearch import Index  # noqa: E402
from persearch.web import app, page  # noqa: E402
from persearch.web.params import MAX_QUERY_CHARS, MAX_WINDOW  # noqa: E402
from web_helpers import FOREST, HOSTILE_BODY, HOSTILE_TITLE, build_index, cli_json, run_cli, write_corpus  # noqa: E402

QUERIES = ["رئیس جمهوری", "رئیسجمهوری", "کتاب", "علی", "1403", "درخت", "مسئله", "\"رئیس جمهوری\"",
           "کتاب OR درخت", "-درخت کتابخانه", "title:جنگل", "کتا*", "روحانب", "hdvhk"]


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    root = tmp_path_factory.mktemp("web")
    return build_index(write_corpus(root / "docs"), root / "index", backend)


@pytest.fixture(scope="module")
def client(location: Path) -> TestClient:
    with TestClient(app(location)) as test_client:
        yield test_client


def api(client: TestClient, path: str, **params: object) -> tuple[int, dict]:
    response = client.get(path, params=params) if params else client.get(path)
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    return response.status_code, response.json()


# -- the JSON API answers what the CLI answers --------------------------------
@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_as_the_cli_does(client: TestClient, location: Path, query: str) -> None:
    status, got = api(client, "/api/search", q=query, limit=20)
    want = cli_json("search", query, "--index", str(location), "--limit", "20")
    assert status == 200
    assert {k: got[k] for k in want} == want
    assert got["limit"] == 20 and "message" in got


def test_search_pages_and_fields_pass_through(client: TestClient, location: Path) -> None:
    pages = [api(client, "/api/search", q="درخت", limit=5, page=page)[1] for page in (1, 2, 3)]
    ids = [hit["id"] for data in pages for hit in data["hits"]]
    assert len(ids) == len(set(ids)) == 15
    assert [hit["rank"] for hit in pages[2]["hits"]] == [11, 12, 13, 14, 15]
    assert pages[1] == {**cli_json("search", "درخت", "--index", str(location), "-n", "5", "-p", "2"),
                        "limit": 5, "message": None}
    # A text file's title is its first line: رودخانه is in the bodies only.
    assert api(client, "/api/search", q="رودخانه", fields="title")[1]["total"] == 0
    assert api(client, "/api/search", q="رودخانه", fields="body")[1]["total"] == FOREST
    assert api(client, "/api/search", q="جنگل", fields="title")[1]["total"] == FOREST
    assert api(client, "/api/search?q=%D8%B1%D9%88%D8%AF%D8%AE%D8%A7%D9%86%D9%87&fields=title&fields=body")[1][
        "total"] == FOREST


def test_analyze_answers_as_the_cli_does(client: TestClient) -> None:
    for text, options, flags in [("رئیس‌جمهوری و کتاب‌هایشان", {}, ()),
                                 ("کتاب‌هایشان را", {"stemmer": "none", "keep_stopwords": "1"},
                                  ("--no-stem", "--keep-stopwords"))]:
        status, got = api(client, "/api/analyze", text=text, **options)
        assert status == 200
        assert got == cli_json("analyze", text, *flags)
        assert all(text[t["start"]:t["end"]] for t in got["tokens"])


def test_documents_by_id_hold_the_stored_text(client: TestClient, location: Path) -> None:
    hits = api(client, "/api/search", q="کتابخانه", limit=20)[1]["hits"]
    by_name = {Path(hit["id"].split("#")[0]).name + ("#x1" if "#" in hit["id"] else ""): hit for hit in hits}
    plain = by_name["a.txt"]
    status, document = api(client, "/api/documents/" + quote(plain["id"], safe="/"))
    assert status == 200 and document["id"] == plain["id"]
    assert document["text"] == Path(plain["path"]).read_text(encoding="utf-8")
    # The documented offsets point into this text: the same words as the snippet's highlights.
    matched = {document["text"][start:end] for start, end in plain["matches"]}
    assert "کتابخانه" in matched
    assert matched >= {plain["snippet"][start:end] for start, end in plain["highlights"]}
    record = by_name["r.jsonl#x1"]
    status, stored = api(client, "/api/documents/" + quote(record["id"], safe=""))
    assert status == 200 and stored["text"] == "كتاب علي در کتابخانه" and stored["title"] == "عنوان <i>رکورد</i>"
    for missing in ("/nowhere.txt", "../../../../etc/passwd", plain["id"] + ".bak"):
        status, answer = api(client, "/api/documents/" + quote(missing, safe=""))
        assert status == 404 and "no document" in answer["error"]


def test_stats_are_the_cli_stats(client: TestClient, location: Path) -> None:
    status, got = api(client, "/api/stats")
    assert status == 200
    assert got == cli_json("stats", "--index", str(location))
    assert got["documents"] == 2 + 4 + 1 + FOREST


# -- bad input: 4xx and one JSON line, never a 500 -----------------------------
@pytest.mark.parametrize("path, status, fragment", [
    ("/api/search", 400, "missing parameter q"),
    ("/api/search?q=", 400, "q is empty"),
    ("/api/search?q=a&q=b", 400, "given 2 times"),
    ("/api/search?q=a&limit=0", 400, "limit must be a whole number from 1 to 1000"),
    ("/api/search?q=a&limit=ten", 400, "limit must be"),
    ("/api/search?q=a&limit=-3", 400, "limit must be"),
    ("/api/search?q=a&limit=1e3", 400, "limit must be"),
    ("/api/search?q=a&limit=99999999999999999999", 400, "limit must be"),
    ("/api/search?q=a&page=0", 400, "page must be"),
    ("/api/search?q=a&page=5000&limit=10", 400, f"page × limit may be at most {MAX_WINDOW}"),
    ("/api/search?q=a&fields=author", 400, "unknown field author"),
    ("/api/search?q=a&order=date", 400, 'unknown parameter "order"; known: q, limit, page, fields, filter, sort, facet'),
    ("/api/search?q=a&sort=", 400, "parameter sort is empty"),
    ("/api/search?q=a&sort=a&sort=b", 400, "given 2 times"),
    ("/api/search?q=a&filter=", 400, "parameter filter is empty"),
    ("/api/search?q=a&filter=%D9%86%D9%88%DB%8C%D8%B3%D9%86%D8%AF%D9%87=x", 400, "unknown filter field نویسنده"),
    ("/api/search?q=a&filter=date>=1403/13/40", 400, "date"),
    ("/api/search?q=a&facet=colour", 400, "colour"),
    ("/api/search?filter=", 400, "parameter filter is empty"),
    ("/api/search?q=%FF%FE", 400, "not UTF-8"),
    ("/api/search?q=%D8", 400, "not UTF-8"),
    ("/api/search?q=%ED%A0%80", 400, "not UTF-8"),  # a surrogate, spelled in UTF-8
    ("/api/analyze", 400, "missing parameter text"),
    ("/api/analyze?text=%DA%A9&stemmer=porter", 400, "unknown stemmer porter: use builtin, hazm, parsivar or none"),
    ("/api/analyze?text=%DA%A9&keep_stopwords=maybe", 400, "keep_stopwords must be true or false"),
    ("/api/stats?verbose=1", 400, "takes no parameters"),
    ("/api/nothing", 404, "not found"),
])
def test_bad_requests_get_a_4xx_with_one_line(client: TestClient, path: str, status: int, fragment: str) -> None:
    response = client.get(path)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment in error and "\n" not in error and "Traceback" not in error
    assert "None" not in error  # no Python repr: the message is the one the command line prints


@pytest.mark.parametrize("path, error", [
    ("/api/search?q=a&limit=%DB%B0", 'limit must be a whole number from 1 to 1000, not "۰"'),
    ("/api/search?q=a&limit=%E2%80%8C5", 'limit must be a whole number from 1 to 1000, not "\\u200c5"'),
    ("/api/search?q=a&%D9%85%D9%86%D8%A8%D8%B9=x", 'unknown parameter "منبع"; known: q, limit, page, fields, filter, sort, facet'),
    ("/api/analyze?text=a&keep_stopwords=%D8%A8%D9%84%D9%87", 'keep_stopwords must be true or false, not "بله"'),
    ("/api/documents/%DA%A9%D8%AA%D8%A7%D8%A8%E2%80%8C%D9%87%D8%A7%23x",
     'no document with id "کتاب\\u200cها#x" in the index'),
])
def test_values_in_error_messages_are_quoted_text_not_python_reprs(client: TestClient, path: str, error: str) -> None:
    """A value is shown as the user wrote it, in double quotes, Persian readable (not Python's repr,
    not ascii() escapes of every letter); only invisible marks are named by their code point."""
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert response.json()["error"] == error


def test_wrong_method_is_405_json(client: TestClient) -> None:
    response = client.post("/api/search?q=کتاب")
    assert response.status_code == 405 and "method not allowed" in response.json()["error"]


def test_a_long_query_is_cut_with_a_note_and_a_huge_one_refused(client: TestClient) -> None:
    long_query = " ".join(["کتابخانه"] * 400)  # 3,599 characters: more than the library reads
    status, data = api(client, "/api/search", q=long_query)
    assert status == 200 and data["total"] > 0
    assert "cut to its first" in data["message"]
    status, data = api(client, "/api/search", q="ک" * (MAX_QUERY_CHARS + 1))
    assert status == 414 and "longer than" in data["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(min_size=1, max_size=60), raw=st.binary(max_size=40))
def test_no_query_string_makes_a_500(client: TestClient, query: str, raw: bytes) -> None:
    for path in ("/api/search?" + urlencode({"q": query}), "/api/search?q=" + quote(raw, safe="%&="),
                 "/?" + urlencode({"q": query}), "/api/analyze?" + urlencode({"text": query})):
        response = client.get(path)
        assert response.status_code in (200, 400, 414), (path, response.text[:200])
        if path.startswith("/api/search") and response.status_code == 200:
            assert set(response.json()) >= {"query", "total", "page", "suggestion", "hits"}


# -- the page ---------------------------------------------------------------
@given(text=st.text(max_size=80), cuts=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=6))
def test_marked_html_escapes_everything_and_loses_nothing(text: str, cuts: list[tuple[int, int]]) -> None:
    spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in cuts]
    out = page.marked_html(text, spans)
    bare = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare and '"' not in bare
    assert html.unescape(bare) == text
    assert out.count("<mark>") == out.count("</mark>") <= len(spans)


def test_home_page_is_a_persian_form(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert re.search(r'<html lang="fa" dir="rtl">', page)
    assert re.search(r'<form class="search" role="search" method="get" action="/">', page)
    assert 'name="q"' in page and '<label class="visually-hidden" for="q">' in page
    assert f"{30:,}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " سند" in page


def test_results_page_has_titles_ids_scores_and_marks(client: TestClient) -> None:
    response = client.get("/", params={"q": "رئیس جمهوری"})
    assert response.status_code == 200
    page = response.text
    api_hits = client.get("/api/search", params={"q": "رئیس جمهوری"}).json()["hits"]
    items = re.findall(r'<li class="hit">(.*?)</li>', page, re.S)
    assert len(items) == len(api_hits) >= 2
    for item, hit in zip(items, api_hits):
        assert html.escape(hit["id"]) in item
        assert re.search(r'<span class="score">امتیاز [۰-۹]+٫[۰-۹]{2}</span>', item)
        marked = re.findall(r"<mark>(.*?)</mark>", item)
        assert marked and {hit["snippet"][s:e] for s, e in hit["highlights"]} <= set(marked)
    assert 'value="رئیس جمهوری"' in page and "<title>رئیس جمهوری · جستجو</title>" in page


def test_page_links_walk_the_pages(client: TestClient) -> None:
    first = client.get("/", params={"q": "درخت", "limit": 5}).text
    assert 'aria-current="page">۱<' in first and 'rel="prev"' not in first
    following = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    second = client.get(html.unescape(following)).text
    assert 'aria-current="page">۲<' in second and 'rel="prev"' in second
    assert 'start="6"' in second  # ranks go on from the first page
    last = re.findall(r'<a href="([^"]+)">([۰-۹]+)</a>', first)[-1]
    assert last[1] == "۵" and "limit=5" in html.unescape(last[0])


def test_did_you_mean_links_to_the_corrected_query(client: TestClient) -> None:
    for typed, corrected in (("روحانب", "روحانی"), ("hdvhk", "ایران")):
        page = client.get("/", params={"q": typed}).text
        link = re.search(r'<p class="suggestion">(?:آیا منظورتان|نتایج برای) <a href="([^"]+)"[^>]*>(.*?)</a>', page)
        assert link and link.group(2) == corrected
        followed = client.get("/" + html.unescape(link.group(1)))
        assert f'value="{corrected}"' in followed.text and "<mark>" in followed.text


def test_results_of_a_correction_say_so_and_offer_the_query_as_typed(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "روحانب"}).json()
    page = client.get("/", params={"q": "روحانب"}).text
    if data["corrected"]:
        assert "نتایج برای" in page and 'class="typed">روحانب</a>' in page
    else:
        assert "آیا منظورتان" in page and 'class="typed"' not in page


def test_markup_in_documents_and_queries_is_shown_as_text(client: TestClient) -> None:
    page = client.get("/", params={"q": "کتابخانه <script>alert(1)</script>"}).text
    assert "<script>alert" not in page and "<img src=x" not in page and "<i>رکورد" not in page
    assert html.escape("<script>alert('title')</script>") in page or "&lt;script&gt;" in page
    assert 'value="کتابخانه &lt;script&gt;alert(1)&lt;/script&gt;"' in page
    hit = next(h for h in client.get("/api/search", params={"q": "کتابخانه مرکزی"}).json()["hits"]
               if "hostile" in h["id"])
    assert hit["title"] == HOSTILE_TITLE  # the API hands the text over as it is: JSON, not HTML
    document = client.get("/document", params={"id": hit["id"], "q": "کتابخانه"}).text
    assert "<script>alert" not in document and "<img src=x" not in document
    assert html.escape(HOSTILE_BODY.split(" کتاب")[0].replace("کتابخانه", "")).split("&lt;img")[0] in document
    assert "<mark>کتابخانه</mark>" in document


def test_document_page_marks_the_matches(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "درختان تهران"}).json()["hits"][0]
    page = client.get("/document", params={"id": hit["id"], "q": "درختان تهران"})
    assert page.status_code == 200
    assert "<mark>درختان</mark>" in page.text and "<mark>تهران</mark>" in page.text
    missing = client.get("/document", params={"id": "/nowhere"})
    assert missing.status_code == 404 and 'dir="rtl"' in missing.text
    assert client.get("/document").status_code == 400


def test_page_errors_are_pages(client: TestClient) -> None:
    response = client.get("/", params={"q": "کتاب", "limit": "0"})
    assert response.status_code == 400 and 'dir="rtl"' in response.text
    assert "limit must be a whole number" in response.text
    assert client.get("/nothing/here").status_code == 404


# -- static files, headers, hosts ------------------------------------------------
def test_static_files_come_from_the_package_only(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/style.css", headers={"if-none-match": css.headers["etag"]}).status_code == 304
    secret = Path(__file__).resolve().parent.parent / "persearch" / "web" / "application.py"
    for path in ("/static/../application.py", "/static/..%2Fapplication.py", "/static/%2e%2e/application.py",
                 "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd", "/static/%2Fetc%2Fpasswd",
                 "/static/....//....//etc/passwd", "/static/style.css%00.py", "/../../etc/passwd",
                 "/static/" + quote(str(secret), safe=""), "/static/__init__.py", "/static/"):
        response = client.get(path)
        assert response.status_code in (404, 400), path
        assert b"root:" not in response.content and b"def app(" not in response.content


def test_answers_carry_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/search?q=کتاب", "/api/nothing"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_a_loopback_server_answers_only_requests_for_localhost(location: Path) -> None:
    with TestClient(app(location, loopback_only=True)) as local:
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "127.0.0.2"):
            assert local.get("/api/stats", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
            response = local.get("/api/stats", headers={"host": host})
            assert response.status_code == 421 and "localhost" in response.json()["error"], host


# -- the index changes under a running server ------------------------------------
def test_update_and_rebuild_by_another_process_are_picked_up(tmp_path: Path, backend: str) -> None:
    corpus = write_corpus(tmp_path / "docs")
    location = build_index(corpus, tmp_path / "index", backend)
    with TestClient(app(location)) as served:
        assert served.get("/api/search", params={"q": "زیتون"}).json()["total"] == 0
        (corpus / "olive.txt").write_text("باغ زیتون\nدرختان زیتون در باغ کهن.\n", encoding="utf-8")
        assert run_cli("update", "--index", str(location)).returncode == 0
        found = served.get("/api/search", params={"q": "زیتون"}).json()
        assert found["total"] == 1 and found["hits"][0]["id"].endswith("olive.txt")
        assert served.get("/api/stats").json()["documents"] == 31
        data_before = sorted(p.name for p in location.iterdir() if p.name.startswith("data-"))
        (corpus / "olive.txt").unlink()
        (corpus / "pomegranate.txt").write_text("انار\nانار ساوه شیرین است.\n", encoding="utf-8")
        done = run_cli("index", str(corpus), "--index", str(location), "--rebuild")
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in location.iterdir() if p.name.startswith("data-")) != data_before
        assert served.get("/api/search", params={"q": "زیتون"}).json()["total"] == 0
        assert served.get("/api/search", params={"q": "انار"}).json()["total"] == 1
        page = served.get("/", params={"q": "انار"}).text
        assert "<mark>انار</mark>" in page


def test_an_index_given_open_stays_open_after_the_app_stops(location: Path) -> None:
    with Index.open(location) as index:
        with TestClient(app(index)) as served:
            assert served.get("/api/search", params={"q": "کتاب"}).status_code == 200
        assert index.search("کتاب").total > 0


def test_a_missing_extra_is_named(tmp_path: Path) -> None:
    code = "import sys\nsys.modules['starlette'] = None\nimport persearch.web\npersearch.web.app('.')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert "MissingExtra: persearch serve needs the web extra" in done.stderr and "persearch[web]" in done.stderr


def test_the_default_cli_path_never_imports_the_server(location: Path) -> None:
    code = ("import sys\nfrom persearch.cli import main\n"
            f"try:\n    main(['search', 'کتاب', '--index', {str(location)!r}, '--json'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('starlette', 'uvicorn', 'anyio', 'persearch.web') if m in sys.modules),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert json.loads(done.stdout)["total"] > 0
