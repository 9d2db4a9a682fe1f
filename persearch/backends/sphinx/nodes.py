"""Talking SphinxQL to the nodes (pymysql, the MySQL wire protocol), and what their failures mean.

Every value in a statement is a bound parameter (pymysql escapes it as a
string literal), MATCH strings included; no text from a document or a
query is ever formatted into SQL. Connections are opened lazily and opened
again after a failure.

A distributed query answers without a node that is down or too slow and
says so only in ``SHOW META``: :meth:`Nodes.search` reads it after every
query and reports which nodes were missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ...errors import MissingExtra, PersearchError

try:
    import pymysql
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtra("the sphinx backend needs the sphinx extra: pip install 'persearch[sphinx]'") from None

from .config import RT_INDEX, Node

#: Seconds to wait for a node to accept a connection, and for an answer.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 60.0
#: Rows per REPLACE statement (pymysql also splits at about 1 MB).
BATCH_ROWS = 500
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")


class NodeDown(PersearchError):
    """A Sphinx node did not answer, or refused a write: nothing of the write was committed."""


@dataclass
class Answer:
    """Rows of a distributed query, the matches counted, and the nodes that did not answer."""

    rows: list[tuple[Any, ...]]
    total_found: int
    missing: set[int] = field(default_factory=set)
    reasons: dict[int, str] = field(default_factory=dict)


class Nodes:
    """Connections to every node of one index's cluster, in order."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.nodes = list(nodes)
        self._connections: list[Any] = [None] * len(self.nodes)
        self._by_api = {(n.host, n.api_port): i for i, n in enumerate(self.nodes)}

    def close(self) -> None:
        for i, connection in enumerate(self._connections):
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - closing a broken connection
                    pass
            self._connections[i] = None

    def _connection(self, i: int) -> Any:
        connection = self._connections[i]
        if connection is None:
            node = self.nodes[i]
            connection = pymysql.connect(host=node.host, port=node.port, autocommit=True, charset="utf8mb4",
                                         connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                                         write_timeout=READ_TIMEOUT)
            self._connections[i] = connection
        return connection

    def _fail(self, i: int, error: Exception, doing: str) -> NodeDown:
        self.close_one(i)
        return NodeDown(f"Sphinx node {self.nodes[i].sql} {doing}: {_reason(error)}; nothing was committed, "
                        f"run the same command again when every node answers (persearch cluster up DIR)")

    def close_one(self, i: int) -> None:
        connection, self._connections[i] = self._connections[i], None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass

    def execute(self, i: int, sql: str, args: Any = None, *, many: bool = False) -> list[tuple[Any, ...]]:
        """Run one statement on node ``i`` (``many``: one per row of ``args``); NodeDown if it fails."""
        try:
            with self._connection(i).cursor() as cursor:
                if many:
                    cursor.executemany(sql, args)
                else:
                    cursor.execute(sql, args)
                return list(cursor.fetchall())
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as error:
            raise self._fail(i, error, "did not answer") from None
        except pymysql.err.MySQLError as error:
            raise self._fail(i, error, "refused a statement") from None

    def _once_more(self, i: int, action: Any) -> Any:
        """Run ``action``; if it failed on a connection opened earlier (the node may have
        restarted since), run it once more on a new one. Only for idempotent actions."""
        reused = self._connections[i] is not None
        try:
            return action()
        except NodeDown:
            if not reused:
                raise
            return action()

    def replace(self, i: int, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Write rows (values of ``columns``) to node ``i`` in one Sphinx transaction (all again if
        the connection was stale). Column names are persearch's own, never a user's."""
        sql = f"REPLACE INTO {RT_INDEX} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"

        def write() -> None:
            self.execute(i, "BEGIN")
            for at in range(0, len(rows), BATCH_ROWS):
                self.execute(i, sql, rows[at:at + BATCH_ROWS], many=True)
            self.execute(i, "COMMIT")

        self._once_more(i, write)

    def replace_all(self, columns: Sequence[str], rows: dict[int, list[tuple[Any, ...]]]) -> None:
        """Write each node's rows, the nodes at once (each indexes its share while the
        others do); NodeDown for the first node that fails, after every node has finished."""
        if len(rows) < 2:
            for i, node_rows in rows.items():
                self.replace(i, columns, node_rows)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=len(rows)) as pool:
            futures = [pool.submit(self.replace, i, columns, node_rows) for i, node_rows in sorted(rows.items())]
        for future in futures:
            future.result()

    def delete(self, i: int, sids: Iterable[int]) -> None:
        """Delete Sphinx rows from node ``i``."""
        sids = list(sids)
        for at in range(0, len(sids), BATCH_ROWS):
            chunk = sids[at:at + BATCH_ROWS]
            self._once_more(i, lambda: self.execute(
                i, f"DELETE FROM {RT_INDEX} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk))

    def search(self, sql: str, args: Sequence[Any]) -> Answer:
        """Run a query on the first node that answers (its distributed index asks the
        others) and read ``SHOW META``: which nodes were missing, and why."""
        missing: dict[int, str] = {}
        for i in range(len(self.nodes)):
            try:
                rows, meta = self._ask(i, sql, args)
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as error:
                if isinstance(error, pymysql.err.OperationalError) and _is_query_error(error):
                    raise PersearchError(f"Sphinx refused the query: {_reason(error)}") from None
                self.close_one(i)
                missing[i] = _reason(error)
                continue
            except pymysql.err.MySQLError as error:
                raise PersearchError(f"Sphinx refused the query: {_reason(error)}") from None
            warning = str(meta.get("warning") or "")
            for host, port in _AGENT.findall(warning):
                node = self._by_api.get((host, int(port)))
                if node is not None:
                    missing.setdefault(node, warning.split(": ", 2)[-1] or "no answer")
            return Answer(rows, int(meta.get("total_found") or 0), set(missing), missing)
        reasons = "; ".join(f"{self.nodes[i].sql}: {why}" for i, why in missing.items())
        raise NodeDown(f"no Sphinx node answers ({reasons}); start them: persearch cluster up DIR")

    def _ask(self, i: int, sql: str, args: Sequence[Any]) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
        """The rows of a query on node ``i`` and its SHOW META (again on a new connection
        if the one opened earlier went stale: the node may have restarted)."""
        for attempt in (0, 1):
            reused = self._connections[i] is not None
            try:
                with self._connection(i).cursor() as cursor:
                    cursor.execute(sql, args)
                    rows = list(cursor.fetchall())
                    cursor.execute("SHOW META")
                    return rows, dict(cursor.fetchall())
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as error:
                if attempt or not reused or _is_query_error(error):
                    raise
                self.close_one(i)
        raise AssertionError("unreachable")

    def count_rows(self, i: int, ns: int, generation: int) -> int:
        """The rows node ``i`` itself holds of namespace ``ns`` up to ``generation`` (its own
        real-time index, not the distributed one); NodeDown if it fails."""
        try:
            _, meta = self._ask(i, f"SELECT id FROM {RT_INDEX} WHERE ns = %s AND gen <= %s LIMIT 1",
                                (ns, generation))
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as error:
            raise self._fail(i, error, "did not answer") from None
        except pymysql.err.MySQLError as error:
            raise self._fail(i, error, "refused a statement") from None
        return int(meta.get("total_found") or 0)

    def ping(self, i: int) -> None:
        """NodeDown unless node ``i`` answers."""
        self._once_more(i, lambda: self.execute(i, "SHOW STATUS LIKE 'uptime'"))

    def answering(self, i: int) -> bool:
        try:
            self.ping(i)
            return True
        except NodeDown:
            return False


def _reason(error: Exception) -> str:
    args = getattr(error, "args", ())
    text = str(args[1]) if len(args) > 1 else str(error)
    if "Connection refused" in text:
        return "connection refused"
    if "timed out" in text:
        return "timed out"
    return " ".join(text.replace("\x00", "").split())[:300]


def _is_query_error(error: Exception) -> bool:
    """An OperationalError that is Sphinx's answer to a query (1064), not a lost connection."""
    args = getattr(error, "args", ())
    return bool(args) and args[0] == 1064
