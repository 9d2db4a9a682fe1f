"""A light Persian stemmer guarded by a lexicon, so it conflates without over-stemming.

It strips inflectional suffixes: plurals (ها های ان ات جات), comparative and
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
4. A clitic stacks only on a plural or comparative (دوستانش), never on a
   clitic; where a glued ه hides the boundary (شهرهای: شهر + های or شهره + ای)
   the plural reading wins. tests/test_stem.py keeps the over-stemming pairs.
5. The one-letter clitics م / ت / ش never follow ا or و (Persian writes پایم,
   بازویت, not پام): تحقیقات is تحقیق + ات, never تحقیقا + ت.

Plurals the lexicon lists as words, and broken plurals (plurals.py), count as
known words here, so that a clitic on them is stripped (اخبارش → اخبار).
"""
from __future__ import annotations

import functools
from typing import Container

from .lexicon import base_words
from .plurals import table as plural_table

#: Suffixes tried longest first; (suffix, safe, restore) where `safe` means the
#: suffix may be stripped from unknown words and `restore` is appended to the
#: stem (ستارگان → ستاره, کلمات → کلمه rather than کلم).
SUFFIXES: tuple[tuple[str, bool, str], ...] = (
    ("هایشان", True, ""), ("هایتان", True, ""), ("هایمان", True, ""),
    ("هایش", True, ""), ("هایت", True, ""), ("هایم", True, ""),
    ("هایی", True, ""), ("های", True, ""), ("ها", True, ""),
    ("ترین", True, ""), ("تری", False, ""), ("تر", False, ""),
    ("جات", False, "ه"), ("جات", False, ""),  # سبزیجات → سبزی, کارخانجات → کارخانه
    ("گان", False, "ه"), ("یان", False, ""), ("ان", False, ""), ("ات", False, "ه"), ("ات", False, ""),
    ("ات", False, "ت"),  # ساعات → ساعت, حرکات → حرکت: the ت of the singular is the plural's
    ("شان", False, ""), ("تان", False, ""), ("مان", False, ""),
    ("ای", False, ""), ("اش", False, ""), ("ام", False, ""),
    ("ی", False, ""), ("ش", False, ""), ("م", False, ""), ("ت", False, ""),
)

#: Inflected-looking words whose "stem" is a different word: ماهی (fish) is not
#: ماه (moon). Written as normalized terms.
NOT_INFLECTED = frozenset({
    "ماهی", "بازی", "کشتی", "سیاهی", "راستی", "دوستی", "خوبی", "شیرینی", "سبزی", "زردی",
    "تنها", "بها", "رها", "اینها", "انها",
    # Found by tests/test_stem.py's over-stemming pairs: missing from the lexicon,
    # and stripping would land on an unrelated word.
    "کاشت", "دوران", "فیلتر",
    # Found by reviewing the most frequent stemmed words of the news and poetry
    # corpora: اعلام is not اعلا, نوشت not نوش, خدمات not خدمه, یزدان not یزد.
    "اعلام", "خالی", "کردیم", "یزدان", "برفت", "پرست", "صفات", "نوشت", "ستان",
    "اندیش", "خرام", "باخت", "توست",
    # قنوات (canals, of قنات) is not قنوت (a prayer).
    "قنوات",
})

#: The suffixes a clitic may stack on (دوستانش = دوست + ان + ش, بزرگترش): plural
#: and comparative. A clitic never stacks on a clitic, so شهرهایی is not
#: شهره + ای + ی.
INNER_SUFFIXES = frozenset({"ها", "ان", "ات", "جات", "گان", "یان", "تر", "ترین"})
#: One-letter clitics, and the letters they never follow (a glide ی comes between).
_SHORT_CLITICS = frozenset({"م", "ت", "ش"})
_VOWEL_ENDS = ("ا", "و")

MIN_STEM = 2

#: SUFFIXES by their last letter, in SUFFIXES' order: a word is tried only
#: against the suffixes it can end with (a third of them at most).
_SUFFIXES_BY_LAST_LETTER: dict[str, tuple[tuple[str, bool, str], ...]] = {
    letter: tuple(row for row in SUFFIXES if row[0][-1] == letter) for letter in {s[-1] for s, _, _ in SUFFIXES}
}


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Strip inflectional suffixes from a normalized word: ``stem("کتابهایشان") == "کتاب"``."""
    return _stem(word, _KNOWN, depth=2)


class _KnownWords:
    """The lexicon's base words plus NOT_INFLECTED: فیلترها must stem to فیلتر, not stay."""

    def __contains__(self, word: str) -> bool:
        return word in NOT_INFLECTED or word in base_words() or word in plural_table()


_KNOWN = _KnownWords()


def known(word: str) -> bool:
    """Whether the stemmer's guard knows ``word`` (lexicon, plural table or NOT_INFLECTED)."""
    return word in _KNOWN


def _stem(word: str, known: Container[str], depth: int, inner: bool = False) -> str:
    if word in known or len(word) <= MIN_STEM + 1:
        return word
    # The longest known stem wins (کلمات is کلمه + ات, not کلم + ات),
    # except where a glued ه hides the boundary: شهرهای reads شهر + های or
    # شهره + ای, and the plural is by far the commoner reading (see ``plural``).
    best = ""
    plural = ""
    fallback = ""
    for suffix, safe, restore in _SUFFIXES_BY_LAST_LETTER.get(word[-1], ()):
        if not word.endswith(suffix) or (inner and suffix not in INNER_SUFFIXES):
            continue
        base = word[: -len(suffix)] + restore
        if suffix in _SHORT_CLITICS and base.endswith(_VOWEL_ENDS):
            continue
        if len(base) < MIN_STEM + (1 if restore else 0) or len(base) <= len(best):
            # A restored ه needs a real stem before it: سگان is not سه.
            continue
        if base in known:
            best = base
            if suffix.startswith("ها") and not plural:
                plural = base
        elif depth > 1:
            # Stacked clitics (دوستانش = دوست + ان + ش) count only if the second
            # strip lands on a known word.
            deeper = _stem(base, known, depth - 1, inner=True)
            if deeper != base and deeper in known and len(deeper) > len(best):
                best = deeper
        if safe and not fallback and len(base) >= 3:
            fallback = _stem(base, known, depth - 1, inner=True) if depth > 1 else base
    if plural and best == plural + "ه":
        return plural
    return best or fallback or word
