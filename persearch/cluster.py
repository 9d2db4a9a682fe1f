"""Local Sphinx nodes for trying the sphinx backend and for tests: ``persearch cluster up/down``.

``up(DIR, nodes=2)`` writes each node's configuration (persearch's: the RT
index with its charset table, the distributed index over every node,
binlog on) under ``DIR/node-N/``, starts one ``searchd`` per node bound to
127.0.0.1, waits until each answers, and records the pids in
``DIR/cluster.json``. Run again, it starts only the nodes that are not
running (a node killed with ``kill -9`` comes back with every committed
write: searchd replays its binlog). ``down(DIR)`` stops exactly the
recorded processes. Real servers get their configuration from
:func:`config_for` (``persearch cluster config``). No client library is
needed here.

    >>> up("/tmp/cluster", nodes=2).addresses                 # doctest: +SKIP
    ['127.0.0.1:9306', '127.0.0.1:9307']
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends.sphinx.config import API_PORT_OFFSET, Node, node_config, parse_nodes
from .errors import InvalidOption, PersearchError
from .files import write_json

STATE_FILE = "cluster.json"
#: Seconds a node may take to answer after it starts, and to stop.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
REAP_TIMEOUT = 5.0
DEFAULT_PORT = 9306
LOCAL_HOST = "127.0.0.1"
MISSING_SEARCHD = ("searchd is not installed: install Debian's sphinxsearch package "
                   "(apt-get install sphinxsearch) or Manticore Search")


@dataclass
class Cluster:
    """The nodes of a local cluster and the pids running them (None: not running)."""

    folder: Path
    nodes: list[Node]
    pids: list[int | None] = field(default_factory=list)
    started: list[int] = field(default_factory=list)  # node numbers this call started

    @property
    def addresses(self) -> list[str]:
        return [node.address for node in self.nodes]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "nodes": ",".join(self.addresses),
                "processes": [{"address": n.address, "pid": pid, "config": str(_node_folder(self.folder, i) / "sphinx.conf")}
                              for i, (n, pid) in enumerate(zip(self.nodes, self.pids))],
                "started": [self.nodes[i].address for i in self.started]}


def searchd_path() -> str:
    """The ``searchd`` program, or one clear error naming the Debian package."""
    found = shutil.which("searchd")
    if found is None:
        raise PersearchError(MISSING_SEARCHD)
    return found


def local_nodes(count: int, port: int = DEFAULT_PORT) -> list[Node]:
    """``count`` nodes on 127.0.0.1: SphinxQL ports ``port``…, API ports after them (at least 6 on)."""
    if count < 1:
        raise InvalidOption(f"a cluster needs at least 1 node, not {count}")
    gap = max(API_PORT_OFFSET, count)
    if not 0 < port or port + gap + count > 65535:
        raise InvalidOption(f"ports from {port} do not fit {count} nodes")
    return [Node(LOCAL_HOST, port + i, port + gap + i) for i in range(count)]


def config_for(spec: str, folder: str = "/var/lib/sphinxsearch/persearch", me: int | None = None) -> str:
    """The configuration of the nodes ``"HOST:PORT,…"`` (each node's, or only node ``me``'s)."""
    nodes = parse_nodes(spec)
    which = range(len(nodes)) if me is None else [me]
    shared = {n.host for n in nodes if sum(m.host == n.host for m in nodes) > 1}  # hosts running several
    return "\n".join(node_config(nodes, i, f"{folder}/node-{i}" if nodes[i].host in shared else folder)
                      for i in which)


def up(folder: str | os.PathLike[str], nodes: int | None = None, port: int | None = None) -> Cluster:
    """Start the cluster in ``folder`` (created with ``nodes`` nodes from ``port`` the first time)."""
    root = Path(folder).expanduser().absolute()
    program = searchd_path()
    cluster = _read(root)
    if cluster is None:
        if root.exists() and not root.is_dir():
            raise InvalidOption(f"{root} is a file: a cluster is a folder")
        cluster = Cluster(root, local_nodes(nodes or 2, port or DEFAULT_PORT))
        cluster.pids = [None] * len(cluster.nodes)
        for i in range(len(cluster.nodes)):
            node_folder = _node_folder(root, i)
            for sub in ("data", "binlog"):
                (node_folder / sub).mkdir(parents=True, exist_ok=True)
            (node_folder / "sphinx.conf").write_text(node_config(cluster.nodes, i, str(node_folder)), encoding="utf-8")
    elif nodes is not None and nodes != len(cluster.nodes):
        raise InvalidOption(f"{root} holds a cluster of {len(cluster.nodes)} nodes; "
                            f"choose another folder for {nodes}")
    elif port is not None and port != cluster.nodes[0].port:
        raise InvalidOption(f"{root} holds a cluster on ports from {cluster.nodes[0].port}; "
                            f"choose another folder for port {port}")
    todo = [i for i, pid in enumerate(cluster.pids) if not _is_ours(pid, root, i)]
    for i in todo:
        cluster.pids[i] = None
    busy = [f"{n.host}:{p}" for i in todo for n in [cluster.nodes[i]] for p in (n.port, n.api_port) if _port_taken(n.host, p)]
    if busy:
        raise PersearchError(f"port {busy[0]} is in use by another program; choose other ports: "
                             f"persearch cluster up NEWDIR --port PORT")
    try:
        for i in todo:
            cluster.pids[i] = _start(program, root, i)
            cluster.started.append(i)
            _save(cluster)
        for i in todo:
            _wait_answering(cluster, i)
    finally:
        _save(cluster)
    return cluster


def down(folder: str | os.PathLike[str]) -> list[int]:
    """Stop the searchd processes recorded in ``folder``; returns their pids."""
    root = Path(folder).expanduser().absolute()
    cluster = _read(root)
    if cluster is None:
        raise PersearchError(f"no cluster in {root} (nothing recorded by persearch cluster up)")
    stopped = []
    for i, pid in enumerate(cluster.pids):
        if pid is not None and _is_ours(pid, root, i):
            os.kill(pid, signal.SIGTERM)  # searchd saves its RT index and exits
            stopped.append(pid)
    deadline = time.monotonic() + STOP_TIMEOUT
    for pid in stopped:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)  # the binlog still holds every committed write
            while _alive(pid):
                time.sleep(0.02)
    # A stopped daemon stays a zombie until init reaps it (within a second or two
    # here): wait for that, so that no searchd is listed once this returns.
    reaped = time.monotonic() + REAP_TIMEOUT
    while any(os.path.exists(f"/proc/{pid}") for pid in stopped) and time.monotonic() < reaped:
        time.sleep(0.02)
    cluster.pids = [None] * len(cluster.nodes)
    _save(cluster)
    return stopped


def status(folder: str | os.PathLike[str]) -> Cluster:
    """The cluster recorded in ``folder``, with ``pids`` None for nodes not running."""
    root = Path(folder).expanduser().absolute()
    cluster = _read(root)
    if cluster is None:
        raise PersearchError(f"no cluster in {root} (nothing recorded by persearch cluster up)")
    cluster.pids = [pid if _is_ours(pid, root, i) else None for i, pid in enumerate(cluster.pids)]
    return cluster


# -- processes ------------------------------------------------------------------------
def _node_folder(root: Path, i: int) -> Path:
    return root / f"node-{i}"


def _start(program: str, root: Path, i: int) -> int:
    """Start node ``i`` as a daemon; its pid (from its pid file)."""
    node_folder = _node_folder(root, i)
    pid_file = node_folder / "searchd.pid"
    pid_file.unlink(missing_ok=True)
    done = subprocess.run([program, "--config", str(node_folder / "sphinx.conf")], cwd=node_folder,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                          timeout=START_TIMEOUT)
    if done.returncode != 0:
        lines = [line for line in (done.stdout + done.stderr).splitlines() if "FATAL" in line or "ERROR" in line]
        raise PersearchError(f"searchd of node {i} did not start: "
                             f"{(lines or ['exit code %d' % done.returncode])[-1].strip()} "
                             f"(its log: {node_folder / 'searchd.log'})")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            return int(pid_file.read_text().strip())
        except (OSError, ValueError):
            time.sleep(0.02)
    raise PersearchError(f"searchd of node {i} wrote no pid file (its log: {node_folder / 'searchd.log'})")


def _wait_answering(cluster: Cluster, i: int) -> None:
    """Wait until node ``i`` sends its SphinxQL greeting (its indexes are loaded then)."""
    node = cluster.nodes[i]
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        pid = cluster.pids[i]
        if pid is None or not _alive(pid):
            raise PersearchError(f"searchd of node {i} stopped while starting "
                                 f"(its log: {_node_folder(cluster.folder, i) / 'searchd.log'})")
        try:
            with socket.create_connection((node.host, node.port), timeout=1.0) as sock:
                if sock.recv(1):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise PersearchError(f"node {node.address} did not answer within {START_TIMEOUT:g} s")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, an exited child not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def _is_ours(pid: int | None, root: Path, i: int) -> bool:
    """Whether ``pid`` is the searchd of node ``i`` of this cluster (pids get reused)."""
    if pid is None or not _alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return True  # no /proc: trust the record
    return any(os.path.basename(a) == "searchd" for a in args[:1]) and \
        str(_node_folder(root, i) / "sphinx.conf") in args


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


# -- the record -----------------------------------------------------------------------
def _read(root: Path) -> Cluster | None:
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise PersearchError(f"{root / STATE_FILE} is unreadable ({exc})") from None
    nodes = parse_nodes(data["nodes"])
    pids = list(data.get("pids") or [None] * len(nodes))
    return Cluster(root, nodes, pids)


def _save(cluster: Cluster) -> None:
    cluster.folder.mkdir(parents=True, exist_ok=True)
    write_json(cluster.folder / STATE_FILE, {"nodes": cluster.addresses, "pids": cluster.pids})


__all__ = ["up", "down", "status", "config_for", "local_nodes", "searchd_path", "Cluster"]
