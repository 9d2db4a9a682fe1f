"""Word lists shipped in ``persearch/data``, loaded lazily once.

Each file starts with ``#`` lines naming its source and licence. Entries are
normalized with :func:`normalize_word`, the same normalizer the text gets, so a
lookup is a plain membership test on analyzer terms.
"""
from __future__ import annotations

import functools
from bisect import bisect_left
from pathlib import Path
from typing import Iterator

from .chars import ZWNJ
from .normalize import normalize_word

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _read(name: str) -> str:
    # Plain file reads: importlib.resources costs more at start-up than the read itself.
    return (DATA_DIR / name).read_text(encoding="utf-8")


def _entries(text: str) -> list[str]:
    return [line for line in map(str.strip, text.split("\n")) if line and not line.startswith("#")]


def read_entries(name: str) -> list[str]:
    """The lines of a data file, its ``#`` header and blank lines left out."""
    return _entries(_read(name))


class Lexicon:
    """Known base words (compounds joined), and the parts of known compounds.

    >>> "ایران" in base_words(), base_words().parts("رییسجمهوری")
    (True, ('رییس', 'جمهوری'))

    The list is stored sorted by joined form and answered by binary search
    until SWITCH_AFTER lookups have been made: hashing 33,000 words costs
    ~20 ms, more than the whole analysis of a short query (so the CLI starts
    faster), while an indexing run makes millions of lookups and gets the sets.
    """

    SWITCH_AFTER = 2048

    def __init__(self, lines: list[str]) -> None:
        self._raw = lines  # as written, ZWNJ between a compound's parts
        self._joined = [line.replace(ZWNJ, "") for line in lines]  # sorted (see build_wordlist.py)
        self._lookups = 0
        self._set: frozenset[str] | None = None
        self._compounds: dict[str, tuple[str, ...]] | None = None
        self._heads: frozenset[str] | None = None
        self._tails: frozenset[str] | None = None

    def _first(self, word: str) -> int:
        """Index of the first entry equal to ``word``, or -1."""
        joined = self._joined
        at = bisect_left(joined, word)
        return at if at < len(joined) and joined[at] == word else -1

    def _busy(self) -> bool:
        self._lookups += 1
        return self._lookups > self.SWITCH_AFTER

    def __contains__(self, word: object) -> bool:
        if self._set is None:
            if not self._busy():
                return isinstance(word, str) and self._first(word) >= 0
            self._set = frozenset(self._joined)
        return word in self._set

    def parts(self, word: str) -> tuple[str, ...]:
        """The parts of a known compound, else ``()``."""
        if self._compounds is None:
            if not self._busy():
                at = self._first(word)
                while 0 <= at < len(self._joined) and self._joined[at] == word:
                    if ZWNJ in self._raw[at]:
                        return tuple(self._raw[at].split(ZWNJ))
                    at += 1
                return ()
            self._compounds = {joined: tuple(raw.split(ZWNJ))
                               for joined, raw in zip(self._joined, self._raw) if ZWNJ in raw}
        return self._compounds.get(word, ())

    def heads(self) -> frozenset[str]:
        """First parts of compounds (رییس of رییس‌جمهوری). Built on first use (a few ms)."""
        if self._heads is None:
            self._heads = frozenset(raw[:raw.index(ZWNJ)] for raw in self._raw if ZWNJ in raw)
        return self._heads

    def tails(self) -> frozenset[str]:
        """Last parts of the compounds (جمهوری of رییس‌جمهوری). Built on first use."""
        if self._tails is None:
            self._tails = frozenset(raw[raw.rindex(ZWNJ) + 1:] for raw in self._raw if ZWNJ in raw)
        return self._tails

    def __len__(self) -> int:
        return len(self._joined)

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)


@functools.lru_cache(maxsize=None)
def base_words() -> Lexicon:
    """Known uninflected words (nouns, adjectives, ...), compounds joined: ``"ایران" in base_words()``."""
    return Lexicon(_entries(_read("words.txt")))


@functools.lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """The curated Persian stopwords, normalized: ``"میشود" in stopwords()``."""
    return frozenset(normalize_word(word) for word in _entries(_read("stopwords.txt")))
