"""Parse a user's query into a :mod:`persearch.querytree` and run it: ``search()``.

The query language (docs/query.md has the full story, with examples):

- plain words: ``کتاب فارسی`` — a document needs every word of up to three
  keywords, half of longer keyword lists (:func:`min_should_match`); a
  question (a question word, or a final ?) is ranked as a plain OR;
- ``"exact phrase"`` or ``«عبارت دقیق»``;
- ``OR`` between two items; ``NOT word`` or ``-word``; parentheses;
- ``title:word`` / ``body:word`` (also before a phrase or parentheses);
- ``word*`` prefix, ``word~`` fuzzy (``~1``/``~2`` edits), ``"a phrase"~2`` slop.

Every word goes through the index's analyzer, so whatever the analyzer folds
(Arabic/Persian letters and digits, ZWNJ, diacritics, compounds, stems) folds
here too. Persian punctuation (؟ ، ؛) is text, never an operator, and « » are
quotes. A malformed query never raises: quotes and parentheses are closed,
lone operators dropped, and what cannot be searched becomes ``MatchNone`` with
a message in :class:`Results`.

    >>> parse("«رئیس جمهور» OR وزیر -دولت", Analyzer()).node  # doctest: +SKIP
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .analysis.normalize import normalize_word
from .backends.base import BackendResults
from .highlight import Matcher, make_snippet, to_ansi, to_html, to_rich
from .querytree import And, AndNot, Fuzzy, MatchAll, MatchNone, Node, Or, Phrase, Prefix, Term

if TYPE_CHECKING:
    from .analysis import Analyzer

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
#: Field names a query may use, and what they mean.
FIELD_NAMES = {"title": "title", "body": "body", "text": "body"}

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
_SUFFIX = re.compile(r"(?:(?P<star>\*+)|~(?P<fuzzy>[0-9]?))$")


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


# --- lexing --------------------------------------------------------------------


@dataclass
class _Tok:
    kind: str  # word, phrase, lparen, rparen, or, and, not, minus-word, field
    text: str
    start: int
    end: int
    field: str | None = None
    negated: bool = False
    suffix: str = ""  # "*" or "~", "~1", "~2" on words; "~N" slop on phrases
    plain: bool = True


def _lex(query: str, notes: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    pending_field: str | None = None
    n = len(query)
    while pos < n:
        m = _LEXER.match(query, pos)
        if m is None:  # cannot happen: the alternatives cover every character
            pos += 1
            continue
        kind = m.lastgroup
        if kind == "space":
            pos = m.end()
            continue
        if kind == "field":
            name = m.group("field").lower()
            if name in FIELD_NAMES:
                pending_field = FIELD_NAMES[name]
                pos = m.end()
                continue
            kind = "word"  # "http:" and friends are text
            m = re.compile(r"[^\s()\"«»\u201c\u201d\u201e]+").match(query, pos)
            assert m is not None
        if kind == "quote":
            close = _OPEN_QUOTES[m.group()]
            end = query.find(close, m.end())
            if end == -1:
                notes.append("closed an unbalanced quote")
                body, after = query[m.end():], n
            else:
                body, after = query[m.end():end], end + 1
            slop = re.match(r"~([0-9]{1,2})", query[after:])
            suffix = ""
            if slop:
                suffix = slop.group()
                after += slop.end()
            toks.append(_Tok("phrase", body, m.end(), m.end() + len(body), field=pending_field, suffix=suffix))
            pending_field = None
            pos = after
            continue
        if kind == "stray":
            pos = m.end()
            continue
        if kind in ("lparen", "rparen"):
            toks.append(_Tok(kind, m.group(), m.start(), m.end(), field=pending_field if kind == "lparen" else None))
            pending_field = None if kind == "lparen" else pending_field
            pos = m.end()
            continue
        word = m.group()
        start, end = m.start(), m.end()
        pos = end
        if word in ("OR", "||"):
            if toks and toks[-1].kind == "or":  # "a OR OR b" still means a OR b
                notes.append(f"dropped a repeated {word}")
                continue
            toks.append(_Tok("or", word, start, end))
            continue
        if word.endswith(":") and word[:-1].lower() in FIELD_NAMES:
            notes.append(f"dropped {word} with nothing after it")
            continue
        if word in ("AND", "&&"):
            toks.append(_Tok("and", word, start, end))
            continue
        if word == "NOT":
            toks.append(_Tok("not", word, start, end))
            continue
        negated = False
        if word[0] in "-+" and len(word) > 1:
            negated = word[0] == "-"
            word, start = word[1:], start + 1
            if word[0] in "-+":  # "--x": treat the rest as text
                word = word.lstrip("-+")
                if not word:
                    continue
        suffix = ""
        sm = _SUFFIX.search(word)
        if sm and sm.start() > 0:
            suffix = "*" if sm.group("star") else "~" + sm.group("fuzzy")
            word, end = word[: sm.start()], start + sm.start()
        toks.append(_Tok("word", word, start, end, field=pending_field, negated=negated, suffix=suffix,
                         plain=pending_field is None and not suffix))
        pending_field = None
    return toks


# --- parsing -------------------------------------------------------------------


@dataclass
class Parsed:
    """A parsed query: the tree, what to highlight, and notes for the user."""

    node: Node
    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    fuzzy: set[tuple[str, int, int]] = field(default_factory=set)
    words: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (surface, terms) per plain word
    notes: list[str] = field(default_factory=list)
    natural: bool = False  # a question word or a final ?: a question, not keywords

    @property
    def message(self) -> str | None:
        notes = list(self.notes)
        if isinstance(self.node, MatchNone):
            notes.append(self.node.reason or "nothing to search for")
        return "; ".join(notes) or None

    def matcher(self, analyzer: "Analyzer") -> Matcher:
        """The highlighter for this query's positive terms."""
        return Matcher(analyzer, self.terms, self.prefixes, self.fuzzy)


@dataclass
class _Concept:
    """One thing a document should contain: a word, a phrase or a group."""

    node: Node
    stop: bool = False
    stop_terms: tuple[Any, ...] = ()  # for an all-stopword run: the phrase items


class _Parser:
    def __init__(self, toks: list[_Tok], analyzer: "Analyzer", mode: str, notes: list[str],
                 question: bool = False) -> None:
        self.toks = toks
        self.i = 0
        self.analyzer = analyzer
        self.mode = mode
        self.notes = notes
        self.parsed = Parsed(MatchNone(), natural=question)
        self.depth = 0

    # token helpers
    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.group(top=True)
        while self.peek() is not None:  # stray ")" at top level
            self.take()
            self.notes.append("dropped an unbalanced ')'")
            more = self.group(top=True)
            if not isinstance(more, MatchNone):
                node = more if isinstance(node, MatchNone) else And((node, more))
        return node

    def group(self, top: bool = False, field_name: str | None = None) -> Node:
        """A sequence of items combined by the default rule (or AND when written)."""
        positives: list[_Concept] = []
        negatives: list[Node] = []
        explicit_and = False
        run: list[_Tok] = []

        def flush() -> None:
            if run:
                positives.extend(self.words_run(run, field_name))
                run.clear()

        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.kind == "rparen":
                if top:
                    break
                break
            if tok.kind == "and":
                self.take()
                explicit_and = True
                continue
            if tok.kind == "or":
                self.take()
                self.notes.append("dropped a lone OR")
                continue
            negate = False
            if tok.kind == "not":
                self.take()
                negate = True
                tok = self.peek()
                if tok is None or tok.kind in ("rparen", "or", "and", "not"):
                    self.notes.append("dropped a lone NOT")
                    continue
            # An item followed by OR starts an alternation.
            item_tok = tok
            is_plain = (item_tok.kind == "word" and item_tok.plain and not item_tok.negated and not negate)
            next_is_or = self._after_item_is_or()
            if is_plain and not next_is_or:
                run.append(self.take())
                continue
            flush()
            negative = negate or (item_tok.kind == "word" and item_tok.negated)
            if negative:  # excluded words are not highlighted
                saved = (set(self.parsed.terms), set(self.parsed.prefixes), set(self.parsed.fuzzy))
            concept = self.alternation(field_name)
            if negative:
                self.parsed.terms, self.parsed.prefixes, self.parsed.fuzzy = saved
            if concept is None:
                continue
            if negative:
                negatives.append(concept.node)
            else:
                positives.append(concept)
        flush()
        return self.combine(positives, negatives, explicit_and)

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
            if nxt is None or nxt.kind in ("rparen", "or", "and", "not"):
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
            if self.peek() is not None and self.peek().kind == "rparen":  # type: ignore[union-attr]
                self.take()
            else:
                self.notes.append("closed an unbalanced '('")
            return None if isinstance(node, MatchNone) else _Concept(node)
        if tok.kind == "phrase":
            return self.phrase(tok.text, tok.field or field_name, tok.suffix)
        if tok.kind == "word":
            return self.word(tok, tok.field or field_name)
        return None

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

    def words_run(self, run: list[_Tok], field_name: str | None) -> list[_Concept]:
        """Consecutive plain words, analyzed as one text (so ``می خواهد`` is one word)."""
        for tok in run:  # per word, for spelling suggestions
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
                for part in parts:
                    self._record(part)
                node: Node = Or((Term(term, field_name), Phrase(parts, field_name))) if len(parts) > 1 \
                    else Term(term, field_name)
                out.append(_Concept(node))
                continue
            is_stop = all(self.analyzer.is_stopword(a) for a in alts)
            node = _alts_node(alts, field_name)
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
        for it in items:
            self._record(it)
        if len(items) == 1:
            it = items[0]
            return _Concept(_alts_node(it if isinstance(it, tuple) else (it,), field_name))
        slop = int(suffix[1:]) if suffix[1:] else 0
        return _Concept(Phrase(items, field_name, slop=min(slop, 10)))

    def word(self, tok: _Tok, field_name: str | None) -> _Concept | None:
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
                for it in items:
                    self._record(it)
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


def _item(alts: tuple[str, ...]) -> str | tuple[str, ...]:
    return alts[0] if len(alts) == 1 else alts


def _alts_node(alts: Sequence[str], field_name: str | None) -> Node:
    if len(alts) == 1:
        return Term(alts[0], field_name)
    return Or(tuple(Term(a, field_name) for a in alts))


def parse(query: str, analyzer: "Analyzer", mode: str = "auto") -> Parsed:
    """Parse ``query`` with ``analyzer``; never raises.

    >>> from persearch import Analyzer
    >>> parse("كتاب‌ها", Analyzer()).node
    Term(text='کتاب', field=None, boost=1.0)
    """
    if mode not in MODES:
        from .errors import InvalidOption

        raise InvalidOption(f"unknown query mode {mode!r}: use one of {', '.join(MODES)}")
    notes: list[str] = []
    if not isinstance(query, str):
        query = str(query)
    if len(query) > MAX_QUERY_CHARS:
        cut = query.rfind(" ", 0, MAX_QUERY_CHARS)
        query = query[: cut if cut > 0 else MAX_QUERY_CHARS]
        notes.append(f"the query was cut to its first {len(query)} characters")
    toks = _lex(query, notes)
    parser = _Parser(toks, analyzer, mode, notes, question=query.rstrip().endswith(("?", "؟")))
    node = parser.parse()
    parsed = parser.parsed
    parsed.node = node
    parsed.notes = notes
    if isinstance(node, MatchNone) and not node.reason:
        parsed.node = MatchNone("the query has no searchable words")
    return parsed


# --- results -------------------------------------------------------------------


@dataclass
class Hit:
    """One ranked document with its snippet.

    ``snippet[s:e]`` for ``(s, e)`` in ``highlights`` and ``stored_text[s:e]``
    for ``(s, e)`` in ``matches`` are the matched words (Python str offsets).
    """

    id: str
    path: str
    title: str
    score: float
    rank: int
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    matches: list[tuple[int, int]] = field(default_factory=list)
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_html(self) -> str:
        """The snippet as HTML: matches in ``<mark>``, everything else escaped."""
        return to_html(self.snippet, self.highlights)

    def to_ansi(self) -> str:
        """The snippet with ANSI bold-yellow highlights (for terminals)."""
        return to_ansi(self.snippet, self.highlights)

    def to_rich(self, style: str = "bold yellow") -> str:
        """The snippet as rich console markup (rich itself is not imported)."""
        return to_rich(self.snippet, self.highlights, style)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (offsets as ``[start, end]`` lists)."""
        return {
            "id": self.id, "path": self.path, "title": self.title, "score": self.score, "rank": self.rank,
            "snippet": self.snippet, "highlights": [list(h) for h in self.highlights],
            "matches": [list(m) for m in self.matches],
        }


@dataclass
class Results:
    """One page of ranked hits: ``Results.total`` counts every matching document."""

    query: str
    page: int
    limit: int
    hits: list[Hit]
    suggestion: str | None = None
    message: str | None = None
    elapsed: float = 0.0
    search_time: float = 0.0
    snippet_time: float = 0.0
    #: The backend's answer; its total is counted on first use of :attr:`total`.
    found: BackendResults = field(default_factory=lambda: BackendResults(0, []), repr=False)
    #: Set when part of the index did not answer (a Sphinx node down): which, and what share.
    partial: dict[str, Any] | None = None

    @property
    def total(self) -> int:
        """Every document matching the query (not just this page)."""
        return self.found.total

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def pages(self) -> int:
        """Number of pages of ``limit`` hits."""
        return math.ceil(self.total / self.limit) if self.limit > 0 else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "total": self.total, "page": self.page, "limit": self.limit,
            "suggestion": self.suggestion, "message": self.message, "elapsed": self.elapsed,
            **({"partial": self.partial} if self.partial else {}),
            "hits": [h.to_dict() for h in self.hits],
        }


def _restrict(node: Node, fields: Sequence[str] | None) -> Node:
    """Apply ``fields=`` to nodes that use the default fields."""
    if not fields:
        return node
    names = {FIELD_NAMES.get(f, f) for f in fields}
    if names >= {"title", "body"}:
        return node
    if len(names) != 1 or not names <= {"title", "body"}:
        from .errors import InvalidOption

        raise InvalidOption(f"unknown search fields {sorted(fields)}: use 'title' and/or 'body'")
    (name,) = names
    return _set_field(node, name)


def _set_field(node: Node, name: str) -> Node:
    if isinstance(node, (Term, Phrase, Prefix, Fuzzy)):
        if node.field is None:
            return type(node)(**{**node.__dict__, "field": name})  # type: ignore[arg-type]
        return node
    if isinstance(node, And):
        return And(tuple(_set_field(c, name) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_set_field(c, name) for c in node.children), node.min_match)
    if isinstance(node, AndNot):
        return AndNot(_set_field(node.positive, name), _set_field(node.negative, name))
    return node


def _run(index: Any, node: Node, limit: int, offset: int, filters: dict[str, Any]) -> BackendResults:
    return index.backend.search(node, limit=limit, offset=offset, filters=filters or None)


def _relaxed(node: Node) -> Node | None:
    """The OR form of a default plain-word query, for the fill."""
    if isinstance(node, And) and len(node.children) > 1:
        return Or(node.children, min_match=1)
    if isinstance(node, Or) and node.min_match > 1:
        return Or(node.children, min_match=1)
    if isinstance(node, AndNot):
        inner = _relaxed(node.positive)
        return AndNot(inner, node.negative) if inner is not None else None
    return None


def execute(index: Any, parsed: Parsed, limit: int, offset: int, filters: dict[str, Any],
            fallback: bool = True) -> BackendResults:
    """Run a parsed query: this page's hits, and the total (counted only when read).

    When keywords (every word / most words) find nothing, the documents
    matching *any* word are returned instead, so a query never comes back
    empty for want of one word. Documents with fewer words are not appended
    to a non-empty answer: its users asked for every word, and ranking the
    any-word matches of common words costs more than the search itself.
    """
    return _execute(index, parsed, limit, offset, filters, fallback)[0]


def _execute(index: Any, parsed: Parsed, limit: int, offset: int, filters: dict[str, Any],
             fallback: bool) -> tuple[BackendResults, bool]:
    """:func:`execute`, and whether the any-word fallback answered."""
    first = _run(index, parsed.node, limit, offset, filters)
    relaxed = _relaxed(parsed.node) if fallback else None
    if relaxed is None or first.at_least(1):
        return first, False
    return _run(index, relaxed, limit, offset, filters), True


def search(index: Any, query: str, limit: int = 10, page: int = 1, fields: Sequence[str] | None = None, *,
           snippet_length: int = 160, fragments: int = 2, snippets: bool = True, mode: str = "auto",
           fallback: bool = True, suggest: bool = True, **filters: Any) -> Results:
    """Search ``index`` and return one page of ranked, highlighted hits.

    >>> index.search("رئیس‌جمهوری", limit=5).hits[0].snippet  # doctest: +SKIP
    '… گفت‌وگوی رئیس‌جمهوری با …'
    """
    started = time.perf_counter()
    limit = max(0, int(limit))
    page = max(1, int(page))
    analyzer = index.analyzer
    parsed = parse(query, analyzer, mode)
    node = _restrict(parsed.node, fields)
    parsed.node = node
    results = Results(query=query, page=page, limit=limit, hits=[], message=parsed.message)
    if isinstance(node, MatchNone):
        results.elapsed = time.perf_counter() - started
        return results
    offset = (page - 1) * limit
    fallback = fallback and mode == "auto"
    found, relaxed = _execute(index, parsed, limit, offset, filters, fallback)
    # Few hits, or none with every word (the any-word fallback answered): a
    # typo is the likely cause. The test depends on the total, not the page,
    # so every page of one query makes the same choice.
    if suggest and (relaxed or not found.at_least(max(limit, 1))):
        from .suggest import suggest_for

        # Where the fallback found documents, only one word corrected by one
        # edit replaces them: right words the index lacks (پنگوئن, هاکی) would
        # otherwise be swapped for neighbours (سنگین, هادی).
        answered = relaxed and found.total > 0
        alternative = suggest_for(index, query, parsed, 0 if relaxed else found.total, filters, mode,
                                  search_edits=1 if answered else 2, search_words=1 if answered else None)
        if alternative is not None:
            results.suggestion = alternative.query
            if alternative.parsed is not None:
                other, other_relaxed = _execute(index, alternative.parsed, limit, offset, filters, fallback)
                # Any-word matches of the correction are no better than the typed query's.
                if not (relaxed and other_relaxed and found.total > 0):
                    parsed, found, relaxed = alternative.parsed, other, other_relaxed
    if relaxed and found.total > 0:
        note = "no document has every word: these have some of them"
        results.message = f"{results.message}; {note}" if results.message else note
    if found.partial:  # a node did not answer: say so, with the share of the index it holds
        results.partial = found.partial
        note = found.partial["message"]
        results.message = f"{results.message}; {note}" if results.message else note
    searched = time.perf_counter()
    results.found = found
    results.hits = _hits(index, parsed, found.hits, offset, snippets, snippet_length, fragments)
    finished = time.perf_counter()
    results.search_time = searched - started
    results.snippet_time = finished - searched
    results.elapsed = finished - started
    return results


def _hits(index: Any, parsed: Parsed, stored_hits: Iterable[Any], offset: int, snippets: bool,
          snippet_length: int, fragments: int) -> list[Hit]:
    matcher = parsed.matcher(index.analyzer) if snippets else None
    hits = []
    for rank, sh in enumerate(stored_hits, offset + 1):
        f = sh.fields or {}
        title = f.get("title") or ""
        hit = Hit(id=sh.id, path=f.get("path") or "", title=title, score=float(sh.score), rank=rank, fields=f)
        if matcher is not None:
            text = sh.text
            found = matcher.find(text, stored=sh.stored_tokens(1))
            hit.matches = [(s, e) for s, e, _ in found]
            snip = make_snippet(text, found, length=snippet_length, fragments=fragments)
            hit.snippet, hit.highlights = snip.text, snip.highlights
            if title:
                hit.title_highlights = matcher.spans(title, stored=sh.stored_tokens(0))
        hits.append(hit)
    return hits


__all__ = ["search", "parse", "Parsed", "Results", "Hit", "min_should_match", "execute"]
