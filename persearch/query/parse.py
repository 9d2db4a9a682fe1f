"""Parse a user's query into a :mod:`persearch.querytree`, with what to highlight.

The query language (docs/query.md has the full story, with examples):

- plain words: ``کتاب فارسی`` — a document needs every word of up to three
  keywords, half of longer keyword lists (:func:`min_should_match`); a
  question (a question word, or a final ?) is ranked as a plain OR;
- ``"exact phrase"`` or ``«عبارت دقیق»``;
- ``OR`` between two items; ``NOT word`` or ``-word``; parentheses;
- ``title:word`` / ``body:word`` (also before a phrase or parentheses);
- ``word*`` prefix, ``word~`` fuzzy (``~1``/``~2`` edits), ``"a phrase"~2`` slop;
- ``word^2``, ``"a phrase"^2``, ``(group)^2`` boosts.

The lexer (:mod:`persearch.query.lexer`) cuts the text; every word then goes
through the index's analyzer, so whatever the analyzer folds (Arabic/Persian
letters and digits, ZWNJ, diacritics, compounds, stems) folds here too. A
malformed query never raises: a quote or bracket without its partner is
text, lone operators are dropped, and what cannot be searched becomes
``MatchNone`` with a message (:attr:`Parsed.message`).

    >>> parse("«رئیس جمهور» OR وزیر -دولت", Analyzer()).node  # doctest: +SKIP
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence

from ..analysis.normalize import normalize_word
from ..errors import InvalidOption
from ..highlight import Matcher
from ..querytree import And, AndNot, Fuzzy, MatchAll, MatchNone, Node, Or, Phrase, Prefix, Term
from .lexer import ENDS_ITEM, Lexeme, lex, lower_operators

if TYPE_CHECKING:
    from ..analysis import Analyzer

#: Longest query text looked at; the rest is dropped (with a message).
MAX_QUERY_CHARS = 2000
#: Most query words (concepts) kept from one query.
MAX_CONCEPTS = 64
#: Plain-word queries of up to this many words need every word.
ALL_WORDS_UP_TO = 3
#: Longer queries need this fraction of their words (rounded up), at least ALL_WORDS_UP_TO.
MIN_MATCH_FRACTION = 0.5
#: Default semantics accepted by ``search(mode=...)``: "auto" = questions as OR,
#: keywords by min-should-match, then any word when that finds nothing;
#: "minmatch" without that fallback; "and"; "or".
MODES = ("auto", "and", "or", "minmatch")
#: Words that make a query a question (ranked as OR, see combine); they are
#: stopwords too, so the analyzer drops them from the terms.
QUESTION_WORDS = frozenset(normalize_word(w) for w in (
    "آیا چرا چه چی چیست چگونه چطور چقدر چند چندم کجا کجاست کدام کدامیک کدامند کی کیست کیانند"
).split())


def min_should_match(n: int, mode: str = "auto") -> int:
    """How many of ``n`` plain words a document needs.

    ``min_should_match(2) == 2`` (up to three keywords: all of them),
    ``min_should_match(8) == 4`` (longer lists: half, at least three).
    """
    if n <= 1 or mode == "and":
        return n
    if mode == "or":
        return 1
    if n <= ALL_WORDS_UP_TO:
        return n
    return max(ALL_WORDS_UP_TO, math.ceil(n * MIN_MATCH_FRACTION))


@dataclass
class Parsed:
    """A parsed query: the tree, what to highlight, and notes for the user."""

    node: Node
    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    fuzzy: set[tuple[str, int, int]] = field(default_factory=set)
    #: Phrases to highlight where their words stand in a row: per position its alternatives, and the slop.
    phrases: set[tuple[tuple[tuple[str, ...], ...], int]] = field(default_factory=set)
    words: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (surface, terms) per plain word
    notes: list[str] = field(default_factory=list)
    natural: bool = False  # a question word or a final ?: a question, not keywords
    #: The query with lower-case and/or/not written as operators, when it had such words.
    operators: str | None = None

    @property
    def message(self) -> str | None:
        notes = list(self.notes)
        if isinstance(self.node, MatchNone):
            notes.append(self.node.reason or "nothing to search for")
        return "; ".join(notes) or None

    def matcher(self, analyzer: "Analyzer") -> Matcher:
        """The highlighter for this query's positive terms and phrases."""
        return Matcher(analyzer, self.terms, self.prefixes, self.fuzzy, self.phrases)


@dataclass
class _Concept:
    """One thing a document should contain: a word, a phrase or a group."""

    node: Node
    stop: bool = False
    stop_terms: tuple[Any, ...] = ()  # for an all-stopword run: the phrase items


class _Parser:
    def __init__(self, lexemes: list[Lexeme], analyzer: "Analyzer", mode: str, notes: list[str],
                 question: bool = False) -> None:
        self.toks = lexemes
        self.i = 0
        self.analyzer = analyzer
        self.mode = mode
        self.notes = notes
        self.parsed = Parsed(MatchNone(), natural=question)
        self.depth = 0

    # token helpers
    def peek(self) -> Lexeme | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Lexeme:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.group()
        while self.peek() is not None:  # stray ")" at top level
            self.take()
            self.notes.append("dropped an unbalanced ')'")
            more = self.group()
            if not isinstance(more, MatchNone):
                node = more if isinstance(node, MatchNone) else And((node, more))
        return node

    def group(self, field_name: str | None = None) -> Node:
        """Items up to a ``)`` or the end, combined by the default rule (or AND when written)."""
        positives: list[_Concept] = []
        negatives: list[Node] = []
        explicit_and = False
        run: list[Lexeme] = []  # plain words in a row, analyzed together (words_run)
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            if tok.kind in ("and", "or"):
                self.take()
                if tok.kind == "and":
                    explicit_and = True
                else:  # an OR after an item belongs to alternation(): this one has none before it
                    self.notes.append("dropped a lone OR")
                continue
            negate = tok.kind == "not"
            if negate and not self._take_not():
                continue
            if self._plain_word_next(negate):
                run.append(self.take())
                continue
            positives.extend(self._flush(run, field_name))
            if negate or self._negated_word_next():
                excluded = self._excluded(field_name)
                if excluded is not None:
                    negatives.append(excluded)
            else:
                concept = self.alternation(field_name)
                if concept is not None:
                    positives.append(concept)
        positives.extend(self._flush(run, field_name))
        return self.combine(positives, negatives, explicit_and)

    def _take_not(self) -> bool:
        """Take a NOT; whether an item follows it (else it is dropped, with a note)."""
        self.take()
        following = self.peek()
        if following is None or following.kind in ENDS_ITEM:
            self.notes.append("dropped a lone NOT")
            return False
        return True

    def _plain_word_next(self, negated: bool) -> bool:
        """Whether a plain word is next that joins the current run (no NOT, no OR after it)."""
        tok = self.toks[self.i]
        return tok.kind == "word" and tok.plain and not tok.negated and not negated and not self._after_item_is_or()

    def _negated_word_next(self) -> bool:
        tok = self.toks[self.i]
        return tok.kind == "word" and tok.negated

    def _flush(self, run: list[Lexeme], field_name: str | None) -> list[_Concept]:
        """The concepts of a run of plain words, which is emptied."""
        if not run:
            return []
        concepts = self.words_run(run, field_name)
        run.clear()
        return concepts

    def _excluded(self, field_name: str | None) -> Node | None:
        """An excluded item (``NOT x``, ``-x``): searched against, never highlighted."""
        parsed = self.parsed
        saved = (set(parsed.terms), set(parsed.prefixes), set(parsed.fuzzy), set(parsed.phrases))
        concept = self.alternation(field_name)
        parsed.terms, parsed.prefixes, parsed.fuzzy, parsed.phrases = saved
        return None if concept is None else concept.node

    def _after_item_is_or(self) -> bool:
        """Whether the item starting at the cursor is followed by OR."""
        j = self.i
        tok = self.toks[j]
        if tok.kind == "lparen":
            depth = 0
            while j < len(self.toks):
                kind = self.toks[j].kind
                depth += kind == "lparen"
                depth -= kind == "rparen"
                j += 1
                if depth == 0:
                    break
        else:
            j += 1
        return j < len(self.toks) and self.toks[j].kind == "or"

    def alternation(self, field_name: str | None) -> _Concept | None:
        """``item (OR item)*``: an Or of the items (each one concept)."""
        items: list[_Concept] = []
        first = self.item(field_name)
        if first is not None:
            items.append(first)
        while self.peek() is not None and self.peek().kind == "or":  # type: ignore[union-attr]
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ENDS_ITEM:
                self.notes.append("dropped a lone OR")
                break
            item = self.item(field_name)
            if item is not None:
                items.append(item)
        items = [c for c in items if not isinstance(c.node, MatchNone)]
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return _Concept(Or(tuple(c.node for c in items)))

    def item(self, field_name: str | None) -> _Concept | None:
        tok = self.take()
        if tok.kind == "lparen":
            self.depth += 1
            node = self.group(field_name=tok.field or field_name)
            self.depth -= 1
            boost = 1.0
            if self.peek() is not None and self.peek().kind == "rparen":  # type: ignore[union-attr]
                boost = self.take().boost  # the lexer pairs every bracket it keeps
            return None if isinstance(node, MatchNone) else _Concept(_boosted(node, boost))
        if tok.kind == "phrase":
            concept = self.phrase(tok.text, tok.field or field_name, tok.suffix)
        elif tok.kind == "word":
            concept = self.word(tok, tok.field or field_name)
        else:
            return None
        if concept is not None and tok.boost != 1.0:
            concept.node = _boosted(concept.node, tok.boost)
        return concept

    # -- leaves -----------------------------------------------------------------
    def _slots(self, text: str) -> tuple[list[tuple[str, ...]], list[tuple[int, int, str]]]:
        """Analyze ``text``: alternatives per position, and joined compounds (pos, length, term)."""
        by_pos: dict[int, list[str]] = {}
        joined: list[tuple[int, int, str]] = []
        for t in self.analyzer.tokens(text, keep_stopwords=True):
            if t.length > 1:
                joined.append((t.position, t.length, t.text))
            else:
                alts = by_pos.setdefault(t.position, [])
                if t.text not in alts:
                    alts.append(t.text)
        if not by_pos:
            return [], joined
        first, last = min(by_pos), max(by_pos)
        slots = [tuple(by_pos.get(p, ())) for p in range(first, last + 1)]
        joined = [(p - first, k, term) for p, k, term in joined]
        return [s for s in slots], joined

    def _record(self, item: str | tuple[str, ...]) -> None:
        if isinstance(item, tuple):
            self.parsed.terms.update(item)
        else:
            self.parsed.terms.add(item)

    def _record_phrase(self, items: tuple[str | tuple[str, ...], ...], slop: int = 0) -> None:
        """Highlight ``items`` where they stand in a row (a lone word of them is not the match)."""
        if len(items) == 1:
            self._record(items[0])
        else:
            self.parsed.phrases.add((tuple(it if isinstance(it, tuple) else (it,) for it in items), slop))

    def words_run(self, run: list[Lexeme], field_name: str | None) -> list[_Concept]:
        """Consecutive plain words, analyzed as one text (so ``می خواهد`` is one word)."""
        for tok in run:  # per word, for spelling suggestions (not a lower-case operator: see parse)
            if not tok.operator_word:
                self.parsed.words.append((tok.text, tuple(self.analyzer.terms(tok.text))))
        slots, joined = self._slots(" ".join(tok.text for tok in run))
        return self._concepts(slots, joined, field_name)

    def _concepts(self, slots: list[tuple[str, ...]], joined: list[tuple[int, int, str]],
                  field_name: str | None) -> list[_Concept]:
        out: list[_Concept] = []
        covered: set[int] = set()
        starts = {p: (k, term) for p, k, term in joined}
        for p, alts in enumerate(slots):
            if p in covered or not alts:
                continue
            if p in starts:
                k, term = starts[p]
                parts = tuple(_item(s) for s in slots[p:p + k] if s)
                covered.update(range(p, p + k))
                self.parsed.terms.add(term)
                self._record_phrase(parts)  # its parts count where they stand together
                node: Node = Or((Term(term, field_name), Phrase(parts, field_name))) if len(parts) > 1 \
                    else Term(term, field_name)
                out.append(_Concept(node))
                continue
            is_stop = all(self.analyzer.is_stopword(a) for a in alts)
            node = _alts_node(alts, field_name, self.analyzer.weights(alts))
            if not is_stop:
                self._record(alts)
            out.append(_Concept(node, stop=is_stop, stop_terms=(_item(alts),)))
        return out

    def phrase(self, text: str, field_name: str | None, suffix: str) -> _Concept | None:
        slots, _ = self._slots(text)
        items = tuple(_item(s) for s in slots if s)
        if not items:
            if text.strip():
                self.notes.append(f"the phrase «{text.strip()}» has no searchable words")
            return None
        slop = min(int(suffix[1:]) if suffix[1:] else 0, 10)
        self._record_phrase(items, slop)
        if len(items) == 1:
            it = items[0]
            alts = it if isinstance(it, tuple) else (it,)
            return _Concept(_alts_node(alts, field_name, self.analyzer.weights(alts)))
        return _Concept(Phrase(items, field_name, slop=slop))

    def word(self, tok: Lexeme, field_name: str | None) -> _Concept | None:
        text = tok.text
        if tok.suffix == "*":
            prefix = self.analyzer.normalize(text)
            prefix = re.sub(r"\W+", "", prefix)
            if len(prefix) < 2:
                self.notes.append(f"prefix «{text}*» is too short (2 letters at least); searched as a word")
            else:
                self.parsed.prefixes.add(prefix)
                return _Concept(Prefix(prefix, field_name))
        if tok.suffix.startswith("~"):
            tokens = list(self.analyzer.tokens(text, keep_stopwords=True))
            if tokens:
                # The whole word (a compound's joined term), not its first part.
                term = max(tokens, key=lambda t: (t.position == tokens[0].position, t.length)).text
                asked = int(tok.suffix[1:]) if tok.suffix[1:] else 1
                distance = max(1, min(2, asked))
                if distance != asked:
                    self.notes.append(f"{text}~{asked} searched as {text}~{distance} (1 or 2 edits)")
                self.parsed.fuzzy.add((term, distance, 1))
                return _Concept(Fuzzy(term, distance, field_name, prefix_length=1))
        slots, joined = self._slots(text)
        concepts = self._concepts(slots, joined, field_name)
        if not concepts:
            return None
        if len(concepts) == 1:
            c = concepts[0]
            if c.stop:
                self._record(c.stop_terms[0])
            return c
        # A word that analyzes to several (e.g. "کتاب،دفتر"): all of them, as a phrase-like group.
        for c in concepts:
            if c.stop:
                self._record(c.stop_terms[0])
        return _Concept(And(tuple(c.node for c in concepts)))

    # -- combining --------------------------------------------------------------
    def combine(self, positives: list[_Concept], negatives: list[Node], explicit_and: bool) -> Node:
        content = [c for c in positives if not c.stop]
        stops = [c for c in positives if c.stop]
        if stops and self.analyzer.stopwords:
            if content:
                positives = content
                if any(item in QUESTION_WORDS for c in stops for item in c.stop_terms):
                    self.parsed.natural = True
            else:
                # Only stopwords: search them as written, as one phrase.
                items = tuple(it for c in stops for it in c.stop_terms)
                self._record_phrase(items)
                node = Phrase(items, stops[0].node.field) if len(items) > 1 else stops[0].node  # type: ignore[union-attr]
                positives = [_Concept(node)]
        else:
            for c in stops:
                self._record(c.stop_terms[0])
        unique: dict[Node, _Concept] = {}
        for c in positives:  # a repeated word counts once
            unique.setdefault(c.node, c)
        positives = list(unique.values())
        if len(positives) > MAX_CONCEPTS:
            self.notes.append(f"used the first {MAX_CONCEPTS} words of a long query")
            positives = positives[:MAX_CONCEPTS]
        nodes = tuple(c.node for c in positives)
        if not nodes:
            positive: Node = MatchAll() if negatives else MatchNone("the query has no searchable words")
        elif len(nodes) == 1:
            positive = nodes[0]
        elif explicit_and:
            positive = And(nodes)
        else:
            # A question (a question word, or a final ?) is ranked as a plain OR:
            # BM25 already puts passages with more of its words first, and a
            # min-match cut-off there loses answers (docs/query.md, evaluation).
            mode = "or" if self.mode == "auto" and self.parsed.natural else self.mode
            need = min_should_match(len(nodes), mode)
            positive = And(nodes) if need >= len(nodes) else Or(nodes, min_match=need)
        if negatives:
            if isinstance(positive, MatchNone):
                return positive
            negative = negatives[0] if len(negatives) == 1 else Or(tuple(negatives))
            return AndNot(positive, negative)
        return positive


def _boosted(node: Node, boost: float) -> Node:
    """``node`` with every leaf's boost multiplied by ``boost`` (``word^2``, ``(group)^2``)."""
    if boost == 1.0:
        return node
    if isinstance(node, (Term, Phrase, Prefix, Fuzzy)):
        return replace(node, boost=node.boost * boost)
    if isinstance(node, And):
        return And(tuple(_boosted(c, boost) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_boosted(c, boost) for c in node.children), node.min_match)
    if isinstance(node, AndNot):
        return AndNot(_boosted(node.positive, boost), node.negative)
    return node


#: What may end a question after its question mark: spaces, dots, quotes and brackets.
_AFTER_QUESTION = re.compile(r'[\s.…"«»\u201c\u201d\u201e()]+$')


def _item(alts: tuple[str, ...]) -> str | tuple[str, ...]:
    return alts[0] if len(alts) == 1 else alts


def _alts_node(alts: Sequence[str], field_name: str | None, weights: Sequence[float] = ()) -> Node:
    if len(alts) == 1:
        return Term(alts[0], field_name)
    # A conflated form (a verb's bare form, a plural's singular) weighs less than the word itself.
    return Or(tuple(Term(a, field_name, boost=w) for a, w in zip(alts, weights or [1.0] * len(alts))))


def parse(query: str, analyzer: "Analyzer", mode: str = "auto") -> Parsed:
    """Parse ``query`` with ``analyzer``; never raises.

    >>> from persearch import Analyzer
    >>> parse("كتاب‌ها", Analyzer()).node
    Term(text='کتاب', field=None, boost=1.0)
    """
    if mode not in MODES:
        raise InvalidOption(f"unknown query mode {mode}: use one of {', '.join(MODES)}")
    notes: list[str] = []
    if not isinstance(query, str):
        query = str(query)
    if len(query) > MAX_QUERY_CHARS:
        cut = query.rfind(" ", 0, MAX_QUERY_CHARS)
        query = query[: cut if cut > 0 else MAX_QUERY_CHARS]
        notes.append(f"the query was cut to its first {len(query)} characters")
    lexemes = lex(query, notes)
    question = _AFTER_QUESTION.sub("", query).endswith(("?", "؟"))
    operators = lower_operators(lexemes)
    chosen = {id(lexeme) for lexeme in operators}
    for lexeme in lexemes:
        lexeme.operator_word = id(lexeme) in chosen
    for word in dict.fromkeys(lexeme.text for lexeme in operators):
        notes.append(f'searched "{word}" as a word; the operator is {word.upper()}, in capitals')
    parser = _Parser(lexemes, analyzer, mode, notes, question=question)
    node = parser.parse()
    parsed = parser.parsed
    if operators:
        parsed.operators = _with_operators(query, operators)
    parsed.node = node
    parsed.notes = notes
    if isinstance(node, MatchNone) and not node.reason:
        parsed.node = MatchNone("the query has no searchable words")
    return parsed


def _with_operators(query: str, words: list[Lexeme]) -> str:
    """``query`` with the lower-case operator ``words`` in capitals."""
    out, at = [], 0
    for word in words:
        out += [query[at:word.start], word.text.upper()]
        at = word.end
    out.append(query[at:])
    return "".join(out)


__all__ = ["parse", "Parsed", "min_should_match", "MODES"]
