"""Whoosh queries persearch needs that Whoosh lacks, or gets wrong.

- :class:`AtLeast`: documents matching at least ``k`` of the subqueries
  (Whoosh's ``Or(minmatch=...)`` is documented as not implemented);
- :class:`BestOf`: a disjunction scored by its best subquery plus a
  tie-breaking share of the others (Whoosh's ``DisjunctionMax`` adds the score
  of a subquery that is on another document, ignores its tie breaker, and
  drops every document once one side runs out).

    >>> BestOf([Term("body", "کتاب", boost=1.0), Term("body", "کتب", boost=0.2)], tiebreak=0.1)  # doctest: +SKIP
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Any

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher, UnionMatcher


class AtLeast(wq.Or):
    """An Or that matches documents matching at least ``k`` children.

    Whoosh's ``Or(minmatch=...)`` is documented as not implemented, so this
    query supplies its own matcher; scores add up like an Or's.
    """

    def __init__(self, subqueries: list[Any], k: int, boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost)
        self.k = k

    def normalize(self) -> Any:
        # No flattening of nested Ors: that would change what "k children" means.
        subs = [q.normalize() for q in self.subqueries]
        subs = [q for q in subs if q is not wq.NullQuery]
        if len(subs) < self.k:
            return wq.NullQuery
        return AtLeast(subs, self.k, self.boost)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return _AtLeastMatcher([q.matcher(searcher, context) for q in self.subqueries], self.k, self.boost)


class _AtLeastMatcher(Matcher):
    def __init__(self, matchers: list[Any], k: int, boost: float = 1.0) -> None:
        self._matchers = matchers
        self._k = k
        self._boost = boost
        self._id: int | None = None
        self._find()

    def _find(self) -> None:
        """Advance to the next document at least k children are on."""
        while True:
            active = [m for m in self._matchers if m.is_active()]
            if len(active) < self._k:
                self._id = None
                return
            low = min(m.id() for m in active)
            on = [m for m in active if m.id() == low]
            if len(on) >= self._k:
                self._id = low
                return
            for m in on:
                m.next()

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        return self._id  # type: ignore[return-value]

    def next(self) -> None:
        for m in self._matchers:
            if m.is_active() and m.id() == self._id:
                m.next()
        self._find()

    def skip_to(self, docid: int) -> None:
        for m in self._matchers:
            if m.is_active() and m.id() < docid:
                m.skip_to(docid)
        self._find()

    def score(self) -> float:
        return self._boost * sum(m.score() for m in self._matchers if m.is_active() and m.id() == self._id)

    def weight(self) -> float:
        return sum(m.weight() for m in self._matchers if m.is_active() and m.id() == self._id)

    def max_quality(self) -> float:
        # Whoosh asks every child of an Or for an upper bound of its score once
        # the top hits are full (to skip what cannot enter them): a document
        # matching every child scores at most the sum.
        return self._boost * sum(m.max_quality() for m in self._matchers if m.is_active())

    def children(self) -> list[Any]:
        return [m for m in self._matchers if m.is_active()]

    def copy(self) -> "_AtLeastMatcher":
        twin = _AtLeastMatcher([m.copy() for m in self._matchers], self._k, self._boost)
        return twin

    def replace(self, minquality: float = 0) -> Any:
        return self

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False

    def depth(self) -> int:
        return 1 + max((m.depth() for m in self._matchers), default=0)


class BestOf(wq.DisjunctionMax):
    """Matches any subquery; a document scores its best subquery's score plus
    ``tiebreak`` times the others'.

    Like Whoosh's own Or, it reads its subqueries' postings into an array a
    block of documents at a time (fast: a prefix may reach hundreds of terms)
    unless the caller needs to follow the current document (then a binary
    tree of matchers, where the others' share nests pairwise).
    """

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        if context is not None and not context.needs_current:
            scored = context.weighting is not None
            matchers = [sub.matcher(searcher, context) for sub in subs]
            return _PreloadedBest(matchers, searcher.doc_count_all(), boost=self.boost, scored=scored,
                                  tiebreak=self.tiebreak)
        return self._tree_matcher(subs, _BestMatcher, searcher, context, None, tiebreak=self.tiebreak)


class _PreloadedBest(Matcher):
    """The documents of a block (``part`` document numbers at a time) read from every
    subquery at once: each one's best score plus the tie breaker's share of the others'."""

    def __init__(self, submatchers: list[Any], doccount: int, boost: float = 1.0, scored: bool = True,
                 tiebreak: float = 0.0, part: int = 2048) -> None:
        self._submatchers = submatchers
        self._doccount, self._boost, self._scored, self._tiebreak, self._part = doccount, boost, scored, tiebreak, part
        self._ids: list[int] = []
        self._scores: list[float] = []
        self._at = 0
        self._part_max = 0.0
        self._coming = 0.0  # the best a document after this block could score
        self._read_from(self._first_id())

    def _first_id(self) -> int:
        return min((m.id() for m in self._submatchers if m.is_active()), default=self._doccount)

    def _read_from(self, start: int) -> None:
        """Read the next block that holds a match, from document ``start`` on."""
        while start < self._doccount:
            limit = start + self._part
            best: dict[int, float] = {}
            total: dict[int, float] = {}
            for m in self._submatchers:
                while m.is_active() and m.id() < limit:
                    docnum = m.id()
                    value = m.score() * self._boost if self._scored else 1.0
                    total[docnum] = total.get(docnum, 0.0) + value
                    if value > best.get(docnum, -1.0):
                        best[docnum] = value
                    m.next()
            if best:
                tie = self._tiebreak
                self._ids = sorted(best)
                self._scores = [best[d] + tie * (total[d] - best[d]) for d in self._ids]
                self._at = 0
                self._part_max = max(self._scores)
                self._coming = self._still_to_come()
                return
            start = self._first_id()
        self._ids, self._scores, self._at, self._part_max, self._coming = [], [], 0, 0.0, 0.0

    def _still_to_come(self) -> float:
        qualities = [m.max_quality() for m in self._submatchers if m.is_active()]
        best = max(qualities, default=0.0)
        return self._boost * (best + self._tiebreak * (sum(qualities) - best))

    def is_active(self) -> bool:
        return self._at < len(self._ids)

    def id(self) -> int:
        return self._ids[self._at]

    def score(self) -> float:
        return self._scores[self._at]

    def weight(self) -> float:
        return self.score()

    def next(self) -> bool:
        self._at += 1
        if self._at >= len(self._ids):
            self._read_from(self._first_id())
            return True
        return False

    def skip_to(self, docnum: int) -> bool:
        if not self.is_active() or docnum <= self.id():
            return False
        if docnum <= self._ids[-1]:
            self._at = bisect_left(self._ids, docnum, self._at)
            return False
        for m in self._submatchers:
            if m.is_active() and m.id() < docnum:
                m.skip_to(docnum)
        self._read_from(self._first_id())
        return True

    def all_ids(self) -> Any:
        while self.is_active():
            yield from self._ids[self._at:]
            self._at = len(self._ids)
            self._read_from(self._first_id())

    def max_quality(self) -> float:
        # The documents read into this block, or still to come (worked out once a block).
        return max(self._coming, self._part_max)

    def supports(self, astype: str) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def children(self) -> list[Any]:
        return []

    def copy(self) -> "_PreloadedBest":
        twin = object.__new__(_PreloadedBest)
        twin.__dict__.update(self.__dict__)
        twin._submatchers = [m.copy() for m in self._submatchers]
        return twin


class _BestMatcher(UnionMatcher):
    """Two matchers; a document scores the better one's score plus ``tiebreak`` times the other's,
    counting only a matcher that is on that document."""

    def __init__(self, a: Any, b: Any, tiebreak: float = 0.0) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self) -> "_BestMatcher":
        return _BestMatcher(self.a.copy(), self.b.copy(), tiebreak=self.tiebreak)

    def _combine(self, first: float | None, second: float | None) -> float:
        if first is None or second is None:
            return first if second is None else second  # type: ignore[return-value]
        return max(first, second) + self.tiebreak * min(first, second)

    def score(self) -> float:
        here = self.id()
        a, b = self.a, self.b
        return self._combine(a.score() if a.is_active() and a.id() == here else None,
                             b.score() if b.is_active() and b.id() == here else None)

    def max_quality(self) -> float:
        a, b = self.a, self.b
        return self._combine(a.max_quality() if a.is_active() else None,
                             b.max_quality() if b.is_active() else None) or 0.0

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality: float = 0) -> Any:
        # A document may pass the bar on the two scores together, so neither
        # side is dropped for scoring below it on its own.
        a, b = self.a, self.b
        if not a.is_active() and not b.is_active():
            return NullMatcher()
        if not a.is_active():
            return b.replace(minquality)
        if not b.is_active():
            return a.replace(minquality)
        new_a, new_b = a.replace(0), b.replace(0)
        if new_a is not a or new_b is not b:
            return _BestMatcher(new_a, new_b, tiebreak=self.tiebreak)
        return self


__all__ = ["AtLeast", "BestOf"]
