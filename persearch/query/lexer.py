"""Cut a query's text into lexemes: words, phrases, parentheses, operators.

The lexer never fails and never analyzes: words keep their surface form for
the parser (:mod:`persearch.query.parse`) to analyze. Syntax is syntax only
when it is well formed: a quote or a bracket without its partner, as pasted
questions often carry (``… هابسبورگ ) و …``, a lone ``«``), is text, so it
leaves the query's meaning as it was, and a note says it was ignored.
Trailing dots are text too (``کتاب*...`` is still a prefix). Persian
punctuation (؟ ، ؛) is text, never an operator, and « » are quotes.

    >>> [(t.kind, t.text) for t in lex("title:کتاب OR «رئیس جمهور»", [])]
    [('word', 'کتاب'), ('or', 'OR'), ('phrase', 'رئیس جمهور')]
    >>> notes = []; [(t.kind, t.text) for t in lex("هابسبورگ ) و «حکمرانان", notes)], notes
    ([('word', 'هابسبورگ'), ('word', 'و'), ('word', 'حکمرانان')], ['ignored an unmatched )', 'ignored an unmatched «'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis.chars import ARABIC_MARKS, WORD_JOINER, ZWNJ

#: Field names a query may use, and the field each one means.
FIELD_NAMES = {"title": "title", "body": "body", "text": "body"}
#: Fields of analyzed text: their values are words like any other (dots around them are text).
#: A field with a value syntax of its own (a range ``date:1402/05/01..1402/05/31``, ``year:>=1400``)
#: would read its value in ``_Lexer._word`` before that, from the raw word.
#: Lexeme kinds after which no item follows (a NOT or OR before them is lone).
ENDS_ITEM = ("rparen", "or", "and", "not")
#: Operators, written in capitals (a Persian «یا» or «و» is a word).
OPERATORS = {"OR": "or", "||": "or", "AND": "and", "&&": "and", "NOT": "not"}
#: The same words in lower case are searched as words, with a hint.
_LOWER_OPERATORS = frozenset(("and", "or", "not"))

#: Opening quote → its closing quote.
_CLOSING = {'"': '"', "«": "»", "\u201c": "\u201d", "\u201e": "\u201d"}
_QUOTES = '"«»\u201c\u201d\u201e'
#: Which directional quotes pair with which.
_FAMILY = {"«": "«", "»": "«", "\u201c": "\u201c", "\u201e": "\u201c", "\u201d": "\u201c"}
_SYNTAX = re.compile(f"[{_QUOTES}()]")
_LEXER = re.compile(
    rf"""(?P<space>\s+)
      | (?P<field>[A-Za-z]+):[ \t]*(?=[^\s:])
      | (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<quote>[{_QUOTES}])
      | (?P<word>[^\s(){_QUOTES}]+)
    """,
    re.VERBOSE,
)
_WORD = re.compile(rf"[^\s(){_QUOTES}]+")  # the word alternative of _LEXER alone
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.")
_NUMBER = r"\d+(?:(?:\.|٫)\d+)?"  # \d: Latin, Persian and Arabic digits (no large class to compile)
#: What may follow a word: ``*`` (prefix) or ``~N`` (fuzzy), then ``^N`` (boost).
_SUFFIX = re.compile(rf"(?:(?P<star>\*+)|~(?P<fuzzy>[0-9]?))?(?:\^(?P<boost>{_NUMBER}))?$")
#: What may follow a phrase (``~N`` slop, then ``^N``) or a group (``^N``).
_SLOP = re.compile(r"~([0-9]{1,2})")
_BOOST = re.compile(rf"\^({_NUMBER})(?![^\s()])")
#: Dots around a word are text (an ellipsis, a sentence's end), never part of its syntax.
_LEADING_DOTS = re.compile(r"^(?:\.{2,}|…)(?:\.|…)*")
_TRAILING_DOTS = re.compile(r"(?:\.|…)+$")
_TEXT_FIELDS = frozenset((None, *FIELD_NAMES.values()))
#: Besides letters and digits, what a word may hold (for telling a stray inside a word from one beside it).
_IN_WORDS = frozenset(ARABIC_MARKS + ZWNJ)
#: An ellipsis: inside a word, between letters (``هابس...بورگ``), text to drop, not a break
#: between words (between digits, dots may be a number's or a range's).
_ELLIPSIS = re.compile(r"\.{2,}|…+")


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
    plain: bool = True  # a word without field, suffix or boost
    boost: float = 1.0  # ^N on a word, a phrase or (on the rparen) a group
    operator_word: bool = False  # and/or/not in lower case: searched as a word (see hint_lower_operators)


def lex(query: str, notes: list[str]) -> list[Lexeme]:
    """The lexemes of ``query``; what was repaired is appended to ``notes``."""
    return _Lexer(query, notes).lexemes()


# --- which quotes and brackets are syntax ----------------------------------------


def _quote_pairs(query: str, quotes: list[int]) -> list[tuple[int, int]]:
    """Candidate phrases ``(opening, closing)`` among the quotes at ``quotes``.

    « » and “ ” say which way they face. A straight ``"`` faces the way its
    neighbours say: glued to the word after it (``"کتاب``) it opens, glued to
    the word before it closes, glued to both it does what is needed; a ``"``
    with a space on both sides closes a phrase only when no other quote
    does. Each closing quote takes the nearest opening one before it, so a
    stray quote ahead of a phrase does not swallow it.
    """
    pairs: list[tuple[int, int]] = []
    stacks: dict[str, list[int]] = {}
    free: list[int] = []
    size = len(query)
    for i in quotes:
        ch = query[i]
        if ch != '"':
            family = _FAMILY[ch]
            if ch in _CLOSING:
                stacks.setdefault(family, []).append(i)
            elif stacks.get(family):
                pairs.append((stacks[family].pop(), i))
            continue
        glued_before = i > 0 and not query[i - 1].isspace()
        glued_after = i + 1 < size and not query[i + 1].isspace()
        stack = stacks.setdefault('"', [])
        if glued_before and (stack or not glued_after):
            if stack:
                pairs.append((stack.pop(), i))
        elif glued_after:
            stack.append(i)
        else:
            free.append(i)
    for opener in stacks.get('"', []):  # still open: the first free quote after it closes it
        closer = next((j for j in free if j > opener), None)
        if closer is not None:
            free.remove(closer)
            pairs.append((opener, closer))
    return pairs


def syntax(query: str) -> tuple[dict[int, int], set[int], list[int]]:
    """Which quotes and brackets of ``query`` are syntax.

    Returns the phrases (opening quote → closing quote), the positions of
    paired parentheses outside phrases, and the positions of the quotes and
    brackets that have no partner (text). Phrases never nest or cross: of
    two that would, the one starting first is kept.
    """
    found = [m.start() for m in _SYNTAX.finditer(query)]
    phrases: dict[int, int] = {}
    end = -1
    for start, close in sorted(_quote_pairs(query, [i for i in found if query[i] in _QUOTES])):
        if start > end:  # else inside a kept phrase, or crossing its end: its quotes are text
            phrases[start] = end = close
    spans = sorted(phrases.items())
    open_parens: list[int] = []
    parens: set[int] = set()
    stray: list[int] = []
    k = 0
    for i in found:
        while k < len(spans) and spans[k][1] < i:
            k += 1
        if k < len(spans) and spans[k][0] <= i:
            continue  # a phrase's quote, or text inside a phrase
        if query[i] == "(":
            open_parens.append(i)
        elif query[i] == ")" and open_parens:
            parens.update((open_parens.pop(), i))
        else:
            stray.append(i)
    stray.extend(open_parens)
    return phrases, parens, sorted(stray)


def _stray_notes(query: str, stray: list[int]) -> list[str]:
    counts: dict[str, int] = {}
    for i in stray:
        counts[query[i]] = counts.get(query[i], 0) + 1
    return [f"ignored an unmatched {ch}" if n == 1 else f"ignored {n} unmatched {ch}" for ch, n in counts.items()]


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch in _IN_WORDS


def _letter(ch: str) -> bool:
    return ch.isalpha() or ch in ARABIC_MARKS


def _number(text: str) -> float:
    return float(text.translate(_DIGITS))


# --- the lexer ---------------------------------------------------------------------


class _Lexer:
    def __init__(self, query: str, notes: list[str]) -> None:
        self.notes = notes
        self.phrases, _, stray = syntax(query)
        # Quotes and brackets without a partner are text: a space between
        # words (the analyzer would drop them anyway), so the words around them
        # stay words; inside a word, where no writer puts one, nothing at all,
        # so the word stays whole (هابس)بورگ is هابسبورگ): marked here with a
        # word joiner, which _word drops, so offsets into the query stay.
        chars = list(query)
        for i in stray:
            inside = 0 < i < len(query) - 1 and _in_word(query[i - 1]) and _in_word(query[i + 1])
            chars[i] = WORD_JOINER if inside else " "
        for dots in _ELLIPSIS.finditer(query):
            start, end = dots.span()
            if 0 < start and end < len(query) and _letter(query[start - 1]) and _letter(query[end]):
                chars[start:end] = WORD_JOINER * (end - start)
        self.query = "".join(chars)
        self.notes.extend(_stray_notes(query, stray))
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
                pos = self._phrase(m.end(), self.phrases[m.start()])
                continue
            if kind == "lparen":
                self.out.append(Lexeme(kind, "(", m.start(), m.end(), field=self.field))
                self.field = None
            elif kind == "rparen":
                pos = self._boosted(Lexeme(kind, ")", m.start(), m.end()), m.end())
                continue
            elif kind == "word":
                self._word(m.group(), m.start(), m.end())
            pos = m.end()
        return self.out

    def _boosted(self, lexeme: Lexeme, after: int) -> int:
        """Add ``lexeme`` with the ``^N`` that follows it, if any; returns where lexing goes on."""
        boost = _BOOST.match(self.query, after)
        if boost is not None:
            lexeme.boost = self._boost(boost.group(1), lexeme.text)
            after = boost.end()
        self.out.append(lexeme)
        return after

    def _boost(self, number: str, what: str) -> float:
        value = _number(number)
        if value <= 0:
            self.notes.append(f"ignored ^{number} after {what}: a boost is a number above 0")
            return 1.0
        return value

    def _phrase(self, start: int, end: int) -> int:
        """The phrase between ``start`` and its closing quote at ``end``, with its ``~N`` and ``^N``."""
        query = self.query
        body, after = query[start:end].replace(WORD_JOINER, ""), end + 1
        slop = _SLOP.match(query, after)
        suffix = slop.group() if slop else ""
        lexeme = Lexeme("phrase", body, start, end, field=self.field, suffix=suffix, plain=False)
        self.field = None
        return self._boosted(lexeme, slop.end() if slop else after)

    def _word(self, word: str, start: int, end: int) -> None:
        # A stray inside a word is dropped from its text (its offsets still span it),
        # so the analyzer sees the word as written: م)ی کنه is still the verb میکنه.
        word = word.replace(WORD_JOINER, "")
        if not word or self._operator(word, start, end):
            return
        negated = False
        if word[0] in "-+" and len(word) > 1:
            negated = word[0] == "-"
            word, start = word[1:], start + 1
            if word[0] in "-+":  # "--x": not an exclusion, the rest is text
                negated = False
                bare = word.lstrip("-+")
                start, word = start + len(word) - len(bare), bare
                if not word:
                    return
        if word[0] == "*" and word.strip("*"):
            bare = word.lstrip("*")
            self.notes.append(f"a leading * is not supported (no search by word endings): searched {bare}")
            start += len(word) - len(bare)
            word = bare
        # Dots are text: "کتاب*..." is still a prefix, and "می ...شود" is still one verb.
        dots = _TRAILING_DOTS.search(word) if self.field in _TEXT_FIELDS else None
        if dots is not None:
            word, end = word[:dots.start()], end - len(word) + dots.start()
        dots = _LEADING_DOTS.match(word) if self.field in _TEXT_FIELDS else None
        if dots is not None:
            word, start = word[dots.end():], start + dots.end()
        if not word:
            return
        suffix, boost = "", 1.0
        found = _SUFFIX.search(word)
        if found and found.start() > 0 and found.end() > found.start():
            if found.group("star"):
                suffix = "*"
            elif found.group("fuzzy") is not None:
                suffix = "~" + found.group("fuzzy")
            if found.group("boost"):
                boost = self._boost(found.group("boost"), word[:found.start()])
            word, end = word[: found.start()], end - (len(word) - found.start())
        lower_op = word.lower() in _LOWER_OPERATORS and not negated and self.field is None
        self.out.append(Lexeme("word", word, start, end, field=self.field, negated=negated, suffix=suffix,
                               plain=self.field is None and not suffix and boost == 1.0, boost=boost,
                               operator_word=lower_op))
        self.field = None

    def _operator(self, word: str, start: int, end: int) -> bool:
        """Take ``word`` if it is an operator (OR, AND, NOT) or a field with nothing after it."""
        if word.endswith(":") and word[:-1].lower() in FIELD_NAMES:
            self.notes.append(f"dropped {word} with nothing after it")
            return True
        kind = OPERATORS.get(word)
        if kind is None:
            return False
        if kind == "or" and self.out and self.out[-1].kind == "or":  # "a OR OR b" still means a OR b
            self.notes.append(f"dropped a repeated {word}")
        else:
            self.out.append(Lexeme(kind, word, start, end))
        return True


def lower_operators(lexemes: list[Lexeme]) -> list[Lexeme]:
    """The lower-case ``and``/``or``/``not`` words that stand where an operator would:
    between two items (``not`` also before the first), in a query with other words."""
    found = []
    for i, lexeme in enumerate(lexemes):
        if not lexeme.operator_word:
            continue
        before = i > 0 and lexemes[i - 1].kind in ("word", "phrase", "rparen")
        after = i + 1 < len(lexemes) and lexemes[i + 1].kind in ("word", "phrase", "lparen")
        if after and (before or lexeme.text.lower() == "not"):
            found.append(lexeme)
    return found


__all__ = ["Lexeme", "lex", "syntax", "lower_operators", "FIELD_NAMES", "OPERATORS"]
