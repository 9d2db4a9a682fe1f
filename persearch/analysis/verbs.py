"""Persian verb forms, recognized from a list of verb stems (persearch/data/verbs.txt).

A verb is conjugated on its past stem (خورد: خوردم, خوردند, خورده) or its
present stem (خور: خورم, خورد, خورند), with the prefix می / نمی for the
continuous tenses. :func:`bare_verb` tells whether a word is such a prefixed
form and returns it without the prefix, so that می‌خورد also meets خورد, while
میز, میل and میدان (no verb form after می) stay whole.

    >>> bare_verb("میخوردند"), bare_verb("میدان")
    ('خوردند', None)
"""
from __future__ import annotations

import functools

from .lexicon import read_entries

PREFIXES = ("نمی", "می")
#: Personal endings on the present stem (a vowel-final stem takes a glide ی: گوید).
PRESENT_ENDINGS = ("م", "ی", "د", "یم", "ید", "ند")
#: Personal endings on the past stem (third person singular has none).
PAST_ENDINGS = ("", "م", "ی", "یم", "ید", "ند")
#: Endings of the perfect, after the participle's ه (خورده‌ام, خورده‌است).
PERFECT_ENDINGS = ("", "ام", "ای", "ایم", "اید", "اند", "است")


@functools.lru_cache(maxsize=None)
def stems() -> tuple[frozenset[str], frozenset[str]]:
    """The past and the present stems: ``"خورد" in stems()[0]``, ``"خور" in stems()[1]``."""
    past: set[str] = set()
    present: set[str] = set()
    for line in read_entries("verbs.txt"):
        p, _, r = line.partition(" ")
        past.add(p)
        if r:
            present.add(r)
    return frozenset(past), frozenset(present)


@functools.lru_cache(maxsize=50_000)
def is_verb_form(word: str) -> bool:
    """Whether ``word`` is a past, present or perfect form of a known verb: ``is_verb_form("خورده")``."""
    past, present = stems()
    for ending in PERFECT_ENDINGS:
        cut = len(word) - len(ending) - 1
        if cut > 0 and word.endswith("ه" + ending) and word[:cut] in past:
            return True
    for ending in PAST_ENDINGS:
        cut = len(word) - len(ending)
        if cut > 0 and word.endswith(ending) and word[:cut] in past:
            return True
    for ending in PRESENT_ENDINGS:
        cut = len(word) - len(ending)
        if cut > 0 and word.endswith(ending):
            base = word[:cut]
            if base in present or (len(base) > 1 and base.endswith("ی") and base[:-1] in present):
                return True
    return False


def is_participle(word: str) -> bool:
    """A past participle (past stem + ه): ``is_participle("خورده")``; ``is_participle("خانه")`` is False."""
    return len(word) > 2 and word.endswith("ه") and word[:-1] in stems()[0]


def bare_verb(word: str) -> str | None:
    """``word`` without its prefix می / نمی when the rest is a verb form, else None."""
    for prefix in PREFIXES:
        if word.startswith(prefix):
            rest = word[len(prefix):]
            return rest if len(rest) >= 2 and is_verb_form(rest) else None
    return None
