"""Local Sphinx nodes for the benchmarks' sphinx columns (1 node and 2 nodes), via persearch.cluster.

    with local_clusters(tmp) as nodes:      # {1: "127.0.0.1:P", 2: "127.0.0.1:Q,127.0.0.1:Q+1"}
        ...
        empty(nodes[2])                      # between runs: every node's RT index emptied

Empty when searchd or the sphinx extra is missing (the columns are then left out).
"""
from __future__ import annotations

import contextlib
import random
import shutil
import socket
import sys
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persearch import cluster  # noqa: E402


def available() -> bool:
    try:
        import pymysql  # noqa: F401
    except ImportError:
        return False
    return shutil.which("searchd") is not None


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _base(count: int) -> int:
    while True:
        base = random.randrange(22000, 60000)
        if all(_free(p) for i in range(count) for p in (base + i, base + 6 + i)):
            return base


@contextlib.contextmanager
def local_clusters(folder: Path) -> Iterator[dict[int, str]]:
    """A 1-node and a 2-node cluster in ``folder``, stopped at the end."""
    if not available():
        yield {}
        return
    started = []
    try:
        nodes = {}
        for count in (1, 2):
            started.append(folder / f"sphinx-{count}")
            nodes[count] = ",".join(cluster.up(started[-1], nodes=count, port=_base(count)).addresses)
        yield nodes
    finally:
        for where in started:
            cluster.down(where)


def empty(nodes: str) -> None:
    """Empty every node's RT index (runs must not pile documents on each other)."""
    import pymysql

    for address in nodes.split(","):
        host, port = address.split(":")[:2]
        connection = pymysql.connect(host=host, port=int(port), autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE RTINDEX persearch")
        finally:
            connection.close()
