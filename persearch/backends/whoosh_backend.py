"""The Whoosh backend: persearch documents in a Whoosh index, BM25F ranking.

Everything Whoosh-specific lives in the whoosh_*.py modules beside this one
(documents and schema, query classes, storage, the column writer, typed
values), so another engine can sit beside it.

    >>> backend = WhooshBackend.create("/tmp/ix", Analyzer())     # doctest: +SKIP
    >>> backend.add([Document(id="1", text="کتاب‌ها را خواندم", title="کتاب")])
    >>> backend.commit()
    >>> backend.search(Term("کتاب"), limit=10).total
    1

Schema (whoosh_documents.py): ``id`` (unique), ``path``, ``format``, ``encoding`` (ID, stored),
``title`` (analyzed, positions, stored), ``body`` (analyzed, positions, not
stored), ``textz`` (the original text, zlib-compressed, stored), ``tokens`` (packed
index-time tokens of title and body, stored, for the highlighter),
``size``/``mtime``/``hash``/``metadata`` (stored), and one sortable field
per typed record field: ``k_<name>``, ``n_<name>``, ``d_<name>``
(whoosh_values.py: filters, sorting and facets on them).
"""
from __future__ import annotations

import math
import os
import weakref
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh import collectors
from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring
from whoosh.index import TOC, LockError

from .. import querytree as qt
from ..analysis.analyzer import Analyzer
from ..expand import REST_WEIGHT, TIE_BREAKER, reach, weighted
from ..errors import IndexLocked, InvalidOption, PersearchError
from .whoosh_documents import decompress, document_fields, hit_fields, make_schema
from .whoosh_queries import AtLeast, BestOf
from .whoosh_storage import Storage, remove_files, term_frequencies, unpack_compound
from .base import (FILTER_FIELDS, SEARCH_FIELDS, TITLE_BOOST, BackendResults, Document, FieldTable, StoredHit,
                   TermDeletes, as_filters, check_fields)
if TYPE_CHECKING:
    from .whoosh_values import WhooshValues
    from ..values.facets import Facet, Sort
    from ..values.filters import Filter
    from ..values.records import FieldSpec

#: Memory a writer's posting pool may use before spilling to disk (per process),
#: unless the backend's ``writer_memory`` says otherwise.
POOL_MB = 96


def _open_dir(path: str | os.PathLike[str]) -> Any:
    """The Whoosh index in folder ``path``, its files read in place (whoosh_storage.py)."""
    return windex.FileIndex(Storage(str(path)), indexname="MAIN")


def _merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's own policy (merge small segments), after dropping segments whose
    every document is deleted: they hold nothing, but their terms would still
    be counted and walked."""
    from whoosh.writing import MERGE_SMALL  # writing only: searches never load it

    return MERGE_SMALL(writer, [segment for segment in segments if segment.doc_count() > 0])


def _pool_mb(memory: int) -> int:
    """A writer's memory in bytes as the whole MiB Whoosh's ``limitmb`` takes (at least 1)."""
    return max(1, memory // (1024 * 1024))


def _facet_counts(values: WhooshValues, matches: Any, facets: Sequence[Facet],
                  specs: Mapping[str, FieldSpec]) -> dict[str, dict[Any, int]]:
    return values.facet_counts(matches(), facets, specs)


def _text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class BM25(scoring.BM25F):
    """Whoosh's BM25F with BM25's usual IDF, ln(1 + (N - df + 0.5) / (df + 0.5)), as tantivy and Lucene have.

    Whoosh's own, log(N / (df + 1)) + 1, adds 1 to every word's weight, so
    common words weigh relatively more: on the dev questions of
    benchmarks/eval_retrieval.py it cost nDCG@10 0.003 (parsinlu) and 0.001
    (persianqa), and the two backends now rank closer.
    """

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - df + 0.5) / (df + 0.5))


class WhooshBackend(TermDeletes):
    """The reference :class:`~persearch.backends.base.Backend`, on Whoosh."""

    name = "whoosh"

    def __init__(self, ix: Any, lock_timeout: float = 10.0) -> None:
        self._ix = ix
        self.path = ix.storage.folder
        self.lock_timeout = lock_timeout
        #: Bytes a writer's posting pool may hold before it spills to disk.
        self.writer_memory = POOL_MB * 1024 * 1024
        self._writer: Any = None
        self._searcher: Any = None
        self._weighting = BM25()
        self._reached: dict[tuple[object, ...], Any] = {}  # prefix and fuzzy expansions of the current searcher
        # Results whose total is not counted yet: counted before their searcher closes.
        self._uncounted: weakref.WeakSet[BackendResults] = weakref.WeakSet()
        self._table = FieldTable(self.path)
        self._values: WhooshValues | None = None  # the typed fields' columns, for the current searcher

    # -- life cycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, **kw: Any) -> "WhooshBackend":
        """Create an empty index in folder ``path``."""
        os.makedirs(path, exist_ok=True)
        return cls(windex.FileIndex.create(Storage(str(path)), make_schema(analyzer), "MAIN"), **kw)

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, **kw: Any) -> "WhooshBackend":
        """Open the index in folder ``path`` (``analyzer`` is unused: the schema holds its own)."""
        if not windex.exists_in(str(path)):
            raise PersearchError(f"no Whoosh index in {path}")
        return cls(_open_dir(path), **kw)

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False,
                        memory: int | None = None) -> "SegmentBuilder":
        """A writer for a worker process: one new segment, joined by :meth:`commit`
        (with any deletes, in the same TOC write: ``with_changes`` makes no difference)."""
        return SegmentBuilder(path, memory or POOL_MB * 1024 * 1024)

    def close(self) -> None:
        """Release the searcher and cancel an uncommitted writer (and its lock)."""
        if self._writer is not None:
            try:
                self._writer.cancel()
            finally:
                self._writer = None
        if self._searcher is not None:
            self._close_searcher(self._searcher)
            self._searcher = None

    def _close_searcher(self, searcher: Any) -> None:
        for results in list(self._uncounted):
            results.total  # noqa: B018 - count now, while the searcher is open
            results.facets  # noqa: B018
        self._uncounted.clear()
        self._values = None
        searcher.close()

    def generation(self) -> int:
        """The committed generation (changes on every commit)."""
        return int(self._ix.latest_generation())

    # -- writing --------------------------------------------------------------
    def _open_writer(self) -> Any:
        """The writer of uncommitted changes, opened (waiting for Whoosh's lock) if none is."""
        if self._writer is None:
            try:
                from .whoosh_writer import ColumnSegmentWriter  # writing only: searches never load it

                self._writer = ColumnSegmentWriter(self._ix, timeout=self.lock_timeout, delay=0.05,
                                                   limitmb=_pool_mb(self.writer_memory), compound=False)
            except LockError:
                raise IndexLocked(f"index at {self.path} is locked by another writer; "
                                  f"try again when it has finished") from None
        return self._writer

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""
        writer = self._open_writer()
        analyzer = writer.schema["body"].analyzer.analyzer
        specs = self._table.refresh().specs
        for doc in documents:
            writer.replace_analyzed(*document_fields(doc, analyzer, specs))

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new (no replace-by-id lookup)."""
        writer = self._open_writer()
        analyzer = writer.schema["body"].analyzer.analyzer
        specs = self._table.refresh().specs
        for doc in documents:
            writer.add_analyzed(*document_fields(doc, analyzer, specs))

    def fields(self) -> dict[str, FieldSpec]:
        """The typed record fields (fields.json beside Whoosh's files)."""
        return self._table.refresh().specs

    def add_fields(self, specs: Mapping[str, FieldSpec]) -> list[str]:
        """Record typed fields before documents use them (Whoosh takes any number: glob fields)."""
        return self._table.add(specs)

    @staticmethod
    def _delete_term(writer: Any, field: str, value: str) -> None:
        writer.delete_by_term(field, value)

    def commit(self, segments: Iterable[Any] = (), *, release: bool = True) -> None:
        """Make every change durable and visible in one atomic TOC write.

        ``segments`` are finished segments from :class:`SegmentBuilder` in
        worker processes; they join the index in the same commit. Segments
        left with no live document are dropped. (``release``: a Whoosh
        writer ends with its commit either way.)
        """
        segments = [s for s in segments if s is not None]
        if self._writer is None and not segments:
            return
        writer = self._open_writer()
        self._writer = None
        # Whoosh's own commit, in its steps (as its multi-process writer): merge old segments
        # per policy (those with no live document dropped), finish ours, add the workers', move
        # compound segments of older indexes to separate files (whoosh_storage.py), one TOC write.
        try:
            final = writer._merge_segments(_merge_policy, None, None) + segments
            if writer._added:
                final.append(writer._finalize_segment())
            else:
                writer._close_segment()
            stale = unpack_compound(writer.storage, final)
            writer._commit_toc(final)
        finally:
            writer._finish()
        remove_files(writer.storage, stale)

    def optimize(self) -> None:
        """Merge every segment into one and commit: faster queries, one full rewrite.

        Each segment costs every query a matcher of its own (about 0.5 ms
        apiece in Whoosh); an index built in several chunks or by several
        workers has several.
        """
        writer = self._open_writer()
        self._writer = None
        writer.commit(optimize=True)

    def segment_count(self) -> int:
        """Number of segments in the committed index."""
        return len(self._ix._segments())

    def read_everything(self) -> tuple[int, int, list[str]]:
        """Open every segment and read all it holds: ``(segments, documents read, problems)``.

        Each segment's term dictionary is walked and every live document's
        stored fields and text are decoded; what fails is one problem line
        (``persearch doctor``). Slow: it reads the whole index.
        """
        from whoosh.reading import SegmentReader

        documents, problems = 0, []
        segments = self._ix._segments()
        schema = self._ix.schema
        for segment in segments:
            name = segment.segment_id()
            try:
                reader = SegmentReader(self._ix.storage, schema, segment)
            except Exception:  # noqa: BLE001 - any failure of a damaged segment is the finding
                problems.append(f"segment {name} does not open")
                continue
            try:
                for field in SEARCH_FIELDS:
                    if field in reader.indexed_field_names():
                        for _ in reader.lexicon(field):
                            pass
                for _, stored in reader.iter_docs():
                    hit_fields(stored)  # decompresses the text
                    documents += 1
            except Exception:  # noqa: BLE001
                problems.append(f"segment {name} cannot be read through")
            finally:
                reader.close()
        return len(segments), documents, problems

    def engine_files(self) -> list[str]:
        """The files the committed index is made of (its TOC and its segments' files), by name."""
        toc = self._ix._read_toc()
        listing = self._ix.storage.list()
        names = [TOC._filename(self._ix.indexname, toc.generation)]
        for segment in toc.segments:
            prefix = segment.segment_id() + "."
            names.extend(sorted(name for name in listing if name.startswith(prefix)))
        return names

    def cancel(self) -> None:
        """Drop uncommitted changes."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.cancel()

    # -- reading --------------------------------------------------------------
    def _current_searcher(self) -> Any:
        """A searcher of the latest commit (reopened when any process committed since)."""
        searcher = self._searcher
        if searcher is None:
            searcher = self._ix.searcher(weighting=self._weighting)
            self._reached = {}
        elif not searcher.up_to_date():
            # Not searcher.refresh(): it reuses segment readers by segment name
            # and so keeps their old deletion sets.
            self._close_searcher(searcher)
            searcher = self._ix.searcher(weighting=self._weighting)
            self._reached = {}
        self._searcher = searcher
        return searcher

    def doc_count(self) -> int:
        """Number of live documents, from the table of contents of the last commit (no segment is
        opened: Whoosh copies a compound segment into memory when it opens it)."""
        return sum(segment.doc_count() for segment in self._ix._segments())

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, ``text`` included."""
        stored = self._current_searcher().document(id=doc_id)
        return hit_fields(stored) if stored is not None else None

    def terms(self, field: str = "body", prefix: str = "") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` for every term of a field (beginning with ``prefix``), in term order."""
        reader = self._current_searcher().reader()
        if field not in reader.indexed_field_names():
            return
        if prefix:  # a prefix's or a fuzzy word's terms: Whoosh's own seek to the prefix
            for term, info in reader.iter_prefix(field, prefix):
                yield _text(term), int(info.doc_frequency())
            return
        segments = [segment for segment, _ in reader.leaf_readers()]
        if len(segments) == 1:
            yield from self._segment_terms(segments[0], field)
            return
        # Segment by segment, summed here: the multi-segment reader looks every
        # term up in every segment again (7 s instead of 0.4 s for two segments of news).
        summed: dict[str, int] = {}
        for segment in segments:
            for text, df in self._segment_terms(segment, field):
                summed[text] = summed.get(text, 0) + df
        for text in sorted(summed):  # the keys alone: a list of pairs besides the dict is ~2 MB at news' terms
            yield text, summed[text]

    @staticmethod
    def _segment_terms(segment: Any, field: str) -> Iterable[tuple[str, int]]:
        found = term_frequencies(segment, field)  # one pass over the file (whoosh_storage.py)
        if found is not None:
            return found
        if field not in segment.indexed_field_names():
            return []
        return ((_text(term), int(info.doc_frequency())) for term, info in segment.iter_field(field))

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        """Per term: documents holding it in the title plus those holding it in the body (dictionary lookups)."""
        searcher = self._current_searcher()
        return [sum(int(searcher.doc_frequency(field, term)) for field in SEARCH_FIELDS) for term in terms]

    def term_count(self) -> int:
        """Distinct analyzed terms over title and body."""
        reader = self._current_searcher().reader()
        seen: set[bytes] = set()
        for field in SEARCH_FIELDS:
            if field in reader.indexed_field_names():
                seen.update(reader.lexicon(field))
        return len(seen)

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields of every live document (recovery and rebuild only: slow)."""
        for _, stored in self._current_searcher().reader().iter_docs():
            yield hit_fields(stored)

    def records(self, path: str) -> dict[str, str]:
        """``{id: hash}`` of the documents read from file ``path`` (a record file's records and their hashes)."""
        return {stored["id"]: stored.get("hash") or "" for stored in self._current_searcher().documents(path=path)}

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        for _, stored in self._current_searcher().reader().iter_docs():
            if stored.get("path"):
                yield (stored["id"], stored["path"], stored.get("size") or 0, stored.get("mtime") or 0.0,
                       stored.get("hash") or "")

    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: Sequence[Filter] | Mapping[str, Any] | None = None, *,
               sort: Sort | None = None, facets: Sequence[Facet] = ()) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset`` (filters, sort, facets:
        :meth:`persearch.backends.base.Backend.search`; how: whoosh_values.py)."""
        searcher = self._current_searcher()
        wquery = self.translate(query)
        specs = self._table.refresh().specs
        filters = as_filters(filters, specs)
        check_fields(filters, sort, facets, specs)
        if wquery is wq.NullQuery:
            return BackendResults(0, [])
        values = self._typed_values(searcher) if (filters or sort or facets) else None
        allow, restrict = values.filter_sets(filters, specs) if values and filters else (None, set())
        if allow is not None and not allow:  # Whoosh reads an empty filter set as no filter at all
            return BackendResults(0, [], facets=lambda: {f.name: {} for f in facets})
        wanted = max(1, offset + limit)
        sortedby = values.sort_facet(sort, specs) if values and sort else None
        results = searcher.search(wquery, limit=wanted, filter=allow, mask=restrict or None, sortedby=sortedby,
                                  terms=False)
        hits = []
        for hit in results[offset:offset + limit] if limit > 0 else ():
            stored = hit.fields()
            # Sorted: the score is the key's last part, negated (ScoreFacet).
            score = -hit.score[-1] if sortedby is not None else hit.score
            hits.append(StoredHit(id=stored["id"], score=float(score or 0.0),
                                  fields=hit_fields(stored, with_text=False),
                                  load_text=partial(decompress, stored.get("textz")),
                                  load_tokens=partial(stored.get, "tokens")))
        scored = results.scored_length()
        complete = scored < wanted  # fewer matches than asked for: all were collected
        counted = None
        if facets and values is not None:
            matches = (lambda: [doc for _, doc in results.top_n]) if complete else results.docs
            counted = partial(_facet_counts, values, matches, facets, specs)
        if complete:
            found = BackendResults(scored, hits, facets=counted)
        else:
            # Whoosh skips low-scoring blocks (so its collector's own count can
            # fall short): the total is counted by running the query again,
            # unscored, only if someone reads it (with facets, the same run gives both).
            count = (lambda: len(results.docs())) if facets else \
                partial(_count, searcher, wquery, allow, restrict or None)
            found = BackendResults(None, hits, count=count, lower=wanted, facets=counted)
        if not complete or counted is not None:  # counted before the searcher closes, if not read by then
            self._uncounted.add(found)
        return found

    def _typed_values(self, searcher: Any) -> WhooshValues:
        from .whoosh_values import WhooshValues

        if self._values is None or self._values.searcher is not searcher:
            self._values = WhooshValues(searcher)
        return self._values

    # -- query translation ------------------------------------------------------
    def translate(self, node: qt.Node) -> Any:
        """A persearch query tree as a Whoosh query."""
        if isinstance(node, qt.Term):
            return self._fields(node.field, node.boost, lambda f, b: wq.Term(f, node.text, boost=b))
        if isinstance(node, (qt.Prefix, qt.Fuzzy)):
            return self._expansion(node)
        if isinstance(node, qt.Phrase):
            return self._fields(node.field, node.boost, lambda f, b: _phrase(f, node, b))
        if isinstance(node, qt.And):
            return wq.And([self.translate(c) for c in node.children]) if node.children else wq.NullQuery
        if isinstance(node, qt.Or):
            if not node.children:
                return wq.NullQuery
            children = [self.translate(c) for c in node.children]
            if node.min_match > 1:
                return AtLeast(children, node.min_match)
            return wq.Or(children)
        if isinstance(node, qt.AndNot):
            return wq.AndNot(self.translate(node.positive), self.translate(node.negative))
        if isinstance(node, qt.MatchAll):
            return wq.Every()
        if isinstance(node, qt.MatchNone):
            return wq.NullQuery
        raise InvalidOption(f"unknown query node {type(node).__name__}")

    def _expansion(self, node: qt.Prefix | qt.Fuzzy) -> Any:
        """The terms a prefix or fuzzy term reaches (persearch.expand) in its fields, each scored on
        its own; a document scores its best one, whichever field it is in."""
        fields = SEARCH_FIELDS if node.field is None else (node.field,)
        if not set(fields) <= set(SEARCH_FIELDS):
            return self._fields(node.field, node.boost, lambda f, b: wq.NullQuery)  # raises for an unknown field
        count = self._current_searcher().doc_count_all()
        scored: list[Any] = []
        rest: list[Any] = []
        for field in fields:
            boost = node.boost * (TITLE_BOOST if field == "title" and node.field is None else 1.0)
            terms, others = weighted(reach(node, field, self.terms, self._reached),
                                     lambda df: math.log(count / (df + 1)) + 1)  # Whoosh's own IDF
            scored += [wq.Term(field, term, boost=boost * weight) for term, weight in terms]
            # Whoosh's ConstantScoreQuery scores 1 where it is given 0, and its
            # collector drops documents scoring 0: a negligible boost instead.
            rest += [wq.Term(field, term, boost=REST_WEIGHT) for term in others]
        if not scored:
            return wq.NullQuery
        # The terms past the scored ones in the same disjunction max: read block by block with
        # the rest (an Or of hundreds of terms is a slow tree of matchers on a large index).
        terms = scored + rest
        return terms[0] if len(terms) == 1 else BestOf(terms, tiebreak=TIE_BREAKER)

    @staticmethod
    def _fields(field: str | None, boost: float, make: Any) -> Any:
        if field is None:
            return wq.Or([make("title", boost * TITLE_BOOST), make("body", boost)])
        if field not in SEARCH_FIELDS and field not in FILTER_FIELDS:
            raise InvalidOption(f"unknown field {field!r}: use {', '.join(SEARCH_FIELDS)}")
        return make(field, boost)


def _phrase(field: str, node: qt.Phrase, boost: float) -> Any:
    # Whoosh's slop counts the distance between neighbours (1 = adjacent);
    # persearch's counts extra positions allowed (0 = adjacent).
    slop = node.slop + 1
    if len(node.terms) == 1:
        only = node.terms[0]
        return _alternatives(field, only, boost)
    if all(isinstance(t, str) for t in node.terms):
        return wq.Phrase(field, list(node.terms), slop=slop, boost=boost)
    return wq.Sequence([_alternatives(field, t, 1.0) for t in node.terms], slop=slop, boost=boost)


def _alternatives(field: str, item: str | tuple[str, ...], boost: float) -> Any:
    if isinstance(item, str):
        return wq.Term(field, item, boost=boost)
    return wq.Or([wq.Term(field, t) for t in item], boost=boost)


def _count(searcher: Any, wquery: Any, allow: Any, restrict: Any) -> int:
    """Every document ``wquery`` matches (within ``allow``, outside ``restrict``), without scoring or skipping."""
    collector: Any = collectors.UnsortedCollector()
    if allow is not None or restrict is not None:
        collector = collectors.FilterCollector(collector, allow=allow, restrict=restrict)
    searcher.search_with_collector(wquery, collector)
    return int(collector.count())


class SegmentBuilder:
    """Writes one new segment from a worker process, without the index lock.

    The parent holds the lock and adds the finished segment in its commit
    (:meth:`WhooshBackend.commit`); until then the files are invisible, and
    a crash leaves only unreferenced files that the next commit deletes.
    """

    def __init__(self, path: str, memory: int = POOL_MB * 1024 * 1024) -> None:
        from .whoosh_writer import ColumnSegmentWriter

        self._writer = ColumnSegmentWriter(_open_dir(path), _lk=False, limitmb=_pool_mb(memory), compound=False)
        self._specs = FieldTable(path).specs  # the parent records new fields before starting workers

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents (new ones: the parent deleted any old versions)."""
        analyzer = self._writer.schema["body"].analyzer.analyzer
        for doc in documents:
            self._writer.add_analyzed(*document_fields(doc, analyzer, self._specs))

    def finish(self) -> Any:
        """Write the segment; returns a picklable token for ``commit(segments=...)``."""
        writer = self._writer
        if not writer._added:
            writer._close_segment()
            return None
        return writer._finalize_segment()
