"""The engine interface: what persearch needs from a search engine, and no more.

Analysis, query parsing, highlighting and suggestions are persearch's own;
a backend stores documents, executes a :mod:`persearch.querytree` query with
BM25 ranking (title boosted), and lists its term dictionary. Whoosh is the
default backend; others (tantivy) implement the same protocol.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..querytree import Node

#: Analyzed fields a query may name; None in a query node means all of them.
SEARCH_FIELDS = ("title", "body")
#: BM25F weight of the title relative to the body.
TITLE_BOOST = 1.0


@dataclass
class Document:
    """One document to index. ``text`` is stored unchanged for highlighting."""

    id: str
    text: str
    title: str = ""
    path: str = ""
    size: int = 0
    mtime: float = 0.0
    hash: str = ""
    format: str = ""
    encoding: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoredHit:
    """One ranked match as the backend returns it.

    ``fields`` holds the small stored fields; the stored text, the largest, is
    decompressed only when :attr:`text` is read (searches without snippets
    never pay for it).
    """

    id: str
    score: float
    fields: dict[str, Any]
    load_text: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The document's stored original text."""
        if "text" not in self.fields:
            self.fields["text"] = self.load_text() if self.load_text is not None else ""
        return self.fields["text"]


class BackendResults:
    """Ranked hits and the number of matching documents.

    Counting every match can cost as much as ranking the top ones, so a
    backend may pass ``count`` instead of ``total``: it runs only when
    :attr:`total` is read. ``lower`` is a free lower bound on the count.

    >>> BackendResults(3, []).total
    3
    """

    def __init__(self, total: int | None, hits: list[StoredHit], *,
                 count: Callable[[], int] | None = None, lower: int = 0) -> None:
        self.hits = hits
        self._total = total
        self._count = count
        self.lower = total if total is not None else lower

    @property
    def total(self) -> int:
        """Every matching document (computed on first use when the backend deferred it)."""
        if self._total is None:
            self._total = self._count() if self._count is not None else self.lower
        return self._total

    def at_least(self, n: int) -> bool:
        """Whether ``total >= n``, without counting when the lower bound answers it."""
        return self.lower >= n or self.total >= n


class Backend(Protocol):
    """What an engine must do for persearch (see WhooshBackend for the reference)."""

    name: str

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""

    def delete(self, ids: Iterable[str]) -> None:
        """Delete documents by id; visible after :meth:`commit`."""

    def commit(self) -> None:
        """Make every change so far durable and visible, atomically."""

    def search(self, query: Node, limit: int, offset: int = 0,
               filters: dict[str, Any] | None = None) -> BackendResults:
        """Rank documents matching ``query``; ``limit`` hits from ``offset``.

        ``filters`` restricts to documents whose stored field equals the value
        (``{"format": "json"}``); unknown filter fields raise InvalidOption.
        """

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document (text, title, path, ...)."""

    def terms(self, field: str = "body") -> Iterator[tuple[str, int]]:
        """The term dictionary of a field as ``(term, document frequency)``."""

    def doc_count(self) -> int:
        """Number of live documents."""

    def close(self) -> None:
        """Release searchers, writers and locks."""
