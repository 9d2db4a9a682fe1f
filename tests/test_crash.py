"""Crash safety and the write lock, for real: subprocesses killed with SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from persearch import Index, IndexLocked
from persearch.querytree import MatchAll, Term

CHILD = r"""
import sys, time
from persearch import Index
mode, index_dir = sys.argv[1], sys.argv[2]
ix = Index.open(index_dir, lock_timeout=30)
if mode == "index":
    ix.chunk_files = int(sys.argv[4])
    print("start", flush=True)
    ix.add_paths([sys.argv[3]], workers=int(sys.argv[5]),
                 progress=lambda done, total, path: print(done, flush=True))
    print("done", flush=True)
else:  # hold the write lock for a while
    with ix._writing():
        print("locked", flush=True)
        time.sleep(float(sys.argv[3]))
"""


def spawn(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True)


def make_corpus(folder: Path, seed_texts: dict[str, str], count: int) -> dict[str, str]:
    """``count`` Persian documents built from the seed sentences; every one says گزارش."""
    sentences = [s.strip() for text in seed_texts.values() for s in text.replace("\n", ".").split(".") if s.strip()]
    written = {}
    for i in range(count):
        part = folder / f"part{i // 50}"
        part.mkdir(parents=True, exist_ok=True)
        body = " ".join(sentences[(i * 7 + k) % len(sentences)] + "." for k in range(40))
        text = f"گزارش شماره {i}\n{body}\n"
        path = part / f"doc{i:03d}.txt"
        path.write_text(text, encoding="utf-8")
        written[str(path.resolve())] = text
    return written


def check_consistent(index_dir: Path, texts: dict[str, str]) -> int:
    """The index opens, is searchable, has no duplicates, and stores exact texts."""
    with Index.open(index_dir) as ix:
        count = len(ix)
        everything = ix.backend.search(MatchAll(), limit=1000)
        found = ix.backend.search(Term("گزارش"), limit=1000)
        assert everything.total == count and found.total == count
        hit_ids = [h.id for h in everything.hits]
        assert len(set(hit_ids)) == len(hit_ids)
        for hit in found.hits[:20]:
            assert hit.text == texts[hit.id]
        return count


def test_kill_9_at_several_moments_keeps_the_last_commit(tmp_path: Path, seed_texts: dict[str, str],
                                                         backend: str) -> None:
    docs = tmp_path / "docs"
    texts = make_corpus(docs, seed_texts, 300)
    index_dir = tmp_path / "ix"
    with Index.create(index_dir, backend=backend) as ix:
        assert ix.add_paths([docs / "part0"]).added == 50
    previous = 50
    killed_mid_run = 0
    # (files processed before the kill, extra delay, worker processes); 0 files = during the walk.
    moments = [(0, 0.0, 1), (7, 0.0, 1), (20, 0.0, 1), (20, 0.01, 1), (33, 0.05, 1), (1, 0.0, 2), (1, 0.3, 2)]
    for files_done, delay, workers in moments:
        child = spawn(tmp_path, "index", str(index_dir), str(docs), "20", str(workers))
        assert child.stdout is not None and child.stdout.readline().strip() == "start"
        line = "0"
        while files_done and line != "done" and int(line) < files_done:
            line = child.stdout.readline().strip() or "done"
        time.sleep(delay)
        if child.poll() is None:
            killed_mid_run += 1
            child.send_signal(signal.SIGKILL)
        child.wait()
        count = check_consistent(index_dir, texts)
        assert previous <= count <= 300  # committed chunks survive; nothing is counted twice
        previous = count
    assert killed_mid_run >= 5
    with Index.open(index_dir, lock_timeout=5) as ix:  # the dead writer's lock is gone
        report = ix.update()
        assert report.failed == [] and report.added + report.updated + report.unchanged == 300
        assert len(ix) == 300
    assert check_consistent(index_dir, texts) == 300
    with Index.open(index_dir) as ix:
        assert ix.update().unchanged == 300


def test_second_writer_in_the_same_process_fails_after_the_timeout(tmp_path: Path, backend: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("خبر\nکتاب\n", encoding="utf-8")
    Index.create(tmp_path / "ix", backend=backend).close()
    first, second = Index.open(tmp_path / "ix"), Index.open(tmp_path / "ix", lock_timeout=0.2)
    with first._writing():
        with pytest.raises(IndexLocked, match="being written by another process"):
            second.add_paths([docs])
        with pytest.raises(IndexLocked):
            second.add_document("x", "متن")
    assert second.add_paths([docs]).added == 1 and len(first) == 1
    first.close()
    second.close()


def test_second_writer_process_waits_then_fails_and_nothing_is_lost(tmp_path: Path, backend: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("خبر\nکتاب\n", encoding="utf-8")
    Index.create(tmp_path / "ix", backend=backend).close()
    holder = spawn(tmp_path, "hold", str(tmp_path / "ix"), "60")
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    with Index.open(tmp_path / "ix", lock_timeout=0.3) as ix:
        with pytest.raises(IndexLocked, match=r"waited 0.3 s"):
            ix.add_paths([docs])
        os.kill(holder.pid, signal.SIGKILL)  # a writer killed while holding the lock
        holder.wait()
        assert ix.add_paths([docs]).added == 1
    # A writer that finishes in time: the second one waits for it and then proceeds.
    short = spawn(tmp_path, "hold", str(tmp_path / "ix"), "0.5")
    assert short.stdout is not None and short.stdout.readline().strip() == "locked"
    (docs / "b.txt").write_text("خبر دوم\nدرخت\n", encoding="utf-8")
    with Index.open(tmp_path / "ix", lock_timeout=30) as ix:
        report = ix.update()
        assert (report.added, report.unchanged) == (1, 1) and len(ix) == 2
    short.wait()


def test_tantivy_writer_lock_waits_then_says_so(tmp_path: Path) -> None:
    """tantivy refuses a second writer at once (LockBusy); the backend waits, then raises IndexLocked."""
    pytest.importorskip("tantivy")
    from persearch import Analyzer
    from persearch.backends.base import Document
    from persearch.backends.tantivy_backend import TantivyBackend

    first = TantivyBackend.create(tmp_path / "ix", Analyzer())
    second = TantivyBackend.open(tmp_path / "ix", Analyzer(), lock_timeout=0.3)
    first.add([Document(id="1", text="کتاب")])  # holds tantivy's writer lock until the commit
    started = time.monotonic()
    with pytest.raises(IndexLocked, match="is locked by another writer; try again when it has finished"):
        second.add([Document(id="2", text="درخت")])
    assert time.monotonic() - started >= 0.3
    first.commit()  # the commit drops the writer and its lock
    second.add([Document(id="2", text="درخت")])
    second.commit()
    assert first.doc_count() == 2 and second.doc_count() == 2
    first.close()
    second.close()


RECORDS_CHILD = r"""
import sys
from persearch import Index
ix = Index.open(sys.argv[1], lock_timeout=30)
ix.chunk_documents = int(sys.argv[3])
ix.stream_min_bytes = 0
print("start", flush=True)
ix.add_paths([sys.argv[2]], progress=lambda done, total, path, state: print(state.documents, flush=True))
print("done", flush=True)
"""


def test_kill_9_in_the_middle_of_a_record_file_keeps_its_committed_records(tmp_path: Path, backend: str) -> None:
    import json

    rows = [{"id": f"r{i}", "title": f"گزارش {i}", "text": f"گزارش شماره {i} از کتابخانه‌های شیراز. " * 12}
            for i in range(900)]
    data = tmp_path / "records.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    texts = {f"{data.resolve()}#{r['id']}": r["text"] for r in rows}
    script = tmp_path / "records_child.py"
    script.write_text(RECORDS_CHILD, encoding="utf-8")
    Index.create(tmp_path / "ix", backend=backend).close()
    previous = 0
    for kill_at in (150, 420, 700):
        child = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ix"), str(data), "100"],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "start"
        line = "0"
        while line != "done" and int(line) < kill_at - previous:
            line = child.stdout.readline().strip() or "done"
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
        count = check_consistent(tmp_path / "ix", texts)
        assert previous <= count <= 900  # committed intervals survive, nothing twice
        previous = count
    assert 0 < previous < 900
    with Index.open(tmp_path / "ix", lock_timeout=5) as ix:
        report = ix.update()
        assert report.documents_added == 900 - previous and len(ix) == 900
    assert check_consistent(tmp_path / "ix", texts) == 900
