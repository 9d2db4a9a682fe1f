"""Compounds: ZWNJ, glued and spaced spellings meet, and phrases keep working (compounds.py)."""
from __future__ import annotations

import pytest

from analysis_helpers import assert_analyzes
from persearch import Analyzer
from persearch.analysis.chars import ZWNJ
from persearch.analysis.compounds import split_compound

KEEP_ALL = Analyzer(stopwords=False)

#: (first part, second part, joined term, part terms)
COMPOUNDS = [
    ("رئیس", "جمهوری", "رییسجمهوری", ("رییس", "جمهوری")),
    ("کتاب", "خانه", "کتابخانه", ("کتاب", "خانه")),
    ("دانش", "آموز", "دانشاموز", ("دانش", "اموز")),
    ("راه", "حل", "راهحل", ("راه", "حل")),
    ("ریشه", "کن", "ریشهکن", ("ریشه", "کن")),
    ("هم", "اکنون", "هماکنون", ("هم", "اکنون")),
]


@pytest.mark.parametrize("first, second, joined, parts", COMPOUNDS)
def test_zwnj_compound_gives_joined_and_parts(first: str, second: str, joined: str, parts: tuple) -> None:
    text = first + ZWNJ + second
    cut = len(first)
    assert_analyzes(text, [(joined, 0, len(text), 0, 2), (parts[0], 0, cut, 0), (parts[1], cut + 1, len(text), 1)],
                    KEEP_ALL)


@pytest.mark.parametrize("first, second, joined, parts", COMPOUNDS)
def test_glued_compound_is_split_by_lexicon(first: str, second: str, joined: str, parts: tuple) -> None:
    text = first + second
    n = len(text)
    assert_analyzes(text, [(joined, 0, n, 0, 2), (parts[0], 0, n, 0), (parts[1], 0, n, 1)], KEEP_ALL)


@pytest.mark.parametrize("first, second, joined, parts", COMPOUNDS)
def test_spaced_compound_gives_parts_in_order(first: str, second: str, joined: str, parts: tuple) -> None:
    text = first + " " + second
    cut = len(first)
    assert_analyzes(text, [(parts[0], 0, cut, 0), (parts[1], cut + 1, len(text), 1)], KEEP_ALL)


def test_every_spelling_shares_the_parts_at_consecutive_positions() -> None:
    # The phrase رییس جمهوری (consecutive positions) is in all three forms, and
    # the joined term in both written-together forms: any form finds any other.
    for text in ("رئیس‌جمهوری", "رئیسجمهوری", "رئیس جمهوری", "رييس جمهوري"):
        tokens = KEEP_ALL(text)
        by_term = {t.text: t.position for t in tokens if t.length == 1}
        assert by_term["جمهوری"] == by_term["رییس"] + 1, text


def test_compound_in_sentence_shifts_following_positions() -> None:
    text = "رئیس‌جمهوری ایران گفت"
    assert_analyzes(text, [("رییسجمهوری", 0, 11, 0, 2), ("رییس", 0, 4, 0), ("جمهوری", 5, 11, 1),
                           ("ایران", 12, 17, 2), ("گفت", 18, 21, 3)])


def test_compound_with_plural() -> None:
    text = "رئیس‌جمهوری‌ها"
    assert_analyzes(text, [("رییسجمهوری", 0, 14, 0, 2), ("رییس", 0, 4, 0), ("جمهوری", 5, 14, 1)])


def test_seed_glued_compounds_split(seed_texts: dict[str, str]) -> None:
    text = next(t for t in seed_texts.values() if "ریشهکن" in t)
    start = text.index("ریشهکن")
    tokens = [t for t in KEEP_ALL(text) if t.start == start]
    assert [(t.text, t.length) for t in tokens] == [("ریشهکن", 2), ("ریشه", 1), ("کن", 1)]


def test_guessed_split_needs_two_known_parts() -> None:
    assert split_compound("افراطیگرایی") == ("افراطی", "گرایی")
    assert split_compound("ایران") == ()  # a known word is never split
    assert split_compound("خبرگزاری") == ()  # in the lexicon as one word
    assert split_compound("zzzzzzzz") == ()


@pytest.mark.parametrize("word, parts", [
    ("جهانخواران", ("جهان", "خوار")), ("قرمزپوشان", ("قرمز", "پوش")), ("ایراندوست", ("ایران", "دوست")),
])
def test_guessed_split_with_evidence(word: str, parts: tuple) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize("word", [
    "داشتند", "ندارند", "بیانجامد", "برگشتم",  # verb forms, not داش + تند
    "کلینیک", "پارکینگ", "سناریو", "اتوماتیک",  # foreign words: short parts match by chance
    "سیدعلی", "علیپور", "پورموسوی",  # names made of three-letter parts
])
def test_no_guess_without_evidence(word: str) -> None:
    assert split_compound(word) == ()


def test_compounds_off_keeps_glued_word_whole() -> None:
    assert_analyzes("کتابخانه", [("کتابخانه", 0, 8, 0)], Analyzer(compounds=False))
