"""The engine interface: what persearch needs from a search engine, and no more.

Analysis, query parsing, highlighting and suggestions are persearch's own;
a backend stores documents, executes a :mod:`persearch.querytree` query with
BM25 ranking (title boosted), and lists its term dictionary. Whoosh is the
default backend; tantivy (extra ``persearch[tantivy]``) implements the same
protocol. See docs/backends.md.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from ..analysis.analyzer import Analyzer
from ..errors import InvalidOption
from ..querytree import Node
from ..stored_tokens import StoredTokens

#: Analyzed fields a query may name; None in a query node means all of them.
SEARCH_FIELDS = ("title", "body")
#: BM25F weight of the title relative to the body.
TITLE_BOOST = 1.0
#: Raw stored fields a filter (or a query field) may name directly; other
#: filter keys name metadata keys.
FILTER_FIELDS = ("id", "path", "format", "encoding")
#: A metadata key that is indexed for filters (others are only stored).
METADATA_KEY = re.compile(r"^[\w\-]{1,64}$")


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
    #: The packed index-time tokens of the title and the body (persearch.stored_tokens), if stored.
    load_tokens: Callable[[], bytes | None] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The document's stored original text."""
        if "text" not in self.fields:
            self.fields["text"] = self.load_text() if self.load_text is not None else ""
        return self.fields["text"]

    _tokens: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def stored_tokens(self, part: int) -> StoredTokens | None:
        """Index-time tokens of the title (``part=0``) or the body (``1``), if stored."""
        if self._tokens is None:
            self._tokens = (self.load_tokens() if self.load_tokens is not None else None) or b""
        return StoredTokens(self._tokens, part) if self._tokens else None


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


class SegmentBuilder(Protocol):
    """Work a worker process does for a parallel build, without the index lock.

    What :meth:`finish` returns is opaque to persearch: it is pickled back to
    the parent and handed to :meth:`Backend.commit` (a finished Whoosh
    segment; tantivy segments, or analyzed documents when the commit also
    deletes). Nothing is visible before then.
    """

    def append(self, documents: Iterable[Document]) -> None:
        """Take documents known to be new (the parent deleted older versions)."""

    def finish(self) -> Any:
        """A picklable result for ``commit(segments=[...])``, or None when empty."""


class Backend(Protocol):
    """What an engine must do for persearch (WhooshBackend and TantivyBackend implement it).

    Everything Persian (analysis, query parsing, highlighting, suggestions)
    is persearch's own: a backend indexes the analyzer's tokens at the
    analyzer's positions, keeps stopwords at index time, ranks with BM25
    (title and body, title weighted by :data:`TITLE_BOOST`), stores the
    original text unchanged, and executes :mod:`persearch.querytree` nodes.
    Writes are serialized by the index's own lock; a backend must still
    wait up to ``lock_timeout`` for an engine lock and then raise
    :class:`~persearch.errors.IndexLocked`.
    """

    #: The name recorded in persearch.json: "whoosh", "tantivy".
    name: str

    # -- life cycle -----------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, *, lock_timeout: float = 10.0) -> "Backend":
        """Create an empty index in folder ``path`` (its generation is then valid)."""

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, *,
             lock_timeout: float = 10.0) -> "Backend":
        """Open the index in ``path``; ``analyzer`` is the one recorded in persearch.json."""

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False) -> SegmentBuilder:
        """A builder for one worker process of a parallel build (see :class:`SegmentBuilder`).

        ``with_changes``: the commit that takes its result also deletes or
        replaces documents, and must still be atomic.
        """

    def close(self) -> None:
        """Release searchers, writers and locks (uncommitted changes are dropped)."""

    def generation(self) -> int:
        """A number every commit changes; the manifest records the one it describes."""

    # -- writing ----------------------------------------------------------------
    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new (no replace-by-id lookup)."""

    def delete(self, ids: Iterable[str]) -> None:
        """Delete documents by id; visible after :meth:`commit`."""

    def delete_paths(self, paths: Iterable[str]) -> None:
        """Delete every document read from these files (their ``path`` field)."""

    def commit(self, segments: Iterable[Any] = ()) -> None:
        """Make every change so far, and the workers' ``segments``, durable and visible atomically.

        A process killed at any moment leaves the last commit intact.
        """

    def cancel(self) -> None:
        """Drop uncommitted changes."""

    def optimize(self) -> None:
        """Rewrite the index as one segment and commit."""

    # -- reading ----------------------------------------------------------------
    def search(self, query: Node, limit: int, offset: int = 0,
               filters: dict[str, Any] | None = None) -> BackendResults:
        """Rank documents matching ``query``; ``limit`` hits from ``offset``.

        ``filters`` restricts to documents whose stored field equals the value
        (``{"format": "json"}``); unknown filter fields raise InvalidOption.
        Hits carry the small stored fields; the text loads lazily.
        """

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document (text, title, path, ...)."""

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields (text included) of every live document: rebuild only, slow."""

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file (manifest recovery)."""

    def terms(self, field: str = "body") -> Iterator[tuple[str, int]]:
        """The term dictionary of a field as ``(term, document frequency)``; nothing for unknown fields."""

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        """For each term, the documents holding it in the title plus those holding it in the body (0: unknown).

        ``backend.doc_frequencies(["کتاب", "ناموجود"]) == [12, 0]``
        """

    def term_count(self) -> int:
        """Distinct terms over title and body (stats)."""

    def doc_count(self) -> int:
        """Number of live documents."""

    def segment_count(self) -> int:
        """Number of segments in the committed index (stats)."""


# -- shared by the engines ----------------------------------------------------------

def filter_text(value: Any) -> str:
    """A filter or metadata value as the term it is indexed as: ``True`` -> ``"true"``, ``3`` -> ``"3"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def filter_values(value: Any) -> list[Any]:
    """A filter's accepted values: ``{"format": ["txt", "md"]}`` means either one."""
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def unknown_filter(key: str, metadata_keys: Iterable[str]) -> InvalidOption:
    """The error for a filter on a field no document has, naming those that exist."""
    known = sorted({*FILTER_FIELDS, *metadata_keys})
    return InvalidOption(f"unknown filter field {key!r}: use one of {', '.join(known)}")


class TermDeletes:
    """``delete``, ``delete_paths`` and ``pending`` for an engine that deletes by a raw field's term.

    The backend keeps its open writer (or None) in ``_writer`` and supplies
    ``_open_writer()`` (which waits for the engine's lock) and
    ``_delete_term(writer, field, value)``. Nothing to delete opens no writer.
    """

    _writer: Any

    def _open_writer(self) -> Any:
        raise NotImplementedError

    def _delete_term(self, writer: Any, field: str, value: str) -> None:
        raise NotImplementedError

    def delete(self, ids: Iterable[str]) -> None:
        """Delete documents by id; visible after ``commit``."""
        self._delete_terms("id", ids)

    def delete_paths(self, paths: Iterable[str]) -> None:
        """Delete every document read from these files (their ``path`` field)."""
        self._delete_terms("path", paths)

    def pending(self) -> bool:
        """Whether there are uncommitted changes."""
        return self._writer is not None

    def _delete_terms(self, field: str, values: Iterable[str]) -> None:
        values = list(values)
        if not values:
            return
        writer = self._open_writer()
        for value in values:
            self._delete_term(writer, field, value)
