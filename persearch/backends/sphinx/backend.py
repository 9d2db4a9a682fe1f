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
filter words; the attributes ``ns``, ``gen``, ``seq``, ``tlen``,
``blen``), routed to one node by a stable hash of the document id; in the
index's data folder (:mod:`.store`), the nodes, the namespace, the
committed generation, every document's stored fields, text and tokens, and
the term dictionary. :mod:`.writer` makes a commit atomic over the nodes;
a node down is an error on writes (:class:`~.nodes.NodeDown`) and a partial
answer, said so, on reads. docs/backends.md, "Scaling out", tells the whole story.
"""
from __future__ import annotations

import json
import os
import secrets
from functools import partial
from typing import Any, Iterable, Iterator, Sequence

from ... import querytree as qt
from ...analysis.analyzer import Analyzer
from ...errors import InvalidOption, PersearchError
from ..base import SEARCH_FIELDS, TITLE_BOOST, BackendResults, Document, StoredHit
from .config import DIST_INDEX, RT_INDEX, Node, parse_nodes
from .documents import Prepared, filter_key, filter_term, prepare
from .nodes import NodeDown, Nodes
from .store import FIELD_NUMBERS, Store, decode_text
from .rank import CANDIDATES, Scorer
from .translate import ALL, Translator
from .writer import Writer

#: Where nodes come from when an index is created without them.
NODES_ENV = "PERSEARCH_SPHINX_NODES"
#: How Sphinx chooses the candidates (:mod:`.rank` orders them): BM25 per
#: field, summed, with plain IDF (log N/n, never negative as Sphinx's default
#: is for common words). Sphinx 2.2's RT indexes keep no field lengths (its
#: bm25f() normalizes nothing), so each row carries its fields' lengths
#: (``tlen``, ``blen``) and the expression normalizes with them and the
#: averages from the store; the title is told from the body by its field
#: weight (2). A field's hits of all query words saturate together. Weights
#: are integers: scaled up. A query of only NOT counts the fields matched.
_BM25_RANKER = ("ranker=expr('sum(if(user_weight > 0, if(user_weight == 2, {boost}, 1) * sum_idf * hit_count * 2.2 "
                "/ (hit_count + 1.2 * (0.25 + 0.75 * if(user_weight == 2, tlen / {title}, blen / {body}))), 0)) * 1000'), "
                "field_weights=(title=2, body=1, every=0, filt=0), idf='plain,tfidf_unnormalized'")
_FLAT_RANKER = "ranker=expr('sum(1)')"
#: Candidates by the count of matched tokens (for prefixes and fuzzy terms with several expansions).
_COUNT_RANKER = "ranker=expr('sum(if(user_weight > 0, hit_count, 0))'), field_weights=(title=2, body=1, every=0, filt=0)"


class SphinxBackend:
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
        self.writer = Writer(store, self.nodes, self.ns)

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
                probe.execute(i, f"SHOW INDEX {RT_INDEX} STATUS")
                probe.execute(i, f"DESCRIBE {DIST_INDEX}")
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
    def segment_builder(cls, path: str, analyzer: Analyzer, *, with_changes: bool = False) -> "PreparedBatch":
        """Workers analyze; the parent writes to the nodes in its commit."""
        return PreparedBatch(analyzer)

    @classmethod
    def discard(cls, path: str | os.PathLike[str]) -> None:
        """Delete this index's rows from its nodes, before its folder goes (best effort:
        rows left on a node that is down are invisible, and only weigh on IDF)."""
        if not Store.exists(str(path)):
            return
        backend = cls.open(path)
        try:
            for i in range(len(backend.node_list)):
                try:
                    backend.nodes.execute(i, f"DELETE FROM {RT_INDEX} WHERE ns = %s", (backend.ns,))
                except NodeDown:
                    continue
        finally:
            backend.close()

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

    def commit(self, segments: Iterable[Any] = ()) -> None:
        """Write every change to the nodes, then make it visible in one store transaction (:mod:`.writer`).

        ``segments`` are documents worker processes analyzed (:class:`PreparedBatch`).
        A node that does not answer raises :class:`~.nodes.NodeDown` and
        nothing becomes visible.
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

    # -- reading ------------------------------------------------------------------------
    def search(self, query: qt.Node, limit: int, offset: int = 0,
               filters: dict[str, Any] | None = None) -> BackendResults:
        """Rank documents for a query tree; ``limit`` hits from ``offset``.

        Sphinx finds the matches and counts them; its best candidates are
        ranked again by :mod:`.rank`. When a node does not answer, the hits
        of the others come back with :attr:`BackendResults.partial` saying
        which nodes and what share of the index they hold.
        """
        store = self.store
        with store.snapshot():
            generation = store.generation
            if generation != self._translator_generation:
                self._translator = Translator(store)
                self._translator_generation = generation
            translator = self._translator
            match = translator.match(query)
            if filters:
                restriction = self._filter(filters)
                if match is None or restriction is None:
                    return BackendResults(0, [])
                match = restriction if match is ALL else f"{match} {restriction}"
            if match is None:
                return BackendResults(0, [])
            scorer = Scorer(store, translator.fuzzy_terms, query, translator.df_cache)
            wanted = max(CANDIDATES, 2 * (offset + limit))
            where, args = ["ns = %s", "gen <= %s"], [self.ns, generation]
            if match is not ALL:
                where.insert(0, "MATCH(%s)")
                args.insert(0, match)
            garbage = store.garbage_sids()
            if garbage:
                where.append(f"id NOT IN ({', '.join(['%s'] * len(garbage))})")
                args.extend(garbage)
            ranker = _FLAT_RANKER if not scorer.ranked else _BM25_RANKER.format(
                boost=f"{TITLE_BOOST:.4f}", title=f"{max(scorer.avg[0], 0.01):.4f}", body=f"{max(scorer.avg[1], 0.01):.4f}")
            sql = (f"SELECT id, WEIGHT() AS w, seq FROM {DIST_INDEX} WHERE {' AND '.join(where)} "
                   f"ORDER BY w DESC, seq ASC LIMIT 0, %s OPTION max_matches=%s, ")
            answer = self.nodes.search(sql + ranker, [*args, wanted, wanted])
            rows = {sid: seq for sid, _, seq in answer.rows}
            if scorer.expanded and ranker != _FLAT_RANKER:
                # Prefixes and fuzzy terms with several expansions: the documents with most
                # of their tokens are candidates too (Sphinx's BM25 of an expansion is per node).
                for sid, _, seq in self.nodes.search(sql + _COUNT_RANKER, [*args, wanted, wanted]).rows:
                    rows.setdefault(sid, seq)
            found = store.by_sid(list(rows)) if rows else {}
            ranked = sorted(((scorer.score(found[sid][2]), seq, sid) for sid, seq in rows.items() if sid in found),
                            key=lambda row: (-row[0], row[1]))
            hits = []
            for score, _, sid in ranked[offset:offset + limit] if limit > 0 else ():
                doc_id, fields, tokens = found[sid]
                hits.append(StoredHit(id=doc_id, score=score, fields=json.loads(fields),
                                      load_text=partial(self._text, doc_id), load_tokens=partial(_same, tokens)))
            results = BackendResults(answer.total_found, hits)
            if answer.missing:
                results.partial = self._partial(answer.missing, answer.reasons)
            return results

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

    def _filter(self, filters: dict[str, Any]) -> str | None:
        known = set(self.store.meta_keys())
        clauses = []
        for name, value in filters.items():
            key = filter_key(name)
            if key is None or (key.startswith("m:") and name not in known):
                choices = sorted({"id", "path", "format", "encoding", *known})
                raise InvalidOption(f"unknown filter field {name!r}: use one of {', '.join(choices)}")
            values = value if isinstance(value, (list, tuple, set)) else [value]
            if not values:
                return None
            clauses.append("(@filt " + " | ".join(filter_term(key, v) for v in values) + ")")
        return "(" + " ".join(clauses) + ")"

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

    def file_records(self) -> Iterator[tuple[str, str, int, float, str]]:
        """``(id, path, size, mtime, hash)`` of every document read from a file."""
        for raw in self.store.all_fields():
            f = json.loads(raw)
            if f.get("path"):
                yield f["id"], f["path"], f.get("size") or 0, f.get("mtime") or 0.0, f.get("hash") or ""

    def terms(self, field: str = "body") -> Iterator[tuple[str, int]]:
        """``(term, document frequency)`` of a field, from persearch's own dictionary."""
        if field in SEARCH_FIELDS:
            yield from self.store.terms(FIELD_NUMBERS[field])

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

    def node_stats(self) -> list[dict[str, Any]]:
        """Per node: its address, the documents routed to it, and whether it answers."""
        counts = self.store.node_counts()
        return [{"address": node.address, "documents": counts.get(i, 0), "answering": self.nodes.answering(i)}
                for i, node in enumerate(self.node_list)]


def _same(value: Any) -> Any:
    return value


class PreparedBatch:
    """What a worker process sends back: its documents analyzed (:class:`~.documents.Prepared`)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._docs: list[Prepared] = []

    def append(self, documents: Iterable[Document]) -> None:
        self._docs.extend(prepare(self._analyzer, doc) for doc in documents)

    def finish(self) -> list[Prepared] | None:
        return self._docs or None
