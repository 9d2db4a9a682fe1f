"""The tokenizer: word groups with exact offsets (tokenize.py), and ZWNJ/space forms meeting."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_helpers import assert_analyzes, assert_word
from persearch import Analyzer
from persearch.analysis.chars import NBSP, ZWNJ
from persearch.analysis.tokenize import WORD_GROUP, group_start, pieces, word_groups

RAW = Analyzer(stemmer=None, stopwords=False, compounds=False)


def test_word_groups_keep_offsets() -> None:
    text = "می خواهد کتاب\u200cها را، «۳٫۱۴» بخواند."
    groups = list(word_groups(text))
    assert [g for g, _, _ in groups] == ["می خواهد", f"کتاب{ZWNJ}ها", "را", "۳٫۱۴", "بخواند"]
    for surface, start, end in groups:
        assert text[start:end] == surface


def test_pieces_split_at_space_and_zwnj() -> None:
    assert pieces(f"رئیس{ZWNJ}جمهوری") == [("رئیس", 0, 4), ("جمهوری", 5, 11)]
    assert pieces("می خواهد") == [("می", 0, 2), ("خواهد", 3, 8)]


def test_punctuation_splits_and_never_reaches_a_term() -> None:
    text = "سلام، دنیا! «کتاب» (ایران) ؟ ؛ 'متن'"
    assert_analyzes(text, [("سلام", 0, 4, 0), ("دنیا", 6, 10, 1), ("کتاب", 13, 17, 2),
                           ("ایران", 20, 25, 3), ("متن", 32, 35, 4)], RAW)


def test_empty_and_blank_text() -> None:
    for text in ("", " ", "\n\t", "،.!؟", ZWNJ, ZWNJ * 3 + " " + NBSP):
        assert_analyzes(text, [], RAW)


# --- verb prefix می / نمی: ZWNJ, glued and spaced ---------------------------
@pytest.mark.parametrize("forms, term", [
    (["می‌خواهد", "میخواهد"], "میخواهد"),
    (["نمی‌دانم", "نمیدانم"], "نمیدانم"),
    (["می‌روم", "میروم"], "میروم"),
    (["می‌توانند", "میتوانند"], "میتوانند"),
    (["نمی‌شود", "نمیشود"], "نمیشود"),
    (["می‌گفتند", "میگفتند"], "میگفتند"),
])
def test_verb_prefix_forms_meet(forms: list[str], term: str) -> None:
    for form in forms:
        assert_word(form, term, analyzer=RAW)
    spaced = forms[0].replace(ZWNJ, " ")
    assert_word(spaced, term, analyzer=RAW)
    assert_word(forms[0].replace(ZWNJ, NBSP), term, analyzer=RAW)


def test_spaced_prefix_in_sentence() -> None:
    text = "او می خواهد برود"
    assert_analyzes(text, [("او", 0, 2, 0), ("میخواهد", 3, 11, 1), ("برود", 12, 16, 2)], RAW)


# --- suffixes: ZWNJ, glued and spaced -----------------------------------------
@pytest.mark.parametrize("stem_form, suffix, term", [
    ("کتاب", "ها", "کتاب"), ("درخت", "ها", "درخت"), ("خانه", "ها", "خانه"), ("کتاب", "های", "کتاب"),
    ("بزرگ", "تر", "بزرگ"), ("بزرگ", "ترین", "بزرگ"), ("کوچک", "تر", "کوچک"), ("سخت", "ترین", "سخت"),
    ("دوست", "هایشان", "دوست"), ("شهر", "هایی", "شهر"), ("شهر", "های", "شهر"), ("نامه", "های", "نامه"),
])
def test_suffix_forms_meet(stem_form: str, suffix: str, term: str) -> None:
    for sep in (ZWNJ, "", " "):
        assert_word(stem_form + sep + suffix, term)


def test_spaced_perfect_ending_is_glued() -> None:
    assert_word("رفته اند", "رفتهاند", analyzer=RAW)
    assert_word("رفته‌اند", "رفتهاند", analyzer=RAW)
    assert_word("رفتهاند", "رفتهاند", analyzer=RAW)


def test_spaced_suffix_in_sentence_keeps_positions() -> None:
    text = "کتاب های خوب و درخت ها"
    assert_analyzes(text, [("کتاب", 0, 8, 0), ("خوب", 9, 12, 1), ("و", 13, 14, 2), ("درخت", 15, 22, 3)],
                    Analyzer(stopwords=False))


def test_suffix_like_word_alone_is_a_word() -> None:
    # تر (wet) opening a sentence has no host to attach to.
    assert_analyzes("تر و خشک", [("تر", 0, 2, 0), ("و", 3, 4, 1), ("خشک", 5, 8, 2)], RAW)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["می", "نمی", "مي", "کتاب", "ها", "های", "تر", "ترین", "اند", "3.14", "3", "14",
                                 "1,000", "کمی", "خواهد", f"کتاب{ZWNJ}ها", ZWNJ, "،", "x", "خانه", "ای", "ی",
                                 "اش", "شان", "کشتی", "گر", "گاه", "22:00", "22", ":", "جات", "﷽"]), max_size=12),
       st.sampled_from([" ", "\u00a0", "  ", "."]))
def test_group_start_resynchronizes_with_a_full_scan(words: list[str], glue: str) -> None:
    # From group_start(p), for any p inside a group, a scan meets that very group.
    text = glue.join(words)
    for group in WORD_GROUP.finditer(text):
        for at in range(group.start(), group.end()):
            start = group_start(text, at)
            assert start is not None and start <= group.start()
            spans = [(m.start(), m.end()) for m in WORD_GROUP.finditer(text, start)]
            assert (group.start(), group.end()) in spans, (text, at, start)


# --- clitics and compound endings written apart ---------------------------------
@pytest.mark.parametrize("text, groups", [
    ("رسانه ای مهم", ["رسانه ای", "مهم"]),
    ("خانه ی پدری", ["خانه ی", "پدری"]),
    ("کشتی شان", ["کشتی شان"]),
    ("کتاب ای", ["کتاب", "ای"]),  # ای after a word not ending in ه: the vocative's place
    ("کاسه آش", ["کاسه", "آش"]),  # آش (soup) is no clitic
    ("اخلال گر", ["اخلال گر"]),
    ("ساعت ۲۲:۳۰", ["ساعت", "۲۲:۳۰"]),
])
def test_groups_with_clitics_written_apart(text: str, groups: list[str]) -> None:
    assert [g for g, _, _ in word_groups(text)] == groups
