"""Shared fixtures: the seed documents, the shared data folder, each backend, and two Sphinx nodes.

The shared data (real Persian corpora that may not be redistributed) lives
outside the repository. :func:`shared_data_file` finds it through
``$PERSEARCH_SHARED_DATA``, else ``../shared/data`` beside the checkout, and
skips the test, saying why, when it is not there: a clone elsewhere still
runs every other test.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def shared_data_dir() -> Path:
    """Where the shared data is looked for: ``$PERSEARCH_SHARED_DATA``, else ``../shared/data``."""
    configured = os.environ.get("PERSEARCH_SHARED_DATA")
    return Path(configured) if configured else ROOT.parent / "shared" / "data"


def shared_data_file(name: str) -> Path:
    """A file of the shared data (``news.jsonl.gz``), or a skip naming where it was looked for."""
    path = shared_data_dir() / name
    if not path.is_file():
        pytest.skip(f"shared data file {name} not found in {path.parent} (set PERSEARCH_SHARED_DATA to its folder)")
    return path


@pytest.fixture
def news_corpus() -> Path:
    """The news corpus (4,108 JSONL records, gzipped) from the shared data."""
    return shared_data_file("news.jsonl.gz")


@pytest.fixture
def seeds_dir() -> Path:
    """The repository's seed documents (real Persian news pages)."""
    return SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """Seed file name → its text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def sphinx_unavailable() -> str | None:
    """Why the sphinx backend cannot be tested here, or None (CI installs both)."""
    if shutil.which("searchd") is None:
        return "searchd is not installed (Debian package sphinxsearch)"
    try:
        import pymysql  # noqa: F401
    except ImportError:
        return "the sphinx extra is not installed (pip install 'persearch[sphinx]')"
    return None


def _free_base_port() -> int:
    """A port P with P, P+1 (SphinxQL) and P+6, P+7 (API) free on 127.0.0.1."""
    rng = random.Random(os.getpid())
    for _ in range(200):
        base = rng.randrange(20000, 60000)
        try:
            for port in (base, base + 1, base + 6, base + 7):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports for the Sphinx nodes")


def _stop_by_pid(folder: Path) -> None:
    """Kill whatever searchd the cluster record in ``folder`` still names (after a failed `down`)."""
    try:
        pids = json.loads((folder / "cluster.json").read_text(encoding="utf-8"))["pids"]
    except (OSError, ValueError, KeyError):
        return
    for pid in pids:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture(scope="session")
def sphinx_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Two real searchd nodes started with ``persearch cluster up`` in a tmp dir, stopped by pid at the end.

    ``PERSEARCH_SPHINX_NODES`` names them for the session, so indexes created
    with ``backend="sphinx"`` (and child processes) find them.
    """
    reason = sphinx_unavailable()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("sphinx-nodes")
    command = [sys.executable, "-m", "persearch.cli", "cluster", "up", str(folder), "--nodes", "2",
               "--port", str(_free_base_port())]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        nodes = done.stdout.strip()
        before = os.environ.get("PERSEARCH_SPHINX_NODES")
        os.environ["PERSEARCH_SPHINX_NODES"] = nodes
        try:
            yield {"folder": folder, "nodes": nodes}
        finally:
            if before is None:
                os.environ.pop("PERSEARCH_SPHINX_NODES", None)
            else:
                os.environ["PERSEARCH_SPHINX_NODES"] = before
    finally:
        subprocess.run([sys.executable, "-m", "persearch.cli", "cluster", "down", str(folder)],
                       capture_output=True, timeout=120)
        _stop_by_pid(folder)
        time.sleep(0)  # nothing of this session's searchd is left


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Two nodes of a test's own (for a test that stops one), stopped by pid however the test ends."""
    reason = sphinx_unavailable()
    if reason:
        pytest.skip(reason)
    folder = tmp_path / "nodes"
    command = [sys.executable, "-m", "persearch.cli", "cluster", "up", str(folder), "--nodes", "2",
               "--port", str(_free_base_port())]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        record = json.loads((folder / "cluster.json").read_text(encoding="utf-8"))
        yield {"folder": folder, "nodes": done.stdout.strip(), "pids": record["pids"]}
    finally:
        subprocess.run([sys.executable, "-m", "persearch.cli", "cluster", "down", str(folder)],
                       capture_output=True, timeout=120)
        _stop_by_pid(folder)


@pytest.fixture(scope="module", params=["whoosh", "tantivy", "sphinx"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn; tantivy and sphinx only when they can run here (CI installs both)."""
    if request.param == "tantivy":
        pytest.importorskip("tantivy", reason="the tantivy extra is not installed")
    if request.param == "sphinx":
        request.getfixturevalue("sphinx_cluster")
    return request.param
