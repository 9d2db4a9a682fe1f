"""The Whoosh backend: persearch documents in a Whoosh index, BM25F ranking.

Everything Whoosh-specific lives here (schema, query translation, writers,
segments written by worker processes), so another engine can sit beside it.

    >>> backend = WhooshBackend.create("/tmp/ix", Analyzer())     # doctest: +SKIP
    >>> backend.add([Document(id="1", text="کتاب‌ها را خواندم", title="کتاب")])
    >>> backend.commit()
    >>> backend.search(Term("کتاب"), limit=10).total
    1

Schema: ``id`` (unique), ``path``, ``format``, ``encoding`` (ID, stored),
``title`` (analyzed, positions, stored), ``body`` (analyzed, positions, not
stored), ``textz`` (the original text, zlib-compressed, stored), ``tokens`` (packed
index-time tokens of title and body, stored, for the highlighter),
``size``/``mtime``/``hash``/``metadata`` (stored), and ``m_<key>`` (ID) for
every metadata key so filters can use it.
"""
from __future__ import annotations

import math
import os
import weakref
import zlib
from functools import partial
from typing import Any, Iterable, Iterator, Sequence

from whoosh import fields as wf
from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring
from whoosh.index import LockError
from whoosh.matching import Matcher
from whoosh.writing import SegmentWriter

from .. import querytree as qt
from ..analysis.analyzer import Analyzer
from ..analysis.whoosh_adapter import WhooshAnalyzer
from ..stored_tokens import pack_for_storage
from ..errors import IndexLocked, InvalidOption, PersearchError
from .base import (FILTER_FIELDS, METADATA_KEY, SEARCH_FIELDS, TITLE_BOOST, BackendResults, Document, StoredHit,
                   TermDeletes, filter_text, filter_values, unknown_filter)

#: Metadata key K is indexed (for filters) as the ID field ``m_K``.
_META_PREFIX = "m_"
#: Memory a writer's posting pool may use before spilling to disk (per process).
POOL_MB = 96


def make_schema(analyzer: Analyzer) -> wf.Schema:
    """The Whoosh schema for one analyzer configuration."""
    ana = WhooshAnalyzer(analyzer)
    schema = wf.Schema(
        id=wf.ID(unique=True, stored=True),
        path=wf.ID(stored=True),
        format=wf.ID(stored=True),
        encoding=wf.ID(stored=True),
        title=wf.TEXT(analyzer=ana, stored=True, phrase=True),
        body=wf.TEXT(analyzer=ana, stored=False, phrase=True),
        textz=wf.STORED(),
        tokens=wf.STORED(),
        size=wf.STORED(),
        mtime=wf.STORED(),
        hash=wf.STORED(),
        metadata=wf.STORED(),
    )
    schema.add(_META_PREFIX + "*", wf.ID(stored=False), glob=True)
    return schema


def _meta_terms(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [filter_text(v) for v in values]


def document_fields(doc: Document, analyzer: WhooshAnalyzer) -> dict[str, Any]:
    """A Document as keyword arguments for a Whoosh writer.

    Title and body are analyzed here, once: their tokens are stored (packed)
    for the highlighter, and ``analyzer`` replays them when Whoosh indexes them.
    """
    title, body = doc.title or "", doc.text or ""
    title_tokens, body_tokens = analyzer.remember(title, body)
    fields: dict[str, Any] = {
        "id": doc.id, "path": doc.path or None, "format": doc.format or None, "encoding": doc.encoding or None,
        "title": title, "body": body,
        "textz": zlib.compress(body.encode("utf-8"), 1),
        # Not compressed: packed tokens shrink by a quarter and zlib would cost every hit ~35 µs.
        "tokens": pack_for_storage(title_tokens, body_tokens),
        "size": doc.size, "mtime": doc.mtime, "hash": doc.hash, "metadata": doc.metadata or None,
    }
    for key, value in (doc.metadata or {}).items():
        if METADATA_KEY.match(key):
            fields[_META_PREFIX + key] = _meta_terms(value)
    return fields


def hit_fields(stored: dict[str, Any], *, with_text: bool = True) -> dict[str, Any]:
    """Stored Whoosh fields as persearch fields (``text`` decompressed unless ``with_text=False``)."""
    out = {k: v for k, v in stored.items() if k != "textz" and k != "tokens"}
    if with_text:
        out["text"] = _decompress(stored.get("textz"))
    out.setdefault("title", "")
    out.setdefault("path", "")
    out.setdefault("format", "")
    out["metadata"] = out.get("metadata") or {}
    return out


def _decompress(raw: bytes | None) -> str:
    return zlib.decompress(raw).decode("utf-8") if raw else ""


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
        self._writer: Any = None
        self._searcher: Any = None
        self._weighting = BM25()
        # Results whose total is not counted yet: counted before their searcher closes.
        self._uncounted: weakref.WeakSet[BackendResults] = weakref.WeakSet()

    # -- life cycle ---------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, **kw: Any) -> "WhooshBackend":
        """Create an empty index in folder ``path``."""
        os.makedirs(path, exist_ok=True)
        return cls(windex.create_in(str(path), make_schema(analyzer)), **kw)

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, **kw: Any) -> "WhooshBackend":
        """Open the index in folder ``path`` (``analyzer`` is unused: the schema holds its own)."""
        if not windex.exists_in(str(path)):
            raise PersearchError(f"no Whoosh index in {path}")
        return cls(windex.open_dir(str(path)), **kw)

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False) -> "SegmentBuilder":
        """A writer for a worker process: one new segment, joined by :meth:`commit`
        (with any deletes, in the same TOC write: ``with_changes`` makes no difference)."""
        return SegmentBuilder(path)

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
        self._uncounted.clear()
        searcher.close()

    def generation(self) -> int:
        """The committed generation (changes on every commit)."""
        return int(self._ix.latest_generation())

    # -- writing --------------------------------------------------------------
    def _open_writer(self) -> Any:
        """The writer of uncommitted changes, opened (waiting for Whoosh's lock) if none is."""
        if self._writer is None:
            try:
                self._writer = self._ix.writer(timeout=self.lock_timeout, delay=0.05, limitmb=POOL_MB)
            except LockError:
                raise IndexLocked(f"index at {self.path} is locked by another writer; "
                                  f"try again when it has finished") from None
        return self._writer

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""
        writer = self._open_writer()
        analyzer = writer.schema["body"].analyzer
        for doc in documents:
            writer.update_document(**document_fields(doc, analyzer))

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new (no replace-by-id lookup)."""
        writer = self._open_writer()
        analyzer = writer.schema["body"].analyzer
        for doc in documents:
            writer.add_document(**document_fields(doc, analyzer))

    @staticmethod
    def _delete_term(writer: Any, field: str, value: str) -> None:
        writer.delete_by_term(field, value)

    def commit(self, segments: Iterable[Any] = ()) -> None:
        """Make every change durable and visible in one atomic TOC write.

        ``segments`` are finished segments from :class:`SegmentBuilder` in
        worker processes; they join the index in the same commit.
        """
        segments = [s for s in segments if s is not None]
        if self._writer is None and not segments:
            return
        writer = self._open_writer()
        self._writer = None
        if not segments:
            writer.commit()
            return
        # Whoosh's own multi-process writer does the same: merge old segments
        # per policy, finish ours, and write one TOC listing the workers' too.
        try:
            final = writer._merge_segments(None, None, None) + segments
            if writer._added:
                final.append(writer._finalize_segment())
            else:
                writer._close_segment()
            writer._commit_toc(final)
        finally:
            writer._finish()

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
        elif not searcher.up_to_date():
            # Not searcher.refresh(): it reuses segment readers by segment name
            # and so keeps their old deletion sets.
            self._close_searcher(searcher)
            searcher = self._ix.searcher(weighting=self._weighting)
        self._searcher = searcher
        return searcher

    def doc_count(self) -> int:
        """Number of live documents."""
        return int(self._current_searcher().doc_count())

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, ``text`` included."""
        stored = self._current_searcher().document(id=doc_id)
        return hit_fields(stored) if stored is not None else None

    def terms(self, field: str = "body") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` for every term of a field, in term order."""
        reader = self._current_searcher().reader()
        if field not in reader.indexed_field_names():
            return
        for term, info in reader.iter_field(field):
            yield (term.decode("utf-8") if isinstance(term, bytes) else term), int(info.doc_frequency())

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

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        for _, stored in self._current_searcher().reader().iter_docs():
            if stored.get("path"):
                yield (stored["id"], stored["path"], stored.get("size") or 0, stored.get("mtime") or 0.0,
                       stored.get("hash") or "")

    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: dict[str, Any] | None = None) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset``."""
        searcher = self._current_searcher()
        wquery = self.translate(query)
        wfilter = self._filter(searcher, filters) if filters else None
        if wquery is wq.NullQuery:
            return BackendResults(0, [])
        wanted = max(1, offset + limit)
        results = searcher.search(wquery, limit=wanted, filter=wfilter, terms=False)
        hits = []
        for hit in results[offset:offset + limit] if limit > 0 else ():
            stored = hit.fields()
            hits.append(StoredHit(id=stored["id"], score=float(hit.score or 0.0),
                                  fields=hit_fields(stored, with_text=False),
                                  load_text=partial(_decompress, stored.get("textz")),
                                  load_tokens=partial(stored.get, "tokens")))
        scored = results.scored_length()
        if scored < wanted:  # fewer matches than asked for: all were collected, the count is exact
            return BackendResults(scored, hits)
        # Whoosh skips low-scoring blocks and counts by running the query again:
        # only do that if someone reads the total.
        deferred = BackendResults(None, hits, count=results.__len__, lower=wanted)
        self._uncounted.add(deferred)
        return deferred

    def _filter(self, searcher: Any, filters: dict[str, Any]) -> Any:
        indexed = set(searcher.reader().indexed_field_names())
        clauses = []
        for key, value in filters.items():
            name = key if key in FILTER_FIELDS else _META_PREFIX + key
            if key not in FILTER_FIELDS and (not METADATA_KEY.match(key) or name not in indexed):
                raise unknown_filter(key, (f[len(_META_PREFIX):] for f in indexed if f.startswith(_META_PREFIX)))
            clauses.append(wq.Or([wq.Term(name, filter_text(v)) for v in filter_values(value)]))
        return wq.And(clauses)

    # -- query translation ------------------------------------------------------
    def translate(self, node: qt.Node) -> Any:
        """A persearch query tree as a Whoosh query."""
        if isinstance(node, qt.Term):
            return self._fields(node.field, node.boost, lambda f, b: wq.Term(f, node.text, boost=b))
        if isinstance(node, qt.Prefix):
            return self._fields(node.field, node.boost, lambda f, b: wq.Prefix(f, node.text, boost=b))
        if isinstance(node, qt.Fuzzy):
            return self._fields(node.field, node.boost, lambda f, b: wq.FuzzyTerm(
                f, node.text, boost=b, maxdist=node.distance, prefixlength=node.prefix_length))
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


class SegmentBuilder:
    """Writes one new segment from a worker process, without the index lock.

    The parent holds the lock and adds the finished segment in its commit
    (:meth:`WhooshBackend.commit`); until then the files are invisible, and
    a crash leaves only unreferenced files that the next commit deletes.
    """

    def __init__(self, path: str) -> None:
        ix = windex.open_dir(str(path))
        self._writer = SegmentWriter(ix, _lk=False, limitmb=POOL_MB)

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents (new ones: the parent deleted any old versions)."""
        analyzer = self._writer.schema["body"].analyzer
        for doc in documents:
            self._writer.add_document(**document_fields(doc, analyzer))

    def finish(self) -> Any:
        """Write the segment; returns a picklable token for ``commit(segments=...)``."""
        writer = self._writer
        if not writer._added:
            writer._close_segment()
            return None
        return writer._finalize_segment()
