"""The analyzer's public contract: options, stopwords, positions, pickling, caching (analyzer.py)."""
from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import persearch
from analysis_helpers import assert_analyzes, check_stream
from persearch import Analyzer, InvalidOption, Token, analyze
from persearch.analysis import analyzer as analyzer_module
from persearch.analysis.analyzer import ANALYZER_VERSION

SENTENCE = "کتاب‌های رئیس‌جمهوری را از کتابخانه می خواهد."


def test_default_pipeline_on_a_sentence() -> None:
    assert_analyzes(SENTENCE, [
        ("کتاب", 0, 8, 0), ("رییسجمهوری", 9, 20, 1, 2), ("رییس", 9, 13, 1), ("جمهوری", 14, 20, 2),
        ("کتابخانه", 27, 35, 5, 2), ("کتاب", 27, 35, 5), ("خانه", 27, 35, 6), ("میخواهد", 36, 44, 7),
    ])


def test_stopwords_dropped_without_renumbering() -> None:
    assert_analyzes("از ایران به ترکیه", [("ایران", 3, 8, 1), ("ترکیه", 12, 17, 3)])
    assert_analyzes("از ایران به ترکیه", [("از", 0, 2, 0), ("ایران", 3, 8, 1), ("به", 9, 11, 2),
                                          ("ترکیه", 12, 17, 3)], keep_stopwords=True)


def test_stopwords_option_off_keeps_them() -> None:
    assert_analyzes("از آن به بعد", [("از", 0, 2, 0), ("ان", 3, 5, 1), ("به", 6, 8, 2), ("بعد", 9, 12, 3)],
                    Analyzer(stopwords=False))


def test_keep_stopwords_false_overrides_option() -> None:
    assert_analyzes("از ایران", [("ایران", 3, 8, 1)], Analyzer(stopwords=False), keep_stopwords=False)


def test_stopword_only_text_still_has_terms_when_kept() -> None:
    # A title made only of stopwords must stay searchable as a phrase.
    assert_analyzes("از این به آن", [])
    assert_analyzes("از این به آن", [("از", 0, 2, 0), ("این", 3, 6, 1), ("به", 7, 9, 2), ("ان", 10, 12, 3)],
                    keep_stopwords=True)


@pytest.mark.parametrize("word", ["از", "به", "در", "که", "را", "این", "آن", "می‌شود", "است", "چرا"])
def test_is_stopword_on_normalized_terms(word: str) -> None:
    analyzer = Analyzer()
    assert analyzer.is_stopword(analyzer.normalize(word))


@pytest.mark.parametrize("word", ["ایران", "کتاب", "بزرگ", "جدید", "راه"])
def test_content_words_are_not_stopwords(word: str) -> None:
    assert not Analyzer().is_stopword(Analyzer().normalize(word))


def test_stemmer_off() -> None:
    assert_analyzes("کتاب‌ها", [("کتابها", 0, 7, 0)], Analyzer(stemmer=None))
    assert_analyzes("کتاب‌ها", [("کتابها", 0, 7, 0)], Analyzer(stemmer=False))  # type: ignore[arg-type]


def test_config_round_trip_and_equality() -> None:
    analyzer = Analyzer(stemmer=None, stopwords=False)
    assert analyzer.config() == {"stemmer": None, "stopwords": False, "lemmatize": False,
                                 "normalizer": "builtin", "compounds": True, "version": ANALYZER_VERSION}
    assert Analyzer(**analyzer.config()) == analyzer
    with pytest.raises(InvalidOption, match="rebuild the index"):
        Analyzer(version=ANALYZER_VERSION + 1)
    assert analyzer.with_options(stopwords=True) == Analyzer(stemmer=None)
    assert hash(Analyzer()) == hash(Analyzer())


def test_pickle_keeps_config_and_behaviour() -> None:
    analyzer = Analyzer(stopwords=False)
    analyzer(SENTENCE)  # fill the cache: it must not be pickled
    data = pickle.dumps(analyzer)
    assert len(data) < 1000
    clone = pickle.loads(data)
    assert clone == analyzer
    assert clone(SENTENCE) == analyzer(SENTENCE)


@pytest.mark.parametrize("options", [{"stemmer": "porter"}, {"normalizer": "nltk"}])
def test_unknown_option_is_one_line_error(options: dict) -> None:
    with pytest.raises(InvalidOption) as info:
        Analyzer(**options)
    assert "\n" not in str(info.value)


def test_tokens_is_lazy_and_equals_call() -> None:
    analyzer = Analyzer()
    stream = analyzer.tokens(SENTENCE)
    assert next(stream) == Token("کتاب", 0, 8, 0)
    assert list(analyzer.tokens(SENTENCE)) == analyzer(SENTENCE)
    assert analyzer.terms("مسأله") == ["مساله"]


def test_cached_results_are_per_offset() -> None:
    # The same word twice: cached analysis, offsets of each occurrence.
    assert_analyzes("کتاب کتاب", [("کتاب", 0, 4, 0), ("کتاب", 5, 9, 1)])


def test_module_analyze_matches_analyzer() -> None:
    assert analyze(SENTENCE) == Analyzer()(SENTENCE)
    assert analyze(SENTENCE, stopwords=False) == Analyzer(stopwords=False)(SENTENCE)
    assert persearch.analyze is analyze


def test_seed_documents_analyze_cleanly(seed_texts: dict[str, str]) -> None:
    for text in seed_texts.values():
        tokens = Analyzer()(text)
        check_stream(text, tokens)
        terms = {t.text for t in tokens}
        assert {"روحانی", "ایران", "رییس", "جمهوری", "داعش", "1403"} <= terms


def _columns_of(tokens: list[Token]) -> tuple[list, list, list, list]:
    return ([t.text for t in tokens], [t.start for t in tokens], [t.end for t in tokens],
            [t.position for t in tokens])


def test_columns_agree_with_tokens_cold_and_warm(seed_texts: dict[str, str]) -> None:
    # columns() lays out one-token groups apart from the rest (compounds,
    # spaced affixes, hamza variants, groups with no term): each kind,
    # analyzed for the first time and from the cache, in real news text.
    texts = [*seed_texts.values(), "رئیس‌جمهوری می خواهد کتاب ها را ـ مسئله ‏ ببیند", ""]
    analyzer = Analyzer()
    for _ in range(2):
        for text in texts:
            columns = analyzer.columns(text)
            assert columns == _columns_of(list(analyzer.tokens(text, keep_stopwords=True)))
            assert columns == _columns_of(list(Analyzer(stopwords=False).tokens(text)))
    terms, starts, ends, positions = analyzer.columns(texts[-2])
    assert terms[:3] == ["رییسجمهوری", "رییس", "جمهوری"] and positions[:3] == [0, 0, 1]
    assert ("مسیله", "مساله") == tuple(terms[-3:-1]) and positions[-3] == positions[-2]


# Words and separators that make every kind of word group: spaced and glued
# affixes, compounds, hamza spellings, marks, format characters, numbers.
_PIECES = ["می", "نمی", "مي", "ها", "های", "هايي", "تر", "ترین", "اند", "ایم", "ای", "ی", "کتاب", "خواهد",
           "مسئله", "مسأله", "رئیس", "جمهوری", "رئیس\u200cجمهوری", "هیئت", "مسئول", "را", "از", "آنها",
           "کتابخانه", "شهرهای", "بزرگ", "ٸ", "ﻫ", "ﻻ", "École", "3.14", "1,000", "۳٫۱۴", "\u064e", "\u0640",
           "\u200f", "ـ", "،", "«", "ي", "ك", "ة", "أ", "ء",
           # suffixes and clitics written apart, verbs, plurals, the copula, numbers glued
           # to words, ligatures, times, stretched letters, compound endings
           "خانه", "اش", "شان", "میخورد", "اخبار", "خوردهاست", "است", "۹کیلومتر", "عرض۶", "﷽", "ﷺ",
           "22:00", "سلاممم", "اخلال", "گر", "a", "test", "دوستانشان"]
_SEPARATORS = [" ", "  ", "\u200c", "\u00a0", "", "\n", "، ", "\t"]
_GROUPS_TEXT = st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=30).map(
    lambda pairs: "".join(word + sep for word, sep in pairs))
_SHARED = Analyzer()


@settings(max_examples=300, deadline=None)
@given(st.lists(_GROUPS_TEXT, min_size=1, max_size=3), st.integers(2, 50))
def test_columns_equal_tokens_with_any_cache_state(texts: list[str], cache_limit: int) -> None:
    # A fresh analyzer, one warmed by earlier examples, and one whose caches
    # overflow half-way through a text all lay out what tokens() yields.
    for text in texts:
        expected = _columns_of(list(Analyzer().tokens(text, keep_stopwords=True)))
        assert Analyzer().columns(text) == expected
        assert _SHARED.columns(text + " " + text) == _columns_of(
            list(Analyzer().tokens(text + " " + text, keep_stopwords=True)))
        small = Analyzer()
        limit = analyzer_module._CACHE_LIMIT
        analyzer_module._CACHE_LIMIT = cache_limit
        try:
            assert small.columns(text) == expected and small.columns(text) == expected
        finally:
            analyzer_module._CACHE_LIMIT = limit


def test_verb_prefix_forms_meet_through_default_analyzer() -> None:
    for text in ("می‌خواهد", "میخواهد", "می خواهد"):
        assert_analyzes(text, [("میخواهد", 0, len(text), 0)])


@pytest.mark.parametrize("spellings, shared", [
    # A suffix written apart is stemmed off the host; the ا variant must be cut the
    # same way (مساله‌ای was once read as مسال + های, so it missed مسئله).
    (["مسئله", "مسأله", "مساله", "مسئله‌ای", "مسأله‌ای", "مساله‌ای", "مسئله‌هایی", "مسأله‌ها"], "مساله"),
    (["هیئت", "هیأت", "هیات", "هیئتی", "هیئت‌ها", "هیأت‌های"], "هیات"),
    (["جرئت", "جرأت", "جرات", "جرئت‌ها"], "جرات"),
])
def test_hamza_spellings_meet_with_suffixes(spellings: list[str], shared: str) -> None:
    for word in spellings:
        terms = Analyzer().terms(word)
        # At most the word, its ا variant, and (glued ی: هیئتی) the word as written.
        assert shared in terms and len(terms) <= 3, (word, terms)
