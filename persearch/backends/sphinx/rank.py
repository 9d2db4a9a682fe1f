"""The final ranking of a Sphinx answer, as the Whoosh backend ranks: BM25F with global statistics.

Sphinx chooses the candidates; persearch orders them. Two things keep
Sphinx's own BM25 from ranking as the other backends do: each node knows
only its own documents' frequencies (per-node IDF), and Sphinx 2.2's
real-time indexes keep no average field length, so its length
normalization is off. The store has what is missing: every document's
index-time tokens (the same tokens the Whoosh backend indexes, stacked
terms included), the term dictionary with document frequencies per field,
and the total length of each field. So the best ``CANDIDATES`` documents
by Sphinx's weight (at least twice the page) are scored again here: for
every positive term of the query and each field, Whoosh's BM25F
(``idf = log(N / (df + 1)) + 1``, k1 1.2, b 0.75, per-field lengths);
prefix and fuzzy terms score a flat 1 per field, as in Whoosh; ties go to
the document indexed first.

    >>> Scorer(store, translator, Term("کتاب")).score(tokens)     # doctest: +SKIP
    1.69
"""
from __future__ import annotations

import math
from typing import Any

from ... import querytree as qt
from ...stored_tokens import StoredTokens, needle
from .store import FIELD_NUMBERS, Store

K1, B = 1.2, 0.75
#: Sphinx's best this many (or twice the page, if more) are ranked again.
CANDIDATES = 100
_FIELDS = ("title", "body")


class Scorer:
    """Scores documents (by their stored tokens) for one query tree."""

    def __init__(self, store: Store, fuzzy_terms: Any, query: qt.Node) -> None:
        self.store = store
        self.fuzzy_terms = fuzzy_terms
        # (field number, term or prefix, is a prefix, weight: None = BM25, else flat)
        self.terms: list[tuple[int, str, bool, float | None]] = []
        self.flat: list[tuple[int, list[tuple[str, bool]], float]] = []
        self._collect(query)
        stats = store.state()
        self.n = max(1, int(stats.get("docs") or 0))
        self.avg = [max(1e-9, float(stats.get(f"length_{name}") or 0) / self.n) for name in _FIELDS]
        self.idf = {(f, t): _idf(self.n, store.df(f, t)) for f, t, _, w in self.terms if w is None}

    def _fields(self, field: str | None) -> list[int]:
        if field is None:
            return [0, 1]
        return [FIELD_NUMBERS[field]] if field in FIELD_NUMBERS else []

    def _collect(self, node: qt.Node) -> None:
        if isinstance(node, qt.Term):
            self.terms.extend((f, node.text, False, None) for f in self._fields(node.field))
        elif isinstance(node, qt.Phrase):
            for item in node.terms:
                for term in (item,) if isinstance(item, str) else item:
                    self.terms.extend((f, term, False, None) for f in self._fields(node.field))
        elif isinstance(node, qt.Prefix):
            self.flat.extend((f, [(node.text, True)], node.boost) for f in self._fields(node.field))
        elif isinstance(node, qt.Fuzzy):
            words = [(t, False) for t in self.fuzzy_terms(node)]
            self.flat.extend((f, words, node.boost) for f in self._fields(node.field))
        elif isinstance(node, (qt.And, qt.Or)):
            for child in node.children:
                self._collect(child)
        elif isinstance(node, qt.AndNot):
            self._collect(node.positive)  # what is excluded adds nothing
        elif isinstance(node, qt.MatchAll):
            self.flat.append((-1, [], 1.0))

    def score(self, tokens: bytes | None) -> float:
        """The document's score from its packed title and body tokens."""
        if not tokens:
            return 0.0
        fields = [StoredTokens(tokens, 0), StoredTokens(tokens, 1)]
        total = 0.0
        seen: set[tuple[int, str]] = set()
        for f, term, _, _ in self.terms:
            if (f, term) in seen:
                continue
            seen.add((f, term))
            stored = fields[f]
            wanted = needle(term, compact_code=stored.compact)
            tf = len(stored.spans([wanted])) if wanted is not None else 0
            if tf:
                norm = K1 * ((1 - B) + B * stored.count / self.avg[f])
                total += self.idf[(f, term)] * tf * (K1 + 1) / (tf + norm)
        for f, words, boost in self.flat:
            if f < 0:
                total += boost
                continue
            stored = fields[f]
            wanted = [w for w in (needle(t, prefix=p, compact_code=stored.compact) for t, p in words) if w]
            if wanted and stored.spans(wanted):
                total += boost
        return total


def _idf(n: int, df: int) -> float:
    return math.log(n / (df + 1)) + 1
