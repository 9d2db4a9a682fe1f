"""SharedIndex: one index read by many threads while other processes update and
rebuild it. Thread switches are forced every microsecond so that interleavings
that are rare in a real server happen many times here.
"""
from __future__ import annotations

import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from persearch import Index
from persearch.web.shared import ReadWriteLock, SharedIndex
from web_helpers import EXE, ROOT, run_cli

_WORD = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]{4,}")


@pytest.fixture
def fast_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def seed_lines() -> list[str]:
    lines = [line.strip() for seed in sorted((ROOT / "seeds").glob("*.txt"))
             for line in seed.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if len(_WORD.findall(line)) >= 4]


def write_documents(folder: Path, lines: list[str], start: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        line = lines[number % len(lines)]
        (folder / f"{number:04d}.txt").write_text(f"سند {number}\n{line}\n{lines[(number * 7) % len(lines)]}\n",
                                                   encoding="utf-8")


def queries(lines: list[str]) -> list[str]:
    words = [word for line in lines[:40] for word in _WORD.findall(line)]
    return [" ".join(words[i:i + 1 + i % 2]) for i in range(0, 120, 3)]


def answer(index: Any, query: str) -> tuple[Any, ...]:
    results = index.search(query, limit=10)
    return results.total, [(hit.id, round(hit.score, 5), hit.snippet, tuple(hit.highlights)) for hit in results.hits]


def test_threads_read_what_one_thread_reads(tmp_path: Path, backend: str, fast_switching: None) -> None:
    lines = seed_lines()
    write_documents(tmp_path / "docs", lines, 0, 120)
    assert run_cli("index", str(tmp_path / "docs"), "--index", str(tmp_path / "index"),
                   "--backend", backend).returncode == 0
    with Index.open(tmp_path / "index") as index:
        asked = queries(lines)
        expected = {query: answer(index, query) for query in asked}
        assert sum(1 for total, _ in expected.values() if total) > len(asked) // 2
        shared = SharedIndex(index)
        with ThreadPoolExecutor(16) as pool:
            got = list(pool.map(lambda n: shared.read(lambda ix: answer(ix, asked[n % len(asked)])), range(800)))
        wrong = [n for n, result in enumerate(got) if result != expected[asked[n % len(asked)]]]
        assert not wrong, f"{len(wrong)} of 800 reads differ"


def test_reads_go_on_while_other_processes_update_and_rebuild(tmp_path: Path, backend: str,
                                                              fast_switching: None) -> None:
    lines, docs = seed_lines(), tmp_path / "docs"
    write_documents(docs, lines, 0, 60)
    location = tmp_path / "index"
    assert run_cli("index", str(docs), "--index", str(location), "--backend", backend).returncode == 0
    # Another process: five updates of 30 new files each, then a rebuild.
    script = (f"import subprocess, sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "from test_web_shared import seed_lines, write_documents\n"
              "from pathlib import Path\nlines = seed_lines()\n"
              f"docs, index, exe = Path({str(docs)!r}), {str(location)!r}, {str(EXE)!r}\n"
              "for batch in range(5):\n"
              "    write_documents(docs, lines, 60 + 30 * batch, 30)\n"
              "    subprocess.run([exe, 'update', '--index', index], check=True, capture_output=True)\n"
              "subprocess.run([exe, 'index', str(docs), '--index', index, '--rebuild'], check=True, capture_output=True)\n")
    asked = queries(lines)
    failures: list[str] = []
    with Index.open(location) as index:
        shared = SharedIndex(index)
        writer = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)

        def read(n: int) -> None:
            try:
                shared.read(lambda ix: answer(ix, asked[n % len(asked)]))
            except Exception as error:  # noqa: BLE001 - collected and shown
                failures.append(f"{type(error).__name__}: {error}")

        reads = 0
        with ThreadPoolExecutor(12) as pool:
            while writer.poll() is None:
                list(pool.map(read, range(reads, reads + 48)))
                reads += 48
        assert writer.returncode == 0, writer.stderr.read()
        assert reads >= 48 and not failures, failures[:3]
        # The next read after the last commit sees all of it.
        assert shared.read(len) == 210
        assert shared.read(lambda ix: ix.search("سند 209").total) >= 1


def test_a_waiting_writer_goes_before_new_readers() -> None:
    lock, order = ReadWriteLock(), []
    reader_in, writer_waiting = threading.Event(), threading.Event()

    def first_reader() -> None:
        with lock.shared():
            reader_in.set()
            writer_waiting.wait(5)
            threading.Event().wait(0.05)  # the writer is queued now
            order.append("reader 1")

    def writer() -> None:
        reader_in.wait(5)
        writer_waiting.set()
        with lock.exclusive():
            order.append("writer")

    def late_reader() -> None:
        writer_waiting.wait(5)
        threading.Event().wait(0.02)
        with lock.shared():
            order.append("reader 2")

    threads = [threading.Thread(target=f) for f in (first_reader, writer, late_reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["reader 1", "writer", "reader 2"]
