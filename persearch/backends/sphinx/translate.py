"""A persearch query tree as a Sphinx extended-syntax MATCH string.

Every word in the string is a term persearch's analyzer produced, passed
through :func:`~.documents.sphinx_term` (so it holds no operator character),
or a hashed filter word; every operator is written here. No text a user
typed reaches the string unanalyzed, and the string itself goes to Sphinx
as a bound parameter.

What Sphinx cannot do is done on this side:

- a term stacked at a position another term holds is widened to what it
  stands over (:mod:`.documents`): ``مساله`` → ``(مساله | مسیله)``;
- fuzzy terms (``کتاب~``) are expanded from persearch's own term
  dictionary (Sphinx has no fuzzy operator), the most frequent first;
- alternatives inside a phrase become alternative phrases;
- "at least k of n" (Sphinx's quorum takes single words only) becomes the
  OR of every k-subset while there are few, else the quorum of each
  child's first word;
- a query of only NOT runs against the term every document holds in its
  ``every`` field.

    >>> Translator(store).match(Phrase(("رییس", "جمهوری")))     # doctest: +SKIP
    '(@(title,body) "رییس جمهوری")'
"""
from __future__ import annotations

import itertools
from math import comb
from typing import Any

from ... import querytree as qt
from ...errors import InvalidOption
from ...highlight import edit_distance
from ..base import SEARCH_FIELDS
from .config import EVERY_TERM
from .documents import FILTER_FIELDS, filter_term, sphinx_term
from .store import Store

#: A fuzzy term expands into at most this many terms (the most frequent).
MAX_EXPANSION = 128
#: At most this many alternative phrases for a phrase with alternatives.
MAX_PHRASE_COMBINATIONS = 16
#: "k of n" becomes the OR of the k-subsets while there are at most this many.
MAX_SUBSETS = 70
#: Terms a prefix's stacked terms add at most.
MAX_STACKED_PREFIX = 64
#: Marks "every document": a full scan, or the ``every`` term inside a query.
ALL = object()
_FIELD_LIMIT = {None: "@(title,body)", "title": "@title", "body": "@body"}


class Translator:
    """Translates query trees for one index; its store widens stacked terms."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._expansions: dict[str, list[str]] = {}
        self._fuzzy_terms: dict[tuple[str, int, int], list[str]] = {}
        #: Document frequencies the ranking looked up, per (field, term): valid until the next commit.
        self.df_cache: dict[tuple[int, str], int] = {}

    def match(self, node: qt.Node) -> Any:
        """The MATCH string for ``node``; None when it matches nothing, :data:`ALL` for every document."""
        if isinstance(node, qt.MatchAll):
            return ALL
        return self._node(node)

    # -- nodes ------------------------------------------------------------------------
    def _node(self, node: qt.Node) -> str | None:
        if isinstance(node, qt.Term):
            if node.field in FILTER_FIELDS:  # id:..., path:...: the stored value itself
                return f"(@filt {filter_term(node.field, node.text)})"
            return self._leaf(node.field, self._term(node.text), node.boost)
        if isinstance(node, qt.Prefix):
            return self._leaf(node.field, self._prefix(node.text), node.boost)
        if isinstance(node, qt.Fuzzy):
            return self._leaf(node.field, self._fuzzy(node), node.boost)
        if isinstance(node, qt.Phrase):
            return self._leaf(node.field, self._phrase(node), node.boost)
        if isinstance(node, qt.And):
            parts = [self._node(c) for c in node.children]
            if not parts or any(p is None for p in parts):
                return None
            return "(" + " ".join(parts) + ")"  # type: ignore[arg-type]
        if isinstance(node, qt.Or):
            return self._or(node)
        if isinstance(node, qt.AndNot):
            positive = self._every() if isinstance(node.positive, qt.MatchAll) else self._node(node.positive)
            if positive is None:
                return None
            negative = None if isinstance(node.negative, qt.MatchAll) else self._node(node.negative)
            if isinstance(node.negative, qt.MatchAll):
                return None
            return positive if negative is None else f"({positive} -{negative})"
        if isinstance(node, qt.MatchAll):
            return self._every()
        if isinstance(node, qt.MatchNone):
            return None
        raise InvalidOption(f"unknown query node {type(node).__name__}")

    @staticmethod
    def _every() -> str:
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
    def _leaf(field: str | None, expression: str | None, boost: float) -> str | None:
        if expression is None:
            return None
        if field not in _FIELD_LIMIT:
            if field in FILTER_FIELDS:
                return None  # only a plain term means anything on a stored field
            raise InvalidOption(f"unknown field {field!r}: use {', '.join(SEARCH_FIELDS)}")
        return f"({_FIELD_LIMIT[field]} {expression})"

    # -- terms ------------------------------------------------------------------------
    def expansions(self, term: str) -> list[str]:
        """What ``term`` stands over where it is stacked (space-joined terms), remembered per term."""
        found = self._expansions.get(term)
        if found is None:
            found = self._expansions[term] = self.store.expansions(term)
        return found

    def _alternatives(self, terms: list[str], *, phrases: bool = True) -> list[str]:
        """Sphinx words (and, with ``phrases``, quoted phrases) matching any of ``terms``."""
        out: dict[str, None] = {}
        for term in terms:
            out[sphinx_term(term)] = None
            for over in self.expansions(term):
                words = over.split(" ")
                if len(words) == 1:
                    out[sphinx_term(words[0])] = None
                elif phrases:
                    out['"' + " ".join(map(sphinx_term, words)) + '"'] = None
        return list(out)

    def _term(self, text: str) -> str:
        return _one_of(self._alternatives([text]))

    def _prefix(self, text: str) -> str:
        words = []
        if sphinx_term(text) == text:
            words.append(text + "*")
        high = text + "\U0010ffff"
        for alt, over in self.store.stacked_between(text, high, MAX_STACKED_PREFIX):
            parts = [sphinx_term(w) for w in over.split(" ")]
            words.append(parts[0] if len(parts) == 1 else '"' + " ".join(parts) + '"')
        if sphinx_term(text) != text:  # not a Sphinx word: its expansions from the dictionary
            terms = sorted(self.store.terms_between(text, high), key=lambda t: -t[1])[:MAX_EXPANSION]
            words.extend(sphinx_term(t) for t, _ in terms)
        return _one_of(list(dict.fromkeys(words))) if words else None  # type: ignore[return-value]

    def fuzzy_terms(self, node: qt.Fuzzy) -> list[str]:
        """Dictionary terms within the node's edits (and prefix), the most frequent first."""
        key = (node.text, node.distance, node.prefix_length)
        found = self._fuzzy_terms.get(key)
        if found is None:
            head = node.text[:node.prefix_length]
            candidates = self.store.terms_between(head, head + "\U0010ffff",
                                                  min_length=len(node.text) - node.distance,
                                                  max_length=len(node.text) + node.distance)
            near = [(term, df) for term, df in candidates
                    if edit_distance(term, node.text, node.distance) <= node.distance]
            near.sort(key=lambda t: (-t[1], t[0]))
            found = self._fuzzy_terms[key] = [t for t, _ in near[:MAX_EXPANSION]]
        return found

    def _fuzzy(self, node: qt.Fuzzy) -> str | None:
        near = self.fuzzy_terms(node)
        return _one_of(self._alternatives(near)) if near else None

    def _phrase(self, node: qt.Phrase) -> str | None:
        items = [[item] if isinstance(item, str) else list(item) for item in node.terms]
        if len(items) == 1:
            return _one_of(self._alternatives(items[0]))
        slots = [self._alternatives(alts, phrases=False) for alts in items]
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
