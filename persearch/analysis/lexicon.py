"""Word lists shipped in ``persearch/data``, loaded lazily once.

Each file starts with ``#`` lines naming its source and licence. Entries are
normalized with :func:`normalize_word`, the same normalizer the text gets, so a
lookup is a plain set membership test on analyzer terms.
"""
from __future__ import annotations

import functools
from pathlib import Path

from .chars import ZWNJ
from .normalize import normalize_word


DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@functools.lru_cache(maxsize=None)
def _entries(name: str) -> tuple[str, ...]:
    # Plain file reads: importlib.resources costs more at start-up than the read itself.
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return tuple(line for line in map(str.strip, text.split("\n")) if line and not line.startswith("#"))


@functools.lru_cache(maxsize=None)
def base_words() -> frozenset[str]:
    """Known uninflected words (nouns, adjectives, ...), compounds joined: ``"ایران" in base_words()``."""
    return frozenset(word.replace(ZWNJ, "") for word in _entries("words.txt"))


@functools.lru_cache(maxsize=None)
def compound_parts() -> dict[str, tuple[str, ...]]:
    """Known compounds, joined form → parts: ``compound_parts()["رییسجمهوری"] == ("رییس", "جمهوری")``."""
    return {"".join(parts): tuple(parts) for parts in (word.split(ZWNJ) for word in _entries("words.txt")) if len(parts) > 1}


@functools.lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """The curated Persian stopwords, normalized: ``"میشود" in stopwords()``."""
    return frozenset(normalize_word(word) for word in _entries("stopwords.txt"))
