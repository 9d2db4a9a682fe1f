"""The final ranking of a Sphinx answer, as the Whoosh backend ranks: BM25F with global statistics.

Sphinx chooses the candidates; persearch orders them. Two things keep
Sphinx's own BM25 from ranking as the other backends do: each node knows
only its own documents' frequencies (per-node IDF), and Sphinx 2.2's
real-time indexes keep no field lengths, so its length normalization is
off. The store has what is missing: every document's index-time tokens
(the same tokens the Whoosh backend indexes, stacked terms included), the
term dictionary with document frequencies per field, and the total length
of each field. So the best ``CANDIDATES`` documents by Sphinx's weight (at
least twice the page) are scored again here, the query tree as the Whoosh
backend scores it:

- a term, in each of its fields: the Whoosh backend's BM25 (BM25's usual
  ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, k1 1.2, b 0.75, per-field
  lengths) times its boost, the title's times
  :data:`~persearch.backends.base.TITLE_BOOST` when no field was named;
- a phrase: the sum of its words' scores, in the fields where the document
  holds it (its words in order, at most ``slop`` positions between
  neighbours: a phrase beside other clauses scores only where it matches);
  AND and OR: the sum of their children's; NOT: the positive side's; every
  document: 1;
- a prefix or a fuzzy term: the terms it reaches by persearch.expand's rules
  (from the store's dictionary), each weighted by its tier and IDF (Whoosh's
  own, ``log(N / (df + 1)) + 1``, as the Whoosh backend weighs them), a
  document scoring its best one in any field (a disjunction max).

Ties go to the document indexed first.

    >>> Scorer(store, Term("کتاب"), reached, {}).score(tokens)     # doctest: +SKIP
    1.69
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Callable

from ... import querytree as qt
from ...expand import REST_WEIGHT, Reached, weighted
from ...stored_tokens import StoredTokens, needle
from ..base import SEARCH_FIELDS, TITLE_BOOST
from .store import FIELD_NUMBERS, Store

K1, B = 1.2, 0.75
#: Sphinx's best this many (or twice the page, if more) are ranked again...
CANDIDATES = 100
#: ...or this many a distinct word of the query, if more: Sphinx's ranker cannot weigh words
#: apart (boosts, a question's weights), and a long OR (a question) drifts furthest from BM25.
CANDIDATES_PER_WORD = 50
#: What a prefix or fuzzy term reaches in a field (persearch.expand.reach on the store's dictionary).
Reach = Callable[["qt.Prefix | qt.Fuzzy", str], "list[Reached]"]


class Scorer:
    """Scores documents (by their stored tokens) for one query tree."""

    def __init__(self, store: Store, query: qt.Node, reach: Reach, df_cache: dict[tuple[int, str], int]) -> None:
        self.store = store
        self.query = query
        self.df_cache = df_cache
        stats = store.state()
        self.n = max(1, int(stats.get("docs") or 0))
        self.avg = [max(1e-9, float(stats.get(f"length_{name}") or 0) / self.n) for name in SEARCH_FIELDS]
        self.terms: set[tuple[int, str]] = set()  # (field number, term) whose frequency a score needs
        # Per prefix or fuzzy node: [(field number, field boost, {term: weight}, first letters)].
        self.expanded: dict[int, list[tuple[int, float, dict[str, float], str]]] = {}
        self.ranked = False  # whether any term scores (else every document alike: no BM25 to compute)
        self._collect(query, reach)

    # -- what the query needs ------------------------------------------------------------
    @staticmethod
    def _fields(field: str | None) -> list[tuple[int, float]]:
        """Field numbers a node searches, with the title's boost when no field was named."""
        if field is None:
            return [(0, TITLE_BOOST), (1, 1.0)]
        return [(FIELD_NUMBERS[field], 1.0)] if field in FIELD_NUMBERS else []

    def _collect(self, node: qt.Node, reach: Reach) -> None:
        if isinstance(node, qt.Term):
            self.terms.update((f, node.text) for f, _ in self._fields(node.field))
        elif isinstance(node, qt.Phrase):
            for item in node.terms:
                for term in (item,) if isinstance(item, str) else item:
                    self.terms.update((f, term) for f, _ in self._fields(node.field))
        elif isinstance(node, (qt.Prefix, qt.Fuzzy)):
            found = []
            for f, boost in self._fields(node.field):
                scored, rest = weighted(reach(node, SEARCH_FIELDS[f]), lambda df: math.log(self.n / (df + 1)) + 1)
                weights = {term: REST_WEIGHT for term in rest}
                weights.update(scored)
                if weights:
                    head = node.text if isinstance(node, qt.Prefix) else node.text[:node.prefix_length]
                    found.append((f, boost, weights, head))
            self.expanded[id(node)] = found
        elif isinstance(node, (qt.And, qt.Or)):
            for child in node.children:
                self._collect(child, reach)
        elif isinstance(node, qt.AndNot):
            self._collect(node.positive, reach)  # what is excluded adds nothing
        self.ranked = bool(self.terms or any(self.expanded.values()))

    @property
    def candidates(self) -> int:
        """How many of Sphinx's best documents this query's ranking reads (at least)."""
        words = len({term for _, term in self.terms}) + len(self.expanded)
        return max(CANDIDATES, CANDIDATES_PER_WORD * words)

    def _df(self, field: int, term: str) -> int:
        key = (field, term)
        df = self.df_cache.get(key)
        if df is None:
            df = self.df_cache[key] = self.store.df(field, term)
        return df

    def _bm25(self, field: int, term: str, tf: int, length: int) -> float:
        df = self._df(field, term)
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        return idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * length / self.avg[field]))

    # -- a document ----------------------------------------------------------------------
    def score(self, tokens: bytes | None) -> float:
        """The document's score from its packed title and body tokens."""
        if not tokens:
            return 1.0 if isinstance(self.query, qt.MatchAll) else 0.0
        fields = (StoredTokens(tokens, 0), StoredTokens(tokens, 1))
        counts: dict[tuple[int, str], int] = {}
        for f, term in self.terms:
            wanted = needle(term, compact_code=fields[f].compact)
            counts[(f, term)] = _occurrences(fields[f], wanted) if wanted is not None else 0
        return self._node(self.query, fields, counts)

    def _node(self, node: qt.Node, fields: tuple[StoredTokens, StoredTokens],
              counts: dict[tuple[int, str], int]) -> float:
        if isinstance(node, qt.Term):
            return node.boost * sum(boost * self._bm25(f, node.text, counts[(f, node.text)], fields[f].count)
                                    for f, boost in self._fields(node.field) if counts[(f, node.text)])
        if isinstance(node, qt.Phrase):
            terms = [t for item in node.terms for t in ((item,) if isinstance(item, str) else item)]
            return node.boost * sum(boost * self._bm25(f, t, counts[(f, t)], fields[f].count)
                                    for f, boost in self._fields(node.field) if _holds(fields[f], node)
                                    for t in terms if counts[(f, t)])
        if isinstance(node, (qt.Prefix, qt.Fuzzy)):
            best = 0.0
            for f, boost, weights, head in self.expanded.get(id(node), ()):
                for term, tf in _starting_with(fields[f], head).items():
                    weight = weights.get(term)
                    if weight is not None:
                        best = max(best, boost * weight * self._bm25(f, term, tf, fields[f].count))
            return node.boost * best
        if isinstance(node, (qt.And, qt.Or)):
            return sum(self._node(child, fields, counts) for child in node.children)
        if isinstance(node, qt.AndNot):
            return self._node(node.positive, fields, counts)
        if isinstance(node, qt.MatchAll):
            return 1.0
        return 0.0


def _holds(field: StoredTokens, phrase: qt.Phrase) -> bool:
    """Whether ``field`` holds the phrase: a token of each item in order, each at most
    ``slop`` positions past one more than the last (stacked terms share positions)."""
    positions = field.positions()
    reach: set[int] | None = None
    for item in phrase.terms:
        wanted = [n for t in ((item,) if isinstance(item, str) else item)
                  if (n := needle(t, compact_code=field.compact)) is not None]
        numbers = [token[3] for token in field.spans(wanted, numbered=True)]  # type: ignore[misc]
        found = {positions[i] for i in numbers} if positions else set(numbers)
        reach = found if reach is None else {p for p in found if any(0 < p - q <= phrase.slop + 1 for q in reach)}
        if not reach:
            return False
    return bool(reach)


def _occurrences(field: StoredTokens, wanted: bytes) -> int:
    """How many tokens of ``field`` are the term ``wanted`` (a whole-term needle)."""
    raw, low, high = field.raw, field.terms_start, field.terms_end
    step = len(wanted) - 1  # a term's closing NUL opens the next one
    count, at = 0, raw.find(wanted, low, high)
    while at != -1:
        count += 1
        at = raw.find(wanted, at + step, high)
    return count


def _starting_with(field: StoredTokens, head: str) -> Counter[str]:
    """The terms of ``field`` beginning with ``head``, with their frequencies."""
    if not head:
        return Counter(field.decode(field.raw[field.terms_start:field.terms_end]).split("\0")[1:-1])
    wanted = needle(head, prefix=True, compact_code=field.compact)
    return Counter(term for _, _, term in field.spans([wanted])) if wanted is not None else Counter()


__all__ = ["Scorer", "CANDIDATES", "CANDIDATES_PER_WORD"]
