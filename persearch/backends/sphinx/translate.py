"""A persearch query tree as a Sphinx extended-syntax MATCH string.

Every word in the string is a term persearch's analyzer produced, passed
through :func:`~.documents.sphinx_term` (so it holds no operator character),
or a hashed filter word; every operator is written here. No text a user
typed reaches the string unanalyzed, and the string itself goes to Sphinx
as a bound parameter.

What Sphinx cannot do is done on this side:

- a term is looked for at its positions (``title``, ``body``) and among the
  terms stacked on another's position (``tstack``, ``bstack``, :mod:`.documents`):
  ``@(title,body,tstack,bstack) مساله``; inside a phrase, a stacked term is
  widened to what it stands over (``"مساله انرژی"`` → ``("مساله انرژی" |
  "مسیله انرژی")``), positions being only in title and body;
- prefixes and fuzzy terms (``کتاب*``, ``کتاب~``) reach the terms
  persearch.expand's rules reach in persearch's own term dictionary, as on
  the other backends (Sphinx has no fuzzy operator; a prefix a Sphinx word
  can hold is also Sphinx's own ``word*``);
- alternatives inside a phrase become alternative phrases;
- "at least k of n" (Sphinx's quorum takes single words only) becomes the
  OR of every k-subset while there are few, else the quorum of each
  child's first word;
- a query of only NOT runs against the term every document holds in its
  ``every`` field.

    >>> Translator(store).match(Phrase(("رییس", "جمهوری")))     # doctest: +SKIP
    '(@(title,body) "رییس جمهوری")'
    >>> Translator(store).match(Term("مساله"))                  # doctest: +SKIP
    '(@(title,body,tstack,bstack) مساله)'
"""
from __future__ import annotations

import itertools
from math import comb
from typing import TYPE_CHECKING, Any, Sequence

from ... import querytree as qt
from ...errors import InvalidOption
from ...expand import Reached, reach
from ..base import FILTER_FIELDS, SEARCH_FIELDS
from .config import EVERY_TERM
from .documents import filter_term, sphinx_term
from .store import FIELD_NUMBERS, Store

if TYPE_CHECKING:
    from ...values.filters import Filter

#: A prefix that is no Sphinx word expands into at most this many of its terms (the most frequent).
MAX_EXPANSION = 128
#: At most this many alternative phrases for a phrase with alternatives.
MAX_PHRASE_COMBINATIONS = 16
#: "k of n" becomes the OR of the k-subsets while there are at most this many.
MAX_SUBSETS = 70
#: Marks "every document": a full scan, or the ``every`` term inside a query.
ALL = object()
#: The fields a term is looked for in (its positions, and the stacked terms), and a phrase.
_FIELD_LIMIT = {None: "@(title,body,tstack,bstack)", "title": "@(title,tstack)", "body": "@(body,bstack)"}
_POSITIONAL = {None: "@(title,body)", "title": "@title", "body": "@body"}


class Translator:
    """Translates query trees for one index; its store widens stacked terms."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._expansions: dict[str, list[str]] = {}
        self._reached: dict[tuple[object, ...], list[Reached]] = {}
        self._best = False
        #: Document frequencies the ranking looked up, per (field, term): valid until the next commit.
        self.df_cache: dict[tuple[int, str], int] = {}

    def terms(self, field: str, prefix: str = "") -> list[tuple[str, int]]:
        """``(term, df)`` of a search field beginning with ``prefix`` (the store's dictionary)."""
        return self.store.terms(FIELD_NUMBERS[field], prefix) if field in FIELD_NUMBERS else []

    def reach(self, node: qt.Prefix | qt.Fuzzy, field: str) -> list[Reached]:
        """What a prefix or fuzzy term reaches in ``field``, remembered until the next commit."""
        return reach(node, field, self.terms, self._reached)

    def match(self, node: qt.Node, *, best: bool = False) -> Any:
        """The MATCH string for ``node``; None when it matches nothing, :data:`ALL` for every document.

        ``best``: prefixes and fuzzy terms reach only their best tier's terms (the word
        itself, or one edit away): what the ranking puts first, for the candidates (:mod:`.search`).
        """
        if isinstance(node, qt.MatchAll):
            return ALL
        self._best = best
        try:
            return self._node(node)
        finally:
            self._best = False

    # -- nodes ------------------------------------------------------------------------
    def _node(self, node: qt.Node) -> str | None:
        if isinstance(node, qt.Term):
            if node.field in FILTER_FIELDS:  # id:..., path:...: the stored value itself
                return f"(@filt {filter_term(node.field, node.text)})"
            return self._leaf(node.field, sphinx_term(node.text))
        if isinstance(node, qt.Prefix):
            return self._leaf(node.field, self._prefix(node))
        if isinstance(node, qt.Fuzzy):
            return self._leaf(node.field, self._fuzzy(node))
        if isinstance(node, qt.Phrase):
            if len(node.terms) == 1:  # one position: its alternatives, each a term
                item = node.terms[0]
                return self._leaf(node.field, _one_of(list(map(sphinx_term, (item,) if isinstance(item, str)
                                                               else item))))
            return self._leaf(node.field, self._phrase(node), positions=True)
        if isinstance(node, qt.And):
            parts = [self._node(c) for c in node.children]
            if not parts or any(p is None for p in parts):
                return None
            return "(" + " ".join(parts) + ")"  # type: ignore[arg-type]
        if isinstance(node, qt.Or):
            return self._or(node)
        if isinstance(node, qt.AndNot):
            positive = self.every() if isinstance(node.positive, qt.MatchAll) else self._node(node.positive)
            if positive is None:
                return None
            negative = None if isinstance(node.negative, qt.MatchAll) else self._node(node.negative)
            if isinstance(node.negative, qt.MatchAll):
                return None
            return positive if negative is None else f"({positive} -{negative})"
        if isinstance(node, qt.MatchAll):
            return self.every()
        if isinstance(node, qt.MatchNone):
            return None
        raise InvalidOption(f"unknown query node {type(node).__name__}")

    @staticmethod
    def every() -> str:
        """The MATCH of every document: the term each one holds in its ``every`` field."""
        return f"(@every {EVERY_TERM})"

    def _or(self, node: qt.Or) -> str | None:
        parts = [p for p in (self._node(c) for c in node.children) if p is not None]
        need = max(1, node.min_match)
        if len(parts) < need:
            return None
        if need == 1:
            return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
        if need == len(parts):
            return "(" + " ".join(parts) + ")"
        if comb(len(parts), need) <= MAX_SUBSETS:
            subsets = ("(" + " ".join(subset) + ")" for subset in itertools.combinations(parts, need))
            return "(" + " | ".join(subsets) + ")"
        # Too many subsets: Sphinx's quorum over one word per child.
        words = [w for w in (self._first_word(c) for c in node.children) if w is not None]
        if len(words) < need:
            return None
        return f'(@(title,body) "{" ".join(words)}"/{need})'

    def _first_word(self, node: qt.Node) -> str | None:
        if isinstance(node, (qt.Term, qt.Prefix, qt.Fuzzy)):
            return sphinx_term(node.text)
        if isinstance(node, qt.Phrase) and node.terms:
            first = node.terms[0]
            return sphinx_term(first if isinstance(first, str) else first[0])
        if isinstance(node, (qt.And, qt.Or)) and node.children:
            return self._first_word(node.children[0])
        return None

    @staticmethod
    def _leaf(field: str | None, expression: str | None, *, positions: bool = False) -> str | None:
        """``expression`` in ``field`` (None: title and body), with the stacked terms' fields
        unless it needs ``positions`` (a phrase)."""
        if expression is None:
            return None
        if field not in _FIELD_LIMIT:
            if field in FILTER_FIELDS:
                return None  # only a plain term means anything on a stored field
            raise InvalidOption(f"unknown field {field!r}: use {', '.join(SEARCH_FIELDS)}")
        return f"({(_POSITIONAL if positions else _FIELD_LIMIT)[field]} {expression})"

    # -- terms ------------------------------------------------------------------------
    def expansions(self, term: str) -> list[str]:
        """What ``term`` stands over where it is stacked (space-joined terms), remembered per term."""
        found = self._expansions.get(term)
        if found is None:
            found = self._expansions[term] = self.store.expansions(term)
        return found

    def _alternatives(self, terms: list[str]) -> list[str]:
        """Sphinx words for one position of a phrase: ``terms``, and the one word each stands
        over where it is stacked (a compound's join, over several words, has no position to match)."""
        out: dict[str, None] = {}
        for term in terms:
            out[sphinx_term(term)] = None
            for over in self.expansions(term):
                if " " not in over:
                    out[sphinx_term(over)] = None
        return list(out)

    def _reaching(self, node: qt.Prefix | qt.Fuzzy) -> list[str]:
        """The terms ``node`` reaches in its fields (either, when it names none), best first
        (only the best tier's while translating for the candidates)."""
        fields = SEARCH_FIELDS if node.field is None else (node.field,)
        reached = [item for field in fields for item in self.reach(node, field)]
        if self._best and reached:
            tier = min(t for _, t, _ in reached)
            reached = [item for item in reached if item[1] == tier]
        return list(dict.fromkeys(term for term, _, _ in reached))

    def _prefix(self, node: qt.Prefix) -> str | None:
        if sphinx_term(node.text) == node.text and not self._best:
            return node.text + "*"  # Sphinx expands it itself, stacked terms included (their fields)
        return self._fuzzy(node)  # no Sphinx word: the terms it reaches, the most frequent

    def _fuzzy(self, node: qt.Prefix | qt.Fuzzy) -> str | None:
        near = self._reaching(node)[:MAX_EXPANSION] if isinstance(node, qt.Prefix) else self._reaching(node)
        return _one_of(list(dict.fromkeys(map(sphinx_term, near)))) if near else None

    def filter_words(self, filters: Sequence[Filter]) -> str | None:
        """Filters on raw stored fields (id, path, format, encoding) as MATCH words of the
        ``filt`` field: ``(@filt a | b)`` must match, ``-(@filt a | b)`` must not."""
        parts = []
        for f in filters:
            if not f.values:
                return None
            words = _one_of([filter_term(f.field, value) for value in f.values])
            parts.append(f"{'-' if f.negate else ''}(@filt {words})")
        return " ".join(parts) if parts else ""

    def _phrase(self, node: qt.Phrase) -> str | None:
        items = [[item] if isinstance(item, str) else list(item) for item in node.terms]
        slots = [self._alternatives(alts) for alts in items]
        k = len(slots)
        # persearch's slop: extra words allowed between neighbours; Sphinx's
        # proximity: the words within a span of fewer than k + N words.
        proximity = f"~{(k - 1) * node.slop + 1}" if node.slop else ""
        count = 1
        for slot in slots:
            count *= len(slot)
        if count <= MAX_PHRASE_COMBINATIONS:
            phrases = ['"' + " ".join(words) + '"' + proximity for words in itertools.product(*slots)]
            return _one_of(phrases)
        # Too many combinations: every position's alternatives, in order.
        return "(" + " << ".join(_one_of(slot) for slot in slots) + ")"


def _one_of(words: list[str]) -> str:
    return words[0] if len(words) == 1 else "(" + " | ".join(words) + ")"
