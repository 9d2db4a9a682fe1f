"""A persearch query tree as a tantivy query.

Prefix terms are expanded into ranked term queries (tantivy scores its own
prefix queries flat); phrases with spelling alternatives at a position become
regex phrase queries.
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any

import tantivy

from .. import querytree as qt
from ..errors import InvalidOption
from .base import FILTER_FIELDS, SEARCH_FIELDS, TITLE_BOOST

#: A prefix or fuzzy term expands into at most this many ranked term queries
#: (the most frequent); further matching terms still match, with score 0.
MAX_EXPANSION = 128
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")

_Occur = tantivy.Occur
_Q = tantivy.Query


class Translator:
    """A persearch query tree as a tantivy query (None: matches nothing)."""

    def __init__(self, schema: Any, searcher: Any) -> None:
        self.schema = schema
        self.searcher = searcher

    def translate(self, node: qt.Node) -> Any:
        if isinstance(node, qt.Term):
            if node.field in FILTER_FIELDS:  # id:..., path:...: the raw stored value
                return _boost(_Q.term_query(self.schema, node.field, node.text), node.boost)
            return self._fields(node.field, node.boost, partial(self._term, node.text))
        if isinstance(node, qt.Prefix):
            return self._fields(node.field, node.boost, partial(self._prefix, node.text))
        if isinstance(node, qt.Fuzzy):
            return self._fields(node.field, node.boost, partial(self._fuzzy, node))
        if isinstance(node, qt.Phrase):
            return self._fields(node.field, node.boost, partial(self._phrase, node))
        if isinstance(node, qt.And):
            children = [self.translate(c) for c in node.children]
            if not children or any(c is None for c in children):
                return None
            return children[0] if len(children) == 1 else _Q.boolean_query([(_Occur.Must, c) for c in children])
        if isinstance(node, qt.Or):
            children = [c for c in (self.translate(c) for c in node.children) if c is not None]
            if len(children) < max(1, node.min_match):
                return None
            if len(children) == 1:
                return children[0]
            should = [(_Occur.Should, c) for c in children]
            if node.min_match > 1:
                return _Q.boolean_query(should, node.min_match)
            return _Q.boolean_query(should)
        if isinstance(node, qt.AndNot):
            positive = self.translate(node.positive)
            if positive is None:
                return None
            negative = self.translate(node.negative)
            if negative is None:
                return positive
            return _Q.boolean_query([(_Occur.Must, positive), (_Occur.MustNot, negative)])
        if isinstance(node, qt.MatchAll):
            return _Q.all_query()
        if isinstance(node, qt.MatchNone):
            return None
        raise InvalidOption(f"unknown query node {type(node).__name__}")

    def _fields(self, field: str | None, boost: float, make: Any) -> Any:
        if field is None:
            title, body = make("title"), make("body")
            parts = [q for q in (_boost(title, boost * TITLE_BOOST), _boost(body, boost)) if q is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else _Q.boolean_query([(_Occur.Should, q) for q in parts])
        if field in FILTER_FIELDS:
            return None  # only a plain term means anything on a raw field
        if field not in SEARCH_FIELDS:
            raise InvalidOption(f"unknown field {field!r}: use {', '.join(SEARCH_FIELDS)}")
        return _boost(make(field), boost)

    def _term(self, text: str, field: str) -> Any:
        return _Q.term_query(self.schema, field, text)

    def _terms(self, field: str, terms: list[tuple[str, int]]) -> Any:
        """Ranked term queries for the most frequent expansions, the rest at score 0."""
        if not terms:
            return None
        ranked = [(_Occur.Should, _Q.term_query(self.schema, field, t)) for t, _ in terms[:MAX_EXPANSION]]
        rest = [t for t, _ in terms[MAX_EXPANSION:]]
        if rest:
            ranked.append((_Occur.Should, _Q.const_score_query(_Q.term_set_query(self.schema, field, rest), 0.0)))
        return ranked[0][1] if len(ranked) == 1 else _Q.boolean_query(ranked)

    def _prefix(self, text: str, field: str) -> Any:
        # tantivy scores its own prefix queries flat: expand into ranked terms instead.
        return self._terms(field, self.searcher.terms_with_prefix(field, text))

    def _fuzzy(self, node: qt.Fuzzy, field: str) -> Any:
        # tantivy's Levenshtein automaton walks the term dictionary in Rust;
        # expanding in Python cost 10 ms a query. Its score is flat, like
        # Whoosh's FuzzyTerm; unlike it, the first letter may differ too
        # (tantivy has no prefix length).
        return _Q.fuzzy_term_query(self.schema, field, node.text, distance=node.distance,
                                   transposition_cost_one=False)

    def _phrase(self, node: qt.Phrase, field: str) -> Any:
        if len(node.terms) == 1:
            return self._alternatives(field, node.terms[0])
        if all(isinstance(t, str) for t in node.terms):
            return _Q.phrase_query(self.schema, field, list(node.terms), slop=node.slop)
        # Alternatives at a position: a regex per position ("a|b"), matched against the term dictionary.
        words = [_regex(t) for t in node.terms]
        return _Q.regex_phrase_query(self.schema, field, words, slop=node.slop)

    def _alternatives(self, field: str, item: str | tuple[str, ...]) -> Any:
        if isinstance(item, str):
            return _Q.term_query(self.schema, field, item)
        return _Q.boolean_query([(_Occur.Should, _Q.term_query(self.schema, field, t)) for t in item])


def _boost(query: Any, boost: float) -> Any:
    if query is None or boost == 1.0:
        return query
    return _Q.boost_query(query, boost)


def _regex(item: str | tuple[str, ...]) -> str:
    items = (item,) if isinstance(item, str) else item
    return "|".join(_REGEX_SPECIAL.sub(r"\\\1", t) for t in items)
