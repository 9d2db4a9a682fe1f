"""Find word groups in the original text, with exact offsets.

A *word group* is what one Persian word can look like on the page:

- letters, digits, combining marks and invisible format characters in one run
  (``کِتاب``, ``\u200fکتاب``): marks and format characters never split a word;
- runs joined by ZWNJ (``کتاب‌ها``, ``رئیس‌جمهوری``, ``می‌خواهد``);
- numbers with a decimal or thousands separator or a colon (``۳٫۱۴``, ``3.14``,
  ``1,000``, ``22:00``);
- the verb prefix می/نمی written apart (``می خواهد``) and plural, comparative
  and verb-ending suffixes written apart (``کتاب ها``, ``بزرگ تر``, ``رفته اند``);
  after a word ending in ه also ی / ای / یی, and after ه or ی the possessive
  clitics (``خانه ای``, ``خانه ی``, ``خانه ام``, ``کشتی شان``); and the compound
  endings گر / گری / گرا / گرایی / گاه (``اخلال گر``): users type a space where
  ZWNJ belongs.

The tokenizer only proposes groups; analyzer.py decides what terms a group
yields (a clitic written apart is glued only when the lexicon knows its host).
"""
from __future__ import annotations

import re
from typing import Iterator

from .chars import (AE, ALEF_MAKSURA, ARABIC_MARKS, ARABIC_YEH, FARSI_YEH, FORMAT_CHARS, HEH, HEH_DOACHASHMEE,
                    HEH_GOAL, HEH_YEH, LATIN_MARKS, NBSP, TEH_MARBUTA, WORD_SYMBOLS, ZWNJ)

_WORD_CHAR = f"[\\w{ARABIC_MARKS}{LATIN_MARKS}{FORMAT_CHARS}{WORD_SYMBOLS}]"
# The raw text is not normalized yet: a spaced affix may be written with any yeh or heh.
_YEH = f"[{FARSI_YEH}{ARABIC_YEH}{ALEF_MAKSURA}]"
_HEH = f"[{HEH}{TEH_MARBUTA}{HEH_YEH}{HEH_GOAL}{HEH_DOACHASHMEE}{AE}]"
#: Between digits, these keep one number (۳٫۱۴, 1,000, 22:00).
NUMBER_SEPARATORS = ".,:\u066b\u066c"
# The separator is matched before the lookbehind that checks the digit
# before it: at the end of nearly every word the next character is no
# separator, and the lookbehind is never run.
_NUMBER_SEPARATOR = f"[{NUMBER_SEPARATORS}](?<=\\d[{NUMBER_SEPARATORS}])(?=\\d)"
# After a word's first character, the rest of the word. The repeats are
# possessive (*+, ++): what they match is never given back, which spares
# the regex engine its backtracking records (a quarter of its work); no
# match changes, since nothing after a run of word characters can start
# with one, and everything after a word is optional.
_WORD_REST = f"{_WORD_CHAR}*+(?:(?:{ZWNJ}+|{_NUMBER_SEPARATOR}){_WORD_CHAR}++)*+"
_WORD = f"{_WORD_CHAR}{_WORD_REST}"
_GAP = f"[ {NBSP}]"
# A suffix word right after a gap. Plural, comparative and verb endings follow
# any word; ی / ای / یی only a word ending in ه (elsewhere Persian glues them);
# the possessive clitics a word ending in ه or ی. The lookbehinds see the host's
# last letter and the gap, so a match at the suffix's own start (group_start)
# works; each stands after the letters it checks, so that it runs only
# when those letters are there. Branches are keyed by first letter, and a lookahead on the first
# letters lets most words (followed by no suffix) leave at once: the regex
# runs over every word of every text.
_HOST_HEH_OR_YEH = f"(?:{_HEH}|{_YEH})"
_SUFFIX_FIRST_LETTERS = f"[هتاجمشگ{FARSI_YEH}{ARABIC_YEH}{ALEF_MAKSURA}]"
_SPACED_SUFFIX = (
    f"(?:ها(?:{_YEH}(?:{_YEH}|م|ت|ش|مان|تان|شان)?)?"
    f"|ت(?:ر(?:{_YEH}ن)?|ان(?<={_HOST_HEH_OR_YEH}{_GAP}تان))"
    f"|ا(?:ند|{_YEH}[مد]|{_YEH}(?<={_HEH}{_GAP}ا{_YEH})|[متش](?<={_HOST_HEH_OR_YEH}{_GAP}ا[متش]))"
    f"|جات"
    f"|گ(?:ر(?:{_YEH}|ا(?:{_YEH}{_YEH})?)?|اه)"
    f"|{_YEH}(?<={_HEH}{_GAP}{_YEH}){_YEH}?"
    f"|[مش]ان(?<={_HOST_HEH_OR_YEH}{_GAP}[مش]ان))"
    f"(?!{_WORD_CHAR}|{ZWNJ})"
)
#: One word group: optional spaced prefix, the word, any spaced suffixes.
# The pattern starts with one word character (a prefix's ن or م is one), so
# the regex engine scans for where a group can start in C instead of trying
# the pattern at every space and punctuation mark; lookbehinds then tell
# whether that character began a spaced prefix (نمی, می).
WORD_GROUP = re.compile(f"{_WORD_CHAR}(?:(?<=ن)م{_YEH}{_GAP}(?={_WORD_CHAR}){_WORD}|(?<=م){_YEH}{_GAP}(?={_WORD_CHAR}){_WORD}"
                        f"|{_WORD_REST})(?:{_GAP}(?={_SUFFIX_FIRST_LETTERS}){_SPACED_SUFFIX})*+")
#: ``WORD_GROUP_SPLIT.split(text)`` is ``[gap, group, gap, …, group, gap]``: every
#: group and the text between, with no match object per group.
WORD_GROUP_SPLIT = re.compile(f"({WORD_GROUP.pattern})")
#: Inside a group: the pieces between spaces and ZWNJs.
PIECE = re.compile(f"[^ {NBSP}{ZWNJ}]+")

# For group_start: where the word before a position starts, a spaced verb prefix
# just before a word, and a word that is a spaced suffix of the previous one.
# The last character before a position that no word contains: greedy .* backs
# off from the end, so the cost is the word's length. (A separator after a
# digit counts as inside a word; the digit after it may lie past the search's
# end, so no lookahead: starting one group early is harmless.)
_LAST_BREAK = re.compile(f"(?s).*(?:[^\\w{ARABIC_MARKS}{LATIN_MARKS}{FORMAT_CHARS}{WORD_SYMBOLS}{ZWNJ}"
                         f"{NUMBER_SEPARATORS}]|(?<!\\d)[{NUMBER_SEPARATORS}])")
_PREFIX_BEFORE = re.compile(f"(?<![\\w{ARABIC_MARKS}{LATIN_MARKS}{FORMAT_CHARS}{WORD_SYMBOLS}{ZWNJ}])"
                            f"ن?م{_YEH}{_GAP}$")
_SUFFIX_WORD = re.compile(_SPACED_SUFFIX)
#: How far back group_start looks for the start of a word.
GROUP_REACH = 64


def word_groups(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(surface, start, end)`` for each word group: ``text[start:end] == surface``.

    >>> [g for g, _, _ in word_groups("می خواهد کتاب‌ها را")]
    ['می خواهد', 'کتاب\u200cها', 'را']
    """
    for match in WORD_GROUP.finditer(text):
        yield match.group(), match.start(), match.end()


def group_start(text: str, at: int) -> int | None:
    """Where the word group holding ``text[at]`` starts, or None past GROUP_REACH.

    ``WORD_GROUP.search(text, group_start(text, at))`` finds the group a scan
    of the whole text finds, so a highlighter can analyze a few groups
    around a candidate instead of the whole text:
    ``group_start("او می خواهد", 6) == 3`` (the group is «می خواهد»).
    """
    low = max(0, at - GROUP_REACH)
    last_break = _LAST_BREAK.match(text, low, at)
    if last_break is None and low > 0:
        return None
    start = last_break.end() if last_break is not None else 0
    # Spaced prefixes pair up from the left (می می کتاب is «می می», «کتاب»):
    # the word joins the nearest one only if an odd number stand before it.
    prefixes, at_prefix = 0, start
    while (prefix := _PREFIX_BEFORE.search(text, max(0, at_prefix - 4), at_prefix)) is not None:
        prefixes, at_prefix = prefixes + 1, prefix.start()
        if prefixes == 1:
            nearest = at_prefix
    if prefixes % 2:
        return nearest
    if start > 0 and text[start - 1] in (" ", NBSP) and _SUFFIX_WORD.match(text, start):
        return group_start(text, start - 1)  # «کتاب ها»: the group starts at the host word
    return start


def pieces(surface: str) -> list[tuple[str, int, int]]:
    """Split a group at spaces and ZWNJ: ``(piece, start, end)`` relative to the group."""
    return [(m.group(), m.start(), m.end()) for m in PIECE.finditer(surface)]
