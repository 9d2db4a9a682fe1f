"""A light Persian stemmer guarded by a lexicon, so it conflates without over-stemming.

It strips inflectional suffixes: plurals (ها های ان ات), comparative and
superlative (تر ترین), indefinite/ezafe (ی ای) and possessive clitics
(م ت ش مان تان شان), so that کتاب/کتابها/کتابهای/کتابی, درخت/درختان and
بزرگ/بزرگتر/بزرگترین meet. Input is a normalized word (ZWNJ already removed).

The guard, in order:
1. A known base word (the lexicon, see lexicon.py) is never stripped: ایران
   stays ایران, علی stays علی, مردم is not مرد.
2. A suffix is stripped only if what remains is a known base word, except the
   unambiguous plural suffixes (ها and its compounds, ترین), which are also
   stripped from unknown words when at least three letters remain.
3. Words on the NOT_INFLECTED list (inflected-looking words whose stem would
   be an unrelated word, missing from the lexicon) are left alone.
"""
from __future__ import annotations

import functools

from .lexicon import base_words

#: Suffixes tried longest first; (suffix, safe, restore) where `safe` means the
#: suffix may be stripped from unknown words and `restore` is appended to the
#: stem (ستارگان → ستاره).
SUFFIXES: tuple[tuple[str, bool, str], ...] = (
    ("هایشان", True, ""), ("هایتان", True, ""), ("هایمان", True, ""),
    ("هایش", True, ""), ("هایت", True, ""), ("هایم", True, ""),
    ("هایی", True, ""), ("های", True, ""), ("ها", True, ""),
    ("ترین", True, ""), ("تری", False, ""), ("تر", False, ""),
    ("گان", False, "ه"), ("یان", False, ""), ("ان", False, ""), ("ات", False, ""),
    ("شان", False, ""), ("تان", False, ""), ("مان", False, ""),
    ("ای", False, ""), ("اش", False, ""), ("ام", False, ""),
    ("ی", False, ""), ("ش", False, ""), ("م", False, ""), ("ت", False, ""),
)

#: Inflected-looking words whose "stem" is a different word: ماهی (fish) is not
#: ماه (moon). Written as normalized terms.
NOT_INFLECTED = frozenset({
    "ماهی", "بازی", "کشتی", "سیاهی", "راستی", "دوستی", "خوبی", "شیرینی", "سبزی", "زردی",
    "تنها", "بها", "رها", "اینها", "انها",
})

MIN_STEM = 2


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Strip inflectional suffixes from a normalized word: ``stem("کتابهایشان") == "کتاب"``."""
    return _stem(word, base_words(), depth=2)


def _stem(word: str, known: frozenset[str], depth: int) -> str:
    if word in known or word in NOT_INFLECTED or len(word) <= MIN_STEM + 1:
        return word
    # The longest known stem wins: خانهای is خانه + ای, not خان + های.
    best = ""
    fallback = ""
    for suffix, safe, restore in SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)] + restore
        if len(base) < MIN_STEM or len(base) <= len(best):
            continue
        if base in known:
            best = base
        elif depth > 1:
            # Stacked clitics (دوستانش = دوست + ان + ش) count only if the second
            # strip lands on a known word.
            deeper = _stem(base, known, depth - 1)
            if deeper != base and deeper in known and len(deeper) > len(best):
                best = deeper
        if safe and not fallback and len(base) >= 3:
            fallback = _stem(base, known, depth - 1) if depth > 1 else base
    return best or fallback or word
