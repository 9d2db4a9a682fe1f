"""The sphinx backend: one persearch index over several Sphinx (or Manticore) nodes, through SphinxQL.

persearch keeps doing everything Persian (analysis, the query language,
highlighting, suggestions, the update model); each node keeps the
analyzer's terms of its share of the documents in a real-time index, and a
distributed index on every node answers a query from all of them. Sphinx
chooses the candidates; persearch ranks them (:mod:`.rank`).

    >>> backend = SphinxBackend.create("/tmp/ix/data-1", Analyzer(), nodes="127.0.0.1:9306,127.0.0.1:9307")  # doctest: +SKIP
    >>> backend.add([Document(id="1", text="کتاب‌ها را خواندم", title="کتاب")])
    >>> backend.commit()
    >>> backend.search(Term("کتاب"), limit=10).total
    1

Where things are: on the nodes, in the RT index ``persearch``, one row per
document version (:mod:`.documents`: its words, the ``every`` term, hashed
words of its raw fields; the attributes ``ns``, ``gen``, ``seq``, ``tlen``,
``blen`` and its typed fields' slots, :mod:`.values`), routed to one node by
a stable hash of the document id; in the index's data folder (:mod:`.store`,
and ``fields.json``, the typed fields' table), the nodes, the namespace, the
committed generation, every document's stored fields, text and tokens, and
the term dictionary. :mod:`.writer` makes a commit atomic over the nodes;
:mod:`.search` runs a search's SELECTs; a node down is an error on writes
(:class:`~.nodes.NodeDown`) and a partial answer, said so, on reads.
docs/backends.md, "Scaling out", tells the whole story.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from ... import querytree as qt
from ...analysis.analyzer import Analyzer
from ...stored_tokens import StoredTokens
from ...errors import InvalidOption, PersearchError
from ..base import (FILTER_FIELDS, SEARCH_FIELDS, BackendResults, Document, EngineRetired, FieldTable,
                    SlottedFields, StoredHit, as_filters, check_fields)
from .config import DIST_INDEX, RT_INDEX, TYPED_SLOTS, Node, parse_nodes
from .documents import Prepared, prepare
from .nodes import NodeDown, Nodes
from .rank import Scorer
from .search import Search
from .store import FILE, FIELD_NUMBERS, Store, decode_text
from .translate import ALL, Translator
from .values import allot, conditions
from .writer import Writer

if TYPE_CHECKING:
    from ...values.facets import Facet, Sort
    from ...values.filters import Filter
    from ...values.records import FieldSpec

#: Where nodes come from when an index is created without them.
NODES_ENV = "PERSEARCH_SPHINX_NODES"
#: Times a search runs when commits keep moving the generation under it (the last answer stands).
SEARCH_TRIES = 5


class SphinxBackend(SlottedFields):
    """A :class:`~persearch.backends.base.Backend` on Sphinx/Manticore nodes (extra ``persearch[sphinx]``)."""

    name = "sphinx"
    #: Options :meth:`create` takes (``Index.create(..., nodes=...)``).
    takes_options = ("nodes",)

    def __init__(self, path: str, store: Store, analyzer: Analyzer | None) -> None:
        self.path = path
        self.store = store
        self.analyzer = analyzer
        state = store.state()
        self.ns = int(state["ns"])
        self.node_list: list[Node] = parse_nodes(state["nodes"])
        self.nodes = Nodes(self.node_list)
        self._translator = Translator(store)
        self._translator_generation = -1
        self._table = FieldTable(path)
        self.writer = Writer(store, self.nodes, self.ns, self._typing)

    # -- life cycle ---------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer, *, lock_timeout: float = 10.0,
               nodes: str | Sequence[str] | None = None) -> "SphinxBackend":
        """An empty index in folder ``path`` on ``nodes`` (``"HOST:PORT,…"``; default
        ``$PERSEARCH_SPHINX_NODES``). Every node must answer."""
        spec = nodes if nodes else os.environ.get(NODES_ENV, "")
        if not spec:
            raise InvalidOption("the sphinx backend needs its nodes: --nodes HOST:PORT,HOST:PORT "
                                f"(or ${NODES_ENV}); start local ones with: persearch cluster up DIR --nodes 2")
        node_list = parse_nodes(spec)
        probe = Nodes(node_list)
        try:
            for i in range(len(node_list)):
                probe.execute(i, f"DESCRIBE {DIST_INDEX}")
                attributes = {row[0] for row in probe.execute(i, f"DESCRIBE {RT_INDEX}")}
                if f"s{TYPED_SLOTS - 1}" not in attributes:
                    raise InvalidOption(f"Sphinx node {node_list[i].sql} has persearch's index without the typed "
                                        f"fields' slots (an older configuration): configure it again "
                                        f"(persearch cluster config, or cluster up in a new folder)")
        except NodeDown as error:
            raise NodeDown(str(error).split("; nothing")[0] + "; is it a node persearch configured? "
                           "(persearch cluster config --nodes ...)") from None
        finally:
            probe.close()
        os.makedirs(path, exist_ok=True)
        store = Store.create(str(path), {"ns": secrets.randbits(62), "nodes": [n.address for n in node_list]})
        return cls(str(path), store, analyzer)

    @classmethod
    def open(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, *,
             lock_timeout: float = 10.0) -> "SphinxBackend":
        """Open the index in folder ``path`` (its nodes are recorded there)."""
        if not Store.exists(str(path)):
            raise PersearchError(f"no sphinx index in {path}")
        return cls(str(path), Store(os.path.join(str(path), "sphinx.sqlite")), analyzer)

    @classmethod
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False,
                        memory: int | None = None) -> "PreparedBatch":
        """Workers analyze; the parent writes to the nodes (``memory`` is the parent's to use)."""
        return PreparedBatch(analyzer)

    @property
    def writer_memory(self) -> int:
        """Bytes of rows buffered before they are sent to the nodes (at most 500 documents' anyway):
        what the engine's writer holds here is each commit's documents, bounded by the index's commit
        intervals; Sphinx's own RAM chunk is the node's (``rt_mem_limit``)."""
        return self.writer.batch_bytes

    @writer_memory.setter
    def writer_memory(self, value: int) -> None:
        self.writer.batch_bytes = max(1, int(value))

    @classmethod
    def discard(cls, path: str | os.PathLike[str]) -> None:
        """Delete this index's rows from its nodes, before its folder goes (best effort:
        rows left on a node that is down are invisible, and only weigh on IDF)."""
        if not Store.exists(str(path)):
            return
        store = Store(os.path.join(str(path), FILE))  # only the store: the folder may be damaged elsewhere
        try:
            state = store.state()
            ns, nodes = int(state["ns"]), Nodes(parse_nodes(state["nodes"]))
        except (sqlite3.DatabaseError, KeyError, ValueError):  # a damaged store: its rows stay, invisible
            store.close()
            return
        try:
            # First marked retired: a search still reading this folder, which would miss the rows
            # deleted under it, sees the mark when it ends and runs again on the index's new folder.
            with store.transaction():
                store.set("retired", True)
        except sqlite3.DatabaseError:  # a store that cannot take the mark: its rows go all the same
            pass
        finally:
            store.close()
        try:
            for i in range(len(nodes.nodes)):
                try:
                    nodes.execute(i, f"DELETE FROM {RT_INDEX} WHERE ns = %s", (ns,))
                except NodeDown:
                    continue
        finally:
            nodes.close()

    def close(self) -> None:
        """Drop uncommitted changes and the connections."""
        self.writer.close()
        self.nodes.close()
        self.store.close()

    @property
    def options(self) -> dict[str, Any]:
        """What :meth:`create` needs to make this index again (its nodes), recorded in persearch.json."""
        return {"nodes": ",".join(node.address for node in self.node_list)}

    def generation(self) -> int:
        """The committed generation (the store's; every commit advances it)."""
        return self.store.generation

    # -- writing ------------------------------------------------------------------------
    def _prepare(self, documents: Iterable[Document]) -> None:
        if self.analyzer is None:
            raise PersearchError("this sphinx backend was opened without an analyzer: it cannot index")
        for doc in documents:
            self.writer.put(prepare(self.analyzer, doc))

    def add(self, documents: Iterable[Document]) -> None:
        """Add or replace (by id) documents; visible after :meth:`commit`."""
        self._prepare(documents)

    def append(self, documents: Iterable[Document]) -> None:
        """Add documents known to be new."""
        self._prepare(documents)

    def delete(self, ids: Iterable[str]) -> None:
        """Delete documents by id; visible after :meth:`commit`."""
        self.writer.delete(ids)

    def delete_paths(self, paths: Iterable[str]) -> None:
        """Delete every document read from these files."""
        paths = set(paths)
        if not paths:
            return
        self.writer.delete(self.store.ids_of_paths(paths))
        self.writer.delete([doc_id for doc_id, p in self.writer.puts.items() if p.path in paths])

    def pending(self) -> bool:
        return self.writer.pending()

    def cancel(self) -> None:
        """Drop uncommitted changes (rows already sent stay invisible; the next commit deletes them)."""
        self.writer.cancel()

    def commit(self, segments: Iterable[Any] = (), *, release: bool = True) -> None:
        """Write every change to the nodes, then make it visible in one store transaction (:mod:`.writer`).

        ``segments`` are documents worker processes analyzed (:class:`PreparedBatch`).
        A node that does not answer raises :class:`~.nodes.NodeDown` and
        nothing becomes visible. ``release`` changes nothing: no engine lock
        is held between commits (persearch's write lock serializes writers).
        """
        for batch in segments:
            for prepared in batch or ():
                self.writer.put(prepared)
        self.writer.commit()

    def optimize(self) -> None:
        """Commit, then have every node merge its index's disk chunks (Sphinx does it in the background)."""
        self.commit()
        for i in range(len(self.node_list)):
            self.nodes.execute(i, f"FLUSH RTINDEX {RT_INDEX}")
            self.nodes.execute(i, f"OPTIMIZE INDEX {RT_INDEX}")

    # -- typed record fields --------------------------------------------------------------
    def add_fields(self, specs: Mapping[str, FieldSpec]) -> list[str]:
        """Record typed fields, each in a free slot, before documents use them; the names
        refused because every slot is taken (they stay metadata)."""
        return self._table.add(specs, allot)

    # -- reading ------------------------------------------------------------------------
    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: Sequence[Filter] | Mapping[str, Any] | None = None, *,
               sort: Sort | None = None, facets: Sequence[Facet] = ()) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset`` (filters, sort, facets:
        :meth:`persearch.backends.base.Backend.search`; how: :mod:`.search`, :mod:`.values`).

        Sphinx finds the matches and counts them; persearch ranks its best
        candidates (:mod:`.rank`). When a node does not answer, the hits of the
        others come back with :attr:`BackendResults.partial` saying which
        nodes and what share of the index they hold.

        A search reads one committed generation; the rows it hides (replaced
        versions) leave the nodes only after a later commit. So a search
        during which the generation moved may have missed rows deleted under
        it: it runs again on the new one (up to :data:`SEARCH_TRIES` times).
        """
        specs, slots = self._typing()
        filters = as_filters(filters, specs)
        check_fields(filters, sort, facets, specs)
        for _ in range(SEARCH_TRIES - 1):
            results, generation = self._search(query, limit, offset, filters, sort, facets, specs, slots)
            if self.store.generation == generation:
                return self._unless_retired(results)
        return self._unless_retired(self._search(query, limit, offset, filters, sort, facets, specs, slots)[0])

    def _unless_retired(self, results: BackendResults) -> BackendResults:
        """``results``, unless a rebuild retired this folder meanwhile (its rows may have gone from
        the nodes under the search): then EngineRetired, and the index reads its new folder."""
        if self.store.state().get("retired"):
            raise EngineRetired("this sphinx index was rebuilt into another folder while it was searched")
        return results

    def _search(self, query: qt.Node, limit: int, offset: int, filters: list[Filter], sort: Sort | None,
                facets: Sequence[Facet], specs: dict[str, FieldSpec], slots: dict[str, str]
                ) -> tuple[BackendResults, int]:
        """One search on the generation committed when it starts, and that generation."""
        store = self.store
        with store.snapshot():
            generation = store.generation
            # No search finds more than the index holds, and searchd sizes its answer by the matches
            # asked for (a limit of 10**9 brings a node down): ask for no more than there can be.
            most = int(store.state().get("docs") or 0)
            offset = min(offset, most)
            limit = max(0, min(limit, most - offset))
            if generation != self._translator_generation:
                self._translator = Translator(store)
                self._translator_generation = generation
            translator = self._translator
            match = translator.match(query)
            words = translator.filter_words([f for f in filters if f.field in FILTER_FIELDS])
            if match is None or words is None:
                return BackendResults(0, []), generation
            if words:  # raw-field filters: words of the filt field, beside a positive part
                match = f"{translator.every() if match is ALL else match} {words}"
            typed = conditions([f for f in filters if f.field not in FILTER_FIELDS], specs, slots)
            run = Search(self.nodes, match, typed, ns=self.ns, generation=generation, garbage=store.garbage_sids())
            scorer = Scorer(store, query, translator.reach, translator.df_cache)
            if sort is not None:
                page, total = run.sorted(scorer, sort, slots, limit, offset, store.by_sid)
            else:
                # Prefixes and fuzzy terms: also the candidates of their best tier's terms.
                best = partial(_best_match, translator, query, words)
                page, total = run.ranked(scorer, limit, offset, store.by_sid, best)
            counts = run.facets(facets, slots, store.keywords) if facets else {}
            found = store.by_sid([sid for _, sid in page]) if page else {}
            hits = []
            for score, sid in page:
                if sid not in found:
                    continue
                doc_id, fields, tokens = found[sid]
                hits.append(StoredHit(id=doc_id, score=score, fields=json.loads(fields),
                                      load_text=partial(self._text, doc_id), load_tokens=partial(_same, tokens)))
            results = BackendResults(total, hits, facets=(lambda: counts) if facets else None)
            if run.missing:
                results.partial = self._partial(set(run.missing), run.missing)
            return results, generation

    def _partial(self, missing: set[int], reasons: dict[int, str]) -> dict[str, Any]:
        counts = self.store.node_counts()
        total = sum(counts.values()) or 1
        share = sum(counts.get(i, 0) for i in missing) / total
        names = ", ".join(self.node_list[i].sql for i in sorted(missing))
        return {
            "missing_nodes": [self.node_list[i].sql for i in sorted(missing)],
            "missing_share": round(share, 4),
            "reasons": {self.node_list[i].sql: reasons.get(i, "") for i in sorted(missing)},
            "message": (f"partial results: Sphinx node{'s' if len(missing) > 1 else ''} {names} did not answer; "
                        f"the hits leave out its {share:.0%} of the index"),
        }

    def _text(self, doc_id: str) -> str:
        found = self.store.text_and_tokens(doc_id)
        return found[0] if found else ""

    def stored(self, doc_id: str) -> dict[str, Any] | None:
        """The stored fields of one document, ``text`` included."""
        found = self.store.document(doc_id)
        if found is None:
            return None
        fields = json.loads(found[0])
        fields["text"] = decode_text(found[1])
        return fields

    def iter_stored(self) -> Iterator[dict[str, Any]]:
        """Stored fields (text included) of every document."""
        for fields, text in self.store.documents():
            out = json.loads(fields)
            out["text"] = decode_text(text)
            yield out

    def records(self, path: str) -> dict[str, str]:
        """``{id: hash}`` of the documents read from file ``path`` (record-level updates)."""
        return self.store.records(path)

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        for raw in self.store.all_fields():
            f = json.loads(raw)
            if f.get("path"):
                yield f["id"], f["path"], f.get("size") or 0, f.get("mtime") or 0.0, f.get("hash") or ""

    def terms(self, field: str = "body", prefix: str = "") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` of a field (beginning with ``prefix``), from persearch's
        own dictionary (every analyzer term, stacked ones included, as the other backends index)."""
        if field in SEARCH_FIELDS:
            yield from self.store.terms(FIELD_NUMBERS[field], prefix)

    def doc_frequencies(self, terms: Sequence[str]) -> list[int]:
        """Per term: documents holding it in the title plus those holding it in the body, from the
        store's dictionary (the whole index's, not one node's)."""
        return self.store.title_and_body_df(terms)

    def term_count(self) -> int:
        return self.store.term_count()

    def doc_count(self) -> int:
        return self.store.doc_count()

    def segment_count(self) -> int:
        """Disk chunks plus RAM chunks over the nodes that answer."""
        total = 0
        for i in range(len(self.node_list)):
            try:
                status = dict(self.nodes.execute(i, f"SHOW INDEX {RT_INDEX} STATUS"))
            except NodeDown:
                continue
            total += int(status.get("disk_chunks") or 0) + (1 if int(status.get("ram_chunk") or 0) else 0)
        return total

    def engine_files(self) -> list[str]:
        """The files of this index on this machine: the store (``sphinx.sqlite``: every document's
        text, tokens and fields, the dictionary, the committed generation). Its checksums are those
        persearch records; the nodes' own files are the servers', and a node that lost or damaged
        its rows is found by :meth:`read_everything` (``persearch doctor``)."""
        return [FILE]

    def read_everything(self) -> tuple[int, int, list[str]]:
        """Read the store through (every document's fields, text and tokens) and ask each node for
        the rows of this index it holds: ``(segments, documents read, problems)`` (segments as
        :meth:`segment_count` counts them), a problem naming a node that holds other than the
        store's count (a rebuild writes its rows again). A node that does not answer cannot be
        checked: :class:`~.nodes.NodeDown`, one line naming it and how to start it."""
        problems: list[str] = []
        documents = 0
        try:
            for doc_id, fields, text, tokens in self.store.everything():
                json.loads(fields)
                decode_text(text)
                for part in (0, 1):
                    StoredTokens(tokens, part).count  # noqa: B018 - read through
                documents += 1
        except Exception as exc:  # noqa: BLE001 - what fails in a damaged store is the finding
            problems.append(f"the sphinx store {FILE} cannot be read through ({type(exc).__name__}: {exc})")
        generation, expected, garbage = self.store.generation, self.store.node_counts(), self.store.garbage_counts()
        for i, node in enumerate(self.node_list):
            try:
                held = self.nodes.count_rows(i, self.ns, generation) - garbage.get(i, 0)
            except NodeDown as error:
                raise NodeDown(str(error).split("; nothing")[0] + "; start it (persearch cluster up DIR) "
                               "and run persearch doctor again") from None
            if held != expected.get(i, 0):
                problems.append(f"Sphinx node {node.sql} holds {held} documents of this index, the store "
                                f"{expected.get(i, 0)} (its index lost or damaged rows)")
        return self.segment_count(), documents, problems

    def node_stats(self) -> list[dict[str, Any]]:
        """Per node: its address, the documents routed to it, and whether it answers."""
        counts = self.store.node_counts()
        return [{"address": node.address, "documents": counts.get(i, 0), "answering": self.nodes.answering(i)}
                for i, node in enumerate(self.node_list)]


def _same(value: Any) -> Any:
    return value


def _best_match(translator: Translator, query: qt.Node, words: str) -> str | None:
    """The MATCH of ``query`` with prefixes and fuzzy terms reaching their best tier only (and the filters' words)."""
    best = translator.match(query, best=True)
    if best is None or best is ALL:
        return None
    return f"{best} {words}" if words else best


class PreparedBatch:
    """What a worker process sends back: its documents analyzed (:class:`~.documents.Prepared`)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._docs: list[Prepared] = []

    def append(self, documents: Iterable[Document]) -> None:
        self._docs.extend(prepare(self._analyzer, doc) for doc in documents)

    def finish(self) -> list[Prepared] | None:
        return self._docs or None
