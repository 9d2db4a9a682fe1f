"""Keyboard-layout and spelling suggestions."""
from __future__ import annotations

import pytest

from persearch.query.suggest import SpellIndex, layout_alternative, to_latin_layout, to_persian_layout


@pytest.mark.parametrize(("typed", "meant"), [
    ("sghl", "سلام"), ("ofv", "خبر"), ("ljhf", "متاب"), (";jhf", "کتاب"), ("hdvhk", "ایران"),
    ("'vnd", "گردی"), ("[ih]", "جهاچ"), ("pvt", "حرف"), ("SDCHg", "ئيژآل"),
])
def test_latin_keys_read_as_persian_layout(typed: str, meant: str) -> None:
    assert to_persian_layout(typed) == meant


def test_persian_keys_read_as_us_layout() -> None:
    assert to_latin_layout("اثممخ") == "hello"
    assert to_latin_layout("ذخخن") == "book"
    assert to_latin_layout(to_persian_layout("search engine")) == "search engine"


def test_operators_survive_transliteration() -> None:
    assert to_persian_layout("sghl OR ofv NOT title:hdvhk") == "سلام OR خبر NOT title:ایران"


def test_layout_alternative_only_for_one_script() -> None:
    assert layout_alternative("sghl") == "سلام"
    assert layout_alternative("اثممخ") == "hello"
    assert layout_alternative("سلام hello") is None
    assert layout_alternative("x") is None
    assert layout_alternative("۱۴۰۳") is None


def test_spelling_prefers_fewest_edits_then_frequency() -> None:
    table = SpellIndex([("کتاب", 50), ("کباب", 5), ("کتابخانه", 20), ("ایران", 100), ("ایرانی", 3)])
    assert table.correct("کتب") == "کتاب"  # one insertion
    assert table.correct("کتاپ") == "کتاب"  # one substitution; کباب is two away
    assert table.correct("کتابخونه") == "کتابخانه"  # two edits on a long word
    assert table.correct("ایرن") == "ایران"
    assert table.correct("دریا") is None
    assert "کتاب" in table and "کتب" not in table


def test_spelling_ignores_rare_terms() -> None:
    table = SpellIndex([("کتاب", 1)])
    assert table.correct("کتب") is None


def test_overlong_words_are_not_corrected() -> None:
    from persearch.query.suggest import MAX_WORD_LENGTH, SpellIndex

    table = SpellIndex([("کتاب", 10), ("کتابخانه", 5)])
    assert table.correct("کتابخانن") == "کتابخانه"
    assert table.correct("کتاب" * 3000) is None  # a pasted blob: no two-edit search over it
    assert table.correct("ک" * (MAX_WORD_LENGTH + 1)) is None
