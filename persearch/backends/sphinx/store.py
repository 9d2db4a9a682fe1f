"""persearch's own store beside a Sphinx index: one SQLite file in the index's data folder.

Sphinx stores no field, so this file keeps what persearch needs and Sphinx
cannot give back: each document's small fields, original text and
index-time tokens (snippets come from persearch's highlighter, never from
``CALL SNIPPETS``, which would tokenize Persian its own way); the term
dictionary with document frequencies (spelling suggestions, fuzzy terms);
the terms Sphinx cannot hold at a position another term holds (compound
joins, spelling variants) with what they stand over; keyword values by
their code (facets show the text); and the bookkeeping
that makes a commit over several nodes atomic (see :mod:`.backend`).

A SQLite transaction is the commit point: readers see the committed
generation, and only Sphinx rows written for it (``gen <= generation``,
minus the ``garbage`` rows not deleted yet). Between two writes nothing
changes the file (a commit ends with its log copied in:
:meth:`Store.checkpoint`), so persearch records its checksums after each
write and finds it damaged as it finds an engine's files
(persearch/index/integrity.py). What a write in progress notes before it
commits, the rows it sent to the nodes (*intent*), goes to a file of its
own, ``sphinx-intent.sqlite``, outside the checksums (:class:`IntentLog`).

    >>> store = Store.create("/tmp/ix/sphinx.sqlite", {"ns": 7, "nodes": ["127.0.0.1:9306"]})  # doctest: +SKIP
    >>> store.generation
    0
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections import Counter
from itertools import repeat
from typing import Any, Iterable, Iterator, Sequence

from ... import compact
from ...stored_tokens import StoredTokens

FILE = "sphinx.sqlite"
INTENT_FILE = "sphinx-intent.sqlite"
#: Field numbers in the term dictionary.
FIELD_NUMBERS = {"title": 0, "body": 1}

_SCHEMA = """
CREATE TABLE state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(id TEXT PRIMARY KEY, sid INTEGER NOT NULL UNIQUE, node INTEGER NOT NULL, path TEXT,
                  fields TEXT NOT NULL, text BLOB NOT NULL, tokens BLOB NOT NULL);
CREATE INDEX docs_path ON docs(path) WHERE path IS NOT NULL;
CREATE INDEX docs_node ON docs(node);
CREATE TABLE terms(field INTEGER, term TEXT, df INTEGER NOT NULL, PRIMARY KEY(field, term)) WITHOUT ROWID;
CREATE TABLE stacked(alt TEXT, expansion TEXT, PRIMARY KEY(alt, expansion)) WITHOUT ROWID;
CREATE TABLE keywords(code INTEGER PRIMARY KEY, term TEXT NOT NULL);
CREATE TABLE garbage(sid INTEGER PRIMARY KEY, node INTEGER NOT NULL);
"""

_COMPACT_TEXT, _UTF8_TEXT = b"c", b"u"


def encode_text(text: str) -> bytes:
    """The stored form of a text: one byte a character when it fits (persearch.compact), else UTF-8."""
    packed = compact.encode(text)
    return _COMPACT_TEXT + packed if packed is not None else _UTF8_TEXT + text.encode("utf-8")


def decode_text(raw: bytes) -> str:
    """The text :func:`encode_text` stored."""
    return compact.decode(raw[1:]) if raw[:1] == _COMPACT_TEXT else raw[1:].decode("utf-8")


def stored_terms(tokens: bytes, part: int) -> set[str]:
    """The distinct terms of one stored field (0: title, 1: body) in packed tokens."""
    field = StoredTokens(tokens, part)
    if not field.count:
        return set()
    return set(field.decode(field.raw[field.terms_start:field.terms_end])[1:-1].split("\0"))


class Store:
    """The SQLite file of one Sphinx-backed index (one connection, one writer at a time:
    persearch's write lock already serializes writers)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.db = _connect(path)
        self.intent = IntentLog(os.path.join(os.path.dirname(path), INTENT_FILE))
        self._state: dict[str, Any] | None = None
        self._seen: int | None = None

    @classmethod
    def create(cls, folder: str, state: dict[str, Any]) -> "Store":
        """A new store in ``folder`` with ``state`` (namespace, nodes) and generation 0."""
        path = os.path.join(folder, FILE)
        for name in (path, os.path.join(folder, INTENT_FILE)):
            if os.path.exists(name):
                os.remove(name)
        store = cls(path)
        store.db.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        with store.transaction():
            store.db.executemany("INSERT INTO state VALUES (?, ?)",
                                 [(k, json.dumps(v)) for k, v in {**state, "generation": 0}.items()])
        store.checkpoint()
        return store

    @classmethod
    def exists(cls, folder: str) -> bool:
        return os.path.exists(os.path.join(folder, FILE))

    def close(self) -> None:
        self.db.close()
        self.intent.close()

    # -- transactions -----------------------------------------------------------
    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, at the end of a write: the file
        is then as the checksums will record it. It waits for readers of an older state (busy
        timeout), and tries again a few times when they still hold it."""
        for _ in range(5):
            busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return

    def transaction(self) -> "_Transaction":
        """``with store.transaction():`` one write transaction, rolled back on error."""
        return _Transaction(self.db, "BEGIN IMMEDIATE")

    def snapshot(self) -> "_Transaction":
        """``with store.snapshot():`` reads that see one committed state (WAL)."""
        return _Transaction(self.db, "BEGIN")

    # -- state ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Namespace, nodes, generation: read again only after another commit."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._state is None or version != self._seen or self.db.in_transaction:
            self._state = {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM state")}
            self._seen = version
        return self._state

    @property
    def generation(self) -> int:
        return int(self.state()["generation"])

    def set_generation(self, generation: int) -> None:
        self.set("generation", generation)

    def set(self, key: str, value: Any) -> None:
        """Change one state value (inside a transaction)."""
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, json.dumps(value)))
        self._state = None

    def add_to(self, **changes: int) -> None:
        """Add to counters in the state: documents, field lengths, the next sequence number."""
        state = self.state()
        for key, change in changes.items():
            self.set(key, int(state.get(key) or 0) + change)

    # -- documents ----------------------------------------------------------------
    def current(self, ids: Iterable[str]) -> dict[str, tuple[int, int, bytes, str | None]]:
        """``id -> (sid, node, tokens, metadata json)`` of the documents among ``ids`` that exist."""
        out: dict[str, tuple[int, int, bytes, str | None]] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for doc_id, sid, node, tokens, fields in self.db.execute(
                    f"SELECT id, sid, node, tokens, fields FROM docs WHERE id IN ({marks})", chunk):
                out[doc_id] = (sid, node, tokens, fields)
        return out

    def ids_of_paths(self, paths: Iterable[str]) -> list[str]:
        out: list[str] = []
        for chunk in _chunks(list(paths)):
            marks = ",".join("?" * len(chunk))
            out.extend(row[0] for row in self.db.execute(f"SELECT id FROM docs WHERE path IN ({marks})", chunk))
        return out

    def by_sid(self, sids: Sequence[int]) -> dict[int, tuple[str, str, bytes]]:
        """``sid -> (id, small fields json, packed tokens)`` for candidates."""
        out: dict[int, tuple[str, str, bytes]] = {}
        for chunk in _chunks(list(sids)):
            marks = ",".join("?" * len(chunk))
            for sid, doc_id, fields, tokens in self.db.execute(
                    f"SELECT sid, id, fields, tokens FROM docs WHERE sid IN ({marks})", chunk):
                out[sid] = (doc_id, fields, tokens)
        return out

    def text_and_tokens(self, doc_id: str) -> tuple[str, bytes] | None:
        row = self.db.execute("SELECT text, tokens FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return (decode_text(row[0]), row[1]) if row else None

    def document(self, doc_id: str) -> tuple[str, bytes] | None:
        """``(small fields json, stored text)`` of one document."""
        row = self.db.execute("SELECT fields, text FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def documents(self) -> Iterator[tuple[str, bytes]]:
        """``(small fields json, stored text)`` of every document."""
        yield from self.db.execute("SELECT fields, text FROM docs ORDER BY rowid")

    def records(self, path: str) -> dict[str, str]:
        """``{id: hash}`` of the documents read from file ``path`` (its records)."""
        return {doc_id: json.loads(fields).get("hash") or ""
                for doc_id, fields in self.db.execute("SELECT id, fields FROM docs WHERE path = ?", (path,))}

    def everything(self) -> Iterator[tuple[str, str, bytes, bytes]]:
        """``(id, small fields json, stored text, packed tokens)`` of every document (``persearch doctor``)."""
        yield from self.db.execute("SELECT id, fields, text, tokens FROM docs ORDER BY rowid")

    def all_fields(self) -> Iterator[str]:
        for (fields,) in self.db.execute("SELECT fields FROM docs ORDER BY rowid"):
            yield fields

    def put(self, rows: Iterable[tuple[str, int, int, str | None, str, bytes, bytes]]) -> None:
        """Insert or replace ``(id, sid, node, path, fields, text, tokens)`` rows."""
        self.db.executemany("INSERT OR REPLACE INTO docs(id, sid, node, path, fields, text, tokens) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def remove(self, ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM docs WHERE id = ?", [(i,) for i in ids])

    def doc_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def node_counts(self) -> Counter[int]:
        return Counter(dict(self.db.execute("SELECT node, COUNT(*) FROM docs GROUP BY node")))

    # -- terms ------------------------------------------------------------------------
    def count_terms(self, field: int, changes: Counter[str]) -> None:
        """Add document-frequency changes of one field (``term -> +n/-n``); terms at 0 go."""
        self.db.executemany("INSERT INTO terms VALUES (?, ?, ?) ON CONFLICT(field, term) DO UPDATE "
                            "SET df = df + excluded.df", zip(repeat(field), changes.keys(), changes.values()))
        if min(changes.values(), default=0) < 0:
            self.db.execute("DELETE FROM terms WHERE df <= 0")

    def df(self, field: int, term: str) -> int:
        """Documents whose field holds ``term``."""
        row = self.db.execute("SELECT df FROM terms WHERE field = ? AND term = ?", (field, term)).fetchone()
        return int(row[0]) if row else 0

    def title_and_body_df(self, terms: Sequence[str]) -> list[int]:
        """Per term: the documents holding it in the title plus those holding it in the body."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(dict.fromkeys(terms))):
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT term, SUM(df) FROM terms WHERE term IN ({marks}) GROUP BY term",
                                         chunk))
        return [int(found.get(term, 0)) for term in terms]

    def terms(self, field: int, prefix: str = "") -> list[tuple[str, int]]:
        """``(term, df)`` of one field, in term order; only those beginning with ``prefix`` if given."""
        if not prefix:
            return list(self.db.execute("SELECT term, df FROM terms WHERE field = ? ORDER BY term", (field,)))
        # Every term beginning with PREFIX sorts between PREFIX and PREFIX + U+10FFFF.
        return list(self.db.execute("SELECT term, df FROM terms WHERE field = ? AND term >= ? AND term < ? "
                                    "ORDER BY term", (field, prefix, prefix + "\U0010ffff")))

    def term_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(DISTINCT term) FROM terms").fetchone()[0])

    def add_stacked(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO stacked VALUES (?, ?)", pairs)

    def expansions(self, alt: str) -> list[str]:
        """What a term that never has a position of its own stands over (space-joined terms)."""
        return [row[0] for row in self.db.execute("SELECT expansion FROM stacked WHERE alt = ?", (alt,))]

    def add_keywords(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Remember keyword terms by their code (:func:`.values.keyword_code`): facets show the text."""
        self.db.executemany("INSERT OR IGNORE INTO keywords VALUES (?, ?)", pairs)

    def keywords(self, codes: Iterable[int]) -> dict[int, str]:
        """The keyword terms of ``codes`` (those ever indexed)."""
        out: dict[int, str] = {}
        for chunk in _chunks(list(codes)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT code, term FROM keywords WHERE code IN ({marks})", chunk))
        return out

    # -- rows on the nodes that no committed document owns ---------------------------------
    def garbage(self) -> list[tuple[int, int]]:
        """``(sid, node)`` of the rows replaced or deleted by a commit, still on a node."""
        return list(self.db.execute("SELECT sid, node FROM garbage"))

    def mark_garbage(self, rows: Iterable[tuple[int, int]]) -> None:
        """Record rows as garbage (inside the commit's transaction)."""
        self.db.executemany("INSERT OR IGNORE INTO garbage VALUES (?, ?)", rows)

    def clear_garbage(self, sids: Iterable[int]) -> None:
        """Forget garbage rows deleted from their nodes (inside a transaction)."""
        self.db.executemany("DELETE FROM garbage WHERE sid = ?", [(s,) for s in sids])

    def unowned_intent(self) -> list[tuple[int, int]]:
        """``(sid, node)`` of the rows an unfinished write sent, that no committed document owns
        (a commit clears its intent just after it: a crash between leaves rows it owns noted)."""
        noted = self.intent.rows()
        if not noted:
            return []
        owned: set[int] = set()
        for chunk in _chunks([sid for sid, _ in noted]):
            marks = ",".join("?" * len(chunk))
            owned.update(row[0] for row in self.db.execute(f"SELECT sid FROM docs WHERE sid IN ({marks})", chunk))
        return [(sid, node) for sid, node in noted if sid not in owned]

    def garbage_counts(self) -> Counter[int]:
        """Per node: its rows awaiting deletion (replaced or deleted versions)."""
        return Counter(dict(self.db.execute("SELECT node, COUNT(*) FROM garbage GROUP BY node")))

    def garbage_sids(self) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT sid FROM garbage")]


class IntentLog:
    """The rows a write sent to the nodes before its commit, in ``sphinx-intent.sqlite``: if the
    commit never happens, the next write deletes them. A file of its own, opened when first
    used, so that a write in progress (or one that failed) leaves the store's file as it was."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _open(self, create: bool) -> sqlite3.Connection | None:
        if self._db is None and (create or os.path.exists(self.path)):
            self._db = _connect(self.path)
            self._db.execute("CREATE TABLE IF NOT EXISTS intent(sid INTEGER PRIMARY KEY, node INTEGER NOT NULL)")
        return self._db

    def rows(self) -> list[tuple[int, int]]:
        db = self._open(create=False)
        return list(db.execute("SELECT sid, node FROM intent")) if db is not None else []

    def mark(self, rows: Iterable[tuple[int, int]]) -> None:
        db = self._open(create=True)
        assert db is not None
        with _Transaction(db, "BEGIN IMMEDIATE"):
            db.executemany("INSERT OR IGNORE INTO intent VALUES (?, ?)", rows)

    def clear(self, sids: Iterable[int] | None = None) -> None:
        """Forget rows (every one: the file goes, until the next write sends rows)."""
        db = self._open(create=False)
        if db is None:
            return
        if sids is None:
            self.close()
            for name in (self.path, self.path + "-wal", self.path + "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(name)
            return
        with _Transaction(db, "BEGIN IMMEDIATE"):
            db.executemany("DELETE FROM intent WHERE sid = ?", [(s,) for s in sids])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _connect(path: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun and committed explicitly.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a killed process
    db.execute("PRAGMA busy_timeout=30000")
    # A big commit grows the write-ahead log to its size; cut it back after each checkpoint.
    db.execute("PRAGMA journal_size_limit=8388608")
    return db


class _Transaction:
    def __init__(self, db: sqlite3.Connection, begin: str) -> None:
        self.db = db
        self.begin = begin
        self.outer = False

    def __enter__(self) -> None:
        self.outer = not self.db.in_transaction
        if self.outer:
            self.db.execute(self.begin)

    def __exit__(self, kind: Any, *_: Any) -> None:
        if not self.outer:
            return
        if kind is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for at in range(0, len(items), size):
        yield items[at:at + size]
