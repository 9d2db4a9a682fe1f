"""Prefix and fuzzy terms: the same expansion on every backend, each reached term
scored on its own (exact above one edit above two), and every hit showing why.

The corpus is the first news articles of the shared data, indexed through
the command line as a user would; the words queried are drawn from it.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import shared_data_file, sphinx_unavailable
from test_cli import cli

from persearch import Analyzer
from persearch.edit_distance import edit_distance
from persearch.expand import MAX_TERMS, TIER_WEIGHTS, fuzzy_terms, prefix_terms, weighted

A = Analyzer()
WORDS = ("کتاب", "بانک", "مجلس", "قیمت", "دولت")


ENGINES = ("whoosh", "tantivy", "sphinx")


@pytest.fixture(scope="module")
def news_indexes(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Path]:
    """The first 600 news articles, indexed by the CLI with each backend (sphinx when it can run here)."""
    pytest.importorskip("tantivy")
    news = shared_data_file("news.jsonl.gz")
    engines = ENGINES if sphinx_unavailable() is None else ENGINES[:2]
    if "sphinx" in engines:
        request.getfixturevalue("sphinx_cluster")
    root = tmp_path_factory.mktemp("news")
    folder = root / "docs"
    folder.mkdir()
    with gzip.open(news, "rt", encoding="utf-8") as lines, open(folder / "news.jsonl", "w", encoding="utf-8") as out:
        for _, line in zip(range(600), lines):
            out.write(line)
    indexes = {}
    for backend in engines:
        indexes[backend] = root / backend
        done = cli("index", str(folder), "--index", str(indexes[backend]), "--backend", backend)
        assert done.exit_code == 0, done.stderr
    return indexes


def search(index: Path, query: str, limit: int = 1000) -> dict:
    result = cli("search", "--index", str(index), "--json", "--limit", str(limit), "--", query)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def matched_terms(hit: dict) -> set[str]:
    """The index terms of the words a hit shows as matched (snippet and title)."""
    words = [hit["snippet"][s:e] for s, e in hit["highlights"]] + [hit["title"][s:e] for s, e in hit["title_highlights"]]
    return {t.text for word in words for t in A.tokens(word, keep_stopwords=True)}


@pytest.mark.parametrize("query", [f"{w}~" for w in WORDS] + [f"{w}~2" for w in WORDS] + ["کتا*", "خوا*", "ایرا*"])
def test_every_backend_reaches_the_same_documents_and_shows_why(news_indexes: dict[str, Path], query: str) -> None:
    whoosh, *others = (search(index, query) for index in news_indexes.values())
    for other in others:
        assert whoosh["total"] == other["total"] > 0
        assert {h["id"] for h in whoosh["hits"]} == {h["id"] for h in other["hits"]}
    word = query.rstrip("~2*")
    for data in (whoosh, *others):
        for hit in data["hits"]:
            assert hit["highlights"] or hit["title_highlights"], hit["id"]
            if query.endswith("*"):
                assert any(t.startswith(word) for t in matched_terms(hit)), hit["id"]
            else:
                distance = 2 if query.endswith("~2") else 1
                assert any(t[0] == word[0] and edit_distance(t, word, distance) <= distance
                           for t in matched_terms(hit)), hit["id"]


@pytest.mark.parametrize("backend", ENGINES)
@pytest.mark.parametrize("word", WORDS)
def test_exact_matches_rank_above_one_edit_above_two(news_indexes: dict[str, Path], backend: str, word: str) -> None:
    if backend not in news_indexes:
        pytest.skip(f"the {backend} backend cannot run here")
    data = search(news_indexes[backend], f"{word}~2", limit=200)
    tiers = [min(edit_distance(t, word, 2) for t in matched_terms(hit) if t[:1] == word[:1]) for hit in data["hits"]]
    assert tiers == sorted(tiers), tiers
    assert tiers[0] == 0 and len(set(h["score"] for h in data["hits"])) > 1  # scored per term, not flat


@pytest.mark.parametrize("backend", ENGINES)
def test_totals_do_not_depend_on_the_page_size(news_indexes: dict[str, Path], backend: str) -> None:
    if backend not in news_indexes:
        pytest.skip(f"the {backend} backend cannot run here")
    for query in ("بانک~2", "خوا*", "قیمت~ OR دولت"):
        full = search(news_indexes[backend], query)
        top = search(news_indexes[backend], query, limit=3)
        assert top["total"] == full["total"]
        assert [h["id"] for h in top["hits"]] == [h["id"] for h in full["hits"][:3]]


def test_a_prefix_ranks_the_whole_word_first_and_rare_forms_do_not_dominate(
        news_indexes: dict[str, Path]) -> None:
    for backend in news_indexes:
        data = search(news_indexes[backend], "دولت*", limit=50)
        assert "دولت" in matched_terms(data["hits"][0])


# --- the rules themselves ----------------------------------------------------------


def test_fuzzy_rules_keep_the_first_letter_and_count_plain_edits() -> None:
    candidates = [("کتاب", 50), ("کتب", 20), ("کباب", 3), ("کتابها", 2), ("یتاب", 9), ("کاتب", 4), ("کشتار", 6)]
    assert [(t, tier) for t, tier, _ in fuzzy_terms(candidates, "کتاب", 2)] == [  # tier, then more documents
        ("کتاب", 0), ("کتب", 1), ("کباب", 1), ("کشتار", 2), ("کاتب", 2), ("کتابها", 2)]
    assert "یتاب" in [t for t, _, _ in fuzzy_terms(candidates, "کتاب", 2, prefix_length=0)]  # only if asked


def test_prefix_rules_and_weights() -> None:
    reached = prefix_terms([("دولتی", 40), ("دولت", 90), ("دول", 5), ("دولتها", 2)], "دولت")
    assert [(t, tier) for t, tier, _ in reached] == [("دولت", 0), ("دولتی", 1), ("دولتها", 1)]
    idf = lambda df: 10.0 / df  # noqa: E731 - any decreasing function
    boosts, rest = weighted(reached, idf)
    # Every term's IDF is brought to the most frequent best-tier term's: a rare form is not worth more.
    assert [round(b * idf(df), 6) for (_, b), (_, _, df) in zip(boosts, reached)] == [
        round(w * idf(90), 6) for w in (TIER_WEIGHTS[0], TIER_WEIGHTS[1], TIER_WEIGHTS[1])]
    assert rest == []
    many = prefix_terms([(f"دولت{i}", i) for i in range(1, MAX_TERMS + 11)], "دولت")
    boosts, rest = weighted(many, idf)
    assert len(boosts) == MAX_TERMS and len(rest) == 10 and boosts[0][0] == f"دولت{MAX_TERMS + 10}"
