"""One search on the nodes: the SELECTs it runs on the distributed index, and the order of its hits.

Every SELECT of a search shares one WHERE: the MATCH string (a bound
parameter, :mod:`.translate`), the index's namespace, the committed
generation, the rows no committed document owns left out, and the typed
filters' conditions (:mod:`.values`). On it:

- a page by relevance: Sphinx's best candidates (at least ``Scorer.candidates``,
  or twice the page) by a BM25 it can compute, scored again by persearch
  (:mod:`.rank`); ties by indexing order;
- a page by a typed field: Sphinx orders by the value (documents without it
  last) and by its weight; every run of equal values the page holds (seen
  with one neighbour each side) is ranked again by persearch's score, from
  the run's first document in the whole order;
- facets: one ``GROUP BY`` a facet.

Each SELECT reads ``SHOW META``: a node that did not answer is remembered
in :attr:`Search.missing` (the answer is then partial).

    >>> Search(nodes, match, conditions, ns=7, generation=3, garbage=[]).ranked(scorer, 10, 0)  # doctest: +SKIP
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..base import TITLE_BOOST, equal_runs
from .config import DIST_INDEX
from .rank import Scorer
from .translate import ALL
from .values import FACET_SIZE, Conditions, facet_column, facet_value, keyword_code, slot_number, sort_order

if TYPE_CHECKING:
    from ...values.facets import Facet, Sort
    from .nodes import Nodes

#: How Sphinx chooses the candidates (:mod:`.rank` orders them): BM25 per
#: field, summed. The IDF is Whoosh's own, ``log(N/n) + 1`` per word (plain
#: IDF plus the words matched, ``word_count``; the final order uses BM25's
#: usual IDF, :mod:`.rank`): a common word weighs about 1, never 0, so that
#: the nodes' own counts (per-node IDF) barely move it. Sphinx 2.2's RT indexes keep no field lengths (its bm25f() normalizes
#: nothing), so each row carries its fields' lengths (``tlen``, ``blen``) and
#: the expression normalizes with them and the averages from the store; the
#: title (and its stacked terms) is told from the body by its field weight
#: (2). A field's hits of all query words saturate together. Weights are
#: integers: scaled up (1e5 keeps four digits of a common word's score).
_BM25_RANKER = ("ranker=expr('sum(if(user_weight > 0, if(user_weight == 2, {boost}, 1) * (sum_idf + word_count) "
                "* hit_count * 2.2 / (hit_count + 1.2 * (0.25 + 0.75 * if(user_weight == 2, tlen / {title}, "
                "blen / {body}))), 0)) * 100000'), "
                "field_weights=(title=2, body=1, tstack=2, bstack=1, every=0, filt=0), idf='plain,tfidf_unnormalized'")
_FLAT_RANKER = "ranker=expr('sum(1)')"
#: Candidates by the count of matched tokens (for prefixes and fuzzy terms with several expansions).
_COUNT_RANKER = "ranker=expr('sum(if(user_weight > 0, hit_count, 0))'), field_weights=(title=2, body=1, tstack=2, bstack=1, every=0, filt=0)"
#: A row of a page: ``(sid, seq)``, and the sort value's pieces when sorted.
Row = tuple[Any, ...]


class Search:
    """The SELECTs of one search (see the module docstring)."""

    def __init__(self, nodes: Nodes, match: Any, conditions: Conditions, *, ns: int, generation: int,
                 garbage: Sequence[int]) -> None:
        self.nodes = nodes
        self.match = match
        self.conditions = conditions
        self.where = ["ns = %s", "gen <= %s"]
        self.where_args: list[Any] = [ns, generation]
        if match is not ALL:
            self.where.insert(0, "MATCH(%s)")
            self.where_args.insert(0, match)
        if garbage:
            self.where.append(f"id NOT IN ({', '.join(['%s'] * len(garbage))})")
            self.where_args.extend(garbage)
        #: Node number -> why it did not answer, over every SELECT of this search.
        self.missing: dict[int, str] = {}
        self.total = 0

    # -- one SELECT ------------------------------------------------------------------------
    def select(self, columns: str, *, extra: Iterable[str] = (), where: Iterable[tuple[str, list[Any]]] = (),
               group: str | None = None, order: str = "", offset: int = 0, limit: int = 1,
               options: str = "", match: str | None = None) -> list[Row]:
        """The rows of one SELECT (``columns`` and ``extra`` select expressions are persearch's own text;
        ``match`` another MATCH string than the search's); :attr:`total` is its ``total_found``."""
        expressions = [columns, *extra, *(sql for sql, _ in self.conditions.select)]
        args: list[Any] = [a for _, values in self.conditions.select for a in values]
        clauses = list(self.where)
        args += [match, *self.where_args[1:]] if match is not None and self.match is not ALL else self.where_args
        for sql, values in [*self.conditions.where, *where]:
            clauses.append(sql)
            args += values
        sql = f"SELECT {', '.join(expressions)} FROM {DIST_INDEX} WHERE {' AND '.join(clauses)}"
        if group:
            sql += f" GROUP BY {group}"
        if order:
            sql += f" ORDER BY {order}"
        sql += " LIMIT %s, %s OPTION max_matches=%s"
        args += [offset, max(1, limit), offset + max(1, limit)]
        if options:
            sql += f", {options}"
        answer = self.nodes.search(sql, args)
        for node in answer.missing:
            self.missing.setdefault(node, answer.reasons.get(node, ""))
        self.total = answer.total_found
        return answer.rows

    # -- by relevance ----------------------------------------------------------------------
    def ranked(self, scorer: Scorer, limit: int, offset: int,
               load: Callable[[list[int]], Mapping[int, tuple[str, str, bytes]]],
               best: Callable[[], str | None] | None = None) -> tuple[list[tuple[float, int]], int]:
        """``(score, sid)`` of the page's hits, best first, and the number of matches.

        ``best()``: the MATCH of the query with its prefixes and fuzzy terms reaching only their
        best tier (what the ranking puts first), whose best documents are candidates too."""
        wanted = max(scorer.candidates, 2 * (offset + limit))
        ranker = _ranker(scorer)
        columns = "id, WEIGHT() AS w, seq"
        rows = {sid: seq for sid, _, seq, *_ in self.select(columns, order="w DESC, seq ASC", limit=wanted,
                                                        options=ranker)}
        total = self.total
        if any(scorer.expanded.values()) and ranker != _FLAT_RANKER:
            # Prefixes and fuzzy terms: the documents with most of their tokens are candidates too
            # (Sphinx's BM25 of an expansion is per node), and the best of their best tier.
            for sid, _, seq, *_ in self.select(columns, order="w DESC, seq ASC", limit=wanted, options=_COUNT_RANKER):
                rows.setdefault(sid, seq)
            other = best() if best is not None else None
            if other is not None and other != self.match:
                for sid, _, seq, *_ in self.select(columns, order="w DESC, seq ASC", limit=wanted, options=ranker,
                                                   match=other):
                    rows.setdefault(sid, seq)
        found = load(list(rows)) if rows else {}
        ranked = sorted(((scorer.score(found[sid][2]), seq, sid) for sid, seq in rows.items() if sid in found),
                        key=lambda row: (-row[0], row[1]))
        return [(score, sid) for score, _, sid in (ranked[offset:offset + limit] if limit > 0 else [])], total

    # -- by a typed field ------------------------------------------------------------------
    def sorted(self, scorer: Scorer, sort: Sort, slots: Mapping[str, str], limit: int, offset: int,
               load: Callable[[list[int]], Mapping[int, tuple[str, str, bytes]]]) -> tuple[list[tuple[float, int]], int]:
        """``(score, sid)`` of the page's hits in ``sort`` order, equal values best first, and the
        number of matches. The page is read with one neighbour each side, so a value seen once
        whose neighbours differ needs nothing more."""
        extra, order = sort_order(sort, slots)
        before = 1 if offset > 0 else 0
        # Rows: id, weight, seq, whether the value is missing, the value (the sort's select expressions).
        rows = self.select("id, WEIGHT() AS w, seq", extra=extra, order=", ".join([*order, "w DESC", "seq ASC"]),
                           offset=offset - before, limit=limit + before + 1, options=_ranker(scorer))
        total = self.total
        keys = [(int(row[3]), None if int(row[3]) else row[4]) for row in rows]
        page = [row[0] for row in rows[before:before + limit]]
        for start, end, earlier, later in equal_runs(keys, before, len(page)):
            if end - start > 1 or earlier or later:
                key = keys[before + start]
                first = self._run_start(sort, slots, key) if earlier else offset + start
                page[start:end] = self._run(scorer, sort, slots, key, offset + start - first, end - start, load)
        found = load(page)
        return [(scorer.score(found[sid][2]) if sid in found else 0.0, sid) for sid in page], total

    def _equal(self, sort: Sort, slots: Mapping[str, str], key: tuple[int, Any]) -> list[tuple[str, list[Any]]]:
        """Conditions for the documents whose sort value is ``key``'s (or that have none)."""
        i = slot_number(slots[sort.field])
        missing, value = key
        if missing:
            return [("_m = 1", [])]
        wanted = keyword_code(value) if sort.type == "keyword" else value
        return [(f"v{i} IN %s", [[wanted]])]

    def _run(self, scorer: Scorer, sort: Sort, slots: Mapping[str, str], key: tuple[int, Any], skip: int, count: int,
             load: Callable[[list[int]], Mapping[int, tuple[str, str, bytes]]]) -> list[int]:
        """``count`` documents of the run of ``key``, from its ``skip``-th by persearch's score."""
        extra, _ = sort_order(sort, slots)
        wanted = max(scorer.candidates, 2 * (skip + count))
        rows = self.select("id, WEIGHT() AS w, seq", extra=extra, where=self._equal(sort, slots, key),
                           order="w DESC, seq ASC", limit=wanted, options=_ranker(scorer))
        found = load([row[0] for row in rows])
        ranked = sorted(((scorer.score(found[sid][2]) if sid in found else 0.0, seq, sid)
                         for sid, _, seq, *_ in rows), key=lambda row: (-row[0], row[1]))
        return [sid for _, _, sid in ranked[skip:skip + count]]

    def _run_start(self, sort: Sort, slots: Mapping[str, str], key: tuple[int, Any]) -> int:
        """How many matches come before the documents whose sort value is ``key``'s."""
        extra, _ = sort_order(sort, slots)
        missing, value = key
        if missing:  # documents without a value come after every other
            self.select("id", extra=extra, where=[("_m = 0", [])], limit=1, options=_FLAT_RANKER)
            return self.total
        if sort.type == "keyword":  # Sphinx 2.2 compares no strings in a WHERE: count each value
            rows = self.select("COUNT(*) AS c", extra=extra, where=[("_m = 0", [])],
                               group=f"s{slot_number(slots[sort.field])}", limit=FACET_SIZE, options="ranker=none")
            return sum(int(row[0]) for row in rows if (row[2] > value if sort.descending else row[2] < value))
        comparison = "_k > %s" if sort.descending else "_k < %s"
        self.select("id", extra=extra, where=[("_m = 0", []), (comparison, [value])], limit=1, options=_FLAT_RANKER)
        return self.total

    # -- facets ------------------------------------------------------------------------------
    def facets(self, facets: Sequence[Facet], slots: Mapping[str, str],
               keywords: Callable[[Iterable[int]], Mapping[int, str]]) -> dict[str, dict[Any, int]]:
        """``{facet name: {value: matches}}``: one GROUP BY each (keyword texts from the store)."""
        out: dict[str, dict[Any, int]] = {}
        for facet in facets:
            rows = self.select("GROUPBY() AS g, COUNT(*) AS c", group=facet_column(facet, slots), limit=FACET_SIZE,
                               options="ranker=none")
            texts = keywords(int(g) for g, _ in rows) if facet.type == "keyword" else {}
            counts: dict[Any, int] = {}
            for group, count in rows:
                value = facet_value(facet, int(group), texts)
                if value is not None:
                    counts[value] = counts.get(value, 0) + int(count)
            out[facet.name] = counts
        return out


def _ranker(scorer: Scorer) -> str:
    if not scorer.ranked:
        return _FLAT_RANKER
    return _BM25_RANKER.format(boost=f"{TITLE_BOOST:.4f}", title=f"{max(scorer.avg[0], 0.01):.4f}",
                               body=f"{max(scorer.avg[1], 0.01):.4f}")


__all__ = ["Search"]
