"""Run a query: ``search()`` parses, executes on the backend, suggests, and highlights.

``search(index, query)`` takes any :class:`~persearch.query.searchable.Searchable`
(an :class:`~persearch.index.Index` is one) and returns one page of
:class:`Results`: ranked :class:`Hit` records with snippets whose highlights
are offsets into the snippet (docs/query.md).

    >>> search(index, "رئیس‌جمهوری", limit=5).hits[0].snippet  # doctest: +SKIP
    '… گفت‌وگوی رئیس‌جمهوری با …'
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Iterable, Iterator, Sequence

from ..backends.base import BackendResults, StoredHit
from ..errors import InvalidOption
from ..highlight import make_snippet
from ..querytree import And, AndNot, Fuzzy, MatchNone, Node, Or, Phrase, Prefix, Term
from ..render import to_ansi, to_html, to_rich
from .lexer import FIELD_NAMES
from .parse import Parsed, parse
from .ranking import ranked
from .searchable import Searchable
from .suggest import suggest_for


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


def _run(index: Searchable, node: Node, limit: int, offset: int, filters: dict[str, Any]) -> BackendResults:
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


def execute(index: Searchable, parsed: Parsed, limit: int, offset: int, filters: dict[str, Any],
            fallback: bool = True) -> BackendResults:
    """Run a parsed query: this page's hits, and the total (counted only when read).

    When keywords (every word / most words) find nothing, the documents
    matching *any* word are returned instead, so a query never comes back
    empty for want of one word. Documents with fewer words are not appended
    to a non-empty answer: its users asked for every word, and ranking the
    any-word matches of common words costs more than the search itself.
    """
    return _execute(index, parsed, limit, offset, filters, fallback)[0]


def _execute(index: Searchable, parsed: Parsed, limit: int, offset: int, filters: dict[str, Any],
             fallback: bool) -> tuple[BackendResults, bool]:
    """:func:`execute`, and whether the any-word fallback answered."""
    first = _run(index, ranked(index, parsed), limit, offset, filters)
    relaxed = _relaxed(parsed.node) if fallback else None
    if relaxed is None or first.at_least(1):
        return first, False
    return _run(index, relaxed, limit, offset, filters), True


def search(index: Searchable, query: str, limit: int = 10, page: int = 1, fields: Sequence[str] | None = None, *,
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
        # Where the fallback found documents, only one word corrected by one
        # edit replaces them: right words the index lacks (پنگوئن, هاکی) would
        # otherwise be swapped for neighbours (سنگین, هادی).
        answered = relaxed and found.total > 0
        alternative = suggest_for(index, query, parsed, 0 if relaxed else found.total,
                                  partial(_count, index, mode, filters),
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
    searched = time.perf_counter()
    results.found = found
    results.hits = _hits(index, parsed, found.hits, offset, snippets, snippet_length, fragments)
    finished = time.perf_counter()
    results.search_time = searched - started
    results.snippet_time = finished - searched
    results.elapsed = finished - started
    return results


def _count(index: Searchable, mode: str, filters: dict[str, Any], query: str) -> tuple[int, Parsed]:
    """How many documents ``query`` finds (with the any-word fallback of mode "auto"), and its parse:
    how suggestions weigh a candidate."""
    parsed = parse(query, index.analyzer, mode)
    if isinstance(parsed.node, MatchNone):
        return 0, parsed
    return execute(index, parsed, 1, 0, filters, fallback=mode == "auto").total, parsed


def _hits(index: Searchable, parsed: Parsed, stored_hits: Iterable[StoredHit], offset: int, snippets: bool,
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


__all__ = ["search", "execute", "Results", "Hit"]
