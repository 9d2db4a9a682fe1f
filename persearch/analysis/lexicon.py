"""Word lists shipped in ``persearch/data``, loaded lazily once.

Each file starts with ``#`` lines naming its source and licence. Entries are
normalized with :func:`normalize_word`, the same normalizer the text gets, so a
lookup is a plain set membership test on analyzer terms.
"""
from __future__ import annotations

import functools
from importlib import resources

from .chars import ZWNJ
from .normalize import normalize_word


def _entries(name: str) -> list[str]:
    text = resources.files("persearch").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=None)
def base_words() -> frozenset[str]:
    """Known uninflected words (nouns, adjectives, ...), compounds joined: ``"ایران" in base_words()``."""
    return frozenset(word.replace(ZWNJ, "") for word in _entries("words.txt"))


@functools.lru_cache(maxsize=None)
def compound_parts() -> dict[str, tuple[str, ...]]:
    """Known compounds, joined form → parts: ``compound_parts()["رییسجمهوری"] == ("رییس", "جمهوری")``."""
    return {word.replace(ZWNJ, ""): tuple(word.split(ZWNJ)) for word in _entries("words.txt") if ZWNJ in word}


@functools.lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """The curated Persian stopwords, normalized: ``"میشود" in stopwords()``."""
    return frozenset(normalize_word(word) for word in _entries("stopwords.txt"))
