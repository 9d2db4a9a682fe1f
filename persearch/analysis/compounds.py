"""Split a joined compound into its parts: رئیسجمهوری → رئیس + جمهوری.

Real text writes a compound with ZWNJ, with a space or glued together. The
analyzer turns all three into the same parts at consecutive positions (plus
the joined form), so any spelling finds any other. ZWNJ and space forms split
by themselves; a glued form needs knowledge:

1. the compound lexicon (hazm's compounds written with ZWNJ, see lexicon.py);
2. otherwise a guess, only with evidence that the compound is real: an unknown
   word that is no verb form (داشتند is not داش + تند) splits into two known,
   non-stopword words of at least MIN_PART letters each, one of which the
   lexicon shows in compounds in the same role (its first part: جهان‌بینی, or
   its last part: ...‌خوار). The longer first part wins. Short words match by
   chance: most three-letter strings are some word, so رئیسعلی (a name) is not
   رئیس + علی, nor کلینیک کلی + نیک.
"""
from __future__ import annotations

import functools

from .lexicon import base_words, stopwords
from .stem import stem
from .verbs import PREFIXES as VERB_PREFIXES
from .verbs import is_verb_form

MIN_PART = 4
MIN_GUESSED = 2 * MIN_PART
#: Verb prefixes besides می / نمی: negation, subjunctive, and the preverbs of
#: compound verbs (برداشتند, درآمد, فراگرفت).
_MORE_VERB_PREFIXES = ("ن", "ب", "بی", "بر", "در", "فرا", "ور")


def _is_verb(word: str) -> bool:
    return is_verb_form(word) or any(word.startswith(p) and is_verb_form(word[len(p):])
                                     for p in (*VERB_PREFIXES, *_MORE_VERB_PREFIXES))


@functools.lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a joined compound, or ``()``: ``split_compound("ریشهکن") == ("ریشه", "کن")``.

    ``word`` is a normalized, stemmed term.
    """
    base = base_words()
    known = base.parts(word)
    if known:
        return known
    if len(word) < MIN_GUESSED or word in base or not word.isalpha() or _is_verb(word):
        return ()
    stop = stopwords()
    heads, tails = base.heads(), base.tails()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        if head in base and head not in stop:
            tail = stem(tail)
            if tail in base and tail not in stop and (head in heads or tail in tails):
                return (head, tail)
    return ()
