"""Rebuild persearch/data/words.txt from hazm's MIT-licensed word list.

Run with the hazm extra installed:  python scripts/build_wordlist.py
or with the file taken from hazm's wheel:  python scripts/build_wordlist.py PATH/words.dat

Keeps the entries hazm tags with a part of speech (its untagged entries include
inflected forms, which would defeat the stemmer's guard), folded with
persearch's own normalizer so lookups match analyzer terms. A word with ئ
before a consonant is also kept in its ا spelling (مسئله: مسیله and مساله),
the analyzer's second term for it, so the stemmer's guard knows both.
"""
from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

from persearch.analysis.chars import ZWNJ
from persearch.analysis.normalize import hamza_variant, normalize_word

HEADER = """\
# persearch base-word lexicon: one normalized word a line; compounds keep their
# ZWNJ between parts (the analyzer splits them there).
# Derived from hazm's data/words.dat (hazm 0.10.0, https://github.com/roshan-research/hazm),
# MIT License, Copyright (c) 2013 Alireza Nourian. Only entries tagged with a part
# of speech, and not as plurals, are kept; each is folded with persearch.analysis.normalize.normalize_word.
# Regenerate with scripts/build_wordlist.py.
"""


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else importlib.resources.files("hazm") / "data" / "words.dat"
    words: set[str] = set()
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        # Tag "0" marks hazm's untagged (often inflected) forms; PL marks plurals.
        if len(parts) == 3 and parts[2] != "0" and "PL" not in parts[2].split(","):
            raw = parts[0].split(ZWNJ)
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


if __name__ == "__main__":
    main(sys.argv[1:])
