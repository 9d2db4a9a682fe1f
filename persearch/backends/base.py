"""The engine interface: what persearch needs from a search engine, and no more.

Analysis, query parsing, highlighting and suggestions are persearch's own;
a backend stores documents, executes a :mod:`persearch.querytree` query with
BM25 ranking (title boosted), and lists its term dictionary. Whoosh is the
default backend; tantivy (extra ``persearch[tantivy]``) implements the same
protocol. See docs/backends.md.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ..analysis.analyzer import Analyzer
from ..errors import InvalidOption
from ..files import write_json
from ..querytree import Node
from ..stored_tokens import StoredTokens

if TYPE_CHECKING:
    from ..snippet import Text
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter
    from ..values.records import FieldSpec

#: Analyzed fields a query may name; None in a query node means all of them.
SEARCH_FIELDS = ("title", "body")
#: BM25F weight of the title relative to the body.
TITLE_BOOST = 1.0
#: Raw stored fields a filter (or a query field) may name directly; other
#: filter keys name typed record fields.
FILTER_FIELDS = ("id", "path", "format", "encoding")
#: Names a record field cannot be typed under (it stays metadata): the query
#: language's fields, the raw fields, and ``score`` (``--sort score``).
RESERVED_FIELDS = frozenset({*SEARCH_FIELDS, "text", *FILTER_FIELDS, "score"})


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
    #: Typed values of record fields (``{"date": [key], "source": ["فارس"]}``, see
    #: persearch.values.records); a backend indexes those of fields in its :class:`FieldTable`.
    typed: dict[str, list[Any]] = field(default_factory=dict)


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

    #: The stored text as a snippet reads it, in slices (persearch.snippet.SlicedText), if the backend has
    #: such a view: a snippet of a long document then decodes a few hundred characters, not all of them.
    load_sliced: Callable[[], "Text"] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The document's stored original text."""
        if "text" not in self.fields:
            self.fields["text"] = self.load_text() if self.load_text is not None else ""
        return self.fields["text"]

    def sliced_text(self) -> "Text":
        """The stored text for a snippet: :attr:`text` once read, else the backend's sliced view of it."""
        if self.load_sliced is None or "text" in self.fields:
            return self.text
        return self.load_sliced()

    _tokens: bytes | None = field(default=None, init=False, repr=False, compare=False)
    _parts: list[StoredTokens] | None = field(default=None, init=False, repr=False, compare=False)

    def stored_tokens(self, part: int) -> StoredTokens | None:
        """Index-time tokens of the title (``part=0``) or the body (``1``), if stored."""
        if self._parts is None:
            if self._tokens is None:
                self._tokens = (self.load_tokens() if self.load_tokens is not None else None) or b""
            # Both parts in one walk: a hit's title and body are highlighted from the same bytes.
            self._parts = StoredTokens.parts(self._tokens) if self._tokens else []
        return self._parts[part] if part < len(self._parts) else None


class BackendResults:
    """Ranked hits and the number of matching documents.

    Counting every match can cost as much as ranking the top ones, so a
    backend may pass ``count`` instead of ``total``: it runs only when
    :attr:`total` is read. ``lower`` is a free lower bound on the count.
    ``partial`` is set by a backend spread over nodes when some did not
    answer: ``{"message", "missing_nodes", "missing_share", ...}``.

    >>> BackendResults(3, []).total
    3
    """

    def __init__(self, total: int | None, hits: list[StoredHit], *,
                 count: Callable[[], int] | None = None, lower: int = 0,
                 facets: Callable[[], dict[str, dict[Any, int]]] | None = None) -> None:
        self.hits = hits
        self._total = total
        self._count = count
        self.lower = total if total is not None else lower
        self._facets = facets
        self._facet_counts: dict[str, dict[Any, int]] | None = None
        self.partial: dict[str, Any] | None = None

    @property
    def facets(self) -> dict[str, dict[Any, int]]:
        """``{facet name: {value: matches}}`` over every match (counted on first use).

        Values are what the engine holds: keyword terms, numbers, and date
        keys floored to their day (persearch.values.facets shows them).
        """
        if self._facet_counts is None:
            self._facet_counts = self._facets() if self._facets is not None else {}
        return self._facet_counts

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
    #: Bytes the engine's writer may buffer before it writes out (Whoosh's
    #: posting pool, tantivy's indexing heap); settable before writing.
    writer_memory: int

    # -- life cycle -----------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, *, lock_timeout: float = 10.0) -> "Backend":
        """Create an empty index in folder ``path`` (its generation is then valid)."""

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, *,
             lock_timeout: float = 10.0) -> "Backend":
        """Open the index in ``path``; ``analyzer`` is the one recorded in persearch.json."""

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False,
                        memory: int | None = None) -> SegmentBuilder:
        """A builder for one worker process of a parallel build (see :class:`SegmentBuilder`).

        ``with_changes``: the commit that takes its result also deletes or
        replaces documents, and must still be atomic. ``memory``: bytes its
        writer may buffer (None: the engine's default).
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

    def commit(self, segments: Iterable[Any] = (), *, release: bool = True) -> None:
        """Make every change so far, and the workers' ``segments``, durable and visible atomically.

        A process killed at any moment leaves the last commit intact.
        ``release=False``: more commits follow soon (a sync committing at
        intervals), so the engine may keep its writer and its lock.
        """

    def cancel(self) -> None:
        """Drop uncommitted changes."""

    def optimize(self) -> None:
        """Rewrite the index as one segment and commit."""

    # -- typed record fields -------------------------------------------------------
    def fields(self) -> dict[str, FieldSpec]:
        """The typed record fields documents may hold (the :class:`FieldTable`)."""

    def add_fields(self, specs: Mapping[str, FieldSpec]) -> list[str]:
        """Record new typed fields (or a field now holding several values) before documents use them;
        the names the engine cannot type (they stay metadata)."""

    # -- reading ----------------------------------------------------------------
    def search(self, query: Node, limit: int, offset: int = 0,
               filters: Sequence[Filter] | Mapping[str, Any] | None = None, *,
               sort: Sort | None = None, facets: Sequence[Facet] = ()) -> BackendResults:
        """Rank documents matching ``query``; ``limit`` hits from ``offset``.

        ``filters`` must all match (persearch.values.filters; a mapping is
        the equality form, ``{"format": "json", "source": ["a", "b"]}``);
        an unknown field raises InvalidOption. ``sort``: by a typed field,
        ties by score, documents without it last; None ranks by score.
        ``facets`` are counted over every match, in
        :attr:`BackendResults.facets`. Hits carry the small stored fields;
        the text loads lazily. Filters and facets use the engine's own typed
        fields, never a pass over every hit in Python.
        """

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document (text, title, path, ...)."""

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields (text included) of every live document: rebuild only, slow."""

    def records(self, path: str) -> dict[str, str]:
        """``{id: hash}`` of the live documents read from file ``path`` (record-level updates)."""

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file (manifest recovery)."""

    def terms(self, field: str = "body", prefix: str = "") -> Iterator[tuple[str, int]]:
        """The term dictionary of a field as ``(term, document frequency)``, only the terms beginning
        with ``prefix`` if one is given; nothing for unknown fields. Prefix and fuzzy terms expand
        from it by persearch.expand's rules, the same on every engine."""

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

    def read_everything(self) -> tuple[int, int, list[str]]:
        """Open every segment and read all it holds (terms, stored fields, texts):
        ``(segments, documents read, problems in words)``. For ``persearch doctor``: slow."""

    def engine_files(self) -> list[str]:
        """Names of the files (in the backend's folder) the committed index is made of.

        persearch records their sizes and checksums after each commit and
        checks them on open: a file missing, emptied or overwritten is found
        before a search stumbles on it.
        """


# -- shared by the engines ----------------------------------------------------------

def as_filters(filters: Sequence[Filter] | Mapping[str, Any] | None, specs: Mapping[str, FieldSpec]) -> list[Filter]:
    """Filters as :class:`~persearch.values.filters.Filter` objects; a mapping is the equality form.

    A raw field (:data:`FILTER_FIELDS`) matches its stored value exactly; a
    typed field by :func:`~persearch.values.filters.equality_filter`.
    """
    if not filters:
        return []
    if isinstance(filters, list) or not isinstance(filters, Mapping):  # a list: skip the slow Mapping check
        return list(filters)
    from ..values.filters import Filter, equality_filter

    types = {name: spec.type for name, spec in specs.items()}
    found = []
    for name, value in filters.items():
        if name in FILTER_FIELDS:
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            found.append(Filter(name, "keyword", values=tuple(str(v) for v in values), text=f"{name}={value}"))
        else:
            try:
                found.append(equality_filter(name, value, types))
            except InvalidOption:
                known = ", ".join(sorted({*FILTER_FIELDS, *types}))
                raise InvalidOption(f"unknown filter field {name}: use one of {known}") from None
    return found


def check_fields(filters: Sequence[Filter], sort: Sort | None, facets: Sequence[Facet],
                 specs: Mapping[str, FieldSpec]) -> None:
    """InvalidOption when a filter, the sort or a facet names a field the index has not typed as that."""
    named = [(f.field, f.type, "filter") for f in filters if f.field not in FILTER_FIELDS]
    named += [(sort.field, sort.type, "sort")] if sort is not None else []
    named += [(f.field, f.type, "facet") for f in facets]
    if not named:
        return
    from ..values.fields import field_type

    types = {name: spec.type for name, spec in specs.items()}
    for name, kind, what in named:
        if field_type(name, types, what) != kind:
            raise InvalidOption(f"{what} on {name} as a {kind} field, but it is a {types[name]} field")


def equal_runs(values: Sequence[Any], before: int, count: int) -> Iterator[tuple[int, int, bool, bool]]:
    """The runs of equal sort values on a page of ``count`` hits, read with ``before`` (0 or 1) hits
    ahead of it and up to one after (``values``): ``(start, end, earlier, later)`` of each run, as
    page positions, and whether it began on an earlier page or goes on past this one. An engine that
    orders equal values by anything but the score ranks such runs again (a run of one inside the
    page needs nothing).

    >>> list(equal_runs([5, 5, 5, 7, 9, 9], 1, 4))
    [(0, 2, True, False), (2, 3, False, False), (3, 4, False, True)]
    """
    start = 0
    while start < count:
        end = start
        while end < count and values[before + end] == values[before + start]:
            end += 1
        value = values[before + start]
        earlier = bool(start == 0 and before and values[0] == value)
        later = end == count and len(values) > before + end and values[before + end] == value
        yield start, end, earlier, later
        start = end


#: The typed fields of an engine folder, beside the engine's own files.
FIELDS_FILE = "fields.json"


class EngineRetired(OSError):
    """The engine's data was retired by a rebuild (a fresh data folder swapped in) while it was
    being read. An OSError, so the index's reader opens the index again and reads the new data
    (persearch.index.integrity); raised by an engine whose data outlives its folder (sphinx's rows)."""


class FieldTableDamaged(OSError):
    """``fields.json`` cannot be read as a field table: a damaged engine folder (an OSError, so the
    index reports it as damage, naming the file, and a rebuild replaces it)."""


class FieldTable:
    """The typed record fields of one engine folder (``fields.json``), and any engine slot of each.

    Written atomically by the one writing process, *before* documents with
    values of a new field are added, so no committed document holds values
    the table does not describe; read again whenever the file changes.
    A recorded type never changes (a rebuild starts a fresh table).

        >>> table = FieldTable("/tmp/ix")                               # doctest: +SKIP
        >>> table.add({"date": FieldSpec("date")}); table.specs          # doctest: +SKIP
        {'date': FieldSpec(type='date', multi=False)}
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.path = os.path.join(folder, FIELDS_FILE)
        self.specs: dict[str, FieldSpec] = {}
        self.slots: dict[str, str] = {}
        self._stamp: tuple[int, int, int] | None = None
        self.refresh()

    def refresh(self) -> "FieldTable":
        """Read the file again if it changed since it was last read (a stat otherwise)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return self
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp != self._stamp:
            from ..values.records import FieldSpec

            try:
                with open(self.path, encoding="utf-8") as fh:
                    data = json.load(fh)
                fields = data.get("fields") or {}
                specs = {name: FieldSpec(f["type"], bool(f.get("multi"))) for name, f in fields.items()}
                slots = {name: f["slot"] for name, f in fields.items() if f.get("slot")}
            except (ValueError, KeyError, TypeError, AttributeError) as exc:  # emptied, cut short, overwritten
                raise FieldTableDamaged(f"{FIELDS_FILE} is not a field table ({type(exc).__name__})") from None
            self.specs, self.slots = specs, slots
            self._stamp = stamp
        return self

    def add(self, specs: Mapping[str, FieldSpec],
            allot: Callable[[str, FieldSpec, dict[str, str]], str | None] | None = None) -> list[str]:
        """Record ``specs`` (new fields, or ``multi`` raised) and write the file if anything changed.

        ``allot(name, spec, slots)`` gives a new field its engine slot (None:
        none is free; the field is refused and stays metadata). Returns the refused names.
        """
        from ..values.records import merge_specs

        self.refresh()
        refused = []
        wanted = {}
        for name, spec in specs.items():
            if name not in self.specs and allot is not None:
                slot = allot(name, spec, self.slots)
                if slot is None:
                    refused.append(name)
                    continue
                self.slots[name] = slot
            wanted[name] = spec
        merged = merge_specs(self.specs, wanted)
        if merged != self.specs:
            self.specs = merged
            write_json(self.path, {"version": 1, "fields": {
                name: {"type": spec.type, "multi": spec.multi, **({"slot": self.slots[name]}
                                                                   if name in self.slots else {})}
                for name, spec in merged.items()}})
            self._stamp = None
            self.refresh()
        return refused


class SlottedFields:
    """``fields()``, and the ``(specs, slots)`` a write types documents with, for an engine that keeps
    its typed fields in a :class:`FieldTable` (``_table``) with a slot each (tantivy, sphinx)."""

    _table: FieldTable

    def _typing(self) -> tuple[dict[str, FieldSpec], dict[str, str]]:
        table = self._table.refresh()
        return table.specs, table.slots

    def fields(self) -> dict[str, FieldSpec]:
        """The typed record fields (fields.json beside the engine's files, with each one's slot)."""
        return self._table.refresh().specs


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
