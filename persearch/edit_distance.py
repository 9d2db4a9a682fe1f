"""How many single-letter edits turn one word into another (Levenshtein distance).

Used by the highlighter (a fuzzy query term ``کتاب~`` marks words within
reach) and by spelling suggestions (the closest frequent index term).

    >>> edit_distance("کتاب", "کباب", 2)
    1
"""
from __future__ import annotations


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early above ``limit``: ``edit_distance("کتاب", "کباب", 2) == 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


__all__ = ["edit_distance"]
