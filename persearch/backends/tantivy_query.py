"""A persearch query tree as a tantivy query.

Prefix and fuzzy terms are expanded by persearch's own rules
(persearch.expand, as on the Whoosh backend) into term queries scored each
on its own (tantivy scores its prefix and fuzzy queries flat, and its fuzzy
automaton does not keep the first letter); phrases with spelling
alternatives at a position become regex phrase queries.
"""
from __future__ import annotations

import math
import re
from functools import partial
from typing import Any

import tantivy

from .. import querytree as qt
from ..errors import InvalidOption
from ..expand import REST_WEIGHT, TIE_BREAKER, reach, weighted
from .base import FILTER_FIELDS, SEARCH_FIELDS, TITLE_BOOST

_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")

_Occur = tantivy.Occur
_Q = tantivy.Query


class Translator:
    """A persearch query tree as a tantivy query (None: matches nothing)."""

    def __init__(self, schema: Any, searcher: Any, reached: dict[tuple[object, ...], Any] | None = None) -> None:
        self.schema = schema
        self.searcher = searcher
        self.reached = {} if reached is None else reached  # expansions, kept as long as the searcher

    def translate(self, node: qt.Node) -> Any:
        if isinstance(node, qt.Term):
            if node.field in FILTER_FIELDS:  # id:..., path:...: the raw stored value
                return _boost(_Q.term_query(self.schema, node.field, node.text), node.boost)
            return self._fields(node.field, node.boost, partial(self._term, node.text))
        if isinstance(node, (qt.Prefix, qt.Fuzzy)):
            return self._expansion(node)
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

    def _expansion(self, node: qt.Prefix | qt.Fuzzy) -> Any:
        """The terms a prefix or fuzzy term reaches (persearch.expand) in its fields, each scored on
        its own; a document scores its best one, whichever field it is in."""
        fields = SEARCH_FIELDS if node.field is None else (node.field,)
        if not set(fields) <= set(SEARCH_FIELDS):
            return self._fields(node.field, node.boost, lambda f: None)  # raises for an unknown field
        count = self.searcher.num_docs
        scored, rest = [], []
        for field in fields:
            boost = node.boost * (TITLE_BOOST if field == "title" and node.field is None else 1.0)
            terms, others = weighted(reach(node, field, self.searcher.terms_with_prefix, self.reached),
                                     lambda df: math.log(1 + (count - df + 0.5) / (df + 0.5)))  # tantivy's IDF
            scored += [_boost(_Q.term_query(self.schema, field, term), boost * weight) for term, weight in terms]
            if others:
                rest.append(_Q.const_score_query(_Q.term_set_query(self.schema, field, others), REST_WEIGHT))
        if not scored:
            return None
        query = scored[0] if len(scored) == 1 else _Q.disjunction_max_query(scored, TIE_BREAKER)
        if rest:
            query = _Q.boolean_query([(_Occur.Should, q) for q in (query, *rest)])
        return query

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
