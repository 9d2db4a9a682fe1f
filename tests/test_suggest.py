"""Keyboard-layout and spelling suggestions."""
from __future__ import annotations

import pytest

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from persearch.edit_distance import edit_distance
from persearch.query.suggest import KEY_NEIGHBOURS, SpellIndex, layout_alternative, slips, to_latin_layout, to_persian_layout


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


def test_keyboard_neighbours_follow_the_persian_layout() -> None:
    assert {"ه", "غ", "ا", "ت"} == KEY_NEIGHBOURS["ع"]  # u: y, i beside it; h, j below it
    assert "ع" in KEY_NEIGHBOURS["ه"] and "ب" not in KEY_NEIGHBOURS["ع"]
    assert all(a in KEY_NEIGHBOURS[b] for a, near in KEY_NEIGHBOURS.items() for b in near)  # a slip goes both ways


@pytest.mark.parametrize(("typed", "meant", "other"), [
    ("ترکیع", "ترکیه", "ترکیب"),  # ع and ه are neighbours; ب is far from ع
    ("کتال", "کتاب", "کتاه"),  # ل (g) beside ب (f)
    ("دولپ", "دولت", "دولا"),  # پ (m) below ت (j)
])
def test_a_neighbouring_key_wins_over_frequency(typed: str, meant: str, other: str) -> None:
    assert slips(typed, meant) == 0.5 and slips(typed, other) == 1.0
    table = SpellIndex([(meant, 3), (other, 400)])
    assert table.correct(typed) == meant


def test_frequency_still_decides_between_equal_slips() -> None:
    table = SpellIndex([("ترکیب", 400), ("ترکیز", 3)])
    assert table.correct("ترکیع") == "ترکیب"  # neither is a neighbour slip: the frequent one


_LETTERS = st.text(alphabet="ترکیعهبالپدوسشغ", max_size=8)


@settings(max_examples=300, deadline=None)
@given(_LETTERS, _LETTERS)
def test_slips_count_a_neighbouring_key_half(typed: str, meant: str) -> None:
    edits = edit_distance(typed, meant, 20)
    assert edits / 2 <= slips(typed, meant) <= edits
    assert (slips(typed, meant) == 0) == (typed == meant)
    far = [c for c in typed if not (KEY_NEIGHBOURS.get(c, frozenset()) & set(meant))]
    if len(far) == len(typed):  # no letter typed has a neighbour in the word meant: plain edits
        assert slips(typed, meant) == edits


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LETTERS.filter(lambda w: len(w) >= 2), st.integers(2, 50)), max_size=12),
       _LETTERS.filter(lambda w: len(w) >= 3))
def test_correction_ranks_one_edit_words_by_slips_then_frequency(entries: list[tuple[str, int]], typed: str) -> None:
    """Every frequent word one edit away is within reach: the correction is the best of them
    (fewest slips, then the most documents, then the word itself)."""
    table = SpellIndex(entries)
    freq = table.freq
    assume(typed not in freq)  # a word the index holds is not corrected (suggest.py asks `in table` first)
    near = [w for w in freq if w != typed and edit_distance(typed, w, 1) == 1]
    if near:
        assert table.correct(typed) == min(near, key=lambda w: (slips(typed, w), -freq[w], w))
