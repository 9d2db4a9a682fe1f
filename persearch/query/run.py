"""Run a query: ``search()`` parses, executes on the backend, suggests, and highlights.

``search(index, query)`` takes any :class:`~persearch.query.searchable.Searchable`
(an :class:`~persearch.index.Index` is one) and returns one page of
:class:`Results`: ranked :class:`Hit` records with snippets whose highlights
are offsets into the snippet (docs/query.md). Filters, a sort and facets on
typed record fields (``filters=["date>=1402/05/01"]``, ``date:1402/05`` in
the query, ``sort="-date"``, ``facets=["source"]``) are read here
(structured.py) and executed by the engine.

    >>> search(index, "رئیس‌جمهوری", limit=5).hits[0].snippet  # doctest: +SKIP
    '… گفت‌وگوی رئیس‌جمهوری با …'
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from ..backends.base import BackendResults, StoredHit
from ..errors import InvalidOption
from ..snippet import make_snippet
from ..querytree import And, AndNot, Fuzzy, MatchNone, Node, Or, Phrase, Prefix, Term
from ..render import HIGHLIGHT_STYLE, to_ansi, to_html, to_rich
from .lexer import FIELD_NAMES
from .parse import Parsed, parse
from .ranking import ranked
from .searchable import Searchable
from .structured import Request, field_values, read_request

if TYPE_CHECKING:
    from ..values.facets import Facet


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
    #: The index's field types, for :attr:`values`.
    field_types: dict[str, str] = field(default_factory=dict, repr=False)
    _values: dict[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def values(self) -> dict[str, Any]:
        """The document's record fields, ready to show or dump as JSON: a date as
        ``{"jalali": "1402/05/12", "gregorian": "2023-08-03"}``, a number as a number,
        anything else (and a value that did not read as its type) as written."""
        if self._values is None:
            self._values = field_values(self.fields.get("metadata") or {}, self.field_types)
        return self._values

    def to_html(self) -> str:
        """The snippet as HTML: matches in ``<mark>``, everything else escaped."""
        return to_html(self.snippet, self.highlights)

    def to_ansi(self) -> str:
        """The snippet with highlights in ANSI bold red, as ``persearch search`` shows them."""
        return to_ansi(self.snippet, self.highlights)

    def to_rich(self, style: str = HIGHLIGHT_STYLE) -> str:
        """The snippet as rich console markup, highlights in the CLI's style (rich itself is not imported)."""
        return to_rich(self.snippet, self.highlights, style)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (offsets as ``[start, end]`` lists)."""
        return {
            "id": self.id, "path": self.path, "title": self.title, "score": self.score, "rank": self.rank,
            "snippet": self.snippet, "highlights": [list(h) for h in self.highlights],
            "matches": [list(m) for m in self.matches], "title_highlights": [list(h) for h in self.title_highlights],
            "fields": self.values,
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
    #: True when the hits are the suggestion's (searched instead of the query as typed).
    corrected: bool = False
    elapsed: float = 0.0
    search_time: float = 0.0
    snippet_time: float = 0.0
    #: The backend's answer; its total is counted on first use of :attr:`total`.
    found: BackendResults = field(default_factory=lambda: BackendResults(0, []), repr=False)
    #: The facets asked for (counted on first use of :attr:`facets`).
    facet_specs: list[Facet] = field(default_factory=list, repr=False)
    #: Set when part of the index did not answer (a Sphinx node down): ``message``,
    #: ``missing_nodes``, ``missing_share`` (of the documents), ``reasons``.
    partial: dict[str, Any] | None = None
    _facets: dict[str, dict[Any, int]] | None = field(default=None, init=False, repr=False)

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

    @property
    def past_last_page(self) -> bool:
        """True when this page lies beyond the last one (there are hits, none here)."""
        return not self.hits and self.page > 1 and self.limit > 0 and self.total > 0

    @property
    def facets(self) -> dict[str, dict[Any, int]]:
        """``{facet: {value: matching documents}}`` over the whole result, not the page:
        keyword and number values most frequent first, dates (Jalali) in order."""
        if not self.facet_specs:
            return {}
        if self._facets is None:
            from ..values.facets import display_counts

            raw = self.found.facets
            self._facets = {f.name: display_counts(f, raw.get(f.name, {})) for f in self.facet_specs}
        return self._facets

    def to_dict(self) -> dict[str, Any]:
        data = {
            "query": self.query, "total": self.total, "page": self.page, "limit": self.limit,
            "suggestion": self.suggestion, "corrected": self.corrected, "message": self.message,
            "elapsed": self.elapsed,
            "hits": [h.to_dict() for h in self.hits],
        }
        if self.facet_specs:
            data["facets"] = self.facets
        if self.partial:
            data["partial"] = self.partial
        return data


def search_fields(fields: Sequence[str]) -> set[str]:
    """The fields ``fields=`` names (``{"body"}`` for ``["text"]``); InvalidOption for an unknown one."""
    unknown = [f for f in fields if FIELD_NAMES.get(f.lower()) is None]
    if unknown:
        raise InvalidOption(f"unknown field {unknown[0]}: use title or body (text is another name for body)")
    return {FIELD_NAMES[f.lower()] for f in fields}


def _restrict(node: Node, fields: Sequence[str] | None) -> Node:
    """Apply ``fields=`` to nodes that use the default fields."""
    if not fields:
        return node
    names = search_fields(fields)
    if len(names) > 1:
        return node
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


def _run(index: Searchable, node: Node, limit: int, offset: int, request: Request) -> BackendResults:
    if request.sort is None and not request.facets:
        return index.backend.search(node, limit=limit, offset=offset, filters=request.filters or None)
    return index.backend.search(node, limit=limit, offset=offset, filters=request.filters or None,
                                sort=request.sort, facets=request.facets)


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


def execute(index: Searchable, parsed: Parsed, limit: int, offset: int, filters: Any = None,
            fallback: bool = True, *, sort: str | None = None, facets: Any = None) -> BackendResults:
    """Run a parsed query: this page's hits, and the total (counted only when read).

    ``filters``, ``sort`` and ``facets`` as :func:`search` takes them.

    When keywords (every word / most words) find nothing, the documents
    matching *any* word are returned instead, so a query never comes back
    empty for want of one word. Documents with fewer words are not appended
    to a non-empty answer: its users asked for every word, and ranking the
    any-word matches of common words costs more than the search itself.
    """
    request = read_request(index, "", filters, {}, sort, facets)
    return _execute(index, parsed, limit, offset, request, fallback)[0]


def _execute(index: Searchable, parsed: Parsed, limit: int, offset: int, request: Request,
             fallback: bool) -> tuple[BackendResults, bool]:
    """:func:`execute`, and whether the any-word fallback answered."""
    first = _run(index, ranked(index, parsed), limit, offset, request)
    relaxed = _relaxed(parsed.node) if fallback else None
    if relaxed is None or first.at_least(1):
        return first, False
    return _run(index, relaxed, limit, offset, request), True


def search(index: Searchable, query: str, limit: int = 10, page: int = 1, fields: Sequence[str] | None = None, *,
           snippet_length: int = 160, fragments: int = 2, snippets: bool = True, mode: str = "auto",
           fallback: bool = True, suggest: bool = True, filters: Any = None, sort: str | None = None,
           facets: Sequence[str] | str | None = None, **equal: Any) -> Results:
    """Search ``index`` and return one page of ranked, highlighted hits.

    ``filters``: ``--filter`` expressions (``"source=فارس"``, ``"date>=1402/05/01"``),
    :class:`~persearch.values.filters.Filter` objects, or a dict of equality
    filters; other keyword arguments are equality filters too
    (``source="فارس"``). ``field:value`` clauses on typed fields in the
    query are filters as well; all of them must match. ``sort``: ``"date"``,
    ``"-date"``, any number or keyword field, or ``"score"`` (the default).
    ``facets``: fields whose values are counted over the whole result
    (:attr:`Results.facets`). Malformed filters raise QueryError or
    InvalidOption with one line.

    >>> index.search("رئیس‌جمهوری", limit=5).hits[0].snippet  # doctest: +SKIP
    '… گفت‌وگوی رئیس‌جمهوری با …'
    >>> index.search("استقلال date:1402/05", sort="-date", facets=["source"]).facets  # doctest: +SKIP
    {'source': {'ورزش سه': 3, 'فارس': 2}}
    """
    started = time.perf_counter()
    limit = max(0, int(limit))
    page = max(1, int(page))
    if isinstance(fields, str):  # one field, as facets="source" is one facet
        fields = [fields]
    index = _Pinned(index)
    analyzer = index.analyzer
    request = read_request(index, query, filters, equal, sort, facets)
    parsed = parse(request.query, analyzer, mode)
    if request.filters and isinstance(parsed.node, MatchNone):  # only filters: every document they match
        parsed = request.match_all(parsed)
    node = _restrict(parsed.node, fields)
    parsed.node = node
    results = Results(query=query, page=page, limit=limit, hits=[], message=parsed.message,
                      facet_specs=list(request.facets))
    if isinstance(node, MatchNone):
        results.elapsed = time.perf_counter() - started
        return results
    offset = (page - 1) * limit
    fallback = fallback and mode == "auto"
    found, relaxed = _execute(index, parsed, limit, offset, request, fallback)
    # Few hits, or none with every word (the any-word fallback answered): a
    # typo is the likely cause. The test depends on the total, not the page,
    # so every page of one query makes the same choice. Filters make few hits
    # expected: then only none at all calls for a suggestion.
    few = 1 if request.filters else max(limit, 1)
    if suggest and (relaxed or not found.at_least(few)):
        # Where the fallback found documents, only one word corrected by one
        # edit replaces them: right words the index lacks (پنگوئن, هاکی) would
        # otherwise be swapped for neighbours (سنگین, هادی).
        answered = relaxed and found.total > 0
        from .suggest import suggest_for  # loaded by the first query that needs a suggestion

        alternative = suggest_for(index, request.query, parsed, 0 if relaxed else found.total,
                                  partial(_count, index, mode, request.counting()),
                                  search_edits=1 if answered else 2, search_words=1 if answered else None)
        if alternative is not None:
            results.suggestion = alternative.query
            if alternative.parsed is not None:
                other, other_relaxed = _execute(index, alternative.parsed, limit, offset, request, fallback)
                # Any-word matches of the correction are no better than the typed query's.
                if not (relaxed and other_relaxed and found.total > 0):
                    parsed, found, relaxed = alternative.parsed, other, other_relaxed
                    results.corrected = True
    if relaxed and found.total > 0:
        note = "no document has every word: these have some of them"
        results.message = f"{results.message}; {note}" if results.message else note
    if found.partial:  # a node did not answer: said, with the share of the index it holds
        results.partial = found.partial
        note = found.partial["message"]
        results.message = f"{results.message}; {note}" if results.message else note
    searched = time.perf_counter()
    results.found = found
    results.hits = _hits(index, parsed, found.hits, offset, snippets, snippet_length, fragments, request.types)
    finished = time.perf_counter()
    results.search_time = searched - started
    results.snippet_time = finished - searched
    results.elapsed = finished - started
    return results


class _Pinned:
    """An index as one search sees it: its analyzer and its engine, looked up once
    (``Index.backend`` looks at persearch.json each time: a stat per use)."""

    __slots__ = ("analyzer", "backend")

    def __init__(self, index: Searchable) -> None:
        self.analyzer = index.analyzer
        self.backend = index.backend


def _count(index: Searchable, mode: str, request: Request, query: str) -> tuple[int, Parsed]:
    """How many documents ``query`` finds (with the any-word fallback of mode "auto"), and its parse:
    how suggestions weigh a candidate."""
    parsed = parse(query, index.analyzer, mode)
    if isinstance(parsed.node, MatchNone):
        return 0, parsed
    # No page: a count needs no stored document.
    return _execute(index, parsed, 0, 0, request, mode == "auto")[0].total, parsed


def _hits(index: Searchable, parsed: Parsed, stored_hits: Iterable[StoredHit], offset: int, snippets: bool,
          snippet_length: int, fragments: int, types: dict[str, str]) -> list[Hit]:
    matcher = parsed.matcher(index.analyzer) if snippets else None
    hits = []
    for rank, sh in enumerate(stored_hits, offset + 1):
        f = sh.fields or {}
        title = f.get("title") or ""
        hit = Hit(id=sh.id, path=f.get("path") or "", title=title, score=float(sh.score), rank=rank, fields=f,
                  field_types=types)
        if matcher is not None:
            stored = sh.stored_tokens(1)
            # With stored tokens nothing reads the whole text: a snippet decodes only what it shows.
            text = sh.sliced_text() if stored is not None else sh.text
            found = matcher.find(text, stored=stored)
            hit.matches = [(s, e) for s, e, _ in found]
            snip = make_snippet(text, found, length=snippet_length, fragments=fragments, weight=matcher.weight)
            hit.snippet, hit.highlights = snip.text, snip.highlights
            if title:
                hit.title_highlights = matcher.spans(title, stored=sh.stored_tokens(0))
        hits.append(hit)
    return hits


__all__ = ["search", "execute", "search_fields", "Results", "Hit"]
