"""Properties over random text rich in Arabic-block, Persian, ZWNJ, format characters and marks."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_helpers import check_stream
from persearch import Analyzer
from persearch.analysis.chars import FORMAT_CHARS, NBSP, ZWNJ
from persearch.analysis.normalize import normalize_word

ANALYZERS = [Analyzer(), Analyzer(stopwords=False), Analyzer(stemmer=None, compounds=False)]

_persian = st.sampled_from("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإئؤءةيكىۀھ")
_arabic_block = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_presentation = st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF)
_marks = st.characters(min_codepoint=0x064B, max_codepoint=0x0670)
_digits = st.sampled_from("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789٫٬.,")
_format = st.sampled_from(FORMAT_CHARS + ZWNJ + "\u0640")
_space = st.sampled_from(" \n\t" + NBSP + "،.؟«»!")
_latin = st.sampled_from("aAzZéÉİß")
_any = st.characters(blacklist_categories=("Cs",))

CHAR = st.one_of(_persian, _persian, _persian, _arabic_block, _presentation, _marks, _digits, _format,
                 _format, _space, _space, _latin, _any)
TEXT = st.lists(CHAR, max_size=80).map("".join)
WORDS = st.lists(st.one_of(_persian, _marks, _format, _digits, _presentation), min_size=1, max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_analyze_never_raises_and_keeps_offsets_in_order(text: str) -> None:
    for analyzer in ANALYZERS:
        tokens = analyzer(text)
        check_stream(text, tokens)  # offsets inside, non-decreasing, never blank
        for token in tokens:
            assert token.text == token.text.strip()
            assert ZWNJ not in token.text
            assert not set(token.text) & set(FORMAT_CHARS)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_stopword_dropping_never_moves_kept_tokens(text: str) -> None:
    analyzer = Analyzer()
    kept = analyzer(text)
    every = list(analyzer.tokens(text, keep_stopwords=True))
    assert set(kept) <= set(every)


@settings(max_examples=500, deadline=None)
@given(WORDS)
def test_normalize_word_is_idempotent(word: str) -> None:
    once = normalize_word(word)
    assert normalize_word(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_persian, _presentation), min_size=1, max_size=10).map("".join))
def test_presentation_forms_match_nfkc(word: str) -> None:
    # Shaped glyphs (letters only) analyze like their NFKC letters. Phrase
    # ligatures such as ﷺ (NFKC: four words) stay one term and are left out.
    word = "".join(c for c in word if c.isalpha() and " " not in unicodedata.normalize("NFKC", c))
    analyzer = Analyzer(stopwords=False)
    assert analyzer.terms(word) == analyzer.terms(unicodedata.normalize("NFKC", word))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["کتاب", "رئیس", "جمهوری", "می", "خواهد", "ها", "تر", "مسئله", "۳٫۱۴", "از"]),
                max_size=10),
       st.lists(st.sampled_from([" ", ZWNJ, "\u200f", " \u200e"]), min_size=10, max_size=10))
def test_word_salad_positions_and_offsets(words: list[str], seps: list[str]) -> None:
    text = "".join(w + s for w, s in zip(words, seps))
    for analyzer in ANALYZERS:
        check_stream(text, analyzer(text))
