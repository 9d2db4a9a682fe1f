"""Every spelling of a suffix or compound meets every other, in the analyzer and in a search (both backends)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_helpers import check_stream
from persearch import Analyzer, Index
from persearch.analysis.chars import NBSP, ZWNJ
from persearch.analysis.spelling import collapse_repeats

ANALYZER = Analyzer()


def _spellings(host: str, suffix: str) -> list[str]:
    return [host + suffix, host + ZWNJ + suffix, host + " " + suffix, host + NBSP + suffix]


@pytest.mark.parametrize("host, suffix", [
    ("رسانه", "ای"), ("لحظه", "ای"), ("پروژه", "ای"), ("خانواده", "ی"), ("مدرسه", "ام"), ("مدرسه", "اش"),
    ("کتابخانه", "شان"), ("دریچه", "تان"), ("دانشگاه", "ها"), ("کوچک", "تر"), ("سریع", "ترین"),
    ("میوه", "جات"),
])
def test_suffix_spellings_give_the_same_terms(host: str, suffix: str) -> None:
    terms = {tuple(ANALYZER.terms(text)) for text in _spellings(host, suffix)}
    assert len(terms) == 1, terms
    assert ANALYZER.terms(host)[0] in next(iter(terms))


def test_clitic_after_a_stopword_is_not_glued() -> None:
    # در شان (in dignity): در is no host for a clitic.
    assert Analyzer(stopwords=False).terms("در شان") == ["در", "شان"]


@pytest.mark.parametrize("text", ["خانه ای", "مذاکرات هسته ای", "کتاب ها", "کشتی شان", "اخلال گر", "۹کیلومتر"])
def test_spaced_forms_keep_offsets_in_the_original(text: str) -> None:
    tokens = list(ANALYZER.tokens(text, keep_stopwords=True))
    check_stream(text, tokens)
    for token in tokens:
        assert text[token.start:token.end].strip() == text[token.start:token.end]


# --- properties ------------------------------------------------------------------
_PIECES = st.sampled_from(["خانه", "رسانه", "کتاب", "ای", "ی", "ها", "اش", "شان", "گر", "می", "خورد", "اخبار",
                           "است", "خورده", "۹", "22:00", "ﷺ", "سلاممم", "ب", "ه", "ااا", "ی"])
_GAPS = st.sampled_from([" ", ZWNJ, "", NBSP, "، "])
_TEXT = st.lists(st.tuples(_PIECES, _GAPS), max_size=12).map(lambda p: "".join(a + b for a, b in p))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_new_groups_never_raise_and_keep_the_stream_valid(text: str) -> None:
    for analyzer in (ANALYZER, Analyzer(stopwords=False), Analyzer(stemmer=None, compounds=False)):
        tokens = list(analyzer.tokens(text, keep_stopwords=True))
        check_stream(text, tokens)  # offsets inside the text, starts and positions never going back
        columns = ([t.text for t in tokens], [t.start for t in tokens], [t.end for t in tokens],
                   [t.position for t in tokens])
        assert tuple(analyzer.columns(text)) == columns


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="سلامخوبیاهه" + "ا", min_size=1, max_size=12))
def test_collapsing_stretched_letters_is_idempotent(word: str) -> None:
    once = collapse_repeats(word)
    assert collapse_repeats(once) == once
    assert ANALYZER.normalize(ANALYZER.normalize(word)) == ANALYZER.normalize(word)


# --- search: every spelling finds every other, on both backends -------------------
DOCS = {
    "d1": f"گزارش رسانه{ZWNJ}ای درباره مدارس شهر",
    "d2": "این یک پروژه ای تازه است و اساتید دانشگاه می نوشتند",
    "d3": "خبر مدرسه و استاد در روزنامه نوشته‌است",
    "d4": "لحظهای که کودکان خانه شان را دیدند",
    "d5": "کتابی که او هرگز نخواند",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Index:
    idx = Index.create(Path(tmp_path_factory.mktemp(f"spell-{backend}")) / "idx", backend=backend)
    idx.add_documents([{"id": k, "text": v} for k, v in DOCS.items()])
    yield idx
    idx.close()


def _found(index: Index, query: str) -> set[str]:
    return {h.id for h in index.search(query, limit=50, snippets=False, suggest=False, fallback=False).hits}


@pytest.mark.parametrize("queries, expected", [
    (["رسانهای", f"رسانه{ZWNJ}ای", "رسانه ای"], {"d1"}),
    (["پروژهای", f"پروژه{ZWNJ}ای", "پروژه ای"], {"d2"}),
    (["لحظهای", f"لحظه{ZWNJ}ای", "لحظه ای", "لحظه"], {"d4"}),
    (["خانهشان", f"خانه{ZWNJ}شان", "خانه شان"], {"d4"}),
    (['"گزارش رسانه ای"', '"گزارش رسانهای"'], {"d1"}),
])
def test_every_spelling_finds_the_same_documents(index: Index, queries: list[str], expected: set[str]) -> None:
    for query in queries:
        assert _found(index, query) == expected, query


@pytest.mark.parametrize("plural, singular, plural_doc, singular_doc", [
    ("مدارس", "مدرسه", "d1", "d3"), ("اساتید", "استاد", "d2", "d3"),
])
def test_broken_plurals_both_ways_exact_first(index: Index, plural: str, singular: str, plural_doc: str,
                                             singular_doc: str) -> None:
    for query, exact, conflated in ((plural, plural_doc, singular_doc), (singular, singular_doc, plural_doc)):
        hits = [h.id for h in index.search(query, limit=50, snippets=False, suggest=False, fallback=False).hits]
        assert exact in hits and conflated in hits, (query, hits)
    # the plural's own documents rank above those holding only its singular
    hits = [h.id for h in index.search(plural, limit=50, snippets=False, suggest=False, fallback=False).hits]
    assert hits.index(plural_doc) < hits.index(singular_doc)


def test_verbs_and_auxiliaries_in_a_search(index: Index) -> None:
    assert _found(index, "نوشتند") == {"d2"}  # می نوشتند holds نوشتند stacked
    assert _found(index, "داشتند می‌نوشتند") == {"d2"}  # the auxiliary is dropped, the verb kept
    assert _found(index, "نوشته") == {"d3"}  # نوشته‌است: the copula is a word of its own
