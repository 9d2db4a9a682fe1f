"""Letters stretched for emphasis: سلاممم, خووووب, اعلاممممم.

No Persian word holds one letter three times in a row, so such a run in a word
the lexicon does not know is emphasis. It collapses to two letters where that
spelling is a lexicon word (اللللله → الله), else to one (خوووب → خوب).

    >>> collapse_repeats("سلاممممم"), collapse_repeats("سلام")
    ('سلام', 'سلام')
"""
from __future__ import annotations

import re

from .chars import ARABIC_SCRIPT_LETTERS
from .lexicon import base_words
from .stem import stem

#: A letter three or more times in a row.
STRETCHED = re.compile(f"([{ARABIC_SCRIPT_LETTERS}])\\1\\1+")


def _known(word: str) -> bool:
    return word in base_words() or stem(word) in base_words()


def collapse_repeats(word: str) -> str:
    """``word`` with every run of 3+ equal Arabic-script letters shortened; a known word stays as it is."""
    if STRETCHED.search(word) is None or word in base_words():
        return word
    once = STRETCHED.sub(r"\1", word)
    twice = STRETCHED.sub(r"\1\1", word)
    if twice in base_words():  # the word has that letter doubled (الله, not اله)
        return twice
    return once if _known(once) or not _known(twice) else twice
