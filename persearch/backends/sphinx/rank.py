"""The final ranking of a Sphinx answer, as the Whoosh backend ranks: BM25F with global statistics.

Sphinx chooses the candidates; persearch orders them. Two things keep
Sphinx's own BM25 from ranking as the other backends do: each node knows
only its own documents' frequencies (per-node IDF), and Sphinx 2.2's
real-time indexes keep no field lengths, so its length normalization is
off. The store has what is missing: every document's index-time tokens
(the same tokens the Whoosh backend indexes, stacked terms included), the
term dictionary with document frequencies per field, and the total length
of each field. So the best ``CANDIDATES`` documents by Sphinx's weight (at
least twice the page) are scored again here: for every positive term of
the query and each field, Whoosh's BM25F (``idf = log(N / (df + 1)) + 1``,
k1 1.2, b 0.75, per-field lengths), summed. A prefix or fuzzy term scores
as Whoosh's code scores it: the BM25F of each of its expansions the
document holds. Ties go to the document indexed first.

    >>> Scorer(store, translator.fuzzy_terms, Term("کتاب"), {}).score(tokens)     # doctest: +SKIP
    1.69
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ... import querytree as qt
from ...stored_tokens import StoredTokens, needle
from ..base import TITLE_BOOST
from .store import FIELD_NUMBERS, Store

K1, B = 1.2, 0.75
#: Sphinx's best this many (or twice the page, if more) are ranked again.
CANDIDATES = 100
_FIELDS = ("title", "body")


class Scorer:
    """Scores documents (by their stored tokens) for one query tree."""

    def __init__(self, store: Store, fuzzy_terms: Any, query: qt.Node, df_cache: dict[tuple[int, str], int]) -> None:
        self.store = store
        self.fuzzy_terms = fuzzy_terms
        self.df_cache = df_cache
        self.terms: list[tuple[int, str]] = []  # (field number, term)
        # Prefix and fuzzy terms with several expansions in a field: (field number, the prefix,
        # or None and the fuzzy term's expansions); each expansion found scores as a term
        self.expanded: list[tuple[int, str | None, frozenset[str]]] = []
        self.flat = 0.0  # MatchAll: every document alike
        self._collect(query)
        self.terms = list(dict.fromkeys(self.terms))
        stats = store.state()
        self.n = max(1, int(stats.get("docs") or 0))
        self.avg = [max(1e-9, float(stats.get(f"length_{name}") or 0) / self.n) for name in _FIELDS]

    @property
    def ranked(self) -> bool:
        """Whether any term scores (else only MatchAll: no BM25 to compute)."""
        return bool(self.terms or self.expanded)

    def _fields(self, field: str | None) -> list[int]:
        if field is None:
            return [0, 1]
        return [FIELD_NUMBERS[field]] if field in FIELD_NUMBERS else []

    def _collect(self, node: qt.Node) -> None:
        if isinstance(node, qt.Term):
            self.terms.extend((f, node.text) for f in self._fields(node.field))
        elif isinstance(node, qt.Phrase):
            for item in node.terms:
                for term in (item,) if isinstance(item, str) else item:
                    self.terms.extend((f, term) for f in self._fields(node.field))
        elif isinstance(node, qt.Prefix):
            high = node.text + "\U0010ffff"
            for f in self._fields(node.field):
                expansions = frozenset(self.store.field_terms_between(f, node.text, high, limit=2))
                if len(expansions) == 1:  # one expansion: a plain term
                    self.terms.append((f, next(iter(expansions))))
                elif expansions:
                    self.expanded.append((f, node.text, frozenset()))
        elif isinstance(node, qt.Fuzzy):
            near = self.fuzzy_terms(node)
            for f in self._fields(node.field):
                expansions = frozenset(t for t in near if self._df(f, t))
                if len(expansions) == 1:
                    self.terms.append((f, next(iter(expansions))))
                elif expansions:
                    self.expanded.append((f, None, expansions))
        elif isinstance(node, (qt.And, qt.Or)):
            for child in node.children:
                self._collect(child)
        elif isinstance(node, qt.AndNot):
            self._collect(node.positive)  # what is excluded adds nothing
        elif isinstance(node, qt.MatchAll):
            self.flat = 1.0

    def _df(self, field: int, term: str) -> int:
        key = (field, term)
        df = self.df_cache.get(key)
        if df is None:
            df = self.df_cache[key] = self.store.df(field, term)
        return df

    def _idf(self, field: int, term: str) -> float:
        return math.log(self.n / (self._df(field, term) + 1)) + 1

    def score(self, tokens: bytes | None) -> float:
        """The document's score from its packed title and body tokens."""
        if not tokens:
            return self.flat
        fields = [StoredTokens(tokens, 0), StoredTokens(tokens, 1)]
        found: list[Counter[str]] = [Counter(), Counter()]  # term -> tf, per field
        for f, term in self.terms:
            wanted = needle(term, compact_code=fields[f].compact)
            if wanted is not None:
                tf = len(fields[f].spans([wanted]))
                if tf:
                    found[f][term] = tf
        for f, prefix, expansions in self.expanded:
            code = fields[f].compact
            wanted = [needle(prefix, prefix=True, compact_code=code)] if prefix is not None else \
                [needle(t, compact_code=code) for t in expansions]
            spans = fields[f].spans([w for w in wanted if w is not None])
            found[f].update(term for _, _, term in spans if prefix is not None or term in expansions)
        total = self.flat
        for f in (0, 1):
            if found[f]:
                norm = K1 * ((1 - B) + B * fields[f].count / self.avg[f])
                boost = TITLE_BOOST if f == 0 else 1.0
                total += boost * sum(self._idf(f, term) * tf * (K1 + 1) / (tf + norm) for term, tf in found[f].items())
        return total


