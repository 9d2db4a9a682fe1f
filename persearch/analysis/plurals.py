"""Plurals no suffix rule reaches: Arabic broken plurals and plurals the lexicon lists as words.

اخبار is the plural of خبر, علوم of علم, اساتید of استاد: no suffix to strip.
And the lexicon lists some sound plurals as words of their own (دوستان,
ستارگان), so the stemmer's guard keeps them whole. ``persearch/data/plurals.txt``
pairs each such plural with its singular; the analyzer indexes the singular
stacked at the plural's position (an exact match still ranks first), and a
query for either finds both.

    >>> singular("اخبار"), singular("خبر")
    ('خبر', None)
"""
from __future__ import annotations

import functools

from .lexicon import read_entries


@functools.lru_cache(maxsize=None)
def table() -> dict[str, str]:
    """Plural -> singular, normalized like analyzer terms (read on first use, ~1 ms)."""
    pairs: dict[str, str] = {}
    for line in read_entries("plurals.txt"):
        plural, _, single = line.partition(" ")
        if single:
            pairs[plural] = single
    return pairs


def singular(term: str) -> str | None:
    """The singular of a plural in the table, else None: ``singular("علوم") == "علم"``."""
    return table().get(term)


@functools.lru_cache(maxsize=None)
def _plurals_by_singular() -> dict[str, tuple[str, ...]]:
    by_singular: dict[str, list[str]] = {}
    for plural, single in table().items():
        by_singular.setdefault(single, []).append(plural)
    return {single: tuple(plurals) for single, plurals in by_singular.items()}


def plurals(term: str) -> tuple[str, ...]:
    """The table's plurals of a singular: ``plurals("خبر") == ("اخبار",)``."""
    return _plurals_by_singular().get(term, ())
