"""Edit distance between words, as the highlighter and suggestions use it."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persearch.edit_distance import edit_distance


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
