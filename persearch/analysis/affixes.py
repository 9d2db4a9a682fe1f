"""The affixes Persian writes with ZWNJ, a space or nothing: one list each, normalized.

The analyzer glues them back to their word, so that کتاب‌ها = کتابها = کتاب ها
and خانه‌ای = خانهای = خانه ای; the word-list builder uses the same lists to
tell a compound (رئیس‌جمهوری) from a word with a suffix (هسته‌ای).
"""
from __future__ import annotations

#: Pieces glued to the next piece (verb prefixes).
JOINING_PREFIXES = frozenset({"می", "نمی"})
#: Pieces glued to the previous piece: plural, comparative, indefinite/ezafe,
#: possessive and verb-ending clitics.
JOINING_SUFFIXES = frozenset({
    "ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "جات",
    "تر", "تری", "ترین", "ی", "ای", "ام", "ات", "اش", "مان", "تان", "شان",
    "اند", "ایم", "اید", "یی",
})
#: Verb endings: the word they close is a verb, left whole to the stemmer (or lemmatizer).
VERB_ENDINGS = frozenset({"اند", "ایم", "اید"})
#: Suffixes that are nominal inflection when written apart: the host alone is stemmed.
HOST_STEMMED_SUFFIXES = JOINING_SUFFIXES - VERB_ENDINGS
#: Suffixes glued when written apart after any word (the tokenizer finds them
#: after any word too). The other suffixes, written apart, are clitics that
#: are also words or interjections (ای, شان) or that only follow ه / ی apart: the
#: analyzer glues them only to a host the lexicon knows.
ALWAYS_GLUED = frozenset({"ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "جات",
                          "تر", "تری", "ترین"}) | VERB_ENDINGS
#: The copula is a word of its own, however it is written: خورده‌است = خورده است.
COPULA = "است"
#: Derivational endings that are also words of their own (گاه: time, گر: if),
#: written apart in compounds (اخلال گر = اخلال‌گر, سحر گاه = سحرگاه). Written
#: apart, such an ending joins its host into one compound only when the lexicon
#: knows that compound; otherwise the two stay separate words.
SPACED_COMPOUND_TAILS = frozenset({"گر", "گری", "گرا", "گرایی", "گاه"})
