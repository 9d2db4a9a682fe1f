"""Cut a query's text into lexemes: words, phrases, parentheses, operators.

The lexer never fails and never analyzes: words keep their surface form for
the parser (:mod:`persearch.query.parse`) to analyze. What it repairs (an
unclosed quote, a repeated OR, a field with nothing after it) is noted for
the user. Persian punctuation (؟ ، ؛) is text, never an operator, and « » are
quotes.

    >>> [(t.kind, t.text) for t in lex("title:کتاب OR «رئیس جمهور»", [])]
    [('word', 'کتاب'), ('or', 'OR'), ('phrase', 'رئیس جمهور')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Field names a query may use, and the field each one means.
FIELD_NAMES = {"title": "title", "body": "body", "text": "body"}
#: Lexeme kinds after which no item follows (a NOT or OR before them is lone).
ENDS_ITEM = ("rparen", "or", "and", "not")

_OPEN_QUOTES = {'"': '"', "«": "»", "\u201c": "\u201d", "\u201e": "\u201d"}
_LEXER = re.compile(
    r"""(?P<space>\s+)
      | (?P<field>[A-Za-z]+):[ \t]*(?=[^\s:])
      | (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<quote>["«\u201c\u201e])
      | (?P<stray>[»\u201d])
      | (?P<word>[^\s()"«»\u201c\u201d\u201e]+)
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"[^\s()\"«»\u201c\u201d\u201e]+")  # the word alternative of _LEXER alone
_SLOP = re.compile(r"~([0-9]{1,2})")
_SUFFIX = re.compile(r"(?:(?P<star>\*+)|~(?P<fuzzy>[0-9]?))$")


@dataclass
class Lexeme:
    """One piece of a query: its kind, its text and where the text is in the query."""

    kind: str  # word, phrase, lparen, rparen, or, and, not
    text: str
    start: int
    end: int
    field: str | None = None
    negated: bool = False
    suffix: str = ""  # "*" or "~", "~1", "~2" on words; "~N" slop on phrases
    plain: bool = True  # a word without field or suffix


def lex(query: str, notes: list[str]) -> list[Lexeme]:
    """The lexemes of ``query``; what was repaired is appended to ``notes``."""
    return _Lexer(query, notes).lexemes()


class _Lexer:
    def __init__(self, query: str, notes: list[str]) -> None:
        self.query = query
        self.notes = notes
        self.out: list[Lexeme] = []
        self.field: str | None = None  # a field prefix waiting for its item

    def lexemes(self) -> list[Lexeme]:
        query, pos = self.query, 0
        while pos < len(query):
            m = _LEXER.match(query, pos)
            if m is None:  # cannot happen: the alternatives cover every character
                pos += 1
                continue
            kind = m.lastgroup
            if kind == "field":
                name = m.group("field").lower()
                if name in FIELD_NAMES:
                    self.field = FIELD_NAMES[name]
                    pos = m.end()
                    continue
                kind, m = "word", _WORD.match(query, pos)  # "http:" and friends are text
                assert m is not None
            if kind == "quote":
                pos = self._phrase(m.group(), m.end())
                continue
            if kind in ("lparen", "rparen"):
                self._paren(kind, m.start(), m.end())
            elif kind == "word":
                self._word(m.group(), m.start(), m.end())
            pos = m.end()  # also past spaces and a stray closing quote
        return self.out

    def _phrase(self, quote: str, start: int) -> int:
        """A quoted phrase from ``start`` (after its opening quote), with its ``~N``; returns where lexing goes on."""
        query = self.query
        end = query.find(_OPEN_QUOTES[quote], start)
        if end == -1:
            self.notes.append("closed an unbalanced quote")
            body, after = query[start:], len(query)
        else:
            body, after = query[start:end], end + 1
        slop = _SLOP.match(query, after)
        suffix = slop.group() if slop else ""
        self.out.append(Lexeme("phrase", body, start, start + len(body), field=self.field, suffix=suffix))
        self.field = None
        return slop.end() if slop else after

    def _paren(self, kind: str, start: int, end: int) -> None:
        # A field before "(" applies to the group; a ")" leaves a waiting field waiting.
        opening = kind == "lparen"
        self.out.append(Lexeme(kind, self.query[start:end], start, end, field=self.field if opening else None))
        if opening:
            self.field = None

    def _word(self, word: str, start: int, end: int) -> None:
        if self._operator(word, start, end):
            return
        negated = False
        if word[0] in "-+" and len(word) > 1:
            negated = word[0] == "-"
            word, start = word[1:], start + 1
            if word[0] in "-+":  # "--x": treat the rest as text
                rest = word.lstrip("-+")
                start += len(word) - len(rest)
                word = rest
                if not word:
                    return
        suffix = ""
        found = _SUFFIX.search(word)
        if found and found.start() > 0:
            suffix = "*" if found.group("star") else "~" + found.group("fuzzy")
            word, end = word[: found.start()], start + found.start()
        self.out.append(Lexeme("word", word, start, end, field=self.field, negated=negated, suffix=suffix,
                               plain=self.field is None and not suffix))
        self.field = None

    def _operator(self, word: str, start: int, end: int) -> bool:
        """Take ``word`` if it is an operator (OR, AND, NOT) or a field with nothing after it."""
        if word in ("OR", "||"):
            if self.out and self.out[-1].kind == "or":  # "a OR OR b" still means a OR b
                self.notes.append(f"dropped a repeated {word}")
            else:
                self.out.append(Lexeme("or", word, start, end))
            return True
        if word.endswith(":") and word[:-1].lower() in FIELD_NAMES:
            self.notes.append(f"dropped {word} with nothing after it")
            return True
        kind = {"AND": "and", "&&": "and", "NOT": "not"}.get(word)
        if kind is not None:
            self.out.append(Lexeme(kind, word, start, end))
        return kind is not None


__all__ = ["Lexeme", "lex", "FIELD_NAMES"]
