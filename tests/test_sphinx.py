"""The sphinx backend on real searchd nodes: routing, failures, restarts, safety, and the local cluster.

The backend-parametrized tests (test_index, test_query, test_cli, test_crash)
run on the session's two nodes too; these are what only a cluster has.
Tests that stop a node bring up a cluster of their own (``own_cluster``).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, sphinx_unavailable

from persearch import Analyzer, Index, InvalidOption, MissingExtra, PersearchError
from persearch.backends.base import Document
from persearch.querytree import MatchAll, Phrase, Term

pytestmark = pytest.mark.skipif(sphinx_unavailable() is not None, reason=sphinx_unavailable() or "")

ZWNJ = "\u200c"
NEWS = [
    ("سیاست", f"رئیس{ZWNJ}جمهوری امروز درباره مسئله آب با وزیران گفت‌وگو کرد."),
    ("اقتصاد", "بازار ارز امروز آرام بود و قیمت طلا کمی پایین آمد."),
    ("فرهنگ", "نمایشگاه کتاب تهران با حضور ناشران بسیاری گشایش یافت."),
    ("ورزش", "تیم ملی فوتبال ایران در بازی دوستانه پیروز شد."),
    ("علم", "دانشمندان ایرانی درباره مساله انرژی خورشیدی پژوهش تازه‌ای منتشر کردند."),
    ("شهر", "شهرداری تهران درختان تازه‌ای در خیابان‌های شمال شهر کاشت."),
]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "persearch.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def corpus(folder: Path, count: int = 40) -> Path:
    """``count`` short news files, every one saying خبر."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        title, text = NEWS[i % len(NEWS)]
        (folder / f"n{i:03d}.txt").write_text(f"{title} {i}\nخبر شماره {i}: {text}\n", encoding="utf-8")
    return folder


def pids_of(folder: Path) -> list[int]:
    return json.loads((folder / "cluster.json").read_text(encoding="utf-8"))["pids"]


def alive(pid: int) -> bool:
    from persearch.cluster import _alive

    return _alive(pid)


def rows_on_nodes(nodes: str, index: Index) -> list[int]:
    """Visible rows of this index on each node, asked of each node's own RT index."""
    import pymysql

    counts = []
    for address in nodes.split(","):
        host, port = address.split(":")[:2]
        connection = pymysql.connect(host=host, port=int(port), autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM persearch WHERE ns = %s AND gen <= %s",
                               (index.backend.ns, index.backend.generation()))
                counts.append(int(cursor.fetchone()[0]))
        finally:
            connection.close()
    return counts


# -- the backend on the session's nodes ----------------------------------------------------
def test_documents_are_spread_over_both_nodes_and_found_from_either(tmp_path: Path,
                                                                    sphinx_cluster: dict[str, object]) -> None:
    nodes = str(sphinx_cluster["nodes"])
    with Index.create(tmp_path / "ix", backend="sphinx", nodes=nodes) as ix:
        assert ix.add_paths([corpus(tmp_path / "docs")]).added == 40
        on_nodes = rows_on_nodes(nodes, ix)
        assert sum(on_nodes) == 40 and min(on_nodes) > 0  # routed by a hash of the id
        stats = ix.stats()
        assert [n["documents"] for n in stats["nodes"]] == on_nodes and stats["backend"] == "sphinx"
        assert ix.search("خبر", limit=50).total == 40
    # The nodes are recorded in the index: opening needs nothing more.
    meta = json.loads((tmp_path / "ix" / "persearch.json").read_text(encoding="utf-8"))
    assert meta["backend_options"] == {"nodes": nodes}
    with Index.open(tmp_path / "ix") as ix:
        assert ix.backend_name == "sphinx" and len(ix) == 40


def test_stacked_terms_are_found_through_their_primary_terms(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    with Index.create(tmp_path / "ix", backend="sphinx") as ix:
        ix.add_documents([Document(id=str(i), title=t, text=x) for i, (t, x) in enumerate(NEWS)])
        # مسئله is indexed as مسیله, its variant مساله among the stacked terms; مساله written so is its own word.
        assert {h.id for h in ix.search("مساله").hits} == {"0", "4"}
        assert {h.id for h in ix.search("مسئله").hits} == {"0", "4"}
        # The joined compound stands over its parts' positions: a stacked term of its document.
        assert {h.id for h in ix.search("رئیسجمهوری").hits} == {"0"}
        assert {h.id for h in ix.search("«رئیس جمهوری امروز»").hits} == {"0"}
        assert ix.backend.search(Term("رییسجمهوری"), limit=5).total == 1
        assert ix.backend.search(Phrase((("مسیله", "مساله"), "انرژی")), limit=5).total == 1
        hit = ix.search("مساله").hits[0]
        assert hit.snippet and hit.highlights  # persearch's highlighter, on the stored text


STACKED = [  # analyzer version 3 stacks joins, spelling variants, verbs' bare forms and singulars
    ("glued", "اینکه او دیروز به کتابخانه رفت"), ("spaced", "این که او دیروز رفت بسیار خوب بود"),
    ("plural", "کتب قدیمی در کتابخانه ماند"), ("singular", "کتاب قدیمی خواندنی است"),
    ("verb", "او همیشه می‌گفت که می‌رود"), ("bare", "او گفت و رفت"),
    ("variant", "مسئله هیئت مدیره"), ("plain", "مساله هیات"), ("phrase", "رئیس جمهوری دیروز گفت"),
]


@pytest.mark.parametrize("query", ["اینکه", "این که", '"این که"', "کتاب", "کتب", "گفت", "می‌گفت", "مساله",
                                   "مسئله هیئت", '"مساله هیئت"', "رئیس‌جمهوری", "رئیسجمهوری", "کتا*", "کتاب~",
                                   "گفت -رفت", "هیات OR کتب"])
def test_stacked_terms_match_exactly_what_the_whoosh_backend_matches(tmp_path: Path, query: str,
                                                                    sphinx_cluster: dict[str, object]) -> None:
    """Each stacked term is a word of the tstack/bstack fields: a document matches a query for it
    exactly where the analyzer stacked it (a glued اینکه, never a spaced این که)."""
    docs = [Document(id=name, text=text) for name, text in STACKED]
    with Index.create(tmp_path / "w") as whoosh, Index.create(tmp_path / "s", backend="sphinx") as sphinx:
        whoosh.add_documents(docs)
        sphinx.add_documents(docs)
        expected = {h.id for h in whoosh.search(query, limit=20, suggest=False).hits}
        found = sphinx.search(query, limit=20, suggest=False)
        assert {h.id for h in found.hits} == expected and found.total == len(expected)
        assert all(h.highlights for h in found.hits)


def test_update_and_delete_are_reflected(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    docs = corpus(tmp_path / "docs", 12)
    with Index.create(tmp_path / "ix", backend="sphinx") as ix:
        ix.add_paths([docs])
        target = docs / "n003.txt"
        target.write_text("ورزش\nکوهنوردان به قله دماوند رسیدند.\n", encoding="utf-8")
        os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 2_000_000_000))
        (docs / "n004.txt").unlink()
        report = ix.update()
        assert (report.updated, report.removed, report.unchanged) == (1, 1, 10)
        assert [h.id for h in ix.search("دماوند").hits] == [str(target.resolve())]
        assert ix.search("خبر", limit=50).total == 10 and len(ix) == 11
        assert ix.remove([str(target)]).removed == 1
        assert ix.search("دماوند").total == 0 and len(ix) == 10
        assert sum(rows_on_nodes(str(sphinx_cluster["nodes"]), ix)) == 10
        # Replaced and deleted versions are deleted from the nodes after the commit.
        assert ix.backend.store.garbage() == [] and ix.backend.store.intent.rows() == []


def test_filters_and_the_term_dictionary(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    with Index.create(tmp_path / "ix", backend="sphinx") as ix:
        ix.add_documents([{"id": "a", "text": "کتاب تازه", "lang": "fa", "tags": ["نو", "کتاب"]},
                          {"id": "b", "text": "کتاب کهنه", "lang": "ar"}])
        assert [h.id for h in ix.search("کتاب", lang="fa").hits] == ["a"]
        assert [h.id for h in ix.search("کتاب", tags="نو").hits] == ["a"]
        assert ix.search("کتاب", lang=["fa", "ar"]).total == 2
        assert [h.id for h in ix.search("کتاب", filters=["tags!=نو"]).hits] == ["b"]  # none of its values
        with pytest.raises(InvalidOption, match="unknown filter field colour:"):
            ix.search("کتاب", colour="red")
        assert dict(ix.backend.terms("body"))["کتاب"] == 2 and ix.backend.term_count() >= 3
        assert dict(ix.backend.terms("body", prefix="کت")) == {"کتاب": 2}
        ix.add_documents([{"id": "a", "text": "دفتر"}])  # replaced: its terms and values leave the dictionary
        assert "تازه" not in dict(ix.backend.terms("body")) and dict(ix.backend.terms("body"))["کتاب"] == 1
        assert ix.search("", tags="نو").total == 0 and ix.search("دفتر", filters=["tags!=نو"]).total == 1


def test_ranking_follows_the_whoosh_backend(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    """Sphinx chooses the candidates, persearch ranks them with global statistics: the same order as Whoosh."""
    docs = corpus(tmp_path / "docs", 60)
    with Index.create(tmp_path / "w") as whoosh, Index.create(tmp_path / "s", backend="sphinx") as sphinx:
        whoosh.add_paths([docs])
        sphinx.add_paths([docs])
        for query in ("تهران", "کتاب تهران", "خبر امروز", "«بازی دوستانه»", "ایران OR تهران", "درخت*"):
            expected = [(h.id, round(h.score, 4)) for h in whoosh.search(query, limit=10).hits]
            got = [(h.id, round(h.score, 4)) for h in sphinx.search(query, limit=10).hits]
            overlap = len({i for i, _ in expected} & {i for i, _ in got}) / max(1, len({i for i, _ in expected} | {i for i, _ in got}))
            assert overlap >= 0.7, query
        assert [h.id for h in sphinx.search("تهران", limit=10).hits] == [h.id for h in whoosh.search("تهران", limit=10).hits]


def test_rebuild_moves_an_index_onto_the_nodes_and_off_them(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    nodes = str(sphinx_cluster["nodes"])
    docs = corpus(tmp_path / "docs", 10)
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([docs])
        ix.add_document("note", "یادداشت درباره کتاب")
        assert ix.rebuild(backend="sphinx", nodes=nodes).added == 10
        assert ix.backend_name == "sphinx" and len(ix) == 11 and ix.search("یادداشت").total == 1
        first = ix.backend
        ns = first.ns
        assert sum(rows_on_nodes(nodes, ix)) == 11
        assert ix.rebuild().added == 10  # a new namespace beside the old; the old rows go after the swap
        assert ix.backend.ns != ns and sum(rows_on_nodes(nodes, ix)) == 11
        assert ix.rebuild(backend="whoosh").added == 10 and ix.backend_name == "whoosh" and len(ix) == 11
    import pymysql

    host, port = nodes.split(",")[0].split(":")
    connection = pymysql.connect(host=host, port=int(port), autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM persearch_all WHERE ns = %s", (ns,))
        assert cursor.fetchone()[0] == 0  # discarded with their data folder
    connection.close()


# -- safety: MATCH strings are bound, and only analyzed terms reach them ------------------------------
@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory: pytest.TempPathFactory, sphinx_cluster: dict[str, object]) -> Iterator[Index]:
    ix = Index.create(tmp_path_factory.mktemp("fuzz") / "ix", backend="sphinx")
    ix.add_documents([Document(id=str(i), title=t, text=x, metadata={"source": t, "year": 1390 + i})
                      for i, (t, x) in enumerate(NEWS)])
    yield ix
    ix.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=0, max_size=40), st.booleans())
def test_arbitrary_queries_never_break_a_statement(fuzz_index: Index, query: str, structured: bool) -> None:
    nodes = fuzz_index.backend.nodes
    sent: list[tuple[str, list[object]]] = []
    search = nodes.search

    def recording(sql: str, args: list[object]) -> object:
        sent.append((sql, list(args)))
        return search(sql, args)

    nodes.search = recording  # type: ignore[method-assign]
    try:
        results = fuzz_index.search(query, limit=3)  # never a SphinxQL or MATCH syntax error
        if structured and query.strip():  # the query's text as a keyword filter's value, sorted, faceted
            fuzz_index.search(query, filters={"source": [query, "سیاست"]}, sort="-year", facets=["source", "year"])
            fuzz_index.search("", filters={"format": query, "id": query})
    finally:
        del nodes.search
    assert results.total <= len(NEWS) and results.partial is None
    import re

    from persearch.backends.sphinx.search import _BM25_RANKER, _COUNT_RANKER, _FLAT_RANKER

    bm25 = re.escape(_BM25_RANKER)
    for name in ("boost", "title", "body"):  # the only values formatted in: persearch's own numbers
        bm25 = bm25.replace(re.escape("{" + name + "}"), "[0-9]+\\.[0-9]+")
    for sql, args in sent:  # the statement is persearch's constant text; the query only in the bound values
        statement, _, options = sql.partition(" OPTION max_matches=%s, ")
        assert "'" not in statement and '"' not in statement and sql.count("%s") == len(args)
        assert options in (_FLAT_RANKER, _COUNT_RANKER, "ranker=none") or re.fullmatch(bm25, options), options
        if "MATCH(%s)" in sql:
            assert isinstance(args[0], str) and "'" not in args[0] and ";" not in args[0]
    assert len(fuzz_index) == len(NEWS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20))
def test_arbitrary_terms_are_one_sphinx_word_each(fuzz_index: Index, term: str) -> None:
    from persearch.backends.sphinx.documents import sphinx_term

    word = sphinx_term(term)
    assert word and " " not in word and "'" not in word and '"' not in word and "\\" not in word
    # A term the analyzer never made still runs: no syntax error, no second statement.
    fuzz_index.backend.search(Term(term), limit=3)
    fuzz_index.backend.search(Phrase((term, "کتاب")), limit=3)


def test_sql_in_a_query_is_only_text(fuzz_index: Index) -> None:
    for query in ("'); DELETE FROM persearch; --", "کتاب'; SHOW TABLES; --", "\\' OR 1=1 --", '"; DROP"'):
        fuzz_index.search(query)
        fuzz_index.backend.search(Term(query), limit=3)
    assert len(fuzz_index) == len(NEWS) and fuzz_index.search("کتاب").total == 1


def test_primary_terms_are_the_first_single_position_token_of_each_position() -> None:
    from persearch.backends.sphinx.documents import primary_terms

    analyzer = Analyzer()
    words = ["رئیس‌جمهوری", "رئیسجمهوری", "مسئله", "هیئت", "کتابخانه", "ریشهکن", "می خواهد", "کتاب ها", "و", "از",
             "۱۴۰۳", "3.14", "ABC", "تازه‌ای", "مسئله‌ای", "بزرگ تر"]

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(words), min_size=0, max_size=12))
    def check(chosen: list[str]) -> None:
        text = " ".join(chosen)
        expected: dict[int, str] = {}
        for token in analyzer.tokens(text, keep_stopwords=True):
            if token.length == 1:
                expected.setdefault(token.position, token.text)
        primaries, stacked = primary_terms(analyzer.columns(text))
        assert primaries == [expected[p] for p in sorted(expected)]
        for alt, over in stacked:
            assert alt not in over.split(" ") and all(w in primaries for w in over.split(" "))

    check()


# -- typed fields in the nodes' slots ---------------------------------------------------------------
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=20))
def test_number_codes_order_as_the_numbers_and_read_back(numbers: list[float]) -> None:
    from persearch.backends.sphinx.values import code, number_from_code

    codes = [code("number", n) for n in numbers]
    assert all(-(1 << 63) <= c < (1 << 63) for c in codes)  # a signed 64-bit attribute holds it
    assert [number_from_code(c) for c in codes] == [n + 0.0 for n in numbers]
    order = sorted(range(len(numbers)), key=lambda i: codes[i])
    assert [numbers[i] for i in order] == sorted(numbers)


RECORDS = [  # several values a document: tags, years, dates
    {"id": "a", "text": "کتاب شعر", "tags": ["شعر", "کلاسیک"], "year": [1350, 1402], "date": ["1402/05/01", "1399/01/10"]},
    {"id": "b", "text": "کتاب رمان", "tags": ["رمان"], "year": [1395], "date": ["1402/05/20"]},
    {"id": "c", "text": "کتاب تاریخ", "tags": ["تاریخ", "شعر"], "year": [1380, 1390, 1410], "date": ["1390/01/01"]},
    {"id": "d", "text": "کتاب بی‌تاریخ"},
    {"id": "e", "text": "کتاب طنز", "tags": ["طنز"], "year": [12.5, -3], "date": ["2023-08-03T21:30:00"]},
]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, sphinx_cluster: dict[str, object]) -> Iterator[Index]:
    ix = Index.create(tmp_path_factory.mktemp("records") / "ix", backend="sphinx")
    ix.add_documents(RECORDS)
    yield ix
    ix.close()


@pytest.mark.parametrize("filters", [
    ["tags=شعر"], ["tags!=شعر"], ["tags=رمان,طنز"], ["year>=1400"], ["year<1390"], ["year=1380..1395"],
    ["year!=1395"], ["year=1350,1410"], ["year!=1350,1410"], ["year>0"], ["year!=..1360"], ["year!=1400.."],
    ["date=1402/05"], ["date!=1402/05"], ["date=1402/05/01,1390"], ["date>=1400"], ["date<1400"],
    ["date!=1399..1401"], ["tags=شعر", "year>=1400", "date=1402"], ["date>=2023-08-03T21:00"],
])
def test_filters_on_several_values_a_document_agree_with_the_reference(records: Index, filters: list[str]) -> None:
    from persearch.values.filters import parse_filter
    from persearch.values.records import type_records

    reference = [parse_filter(f, records.fields) for f in filters]
    typed = {r["id"]: type_records([{k: v for k, v in r.items() if k not in ("id", "text")}],
                                   records.backend.fields()).typed[0] for r in RECORDS}
    expected = {i for i, values in typed.items() if all(f.matches(values.get(f.field, [])) for f in reference)}
    found = records.search("کتاب", filters=filters, limit=10)
    assert {h.id for h in found.hits} == expected and found.total == len(expected)


def test_a_range_no_expression_can_say_is_one_line(records: Index) -> None:
    # Several bounded ranges (or one excluded) of a field holding several numbers a document: Sphinx
    # 2.2's WHERE has no OR or NOT, and LEAST/GREATEST cannot tell.
    for bad in (["year=1340..1360,1400..1405"], ["year!=1380..1395"]):
        with pytest.raises(InvalidOption, match="cannot test a range of year") as info:
            records.search("کتاب", filters=bad)
        assert "\n" not in str(info.value)


def test_sorting_and_facets_on_several_values(records: Index) -> None:
    found = records.search("کتاب", facets=["tags", "year", "date:year"], limit=10)
    assert found.facets["tags"] == {"شعر": 2, "تاریخ": 1, "رمان": 1, "طنز": 1, "کلاسیک": 1}
    assert found.facets["year"] == {-3: 1, 12.5: 1, 1350: 1, 1380: 1, 1390: 1, 1395: 1, 1402: 1, 1410: 1}
    assert found.facets["date:year"] == {"1390": 1, "1399": 1, "1402": 3}  # a document once a year
    with pytest.raises(InvalidOption, match="several values"):
        records.search("کتاب", sort="year")


# -- failures, restarts, the local cluster -------------------------------------------------------
def test_a_node_down_gives_partial_results_then_comes_back_with_every_document(
        tmp_path: Path, own_cluster: dict[str, object]) -> None:
    folder, nodes = Path(str(own_cluster["folder"])), str(own_cluster["nodes"])
    location = tmp_path / "ix"
    done = cli("index", str(corpus(tmp_path / "docs")), "--index", str(location), "--backend", "sphinx",
               "--nodes", nodes)
    assert done.returncode == 0, done.stderr
    with Index.open(location) as ix:
        held = [n["documents"] for n in ix.stats()["nodes"]]
    os.kill(pids_of(folder)[1], signal.SIGKILL)
    time.sleep(0.2)
    done = cli("search", "خبر", "--index", str(location), "--json", "--limit", "50")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    answer = json.loads(done.stdout)
    second = nodes.split(",")[1]
    assert answer["partial"]["missing_nodes"] == [second]
    assert answer["partial"]["missing_share"] == pytest.approx(held[1] / 40, abs=1e-3)
    assert answer["total"] == held[0] and second in answer["message"]
    done = cli("search", "خبر", "--index", str(location))
    assert done.returncode == 1 and f"partial results: Sphinx node {second} did not answer" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli("search", "خبر", "--index", str(location), "--count")
    assert done.returncode == 1 and done.stdout.strip() == str(held[0]) and second in done.stderr
    from persearch.shapes import count_json, results_json

    with Index.open(location) as ix:  # the library's JSON shapes (serve's API) carry it too
        results = ix.search("خبر", facets=["date"] if ix.fields else None)
        assert results_json("خبر", results)["partial"]["missing_nodes"] == [second]
        assert count_json("خبر", results)["partial"]["missing_share"] == answer["partial"]["missing_share"]
    # Writing while a node is down is an error that commits nothing.
    (tmp_path / "docs" / "new.txt").write_text("خبر تازه\nکوه دماوند\n", encoding="utf-8")
    done = cli("update", "--index", str(location))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and second in done.stderr
    # Back up: every document, and the update that failed redoes its work.
    assert cli("cluster", "up", str(folder)).returncode == 0
    done = cli("search", "خبر", "--index", str(location), "--json", "--limit", "50")
    assert done.returncode == 0 and json.loads(done.stdout)["total"] == 40
    done = cli("update", "--index", str(location), "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["added"] == 1
    done = cli("search", "دماوند", "--index", str(location), "--json")
    assert json.loads(done.stdout)["total"] == 1


def test_a_failed_write_is_invisible_and_cleaned_by_the_next(tmp_path: Path, own_cluster: dict[str, object]) -> None:
    folder, nodes = Path(str(own_cluster["folder"])), str(own_cluster["nodes"])
    with Index.create(tmp_path / "ix", backend="sphinx", nodes=nodes) as ix:
        ix.add_documents([Document(id=f"d{i}", text=f"خبر {i} کتاب") for i in range(20)])
        before = ix.backend.generation()
        manifest = json.loads((ix.data_dir / "manifest.json").read_text(encoding="utf-8"))
        os.kill(pids_of(folder)[1], signal.SIGKILL)
        time.sleep(0.2)
        from persearch.backends.sphinx.nodes import NodeDown

        with pytest.raises(NodeDown, match="did not answer"):
            ix.add_documents([Document(id=f"e{i}", text=f"خبر تازه {i}") for i in range(20)])
        assert ix.backend.generation() == before
        assert json.loads((ix.data_dir / "manifest.json").read_text(encoding="utf-8")) == manifest
        assert ix.backend.store.intent.rows()  # rows that may be on the node that answered
        assert cli("cluster", "up", str(folder)).returncode == 0
        # The failed write left the store's file as its checksums describe it: no damage found.
        with Index.open(tmp_path / "ix") as again:
            report = again.check()
            assert report.ok, report.problems
        assert ix.search("تازه").total == 0 and ix.backend.search(MatchAll(), limit=100).total == 20
        ix.add_documents([Document(id="f", text="دفتر")])  # deletes what the failed commit wrote first
        assert ix.backend.store.intent.rows() == [] and sum(rows_on_nodes(nodes, ix)) == 21
        assert not (ix.data_dir / "sphinx-intent.sqlite").exists()  # only while a write is unfinished
        assert ix.backend.search(MatchAll(), limit=100).total == 21 == len(ix)


def test_an_open_index_survives_a_node_restart(tmp_path: Path, own_cluster: dict[str, object]) -> None:
    folder, nodes = Path(str(own_cluster["folder"])), str(own_cluster["nodes"])
    with Index.create(tmp_path / "ix", backend="sphinx", nodes=nodes) as ix:
        ix.add_documents([Document(id=f"d{i}", text=f"خبر {i} کتاب") for i in range(20)])
        assert ix.search("کتاب", limit=30).total == 20  # connections to both nodes are open now
        for number in (0, 1):
            os.kill(pids_of(folder)[number], signal.SIGKILL)
            time.sleep(0.2)
            assert cli("cluster", "up", str(folder)).returncode == 0
            found = ix.search("کتاب", limit=30)  # a stale connection is opened again, not a missing node
            assert found.total == 20 and found.partial is None
        ix.add_documents([Document(id="e", text="کتاب تازه")])
        assert ix.search("کتاب", limit=30).total == 21


def test_cluster_down_leaves_no_searchd_and_up_restarts_only_what_is_down(tmp_path: Path) -> None:
    from conftest import _free_base_port, _stop_by_pid

    folder = tmp_path / "nodes"
    try:
        done = cli("cluster", "up", str(folder), "--nodes", "2", "--port", str(_free_base_port()), "--json")
        assert done.returncode == 0, done.stderr
        first = json.loads(done.stdout)
        pids = [p["pid"] for p in first["processes"]]
        assert all(alive(pid) for pid in pids) and len(first["started"]) == 2
        done = cli("cluster", "up", str(folder), "--json")
        assert json.loads(done.stdout)["started"] == [] and pids_of(folder) == pids
        config = (folder / "node-0" / "sphinx.conf").read_text(encoding="utf-8")
        assert "charset_table" in config and "type = distributed" in config and "binlog_path" in config
        assert "127.0.0.1:" in config
        done = cli("cluster", "down", str(folder))
        assert done.returncode == 0 and all(not alive(pid) for pid in pids)
        assert cli("cluster", "down", str(folder)).returncode == 0  # nothing left to stop
    finally:
        _stop_by_pid(folder)


def test_cluster_config_for_real_servers() -> None:
    done = cli("cluster", "config", "--nodes", "10.0.0.1:9306,10.0.0.2:9306")
    assert done.returncode == 0
    assert "agent = 10.0.0.2:9312:persearch" in done.stdout and "agent = 10.0.0.1:9312:persearch" in done.stdout
    assert "listen = 10.0.0.1:9306:mysql41" in done.stdout and "charset_table" in done.stdout
    bad = cli("cluster", "config", "--nodes", "10.0.0.1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "HOST:PORT" in bad.stderr


def test_missing_searchd_is_one_line_naming_the_package(tmp_path: Path) -> None:
    done = cli("cluster", "up", str(tmp_path / "nodes"), env={"PATH": str(tmp_path)})
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "sphinxsearch" in done.stderr and "Traceback" not in done.stderr


def test_missing_client_is_one_line_naming_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymysql", None)  # as if not installed
    for name in ("persearch.backends.sphinx.nodes", "persearch.backends.sphinx.backend"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(MissingExtra) as info:
        Index.create(tmp_path / "ix", backend="sphinx", nodes="127.0.0.1:9306")
    assert str(info.value) == "the sphinx backend needs the sphinx extra: pip install 'persearch[sphinx]'"
    assert not (tmp_path / "ix" / "persearch.json").exists()


def test_nodes_are_chosen_with_a_new_index_or_its_rebuild(tmp_path: Path, sphinx_cluster: dict[str, object]) -> None:
    nodes = str(sphinx_cluster["nodes"])
    docs = corpus(tmp_path / "docs", 4)
    assert cli("index", str(docs), "--index", str(tmp_path / "ix"), "--backend", "sphinx",
               "--nodes", nodes).returncode == 0
    assert cli("index", str(docs), "--index", str(tmp_path / "ix"), "--nodes", nodes).returncode == 0
    other = cli("index", str(docs), "--index", str(tmp_path / "ix"), "--nodes", nodes.split(",")[0])
    assert other.returncode == 2 and "add --rebuild" in other.stderr and other.stderr.count("\n") == 1
    whoosh = cli("index", str(docs), "--index", str(tmp_path / "w"), "--nodes", nodes)
    assert whoosh.returncode == 2 and "the whoosh backend takes no option nodes" in whoosh.stderr
    assert not (tmp_path / "w").exists()
    assert cli("index", str(docs), "--index", str(tmp_path / "w")).returncode == 0
    whoosh = cli("index", str(docs), "--index", str(tmp_path / "w"), "--nodes", nodes)
    assert whoosh.returncode == 2 and "--nodes is for the sphinx backend, not whoosh" in whoosh.stderr
    moved = cli("index", str(docs), "--index", str(tmp_path / "ix"), "--rebuild", "--nodes", nodes.split(",")[0],
                "--json")
    assert moved.returncode == 0, moved.stderr
    with Index.open(tmp_path / "ix") as ix:
        assert ix.backend.options == {"nodes": nodes.split(",")[0]} and len(ix) == 4
        assert [n["documents"] for n in ix.stats()["nodes"]] == [4]


def test_nodes_are_required_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        sphinx_cluster: dict[str, object]) -> None:
    monkeypatch.delenv("PERSEARCH_SPHINX_NODES", raising=False)
    with pytest.raises(InvalidOption, match="needs its nodes"):
        Index.create(tmp_path / "a", backend="sphinx")
    with pytest.raises(InvalidOption, match="bad Sphinx node"):
        Index.create(tmp_path / "b", backend="sphinx", nodes="127.0.0.1:x")
    nodes = str(sphinx_cluster["nodes"])
    with Index.create(tmp_path / "listed", backend="sphinx", nodes=nodes.split(",")) as ix:  # a list works too
        assert ix.backend.options == {"nodes": nodes}
    from conftest import _free_base_port

    with pytest.raises(PersearchError, match="did not answer"):
        Index.create(tmp_path / "c", backend="sphinx", nodes=f"127.0.0.1:{_free_base_port()}")


def test_the_sphinx_code_is_not_loaded_on_the_default_path() -> None:
    code = ("import sys, persearch; from persearch import Index; import persearch.cli.app; "
            "print(sorted(m for m in sys.modules if 'sphinx' in m or m == 'pymysql' or m == 'persearch.cluster'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout
