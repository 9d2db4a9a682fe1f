"""A word group's units: its pieces normalized, affixes glued back, in segments.

A *unit* is one word of the group: ``(word, start, end, stem_key)``, offsets
relative to the group. ``stem_key`` is what the stemmer sees: the word itself,
or its host when a nominal suffix was written apart (خانه‌ای: خانه), because
the separator settles what the glued spelling cannot (خانهای may be خان + های).

A *segment* is a run of units that form one word written in parts (a ZWNJ
compound: رئیس‌جمهوری); the analyzer gives it a joined term. Segments of one
group are separate words at consecutive positions, with no joined term:

- a number glued to a Persian word (۹کیلومتر, عرض۶): a space was left out;
- a phrase ligature (﷽, ﷺ): several words in one character;
- the copula است, with ZWNJ or glued to a participle (خورده‌است, خوردهاست);
- Latin words joined by ZWNJ (ZWNJ means nothing in Latin script);
- a clitic written apart that its host does not take, or a compound ending
  written apart (گر, گاه) that does not make a known compound (the lexicon decides).

    >>> [[w for w, *_ in seg] for seg in segments("۹کیلومتر", str)]
    [['۹'], ['کیلومتر']]
"""
from __future__ import annotations

import re
from typing import Callable

from .affixes import COPULA, HOST_STEMMED_SUFFIXES, JOINING_PREFIXES, JOINING_SUFFIXES, SPACED_COMPOUND_TAILS
from .chars import ARABIC_MARKS, ARABIC_SCRIPT_LETTERS, FOLD_TABLE, NBSP, ZWNJ
from .lexicon import base_words
from .normalize import NEEDS_NFKC
from .verbs import is_participle

Unit = tuple[str, int, int, str]
Segment = list[Unit]

# Where a digit touches an Arabic-script letter (marks stay with their letter).
_LETTER_DIGIT = re.compile(f"(?<=\\d)(?=[{ARABIC_MARKS}]*[{ARABIC_SCRIPT_LETTERS}])"
                           f"|(?<=[{ARABIC_SCRIPT_LETTERS}{ARABIC_MARKS}])(?=\\d)")
#: A separator or a digit: a group without one is a single piece (one C scan).
SEPARATOR_OR_DIGIT = re.compile(f"[ {NBSP}{ZWNJ}\\d]")
#: ``split`` gives pieces and the separators between them, alternately.
_SEPARATORS = re.compile(f"([ {NBSP}{ZWNJ}]+)")
_SPACE_OR_ZWNJ = re.compile(f"[ {NBSP}{ZWNJ}]")
_DIGIT = re.compile("\\d")


def needs_segmenting(surface: str) -> bool:
    """Whether a group is more than one piece: a separator, or a digit touching a
    letter (a glued copula is checked on the normalized word). One C scan for most words."""
    found = SEPARATOR_OR_DIGIT.search(surface)
    if found is None:
        return False
    return not found.group().isdigit() or _SPACE_OR_ZWNJ.search(surface, found.end()) is not None \
        or _LETTER_DIGIT.search(surface) is not None


def _copula_cut(raw: str) -> int:
    """Where the last three letters (است) of a raw piece start."""
    letters = 0
    for i in range(len(raw) - 1, -1, -1):
        if FOLD_TABLE.get(ord(raw[i]), raw[i]) is not None:
            letters += 1
            if letters == 3:
                return i
    return 0


def _words(surface: str, normalize: Callable[[str], str]) -> list[tuple[str, int, int, str]]:
    """The group's normalized words: ``(word, start, end, before)``; ``before`` is "" at the
    start of the group or where a digit meets a letter, else "zwnj" or "space"."""
    digits = _DIGIT.search(surface) is not None
    chunks = _SEPARATORS.split(surface)
    if len(chunks) == 3 and len(chunks[1]) == 1 and not digits:  # two pieces, one separator: most groups
        first, gap, second = chunks
        head, tail = normalize(first), normalize(second)
        if head and tail and " " not in head + tail and not head.endswith(COPULA) and not tail.endswith(COPULA):
            cut = len(first) + 1
            return [(head, 0, len(first), ""), (tail, cut, len(surface), "zwnj" if gap == ZWNJ else "space")]
    words: list[tuple[str, int, int, str]] = []
    at = 0
    before = ""
    for k in range(0, len(chunks), 2):
        chunk = chunks[k]
        start = at
        at += len(chunk)
        if k:
            gap = chunks[k - 1]
            before = "space" if (" " in gap or NBSP in gap) else "zwnj"
            start += len(gap)
            at += len(gap)
        if digits and _DIGIT.search(chunk) and _LETTER_DIGIT.search(chunk):
            cuts = [m.start() for m in _LETTER_DIGIT.finditer(chunk)]
            pieces = [(chunk[a:b], start + a, start + b) for a, b in zip([0, *cuts], [*cuts, len(chunk)])]
        else:
            pieces = [(chunk, start, at)]
        for raw, piece_start, piece_end in pieces:
            word = normalize(raw)
            if not word:
                continue
            if " " in word:  # a phrase ligature spelled out: its words, each at the ligature
                for i, part in enumerate(word.split()):
                    words.append((part, piece_start, piece_end, "space" if i and words else before))
            elif (word.endswith(COPULA) and is_participle(word[:-3]) and word not in base_words()
                  and not NEEDS_NFKC.search(raw)):
                cut = piece_start + _copula_cut(raw)
                words += [(word[:-3], piece_start, cut, before), (COPULA, cut, piece_end, "")]
            else:
                words.append((word, piece_start, piece_end, before))
            before = ""
    return words


def segments(surface: str, normalize: Callable[[str], str],
             glue_spaced: Callable[[str, str], bool] = lambda host, suffix: True) -> list[Segment]:
    """The segments of a word group; ``glue_spaced(host, suffix)`` decides on a clitic written apart."""
    out: list[Segment] = []
    units: Segment = []
    prefix: tuple[str, int] | None = None
    for word, start, end, before in _words(surface, normalize):
        if prefix is not None and before:
            word, start, prefix = prefix[0] + word, prefix[1], None
        elif prefix is not None:  # a prefix before a cut stands alone
            units.append((prefix[0], prefix[1], start, prefix[0]))
            prefix = None
        if units and not before:
            out.append(units)
            units = []
        if word in JOINING_PREFIXES:
            prefix = (word, start)
            continue
        if units and word in JOINING_SUFFIXES and (before == "zwnj" or glue_spaced(units[-1][0], word)):
            host, host_start, _, key = units[-1]
            joined = host + word
            units[-1] = (joined, host_start, end, key if word in HOST_STEMMED_SUFFIXES else joined)
            continue
        if (units and before == "space" and word in SPACED_COMPOUND_TAILS
                and base_words().parts(units[-1][0] + word) == (units[-1][0], word)):
            units.append((word, start, end, word))  # اخلال گر: a known compound, written apart
            continue
        if units and (before == "space" or word == COPULA
                      or (before == "zwnj" and ("a" <= word[0] <= "z" or "a" <= units[-1][0][0] <= "z"))):
            out.append(units)
            units = []
        units.append((word, start, end, word))
    if prefix is not None:
        units.append((prefix[0], prefix[1], len(surface), prefix[0]))
    if units:
        out.append(units)
    return out
