"""Morphology beyond the light stemmer: verb prefixes, the copula, plurals (verbs.py, plurals.py, units.py).

Each term of a word is checked with its offsets and position: stacked terms
share the word's position and span, so phrases and highlights stay exact.
"""
from __future__ import annotations

import pytest

from analysis_helpers import assert_analyzes, assert_word
from persearch import Analyzer
from persearch.analysis.chars import ZWNJ
from persearch.analysis.lexicon import base_words
from persearch.analysis.plurals import plurals, singular, table
from persearch.analysis.verbs import bare_verb, is_participle, is_verb_form

KEEP_ALL = Analyzer(stopwords=False)


# --- the verb prefix می / نمی -------------------------------------------------
@pytest.mark.parametrize("word, bare", [
    ("می‌نویسند", "نویسند"), ("مینویسند", "نویسند"), ("می نویسند", "نویسند"),
    ("نمی‌دانستم", "دانستم"), ("می‌گوییم", "گوییم"), ("می‌ساختند", "ساختند"),
    ("می‌آمدند", "امدند"), ("نمی‌رفت", "رفت"), ("می‌پرسیده", "پرسیده"),
])
def test_prefixed_verb_gives_its_bare_form_stacked(word: str, bare: str) -> None:
    whole = KEEP_ALL.normalize(word.replace(" ", ""))
    assert_word(word, whole, bare, analyzer=KEEP_ALL)


@pytest.mark.parametrize("word", ["میوه", "میهن", "میراث", "میانه", "میخ", "میلیون", "میکروب", "مینا", "میهمان"])
def test_words_starting_with_mi_stay_whole(word: str) -> None:
    # No verb form follows می: the lexicon or the verb stems say so.
    assert KEEP_ALL.terms(word) == [KEEP_ALL.normalize(word)]


def test_verb_forms_from_the_stems() -> None:
    assert is_verb_form("نوشتند") and is_verb_form("نویسم") and is_verb_form("نوشته") and is_verb_form("گوید")
    assert not is_verb_form("کتاب") and not is_verb_form("ز")
    assert is_participle("ساخته") and not is_participle("خانه")
    assert bare_verb("نمیخواندیم") == "خواندیم" and bare_verb("میز") is None


def test_prefix_stacking_needs_the_builtin_stemmer() -> None:
    assert Analyzer(stemmer=None).terms("می‌نویسند") == ["مینویسند"]


# --- auxiliaries are stopwords (a query with a content word drops them) ------
@pytest.mark.parametrize("word", ["داشتند", "دارید", "می‌شدند", "نمی‌شد", "خواهیم", "شده‌اند", "می‌باشد", "بودید"])
def test_auxiliaries_are_stopwords(word: str) -> None:
    analyzer = Analyzer()
    assert analyzer.is_stopword(analyzer.normalize(word))
    # kept in the index (phrases made of them still match), dropped from analyze()
    assert analyzer.terms(word) == []
    assert [t.text for t in analyzer.tokens(word, keep_stopwords=True)] == [analyzer.normalize(word)]


def test_progressive_phrase_keeps_the_content_verb() -> None:
    text = "داشتند می‌نوشتند"
    assert_analyzes(text, [("مینوشتند", 7, 16, 1), ("نوشتند", 7, 16, 1)])


# --- the copula است -------------------------------------------------------------
@pytest.mark.parametrize("text", ["نوشته‌است", "نوشتهاست", "نوشته است"])
def test_copula_is_a_word_of_its_own_however_written(text: str) -> None:
    tokens = list(KEEP_ALL.tokens(text))
    assert [(t.text, t.position) for t in tokens] == [("نوشته", 0), ("است", 1)]
    assert text[tokens[0].start:tokens[0].end] == "نوشته"
    assert text[tokens[1].start:tokens[1].end] == "است"


def test_glued_copula_is_cut_only_after_a_participle() -> None:
    # خواست (wanted), ماست (yoghurt) and درخواست end in است but hold no copula.
    for word in ("خواست", "ماست", "درخواست", "راست"):
        assert KEEP_ALL.terms(word) == [word]


# --- ات / جات plurals and stacked suffixes --------------------------------------
@pytest.mark.parametrize("forms, term", [
    (["مطالعه", "مطالعات", "مطالعاتی"], "مطالعه"),
    (["امکان", "امکانات", "امکاناتشان"], "امکان"),
    (["تحقیق", "تحقیقات", "تحقیقاتش"], "تحقیق"),
    (["سبزی", "سبزیجات"], "سبزی"),
    (["کارخانه", "کارخانجات", "کارخانه‌جات"], "کارخانه"),
    (["دانشجو", "دانشجویان", "دانشجویانشان"], "دانشجو"),
    (["درخت", "درختانش", "درختانمان"], "درخت"),
])
def test_arabic_plurals_and_stacked_suffixes_meet(forms: list[str], term: str) -> None:
    for form in forms:
        assert term in KEEP_ALL.terms(form), (form, KEEP_ALL.terms(form))


@pytest.mark.parametrize("word, not_term", [
    ("تحقیقات", "تحقیقا"),  # ت never follows ا as a clitic
    ("ثبات", "ثب"), ("حیات", "حی"), ("صفات", "صفا"), ("برات", "بر"), ("نجات", "نج"),
])
def test_no_false_conflation_of_at(word: str, not_term: str) -> None:
    assert not_term not in KEEP_ALL.terms(word)


# --- the plural table -----------------------------------------------------------
def test_every_pair_of_the_table_is_checked() -> None:
    pairs = table()
    assert len(pairs) >= 400
    lexicon = base_words()
    for plural, single in pairs.items():
        assert single in lexicon, single
        assert plural != single
        # the plural keeps its own term first, the singular is stacked at its position
        assert KEEP_ALL.terms(plural) == [plural, single], plural
        assert KEEP_ALL.terms(single) == [single], single


@pytest.mark.parametrize("plural, single", [
    ("مدارس", "مدرسه"), ("قواعد", "قاعده"), ("عناصر", "عنصر"), ("معلمین", "معلم"), ("وزرا", "وزیر"),
    ("کتب", "کتاب"), ("نتایج", "نتیجه"), ("پرندگان", "پرنده"), ("عناوین", "عنوان"),
])
def test_broken_plural_stacks_its_singular(plural: str, single: str) -> None:
    assert_word(plural, plural, single, analyzer=KEEP_ALL)
    assert singular(plural) == single and plural in plurals(single)


def test_broken_plural_with_clitic() -> None:
    assert KEEP_ALL.terms("مدارسش") == ["مدارس", "مدرسه"]
    assert KEEP_ALL.terms(f"نتایج{ZWNJ}شان") == ["نتایج", "نتیجه"]


@pytest.mark.parametrize("word", ["اعمال", "اعلام", "اشکال", "حقوق", "حدود", "صور", "اخلاق", "فرق", "عقلا"])
def test_plurals_that_are_also_other_words_are_left_alone(word: str) -> None:
    assert len(KEEP_ALL.terms(word)) == 1, KEEP_ALL.terms(word)


# --- numbers, ligatures, stretched letters, Latin ------------------------------
@pytest.mark.parametrize("text, expected", [
    ("سال۱۴۰۲", [("سال", 0, 3, 0), ("1402", 3, 7, 1)]),
    ("۵۰درصد", [("50", 0, 2, 0), ("درصد", 2, 6, 1)]),
    ("mp3", [("mp3", 0, 3, 0)]),  # Latin letters and digits stay one word
])
def test_a_number_glued_to_a_persian_word_is_cut(text: str, expected: list[tuple]) -> None:
    assert_analyzes(text, expected, KEEP_ALL)


def test_time_is_one_word_with_its_numbers() -> None:
    assert_analyzes("ساعت ۱۸:۳۰", [("ساعت", 0, 4, 0), ("18:30", 5, 10, 1), ("18", 5, 10, 1), ("30", 5, 10, 1)],
                    KEEP_ALL)


@pytest.mark.parametrize("text, words", [
    ("﷼", ["ریال"]), ("ﷻ", ["جل", "جلاله"]), ("﷾", ["سبحانه", "و", "تعالی"]),
])
def test_ligatures_are_their_words(text: str, words: list[str]) -> None:
    tokens = list(KEEP_ALL.tokens(text))
    assert [t.text for t in tokens] == words
    assert [t.position for t in tokens] == list(range(len(words)))
    assert all((t.start, t.end) == (0, 1) for t in tokens)


@pytest.mark.parametrize("stretched, word", [
    ("عالیییی", "عالی"), ("چرااااا", "چرا"), ("مرسیییی", "مرسی"), ("خوووووب", "خوب"), ("اللللله", "الله"),
])
def test_stretched_letters_collapse(stretched: str, word: str) -> None:
    assert KEEP_ALL.terms(stretched) == KEEP_ALL.terms(word)


def test_latin_words_joined_by_zwnj_are_two_words() -> None:
    assert_analyzes(f"open{ZWNJ}source", [("open", 0, 4, 0), ("source", 5, 11, 1)], KEEP_ALL)
