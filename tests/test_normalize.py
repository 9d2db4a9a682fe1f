"""Normalization: every spelling in a category meets every other (normalize.py, chars.py)."""
from __future__ import annotations

import unicodedata

import pytest

from analysis_helpers import all_same_word, assert_analyzes, assert_word
from persearch import Analyzer
from persearch.analysis.chars import (BOM, FORMAT_CHARS, LRM, RLM, SOFT_HYPHEN, TATWEEL, ZWJ, ZWNJ,
                                      ZWSP)
from persearch.analysis.normalize import fold, hamza_variant, normalize, normalize_word

#: Normalization only: no stemming, stopwords kept, so each rule shows alone.
RAW = Analyzer(stemmer=None, stopwords=False, compounds=False)


# --- Arabic letter forms -----------------------------------------------------
@pytest.mark.parametrize("arabic, persian", [
    ("كتاب", "کتاب"), ("كودك", "کودک"), ("كشور", "کشور"), ("يك", "یک"), ("ديگر", "دیگر"),
    ("علي", "علی"), ("زندگي", "زندگی"), ("كيفيت", "کیفیت"), ("تهران\u06aa", "تهرانک"),
])
def test_arabic_kaf_and_yeh_fold(arabic: str, persian: str) -> None:
    all_same_word([arabic, persian], persian, RAW)


@pytest.mark.parametrize("word, term", [
    ("موسى", "موسی"), ("عيسى", "عیسی"), ("مصطفى", "مصطفی"), ("كبرى", "کبری"), ("حتى", "حتی"),
])
def test_final_alef_maksura_is_yeh(word: str, term: str) -> None:
    all_same_word([word, term], term, RAW)


@pytest.mark.parametrize("word, term", [
    ("مدرسة", "مدرسه"), ("فاطمة", "فاطمه"), ("رحمة", "رحمه"), ("خانۀ", "خانه"), ("خانهٔ", "خانه"),
    ("دورۀ", "دوره"), ("نامهٔ", "نامه"), ("ھمه", "همه"), ("ہمه", "همه"), ("ڪتاب", "کتاب"),
])
def test_teh_marbuta_heh_yeh_and_heh_shapes(word: str, term: str) -> None:
    all_same_word([word, term], term, RAW)


def test_fold_is_per_character() -> None:
    assert fold("كيفية") == "کیفیه"
    assert fold("ۀ") == fold("ة") == fold("هٔ") == "ه"


# --- Hamza ---------------------------------------------------------------------
@pytest.mark.parametrize("words, term", [
    (["أحمد", "احمد", "إحمد"], "احمد"),
    (["إسلام", "اسلام"], "اسلام"),
    (["ٱلله", "الله"], "الله"),
    (["آمریکا", "امریکا"], "امریکا"),
    (["آب", "اب"], "اب"),
    (["آسمان", "اسمان"], "اسمان"),
    (["تأثیر", "تاثیر"], "تاثیر"),
    (["مأمور", "مامور"], "مامور"),
    (["مؤسسه", "موسسه"], "موسسه"),
    (["مسؤول", "مسئول", "مسوول"], "مسوول"),
    (["رئیس", "رییس"], "رییس"),
    (["پائیز", "پاییز"], "پاییز"),
    (["مسائل", "مسایل"], "مسایل"),
    (["ارائه", "ارایه"], "ارایه"),
    (["اجزاء", "اجزا"], "اجزا"),
    (["انشاء", "انشا"], "انشا"),
])
def test_hamza_forms_fold(words: list[str], term: str) -> None:
    all_same_word(words, term, RAW)


@pytest.mark.parametrize("hamza_spellings, folded, variant", [
    # ئ before a consonant: folded ی form plus the ا spelling at the same position.
    (["مسئله"], "مسیله", "مساله"),
    (["هیئت"], "هییت", "هیات"),
    (["رئوف"], "رووف", None),
    (["جرئت"], "جریت", "جرات"),
    (["لئیم"], "لییم", None),
])
def test_yeh_hamza_gets_alef_variant(hamza_spellings: list[str], folded: str, variant: str | None) -> None:
    for word in hamza_spellings:
        assert_word(word, *([folded, variant] if variant else [folded]), analyzer=RAW)


@pytest.mark.parametrize("spellings, shared", [
    (["مسأله", "مسئله", "مساله"], "مساله"),
    (["هیأت", "هیئت", "هیات"], "هیات"),
    (["جرأت", "جرئت", "جرات"], "جرات"),
    (["رأی", "رای"], "رای"),
    (["تأسیس", "تاسیس"], "تاسیس"),
])
def test_every_hamza_spelling_meets(spellings: list[str], shared: str) -> None:
    for word in spellings:
        assert shared in RAW.terms(word), word


def test_hamza_variant_only_before_consonant() -> None:
    assert hamza_variant("مسئله") == "مساله"
    assert hamza_variant("رئیس") is None  # ئ before ی: the ی spelling is the other form
    assert hamza_variant("مسائل") is None  # ئ after ا
    assert hamza_variant("کتاب") is None


def test_hamza_variant_survives_stemming() -> None:
    # مسئله‌ها: the variant is stemmed too, so it meets the plain مساله.
    assert_analyzes("مسئله‌ها", [("مسیله", 0, 8, 0), ("مساله", 0, 8, 0)])


# --- Diacritics and tatweel ---------------------------------------------------
@pytest.mark.parametrize("marked, bare", [
    ("کِتاب", "کتاب"), ("مُحَمَّد", "محمد"), ("اِسْم", "اسم"), ("قطعاً", "قطعا"), ("حتماً", "حتما"),
    ("اَلبَتّه", "البته"), ("موسیٰ", "موسی"), ("کتـــاب", "کتاب"), ("ســلام", "سلام"),
    ("دُرُست", "درست"), ("شُدّه", "شده"), ("فِردوسی", "فردوسی"), ("خانهٔ", "خانه"),
    ("کِتابـخانه", "کتابخانه"), ("رحمةٌ", "رحمه"),
])
def test_diacritics_and_tatweel_removed(marked: str, bare: str) -> None:
    all_same_word([marked, bare], bare, RAW)


def test_diacritic_never_splits_a_word() -> None:
    # Whoosh's default tokenizer cuts کِتاب into ک + تاب; ours keeps one word.
    assert_analyzes("این کِتاب است", [("این", 0, 3, 0), ("کتاب", 4, 9, 1), ("است", 10, 13, 2)], RAW)


# --- Invisible and directional format characters ------------------------------
LISTED_FORMAT = [ZWSP, ZWJ, LRM, RLM, *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
                 BOM, SOFT_HYPHEN]


def test_every_listed_format_char_is_known() -> None:
    assert set(LISTED_FORMAT) <= set(FORMAT_CHARS)


@pytest.mark.parametrize("mark", LISTED_FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_format_char_inside_word(mark: str) -> None:
    for word, term in (("کتاب", "کتاب"), ("ایران", "ایران"), ("سلام", "سلام"), ("Python", "python")):
        mixed = word[:2] + mark + word[2:]
        assert_word(mixed, term, analyzer=RAW)


@pytest.mark.parametrize("mark", LISTED_FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_format_char_around_word(mark: str) -> None:
    text = f"{mark}کتاب{mark} {mark}ایران{mark}"
    assert_analyzes(text, [("کتاب", 0, 6, 0), ("ایران", 7, 14, 1)], RAW)


@pytest.mark.parametrize("mark", LISTED_FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_format_char_alone_yields_nothing(mark: str) -> None:
    assert_analyzes(f"کتاب {mark} ایران", [("کتاب", 0, 4, 0), ("ایران", 7, 12, 1)], RAW)


def test_directional_isolates_around_latin_in_persian() -> None:
    text = "نسخهٔ \u2066Python 3.12\u2069 منتشر شد"
    assert_analyzes(text, [("نسخه", 0, 5, 0), ("python", 6, 13, 1), ("3.12", 14, 19, 2),
                           ("منتشر", 20, 25, 3), ("شد", 26, 28, 4)], RAW)


# --- Presentation forms -------------------------------------------------------
@pytest.mark.parametrize("shaped", [
    "ﻛﺘﺎﺏ", "ﺳﻼﻡ", "ﺍﯾﺮﺍﻥ", "ﻣﺮﺩﻡ", "ﷲ", "ﻻ", "ﺑﺰﺭﮒ",
])
def test_presentation_forms_match_nfkc(shaped: str) -> None:
    plain = unicodedata.normalize("NFKC", shaped)
    assert plain != shaped
    assert_word(shaped, *RAW.terms(plain), analyzer=RAW)
    assert RAW.terms(plain) != []


def test_presentation_forms_in_a_sentence() -> None:
    shaped = "ﻛﺘﺎﺏ ﻣﻦ"
    assert_analyzes(shaped, [("کتاب", 0, 4, 0), ("من", 5, 7, 1)], RAW)


# --- Digits, decimals, Latin ----------------------------------------------------
@pytest.mark.parametrize("spellings, term", [
    (["۱۴۰۳", "١٤٠٣", "1403"], "1403"),
    (["۰", "٠", "0"], "0"),
    (["۹۸۷۶۵", "٩٨٧٦٥", "98765"], "98765"),
    (["۳٫۱۴", "٣٫١٤", "3.14", "۳.۱۴"], "3.14"),
    (["۰٫۵", "0.5"], "0.5"),
    (["۱۲٬۵۰۰", "12,500", "١٢٬٥٠٠", "12500"], "12500"),
])
def test_digit_systems_and_decimals(spellings: list[str], term: str) -> None:
    all_same_word(spellings, term, RAW)


def test_decimal_is_one_token_in_text() -> None:
    assert_analyzes("عدد ۳٫۱۴ است", [("عدد", 0, 3, 0), ("3.14", 4, 8, 1), ("است", 9, 12, 2)], RAW)
    # A full stop after a number ends the sentence, it is not a decimal point.
    assert_analyzes("سال ۱۴۰۳.", [("سال", 0, 3, 0), ("1403", 4, 8, 1)], RAW)


def test_date_slashes_split() -> None:
    assert_analyzes("۱۴۰۳/۰۵/۰۱", [("1403", 0, 4, 0), ("05", 5, 7, 1), ("01", 8, 10, 2)], RAW)


@pytest.mark.parametrize("spellings, term", [
    (["Python", "PYTHON", "python", "PyThOn"], "python"),
    (["İstanbul", "istanbul"], "istanbul"),
    (["ÉCOLE", "école", "École"], "ecole"),
    (["iPhone۱۵", "IPHONE15"], "iphone15"),
])
def test_latin_case_folding(spellings: list[str], term: str) -> None:
    all_same_word(spellings, term, RAW)


# --- Pure functions -------------------------------------------------------------
@pytest.mark.parametrize("word", [
    "كتاب", "مسأله", "مسئله", "رئیس", "کِتابـخانه", "۱۴۰۳", "اجزاء", "ﻛﺘﺎﺏ", "خانۀ", "İstanbul", "1,000",
])
def test_normalize_word_is_idempotent(word: str) -> None:
    once = normalize_word(word)
    assert normalize_word(once) == once


def test_normalize_free_text_removes_zwnj() -> None:
    assert normalize("كتاب\u200cهاي من") == "کتابهای من"
    assert ZWNJ not in normalize("می\u200cخواهد")
    assert TATWEEL not in normalize("کتـاب")


def test_analyzer_normalize_does_not_stem() -> None:
    analyzer = Analyzer()
    assert analyzer.normalize("كتاب‌هاي") == "کتابهای"
    assert analyzer.normalize("مسأله") == "مساله"
