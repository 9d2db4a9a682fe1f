"""Edit distance between words, as the highlighter and suggestions use it."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persearch.edit_distance import distance_to, edit_distance


@pytest.mark.parametrize(("a", "b", "d"), [("کتاب", "کتاب", 0), ("کتاب", "کباب", 1), ("کتاب", "کتابها", 2),
                                         ("کتاب", "دفتر", 3)])
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert edit_distance(a, b, 2) == min(d, 3)


WORDS = st.text(alphabet="کتابدفرها", max_size=8)


@given(WORDS, WORDS, st.integers(0, 3))
def test_the_limit_only_cuts_distances_above_it(a: str, b: str, limit: int) -> None:
    full = edit_distance(a, b, 99)  # no early stop for words this short
    assert full == edit_distance(b, a, 99)
    assert (full == 0) == (a == b)
    assert abs(len(a) - len(b)) <= full <= max(len(a), len(b))
    d = edit_distance(a, b, limit)
    assert d == full if full <= limit else d > limit


def reference(a: str, b: str) -> int:
    """The textbook table, cell by cell."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


@given(st.text(alphabet="کتابدفرهای", max_size=12), st.text(alphabet="کتابدفرهای", max_size=12),
       st.integers(0, 4))
def test_bit_vectors_agree_with_the_table(a: str, b: str, limit: int) -> None:
    expected = reference(a, b)
    assert edit_distance(a, b, limit) == min(expected, limit + 1)
    assert distance_to(a, limit)(b) == min(expected, limit + 1)


def test_long_words_and_empty_words() -> None:
    long = "کتابخانه" * 12  # 96 letters: more than one machine word of bits
    assert edit_distance(long, long[:-1] + "ی", 2) == 1
    assert edit_distance("", "کتاب", 9) == 4 and edit_distance("کتاب", "", 2) == 3
