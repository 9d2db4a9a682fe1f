"""How many single-letter edits turn one word into another (Levenshtein distance).

Used by fuzzy terms (persearch.expand: which index terms ``کتاب~`` reaches;
the highlighter marks the same words) and by spelling suggestions (the
closest frequent index term).

The distance is computed with bit vectors (Myers 1999, as Hyyrö 2001 states
it for the whole of both words): one column of the table per letter of the
other word, in a dozen integer operations, instead of a Python loop over
every cell. A fuzzy term compares itself with hundreds of index terms, so
:func:`distance_to` prepares the word once.

    >>> edit_distance("کتاب", "کباب", 2)
    1
    >>> within = distance_to("کتاب", 2); within("کتب"), within("کشتار")
    (1, 2)
"""
from __future__ import annotations

from typing import Callable


def distance_to(word: str, limit: int) -> Callable[[str], int]:
    """A function giving the distance from ``word`` to another word, or ``limit + 1`` when it is more."""
    size = len(word)
    if size == 0:
        return lambda other: min(len(other), limit + 1)
    masks: dict[str, int] = {}
    for i, letter in enumerate(word):
        masks[letter] = masks.get(letter, 0) | (1 << i)
    full = (1 << size) - 1
    last = 1 << (size - 1)
    get = masks.get

    def distance(other: str) -> int:
        if abs(len(other) - size) > limit:
            return limit + 1
        plus, minus, score = full, 0, size  # vertical deltas of the column, and its last cell
        remaining = len(other)
        for letter in other:
            equal = get(letter, 0)
            vertical = equal | minus
            horizontal = (((equal & plus) + plus) ^ plus) | equal
            up = minus | (full & ~(horizontal | plus))
            down = plus & horizontal
            if up & last:
                score += 1
            elif down & last:
                score -= 1
            remaining -= 1
            if score - remaining > limit:  # each letter left can lower it by one at most
                return limit + 1
            up = ((up << 1) | 1) & full
            down = (down << 1) & full
            plus = down | (full & ~(vertical | up))
            minus = up & vertical
        return score if score <= limit else limit + 1

    return distance


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` above ``limit``: ``edit_distance("کتاب", "کباب", 2) == 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    return distance_to(a, limit)(b)


__all__ = ["edit_distance", "distance_to"]
