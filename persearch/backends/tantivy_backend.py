"""The tantivy backend: the same Persian index in tantivy's Rust engine, BM25 ranking.

persearch's analyzer stays the only source of terms: every field is fed to
tantivy pre-tokenized (``PreTokenizedString``) with the positions persearch
chose, so compounds and spelling variants share positions exactly as in the
Whoosh backend. Highlighting, suggestions and the query language are shared;
this module only stores documents and translates query trees.

    >>> backend = TantivyBackend.create("/tmp/ix", Analyzer())   # doctest: +SKIP
    >>> backend.add([Document(id="1", text="کتاب‌ها را خواندم", title="کتاب")])
    >>> backend.commit()
    >>> backend.search(Term("کتاب"), limit=10).total
    1

Its parts: tantivy_documents.py (schema, documents in and out),
tantivy_store.py (the stored records, beside tantivy's files),
tantivy_query.py (query trees), tantivy_segments.py (the parallel build).
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from ..errors import IndexLocked, MissingExtra, PersearchError

try:
    import tantivy
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtra("the tantivy backend needs the tantivy extra: pip install 'persearch[tantivy]'") from None

from .. import querytree as qt
from ..analysis.analyzer import Analyzer
from .base import (SEARCH_FIELDS, BackendResults, Document, FieldTable, SlottedFields, StoredHit, TermDeletes,
                   as_filters, check_fields)
from .tantivy_documents import (HEAP_BYTES, OPTIMIZE_HEAP_BYTES, THREADS, StoredBody, hit_fields, make_document,
                                new_document, new_index, read_json, stored_text, stores_records_aside)
from .tantivy_query import Translator
from .tantivy_segments import AnalyzedBatch, SegmentWriter, WrittenSegments, adopt, remove_unfinished_builds
from .tantivy_store import PartWriter, Parts, part_files, remove_unnamed
from .tantivy_values import TypedSearch, allot

if TYPE_CHECKING:
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter
    from ..values.records import FieldSpec

_Occur = tantivy.Occur
_Q = tantivy.Query


class TantivyBackend(TermDeletes, SlottedFields):
    """A :class:`~persearch.backends.base.Backend` on tantivy (extra ``persearch[tantivy]``)."""

    name = "tantivy"

    def __init__(self, ix: Any, path: str | os.PathLike[str], analyzer: Analyzer | None = None,
                 lock_timeout: float = 10.0) -> None:
        self._ix = ix
        self.path = str(path)
        self.analyzer = analyzer
        self.lock_timeout = lock_timeout
        self._schema = ix.schema
        self._writer: Any = None
        self._searcher: Any = None
        self._seen: tuple[int, int, int] | None = None
        self._reached: dict[tuple[object, ...], Any] = {}  # prefix and fuzzy expansions of the current searcher
        self._generation: tuple[tuple[int, int, int], int] | None = None
        self._table = FieldTable(self.path)
        #: Bytes tantivy's indexing may hold before it writes a segment out.
        self.writer_memory = HEAP_BYTES
        #: Ids added by the open writer (it replaces them itself, not the committed index).
        self._added_ids: set[str] = set()
        #: Stored records beside tantivy's files (tantivy_store.py), or in its store (an older index).
        self._aside = stores_records_aside(self.path)
        self._parts = Parts(self.path)
        self._part: PartWriter | None = None  # where the open writer's documents' records go

    # -- life cycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, **kw: Any) -> "TantivyBackend":
        """Create an empty index in folder ``path``."""
        os.makedirs(path, exist_ok=True)
        new_index(str(path))
        return cls(tantivy.Index.open(str(path)), path, analyzer, **kw)

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, **kw: Any) -> "TantivyBackend":
        """Open the index in folder ``path``."""
        if not os.path.exists(os.path.join(path, "meta.json")):
            raise PersearchError(f"no tantivy index in {path}")
        return cls(tantivy.Index.open(str(path)), path, analyzer, **kw)

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False,
                        memory: int | None = None) -> "SegmentWriter | AnalyzedBatch":
        """A builder for one worker process of a parallel build.

        New documents alone: the worker writes finished segments the parent's
        commit adopts (:class:`SegmentWriter`). When the same commit also
        deletes or replaces documents (``with_changes``), the worker only
        analyzes and the parent indexes (:class:`AnalyzedBatch`): tantivy
        commits a writer's deletes itself, and adopted segments could only
        join after them, not in the same commit.
        """
        if with_changes or not stores_records_aside(path):  # an older index: its own schema, written here
            return AnalyzedBatch(analyzer)
        return SegmentWriter(path, analyzer, memory or HEAP_BYTES)

    def close(self) -> None:
        """Release the searcher and tantivy's index (its memory maps and reader thread); drop an
        uncommitted writer (and its lock). A later read opens the index again."""
        self._writer = None
        self._searcher = None
        self._ix = None
        self._added_ids.clear()
        self._drop_part()
        self._parts.close()

    def generation(self) -> int:
        """The committed generation: tantivy's opstamp, which every commit advances."""
        meta = os.path.join(self.path, "meta.json")
        st = os.stat(meta)
        seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._generation is None or self._generation[0] != seen:  # asked per suggestion: read once per commit
            with open(meta, encoding="utf-8") as fh:
                self._generation = (seen, int(json.load(fh).get("opstamp", 0)))
        return self._generation[1]

    # -- writing --------------------------------------------------------------
    def _open_writer(self, heap: int | None = None, threads: int = THREADS) -> Any:
        """The writer of uncommitted changes, opened (waiting for tantivy's lock) if none is."""
        heap = heap or self.writer_memory
        if self._writer is None:
            # A fresh view first: tantivy keeps the list of files it manages in
            # memory, and a writer made from a stale list would drop files
            # another process (or an adoption) added since from that list.
            self._ix = tantivy.Index.open(self.path)
            # tantivy refuses a second writer at once (LockBusy); persearch waits a bounded time.
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    self._writer = self._ix.writer(heap, threads)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc):
                        raise
                    if time.monotonic() >= deadline:
                        raise IndexLocked(f"index at {self.path} is locked by another writer; "
                                          f"try again when it has finished") from None
                    time.sleep(0.05)
            # Files a writer killed before its commit left behind (kill -9) go now.
            self._writer.garbage_collect_files()
        return self._writer

    def _new_documents(self, documents: Iterable[Document]) -> Iterator[tuple[str, Any]]:
        """``(id, tantivy document)`` for each document, analyzed here."""
        if self.analyzer is None:
            raise PersearchError("this tantivy backend was opened without an analyzer: it cannot index")
        analyzer, typing, part = self.analyzer, self._typing(), self._part_writer()
        for doc in documents:
            yield doc.id, new_document(analyzer, doc, part, typing)

    def _part_writer(self) -> PartWriter | None:
        """The part the open writer's records go to (opened on first use); None for an older index."""
        if self._part is None and self._aside:
            self._part = PartWriter(self.path)
        return self._part

    def _drop_part(self) -> None:
        part, self._part = self._part, None
        if part is not None:
            part.abandon()

    def add_fields(self, specs: Mapping[str, FieldSpec]) -> list[str]:
        """Record typed fields, each in a free slot of its type, before documents use them;
        the names refused because every slot of their type is taken."""
        return self._table.add(specs, allot)

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`.

        Only ids the index may hold are deleted first: a delete per new
        document costs tantivy memory until the commit (about 1 KB each).
        """
        writer = self._open_writer()
        searcher = self._current_searcher()
        committed = searcher.num_docs > 0
        added = self._added_ids
        for doc_id, document in self._new_documents(documents):
            if doc_id in added or (committed and searcher.doc_freq("id", doc_id)):
                writer.delete_documents_by_term("id", doc_id)
            added.add(doc_id)
            writer.add_document(document)

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new (no replace-by-id)."""
        writer = self._open_writer()
        for _, document in self._new_documents(documents):
            writer.add_document(document)

    @staticmethod
    def _delete_term(writer: Any, field: str, value: str) -> None:
        writer.delete_documents_by_term(field, value)

    def commit(self, segments: Iterable[Any] = (), *, release: bool = True) -> None:
        """Make every change durable and visible in one tantivy commit.

        ``segments`` come from worker processes: analyzed batches
        (:class:`AnalyzedBatch`), whose documents join the index in the same
        commit as the changes made here, or written segments
        (:class:`SegmentWriter`), adopted in one meta.json write. Written
        segments are for commits with no other change (see
        :meth:`segment_builder`); given both, the changes are committed
        first and the segments adopted just after. The writer (and
        tantivy's lock) is dropped afterwards, once merges the commit
        started have finished.
        """
        segments = [s for s in segments if s]
        written = [s for s in segments if isinstance(s, WrittenSegments)]
        batches = [s for s in segments if not isinstance(s, WrittenSegments)]
        if self._writer is not None or batches:
            writer = self._open_writer()
            typing, part = self._typing(), self._part_writer() if batches else None
            for batch in batches:
                for analyzed in batch:
                    writer.add_document(make_document(analyzed, part, typing))
            self._finish(writer, release=release or bool(written))
        if written:
            self._adopt(written)
        # Worker folders of failed builds: the index's write lock is held, so no other build runs.
        remove_unfinished_builds(self.path)

    def _adopt(self, written: list[WrittenSegments]) -> None:
        """Make segments written by workers part of the index (:func:`tantivy_segments.adopt`)."""
        # Held, never committed: tantivy's writer lock keeps any other writer
        # from committing its older segment list over this meta.json.
        writer = self._open_writer()
        self._writer = None
        try:
            adopt(self.path, written)  # new documents only: every part stays named
        finally:
            writer.wait_merging_threads()  # drops it and the lock, committing nothing
            # tantivy keeps meta.json and its managed files' list in memory: a
            # fresh view, also when this failed half-way (the next writer then
            # collects the moved files).
            self._ix = tantivy.Index.open(self.path)
            self._searcher = None

    def _finish(self, writer: Any, release: bool = True) -> None:
        """Commit; unless the writer is kept, wait for the merges it started and drop it (and its lock)."""
        self._added_ids.clear()
        self._searcher = None
        part, self._part = self._part, None
        if part is not None:
            part.finish()  # on disk before the commit that names its records
        if not release:
            writer.commit()
            self._remove_unnamed_parts()
            return
        self._writer = None
        writer.commit()
        try:
            self._remove_unnamed_parts()  # while tantivy's lock is held: no other writer is writing a part
        finally:
            writer.wait_merging_threads()

    def _remove_unnamed_parts(self) -> None:
        """Delete the parts no live document names any more (tantivy_store.remove_unnamed)."""
        if not self._aside:
            return
        try:
            remove_unnamed(self.path, self._current_searcher())
        except (OSError, ValueError):  # the commit stands; the next one tries again (doctor reports damage)
            pass

    def optimize(self) -> None:
        """Rewrite the index as one segment and commit.

        tantivy's Python binding cannot merge segments on demand, so every
        document is re-added (re-analyzed from its stored text) through one
        indexing thread with a budget large enough for one segment.
        """
        docs = list(self._documents())
        self.cancel()
        writer = self._open_writer(OPTIMIZE_HEAP_BYTES, 1)
        writer.delete_all_documents()
        for _, document in self._new_documents(docs):
            writer.add_document(document)
        self._finish(writer)

    def segment_count(self) -> int:
        """Number of segments in the committed index."""
        return int(self._current_searcher().num_segments)

    def read_everything(self) -> tuple[int, int, list[str]]:
        """Open every segment and read all it holds: ``(segments, documents read, problems)``.

        A fresh searcher opens every segment; the term dictionaries of title
        and body are walked and every live document's stored fields and text
        are decoded; what fails is one problem line (``persearch doctor``).
        """
        problems: list[str] = []
        try:
            ix = tantivy.Index.open(self.path)
            ix.reload()
            searcher = ix.searcher()
        except (ValueError, OSError) as exc:
            return 0, 0, [f"the index does not open ({_engine_words(exc)})"]
        documents = 0

        def walk_terms() -> None:
            for field in SEARCH_FIELDS:
                searcher.terms_with_prefix(field, "")

        def read_documents() -> None:
            nonlocal documents
            for fields, body in self._every_record(searcher):
                hit_fields(fields)
                stored_text(body)
                documents += 1

        for what, step in (("the term dictionaries", walk_terms), ("stored documents", read_documents)):
            try:
                with _panic_reports_held():
                    step()
            except BaseException as exc:  # a Rust panic on damaged files is a BaseException
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                problems.append(f"{what} cannot be read through ({_engine_words(exc)})")
        return int(searcher.num_segments), documents, problems

    def engine_files(self) -> list[str]:
        """The files the committed index is made of (meta.json and its segments' files), by name."""
        meta = read_json(os.path.join(self.path, "meta.json"))
        listing = os.listdir(self.path)
        names = ["meta.json", *part_files(self.path)]
        for segment in meta["segments"]:
            prefix = segment["segment_id"].replace("-", "") + "."
            deletes = segment.get("deletes")
            current = f"{prefix}{deletes['opstamp']}.del" if deletes else None
            for name in sorted(listing):
                # A segment's parts, and its current deletes (older .del files await garbage collection).
                if name.startswith(prefix) and (not name.endswith(".del") or name == current):
                    names.append(name)
        return names

    def cancel(self) -> None:
        """Drop uncommitted changes (and tantivy's lock with the writer)."""
        self._added_ids.clear()
        self._drop_part()
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()

    # -- reading --------------------------------------------------------------
    def _current_searcher(self) -> Any:
        """A searcher of the latest commit (reloaded when any process committed since)."""
        # tantivy reloads on commit with a delay; a stat of meta.json tells at
        # once whether any process committed since our searcher was taken.
        st = os.stat(os.path.join(self.path, "meta.json"))
        seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._searcher is None or seen != self._seen:
            if self._ix is None:  # closed: open again
                self._ix = tantivy.Index.open(self.path)
            self._ix.reload()
            self._searcher = self._ix.searcher()
            self._seen = seen
            self._reached = {}
            self._parts.forget_deleted()
        return self._searcher

    def doc_count(self) -> int:
        """Number of live documents."""
        return int(self._current_searcher().num_docs)

    def _all(self, searcher: Any) -> list[Any]:
        n = searcher.num_docs
        if not n:
            return []
        return [addr for _, addr in searcher.search(_Q.all_query(), limit=n, count=False).hits]

    def _records(self, searcher: Any, addresses: Sequence[Any], body: bool = True) -> list[tuple[bytes, bytes]]:
        """``(fields, body)`` of the stored records at ``addresses`` (``body`` empty unless asked for)."""
        if self._aside:
            return self._parts.records(searcher, addresses, body)
        out = []
        for addr in addresses:  # an older index: in tantivy's document store
            doc = searcher.doc(addr)
            out.append((doc.get_first("fields") or b"", (doc.get_first("text") or b"") if body else b""))
        return out

    def _every_record(self, searcher: Any, body: bool = True) -> Iterator[tuple[bytes, bytes]]:
        """The records of every live document, read a thousand at a time."""
        addresses = self._all(searcher)
        for start in range(0, len(addresses), 1000):
            yield from self._records(searcher, addresses[start:start + 1000], body)

    def _documents(self) -> Iterator[Document]:
        from ..values.records import type_records

        searcher = self._current_searcher()
        specs = self.fields()
        for fields, body in self._every_record(searcher):
            f = hit_fields(fields)
            # Typed values are not stored: they are read again from the metadata they came from.
            typed = type_records([f["metadata"]], specs).typed[0] if specs and f["metadata"] else {}
            yield Document(id=f["id"], text=stored_text(body), title=f["title"], path=f["path"], size=f.get("size") or 0,
                           mtime=f.get("mtime") or 0.0, hash=f.get("hash") or "", format=f["format"],
                           encoding=f.get("encoding") or "", metadata=f["metadata"], typed=typed)

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, ``text`` included."""
        searcher = self._current_searcher()
        hits = searcher.search(_Q.term_query(self._schema, "id", doc_id), limit=1, count=False).hits
        if not hits:
            return None
        [(raw, body)] = self._records(searcher, [hits[0][1]])
        fields = hit_fields(raw)
        fields["text"] = stored_text(body)
        return fields

    def terms(self, field: str = "body", prefix: str = "") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` for every term of a field (beginning with ``prefix``)."""
        if field not in SEARCH_FIELDS:
            return
        for term, freq in self._current_searcher().terms_with_prefix(field, prefix):
            yield term, int(freq)

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        """Per term: documents holding it in the title plus those holding it in the body (dictionary lookups)."""
        searcher = self._current_searcher()
        return [sum(int(searcher.doc_freq(field, term)) for field in SEARCH_FIELDS) for term in terms]

    def term_count(self) -> int:
        """Distinct analyzed terms over title and body."""
        searcher = self._current_searcher()
        seen: set[str] = set()
        with _panic_reports_held():
            for field in SEARCH_FIELDS:
                seen.update(term for term, _ in searcher.terms_with_prefix(field, ""))
        return len(seen)

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields of every live document (recovery and rebuild only)."""
        for raw, body in self._every_record(self._current_searcher()):
            fields = hit_fields(raw)
            fields["text"] = stored_text(body)
            yield fields

    def records(self, path: str) -> dict[str, str]:
        """``{id: hash}`` of the documents read from file ``path`` (a record file's records and their hashes)."""
        searcher = self._current_searcher()
        most = searcher.doc_freq("path", path)  # deleted ones included: an upper bound
        if not most:
            return {}
        found = searcher.search(_Q.term_query(self._schema, "path", path), limit=most, count=False).hits
        out = {}
        for raw, _ in self._records(searcher, [addr for _, addr in found], body=False):
            fields = hit_fields(raw)
            out[fields["id"]] = fields.get("hash") or ""
        return out

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        for raw, _ in self._every_record(self._current_searcher(), body=False):
            f = hit_fields(raw)
            if f.get("path"):
                yield f["id"], f["path"], f.get("size") or 0, f.get("mtime") or 0.0, f.get("hash") or ""

    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: Sequence[Filter] | Mapping[str, Any] | None = None, *,
               sort: Sort | None = None, facets: Sequence[Facet] = ()) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset`` (filters, sort, facets:
        :meth:`persearch.backends.base.Backend.search`; how: tantivy_values.py)."""
        searcher = self._current_searcher()
        tquery = Translator(self._schema, searcher, self._reached).translate(query)
        specs, slots = self._typing()
        filters = as_filters(filters, specs)
        check_fields(filters, sort, facets, specs)
        if tquery is None:
            return BackendResults(0, [])
        # No search finds more than the index holds, and tantivy allocates room for every hit asked
        # for (a limit of 10**9 aborts the process): ask for no more than there can be.
        most = int(searcher.num_docs)
        offset = min(offset, most)
        limit = max(0, min(limit, most - offset))
        typed = TypedSearch(self._schema, searcher, specs, slots)
        tquery = typed.filtered(tquery, filters)
        counted = _FacetCounts(typed, tquery, facets) if facets else None
        # The facets' aggregation may count the matches too (a single-valued keyword facet).
        count = counted.total if counted is not None and counted.counts_total else partial(_count, searcher, tquery)
        wanted = max(1, offset + limit)
        if sort is not None and limit > 0:
            addresses, total = typed.sorted_page(tquery, sort, limit, offset)
            hits = self._hits(searcher, [(None, addr) for addr in addresses])
            _score_sorted(searcher, self._schema, tquery, hits, addresses)
            return BackendResults(total, hits, facets=counted and counted.counts)
        found = searcher.search(tquery, limit=wanted, count=False).hits
        hits = self._hits(searcher, found[offset:offset + limit] if limit > 0 else ())
        if len(found) < wanted:  # every match was collected: the count is exact
            return BackendResults(len(found), hits, facets=counted and counted.counts)
        # Counting visits every match (no block skipping): only when someone reads the total.
        return BackendResults(None, hits, count=count, lower=wanted, facets=counted and counted.counts)

    def _hits(self, searcher: Any, found: Sequence[tuple[float | None, Any]]) -> list[StoredHit]:
        hits = []
        records = self._records(searcher, [addr for _, addr in found])
        for (score, _), (raw, stored) in zip(found, records):
            fields = hit_fields(raw)
            body = StoredBody(stored)
            hits.append(StoredHit(id=fields["id"], score=float(score or 0.0), fields=fields,
                                  load_text=body.text, load_tokens=body.tokens,
                                  load_sliced=body.sliced))
        return hits


class _FacetCounts:
    """One search's facets, aggregated once, and the total when the aggregation gives it."""

    def __init__(self, typed: TypedSearch, query: Any, facets: Sequence[Facet]) -> None:
        self._typed, self._query, self._facets = typed, query, facets
        self._found: tuple[dict[str, dict[Any, int]], int | None] | None = None
        self.counts_total = any(f.type == "keyword" and not typed.specs[f.field].multi for f in facets)

    def _aggregate(self) -> tuple[dict[str, dict[Any, int]], int | None]:
        if self._found is None:
            self._found = self._typed.facet_counts(self._query, self._facets)
        return self._found

    def counts(self) -> dict[str, dict[Any, int]]:
        return self._aggregate()[0]

    def total(self) -> int:
        return int(self._aggregate()[1] or 0)


def _score_sorted(searcher: Any, schema: Any, query: Any, hits: list[StoredHit], addresses: list[Any]) -> None:
    """The scores of sorted hits (tantivy gives their sort values): one search among the page's ids."""
    if not hits:
        return
    # A Should of terms: tantivy's term_set_query costs ~4× more for a page of ids.
    ids = _Q.boolean_query([(_Occur.Should, _Q.term_query(schema, "id", hit.id)) for hit in hits])
    scored = searcher.search(_Q.boolean_query([(_Occur.Must, query), (_Occur.Must, _Q.const_score_query(ids, 0.0))]),
                             limit=len(hits), count=False).hits
    scores = {(addr.segment_ord, addr.doc): score for score, addr in scored}
    for hit, addr in zip(hits, addresses):
        hit.score = float(scores.get((addr.segment_ord, addr.doc), 0.0))


@contextlib.contextmanager
def _panic_reports_held() -> Iterator[None]:
    """Around a walk of a whole term dictionary (stats, doctor): what tantivy writes to file
    descriptor 2 is held back, and dropped if the walk panics. A damaged dictionary makes Rust
    panic, and Rust's report of it (thread … panicked at …, a backtrace) goes to the descriptor
    directly, before persearch can say in one line that the index is damaged."""
    import tempfile

    sys.stderr.flush()
    with tempfile.TemporaryFile() as held:
        saved = os.dup(2)
        os.dup2(held.fileno(), 2)
        panicked = False
        try:
            yield
        except BaseException as exc:
            panicked = type(exc).__name__ == "PanicException"
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if not panicked:  # anything else written meanwhile (another thread's line) is passed on
                held.seek(0)
                os.write(2, held.read())


def _engine_words(exc: BaseException) -> str:
    """What tantivy said, without its Rust debug structures: the first words of the message."""
    text = str(exc).split("{", 1)[0].split("(", 1)[0].strip(" :'\"")
    return text[:80] or type(exc).__name__


def _count(searcher: Any, query: Any) -> int:
    return int(searcher.search(query, limit=1, count=True).count)

