"""Rebuild persearch/data/words.txt and verbs.txt from hazm's MIT-licensed word lists.

Run with the hazm extra installed:  python scripts/build_wordlist.py
or with the files taken from hazm's wheel:  python scripts/build_wordlist.py PATH/words.dat
(verbs.dat is read from the same folder).

words.txt keeps the entries hazm tags with a part of speech (its untagged
entries include inflected forms, which would defeat the stemmer's guard),
folded with persearch's own normalizer so lookups match analyzer terms. A word
with ئ before a consonant is also kept in its ا spelling (مسئله: مسیله and
مساله), the analyzer's second term for it, so the stemmer's guard knows both.
Entries written with ZWNJ before a suffix (هسته‌ای, کم‌تر, سی‌ام) are a word and
its suffix, not a compound: they are left out, so that هستهای, هسته‌ای and
هسته ای all stem to هسته.

verbs.txt holds hazm's verb stems, ``past present`` a line (خورد خور).
"""
from __future__ import annotations

import importlib.resources
import re
import sys
from pathlib import Path

from persearch.analysis.affixes import COPULA, JOINING_SUFFIXES
from persearch.analysis.chars import ZWNJ
from persearch.analysis.normalize import hamza_variant, normalize_word

HEADER = """\
# persearch base-word lexicon: one normalized word a line; compounds keep their
# ZWNJ between parts (the analyzer splits them there).
# Derived from hazm's data/words.dat (hazm 0.10.0, https://github.com/roshan-research/hazm),
# MIT License, Copyright (c) 2013 Alireza Nourian. Only entries tagged with a part
# of speech are kept, plurals only when they have no plural ending (اخبار, not
# کتابها); compounds of a word and a suffix (هسته‌ای) are left out. Each entry
# is folded with persearch.analysis.normalize.normalize_word.
# Regenerate with scripts/build_wordlist.py.
"""
VERBS_HEADER = """\
# persearch verb stems: "past present" a line, normalized (خورد خور; an empty
# present stem is left out). Derived from hazm's data/verbs.dat (hazm 0.10.0,
# https://github.com/roshan-research/hazm), MIT License, Copyright (c) 2013
# Alireza Nourian. Used to recognize می / نمی + a verb form (see verbs.py).
# Regenerate with scripts/build_wordlist.py.
"""
#: How a sound (suffixed) plural ends.
SOUND_PLURAL = re.compile("(?:ها|های|ات|ان|ین|ون)$")
#: A last ZWNJ part that makes an entry a word plus suffix, not a compound.
SUFFIX_TAILS = JOINING_SUFFIXES | {COPULA}


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else importlib.resources.files("hazm") / "data" / "words.dat"
    words: set[str] = set()
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        # Tag "0" marks hazm's untagged (often inflected) forms; PL marks plurals.
        # A plural with a plural ending (کتابها, تحقیقات, دوستان) is left out, so
        # that the stemmer strips it; a broken plural (اخبار, علوم) is a word of
        # its own (plurals.txt gives its singular), and a few entries tagged PL
        # are no plurals at all (صداوسیما).
        if len(parts) == 3 and parts[2] != "0" and ("PL" not in parts[2].split(",") or not SOUND_PLURAL.search(
                normalize_word(parts[0]))):
            raw = parts[0].split(ZWNJ)
            if len(raw) > 1 and normalize_word(raw[-1]) in SUFFIX_TAILS:
                continue  # هسته‌ای is هسته + ای: the stemmer handles it
            # A compound keeps its ZWNJ so the analyzer can split it into parts.
            for pieces in ([normalize_word(p) for p in raw], [hamza_variant(p) or normalize_word(p) for p in raw]):
                word = ZWNJ.join(p for p in pieces if p)
                if len(word) >= 2 and " " not in word and "_" not in word:
                    words.add(word)
    out = Path(__file__).resolve().parent.parent / "persearch" / "data" / "words.txt"
    # Sorted by the joined form: the lexicon answers lookups by binary search on it.
    ordered = sorted(words, key=lambda w: (w.replace(ZWNJ, ""), w))
    out.write_text(HEADER + "\n".join(ordered) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {out}")
    verbs: set[str] = set()
    for line in (source.parent / "verbs.dat").read_text(encoding="utf-8").splitlines():
        past, _, present = line.strip().partition("#")
        past, present = normalize_word(past), normalize_word(present)
        if past and " " not in past + present:
            verbs.add(f"{past} {present}".strip())
    out = out.parent / "verbs.txt"
    out.write_text(VERBS_HEADER + "\n".join(sorted(verbs)) + "\n", encoding="utf-8")
    print(f"{len(verbs)} verb stems -> {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
