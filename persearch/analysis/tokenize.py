"""Find word groups in the original text, with exact offsets.

A *word group* is what one Persian word can look like on the page:

- letters, digits, combining marks and invisible format characters in one run
  (``کِتاب``, ``\u200fکتاب``): marks and format characters never split a word;
- runs joined by ZWNJ (``کتاب‌ها``, ``رئیس‌جمهوری``, ``می‌خواهد``);
- numbers with a decimal or thousands separator (``۳٫۱۴``, ``3.14``, ``1,000``);
- the verb prefix می/نمی written apart (``می خواهد``) and plural, comparative
  and verb-ending suffixes written apart (``کتاب ها``, ``بزرگ تر``, ``رفته اند``):
  users type them with a space where ZWNJ belongs.

The tokenizer only finds groups; analyzer.py decides what terms a group yields.
"""
from __future__ import annotations

import re
from typing import Iterator

from .chars import ARABIC_MARKS, FORMAT_CHARS, LATIN_MARKS, NBSP, ZWNJ

_WORD_CHAR = f"[\\w{ARABIC_MARKS}{LATIN_MARKS}{FORMAT_CHARS}]"
_YEH = "[یيى]"
_NUMBER_SEPARATOR = "(?<=\\d)[.,\u066b\u066c](?=\\d)"
_WORD = f"{_WORD_CHAR}+(?:(?:{ZWNJ}+|{_NUMBER_SEPARATOR}){_WORD_CHAR}+)*"
_GAP = f"[ {NBSP}]"
_SPACED_PREFIX = f"ن?م{_YEH}{_GAP}(?={_WORD_CHAR})"
_SPACED_SUFFIX = (
    f"(?:ها(?:{_YEH}(?:{_YEH}|م|ت|ش|مان|تان|شان)?)?|تر(?:{_YEH}ن)?|اند|ا{_YEH}م|ا{_YEH}د)"
    f"(?!{_WORD_CHAR}|{ZWNJ})"
)
#: One word group: optional spaced prefix, the word, any spaced suffixes.
WORD_GROUP = re.compile(f"(?:{_SPACED_PREFIX})?{_WORD}(?:{_GAP}{_SPACED_SUFFIX})*")
#: Inside a group: the pieces between spaces and ZWNJs.
PIECE = re.compile(f"[^ {NBSP}{ZWNJ}]+")


def word_groups(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(surface, start, end)`` for each word group: ``text[start:end] == surface``.

    >>> [g for g, _, _ in word_groups("می خواهد کتاب‌ها را")]
    ['می خواهد', 'کتاب\u200cها', 'را']
    """
    for match in WORD_GROUP.finditer(text):
        yield match.group(), match.start(), match.end()


def pieces(surface: str) -> list[tuple[str, int, int]]:
    """Split a group at spaces and ZWNJ: ``(piece, start, end)`` relative to the group."""
    return [(m.group(), m.start(), m.end()) for m in PIECE.finditer(surface)]
