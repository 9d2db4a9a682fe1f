"""The changes of one commit, sent to the nodes while more are analyzed, and the commit itself.

Every version of a document is a new Sphinx row (its id a hash of the
namespace, the generation and the document id), written with the next
generation, so it stays invisible: queries ask for ``gen <= committed
generation``. Rows are sent in batches as documents are analyzed (a
background thread writes one batch while the next is analyzed), each batch
recorded first as *intent* (in a file of its own: :class:`~.store.IntentLog`).
:meth:`Writer.commit` then needs every node to answer, and one store
transaction makes the generation current: the stored documents change, the
rows of replaced and deleted documents become *garbage* (left out of
queries at once, deleted from the nodes just after). A failed or abandoned
commit leaves only intent rows, which the next commit deletes before it
writes anything. Until the commit, the store's own file is not written: a
write cut short leaves it as its checksums describe it.

    >>> writer.put(prepare(analyzer, Document(id="۱", text="کتاب")))   # doctest: +SKIP
    >>> writer.commit()
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from ...stored_tokens import StoredTokens
from .documents import ROW_COLUMNS, Prepared, node_of, sphinx_id, sphinx_row
from .nodes import NodeDown, Nodes
from .store import Store, stored_terms
from .values import keyword_values, slot_columns, slot_values

if TYPE_CHECKING:
    from ...values.records import FieldSpec

#: The typed fields and their slots (the backend's FieldTable, read again when it changes).
Typing = Callable[[], "tuple[Mapping[str, FieldSpec], Mapping[str, str]]"]

#: Documents per batch sent to the nodes while the next ones are analyzed...
STREAM_BATCH = 500
#: ...or fewer, when their rows reach this many bytes (the backend's ``writer_memory``).
STREAM_BYTES = 16 * 1024 * 1024


class Writer:
    """Pending changes of one index (persearch's write lock makes it the only writer)."""

    def __init__(self, store: Store, nodes: Nodes, ns: int, typing: Typing) -> None:
        self.store = store
        self.nodes = nodes
        self.ns = ns
        self.typing = typing
        self.count = len(nodes.nodes)
        self.batch_bytes = STREAM_BYTES
        self._reset()
        self._pool: Any = None

    def _reset(self) -> None:
        self.puts: dict[str, Prepared] = {}
        self.deletes: set[str] = set()
        self._unsent: list[str] = []
        self._unsent_bytes = 0
        self._sent: dict[str, tuple[int, int, int]] = {}  # id -> (sid, node, seq) of its row on a node
        self._written: set[int] = set()  # nodes that got rows
        self._generation: int | None = None
        self._collected: list[int] = []  # garbage deleted from the nodes, forgotten by the commit
        self._seq = 0
        self._future: Any = None

    # -- changes ----------------------------------------------------------------------
    def put(self, prepared: Prepared) -> None:
        """Add or replace one analyzed document."""
        self.deletes.discard(prepared.id)
        self.puts[prepared.id] = prepared
        self._unsent.append(prepared.id)
        # The rows' words in UTF-8: Persian letters take two bytes.
        self._unsent_bytes += 2 * (len(prepared.title) + len(prepared.body) + len(prepared.tstack)
                                   + len(prepared.bstack))
        if len(self._unsent) >= STREAM_BATCH or self._unsent_bytes >= self.batch_bytes:
            self._send()

    def delete(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            self.puts.pop(doc_id, None)
            self.deletes.add(doc_id)

    def pending(self) -> bool:
        return bool(self.puts or self.deletes or self._sent)

    def cancel(self) -> None:
        """Drop the changes; rows already sent stay recorded as intent, for the next commit to delete."""
        self._wait(raise_errors=False)
        self._reset()

    def close(self) -> None:
        self.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # -- sending ------------------------------------------------------------------------
    def _send(self) -> None:
        """Write the unsent documents' rows (in the background), recorded first as intent."""
        store = self.store
        if self._generation is None:  # the first batch of this commit
            self.collect_garbage(strict=True)  # what a failed writer left, before anything new
            self._generation = store.generation + 1
            self._seq = int(store.state().get("seq") or 0)
        ids = [doc_id for doc_id in dict.fromkeys(self._unsent) if doc_id in self.puts]
        self._unsent, self._unsent_bytes = [], 0
        if not ids:
            return
        rows: dict[int, list[tuple[Any, ...]]] = {}
        marks = []
        # Typed fields are recorded before documents use them: the table read now holds every one of this batch.
        specs, slots = self.typing()
        columns = (*ROW_COLUMNS, *slot_columns(slots.values()))
        for doc_id in ids:
            sid, node = sphinx_id(self.ns, self._generation, doc_id), node_of(doc_id, self.count)
            prepared = self.puts[doc_id]
            row = sphinx_row(prepared, sid, self.ns, self._generation, self._seq)
            rows.setdefault(node, []).append((*row, *slot_values(prepared.typed, specs, slots)))
            self._sent[doc_id] = (sid, node, self._seq)
            self._seq += 1
            marks.append((sid, node))
        store.intent.mark(marks)
        self._wait()
        self._written.update(rows)
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="persearch-sphinx")
        self._future = self._pool.submit(self.nodes.replace_all, columns, rows)

    def _wait(self, *, raise_errors: bool = True) -> None:
        future, self._future = self._future, None
        if future is None:
            return
        try:
            future.result()
        except NodeDown:
            if raise_errors:
                raise

    # -- the commit ---------------------------------------------------------------------
    def commit(self) -> None:
        """Finish writing, check every node answers, then make it all visible in one store transaction."""
        if self.pending():
            try:
                self._send_rest()
                self._commit()
            finally:
                self._reset()
        self.collect_garbage(strict=False)
        # The log copied into the file: it stays as it is until the next write (checksums), and
        # the log does not keep the size of the largest commit.
        self.store.checkpoint()

    def _send_rest(self) -> None:
        if self._unsent or self._generation is None:
            self._send()
        self._wait()
        for node in range(self.count):  # every node must answer: a write never leaves one behind silently
            if node not in self._written:
                self.nodes.ping(node)

    def _commit(self) -> None:
        store, puts = self.store, self.puts
        deletes = self.deletes - set(puts)
        generation = self._generation if self._generation is not None else store.generation + 1
        with store.transaction():
            old = store.current([*puts, *deletes])
            garbage = [(sid, node) for sid, node, _, _ in old.values()]
            # Sent, then deleted or replaced again before the commit.
            garbage += [(sid, node) for doc_id, (sid, node, _) in self._sent.items() if doc_id not in puts]
            store.clear_garbage(self._collected)
            store.mark_garbage(garbage)
            store.remove([doc_id for doc_id in deletes if doc_id in old])
            store.put((doc_id, self._sent[doc_id][0], self._sent[doc_id][1], p.path, p.fields, p.text, p.tokens)
                      for doc_id, p in puts.items())
            # Document frequencies per field, counted over sets (C loops), and field lengths.
            terms: list[Counter[str]] = [Counter(), Counter()]
            lengths = [0, 0]
            for _, _, tokens, _ in old.values():
                for part in (0, 1):
                    terms[part].subtract(stored_terms(tokens, part))
                    lengths[part] -= StoredTokens(tokens, part).count
            for prepared in puts.values():
                terms[0].update(prepared.title_terms)
                terms[1].update(prepared.body_terms)
                lengths[0] += StoredTokens(prepared.tokens, 0).count
                lengths[1] += StoredTokens(prepared.tokens, 1).count
            for part in (0, 1):
                store.count_terms(part, terms[part])
            specs = self.typing()[0]
            store.add_keywords(pair for prepared in puts.values() for pair in keyword_values(prepared.typed, specs))
            store.add_stacked(pair for prepared in puts.values() for pair in prepared.stacked)
            store.add_to(docs=len(puts) - len(old), length_title=lengths[0], length_body=lengths[1])
            store.set("seq", max(self._seq, int(store.state().get("seq") or 0)))
            store.set_generation(generation)
        store.intent.clear()  # after the commit: a crash between leaves notes of rows it owns (kept)

    def collect_garbage(self, *, strict: bool) -> None:
        """Delete from the nodes the rows no committed document owns: replaced and
        deleted versions, and what a failed commit wrote. ``strict``: a node that
        does not answer is an error (before a write, which then forgets the garbage it
        deleted in its own commit: until then the store's file is not written); else
        they wait for the next commit."""
        store = self.store
        garbage = store.garbage()
        leftovers = garbage + store.unowned_intent()
        if not leftovers:
            return
        is_garbage = {sid for sid, _ in garbage}
        by_node: dict[int, list[int]] = {}
        for sid, node in leftovers:
            by_node.setdefault(node, []).append(sid)
        for node, sids in sorted(by_node.items()):
            try:
                self.nodes.delete(node, sids)
            except NodeDown:
                if strict:
                    raise
                continue
            store.intent.clear(sid for sid in sids if sid not in is_garbage)
            deleted = [sid for sid in sids if sid in is_garbage]
            if strict:
                self._collected.extend(deleted)
            elif deleted:
                with store.transaction():
                    store.clear_garbage(deleted)
