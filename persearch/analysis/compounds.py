"""Split a joined compound into its parts: رئیسجمهوری → رئیس + جمهوری.

Real text writes a compound with ZWNJ, with a space or glued together. The
analyzer turns all three into the same parts at consecutive positions (plus
the joined form), so any spelling finds any other. ZWNJ and space forms split
by themselves; a glued form needs knowledge:

1. the compound lexicon (hazm's compounds written with ZWNJ, see lexicon.py);
2. otherwise, for a long unknown word, a split into two known words of at least
   MIN_PART letters each (the longer first part wins).
"""
from __future__ import annotations

import functools

from .lexicon import base_words, stopwords
from .stem import stem

MIN_PART = 3
MIN_GUESSED = 2 * MIN_PART


@functools.lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a joined compound, or ``()``: ``split_compound("ریشهکن") == ("ریشه", "کن")``.

    ``word`` is a normalized, stemmed term.
    """
    base = base_words()
    known = base.parts(word)
    if known:
        return known
    if len(word) < MIN_GUESSED or word in base or not word.isalpha():
        return ()
    stop = stopwords()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        if head in base and head not in stop:
            tail = stem(tail)
            if tail in base and len(tail) >= MIN_PART and tail not in stop:
                return (head, tail)
    return ()
