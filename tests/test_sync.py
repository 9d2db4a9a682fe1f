"""Syncs of record files: record-level updates, commits at intervals, interrupts that keep what was done,
progress inside a file, document counts, paths that give nothing. Every backend."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from persearch import Index, Interrupted
from persearch.backends import backend_class
from persearch.index.commit import ProgressState
from persearch.querytree import MatchAll, Term

from corpus_helpers import CITIES, write_reports


def record(i: int, word: str = "گزارش", with_id: bool = True) -> dict[str, Any]:
    city = CITIES[i % len(CITIES)]
    row: dict[str, Any] = {"title": f"خبر {i} از {city}", "text": f"{word} شماره {i} درباره کتابخانه‌های {city}. " * 8}
    if with_id:
        row["id"] = f"n{i}"
    return row


def write_records(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def later(path: Path) -> None:
    """Make sure the change is seen even on a coarse clock."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def index(tmp_path: Path, backend: str) -> Index:
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        yield ix


@pytest.fixture
def appended(monkeypatch: pytest.MonkeyPatch, backend: str) -> list[str]:
    """The ids of every document handed to the engine (analyzed and indexed)."""
    seen: list[str] = []
    cls = backend_class(backend)
    for name in ("append", "add"):
        real = getattr(cls, name)

        def spy(self: Any, documents: Any, _real: Any = real) -> None:
            documents = list(documents)
            seen.extend(d.id.rsplit("#", 1)[-1] for d in documents)
            _real(self, documents)

        monkeypatch.setattr(cls, name, spy)
    return seen


def hits(index: Index, word: str) -> set[str]:
    found = index.backend.search(Term(word), limit=10_000)
    return {h.id.rsplit("#", 1)[-1] for h in found.hits}


# -- record-level updates ------------------------------------------------------

def test_appending_a_record_indexes_that_record_only(index: Index, tmp_path: Path, appended: list[str]) -> None:
    rows = [record(i) for i in range(300)]
    path = write_records(tmp_path / "docs" / "news.jsonl", rows)
    first = index.add_paths([path.parent])
    assert (first.documents_added, first.documents) == (300, 300) and len(appended) == 300
    appended.clear()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record(300, word="زرافه"), ensure_ascii=False) + "\n")
    later(path)
    report = index.update()
    assert appended == ["n300"]
    assert (report.updated, report.documents_added, report.documents_updated, report.documents_removed,
            report.documents) == (1, 1, 0, 0, 301)
    assert hits(index, "زرافه") == {"n300"} and len(index) == 301


def test_a_changed_record_is_replaced_and_a_deleted_one_removed(index: Index, tmp_path: Path,
                                                                appended: list[str]) -> None:
    rows = [record(i) for i in range(120)]
    path = write_records(tmp_path / "docs" / "news.jsonl", rows)
    index.add_paths([path])
    appended.clear()
    rows[7] = record(7, word="زرافه")
    del rows[50]
    write_records(path, rows)
    later(path)
    report = index.update()
    assert appended == ["n7"]
    assert (report.documents_added, report.documents_updated, report.documents_removed) == (0, 1, 1)
    assert hits(index, "زرافه") == {"n7"} and "n7" not in hits(index, "گزارش")
    assert "n50" not in hits(index, "گزارش") and len(index) == 119
    assert index.update().unchanged == 1 and appended == ["n7"]


def test_records_without_ids_are_known_by_their_line_and_content(index: Index, tmp_path: Path,
                                                                 appended: list[str]) -> None:
    rows = [record(i, with_id=False) for i in range(60)]
    path = write_records(tmp_path / "docs" / "notes.jsonl", rows)
    index.add_paths([path])
    appended.clear()
    rows.append(record(60, word="زرافه", with_id=False))
    write_records(path, rows)
    later(path)
    assert index.update().documents_added == 1 and appended == ["61"]  # the new line only
    rows[10] = record(10, word="پلنگ", with_id=False)
    write_records(path, rows)
    later(path)
    report = index.update()
    assert appended[1:] == ["11"] and report.documents_updated == 1
    assert hits(index, "پلنگ") == {"11"} and len(index) == 61
    # A line removed from the middle: the lines after it have new numbers, so new ids; the index
    # matches the file exactly, with no duplicates and nothing left behind.
    del rows[0]
    write_records(path, rows)
    later(path)
    index.update()
    everything = index.backend.search(MatchAll(), limit=1000)
    assert len(index) == 60 and len({h.id for h in everything.hits}) == 60
    assert hits(index, "زرافه") == {"60"}


@pytest.mark.parametrize("name", ["table.csv", "items.json"])
def test_csv_rows_and_json_items_are_updated_one_by_one(index: Index, tmp_path: Path, appended: list[str],
                                                        name: str) -> None:
    rows = [record(i) for i in range(40)]
    path = tmp_path / "docs" / name
    path.parent.mkdir()

    def write() -> None:
        if name.endswith(".csv"):
            path.write_text("id,title,text\n" + "".join(f"{r['id']},{r['title']},{r['text']}\n" for r in rows),
                            encoding="utf-8")
        else:
            path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        later(path)

    write()
    index.add_paths([path])
    appended.clear()
    rows[3] = record(3, word="زرافه")
    rows.append(record(40))
    write()
    report = index.update()
    assert sorted(appended) == ["n3", "n40"]
    assert (report.documents_added, report.documents_updated) == (1, 1) and len(index) == 41


def test_new_field_options_read_every_record_again(index: Index, tmp_path: Path, appended: list[str]) -> None:
    rows = [{**record(i), "summary": f"خلاصه {i}"} for i in range(30)]
    path = write_records(tmp_path / "docs" / "news.jsonl", rows)
    index.add_paths([path])
    appended.clear()
    report = index.add_paths([path], text_field="summary")
    assert len(appended) == 30 and report.documents_updated == 30
    assert len(hits(index, "خلاصه")) == 30 and hits(index, "کتابخانه") == set()


# -- commits at intervals, interrupts ------------------------------------------------

def test_a_big_record_file_is_committed_at_intervals(index: Index, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    path = write_records(tmp_path / "docs" / "news.jsonl", [record(i) for i in range(1000)])
    index.chunk_documents = 256
    index.stream_min_bytes = 0  # this small file too is read one record at a time
    commits: list[int] = []
    cls = backend_class(backend)
    real = cls.commit

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        commits.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "commit", counting)
    index.add_paths([path])
    assert len(commits) >= 4 and len(index) == 1000


CHILD = r"""
import json, signal, sys
from persearch import Index, Interrupted
from persearch.index import commit
commit.Tracker.INTERVAL = 0.0  # progress after every record
signal.signal(signal.SIGTERM, signal.default_int_handler)  # as the command line does
index_dir, target, interrupt_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
ix = Index.open(index_dir, lock_timeout=30)
ix.stream_min_bytes = 0  # read one record at a time, however small the file
sent = False
def progress(done, total, path, state=None):
    global sent
    if state is not None and state.documents >= interrupt_at and not sent:
        sent = True
        print("interrupt", state.documents, flush=True)
        sys.stdin.readline()  # the parent sends the signal, then a line
try:
    ix.add_paths([target], progress=progress)
    print("done", flush=True)
except Interrupted as stop:
    print("interrupted", stop.documents, stop.report.documents_added, flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_commits_what_is_done_and_the_next_run_goes_on(tmp_path: Path, backend: str,
                                                                    signum: int) -> None:
    path = write_records(tmp_path / "docs" / "news.jsonl", [record(i) for i in range(1500)])
    Index.create(tmp_path / "ix", backend=backend).close()
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ix"), str(path), "600"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdin is not None
    line = child.stdout.readline().split()
    assert line[0] == "interrupt"
    child.send_signal(signum)
    child.stdin.write("\n")
    child.stdin.flush()
    answer = child.stdout.readline().split()
    child.wait(timeout=120)
    assert answer[0] == "interrupted", answer
    kept = int(answer[1])
    assert kept >= 600 and kept < 1500  # everything done before the signal is committed
    with Index.open(tmp_path / "ix") as ix:
        assert len(ix) == kept
        everything = ix.backend.search(MatchAll(), limit=2000)
        assert len({h.id for h in everything.hits}) == kept
        report = ix.update()  # picks up where it stopped: the committed records are not indexed again
        assert report.documents_added == 1500 - kept and len(ix) == 1500
        assert ix.update().unchanged == 1


def test_a_second_interrupt_stops_at_once_and_keeps_the_last_commit(tmp_path: Path, backend: str) -> None:
    from persearch.index.commit import Interrupts

    with Interrupts() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested == signal.SIGINT
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_interrupted_is_a_keyboard_interrupt_that_says_how_far_it_got(tmp_path: Path, backend: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    for i in range(30):
        write_records(docs / f"{i:02d}.jsonl", [record(i)])

    def progress(done: int, total: int, path: str) -> None:
        if done == 10:
            os.kill(os.getpid(), signal.SIGINT)

    with Index.create(tmp_path / "ix", backend=backend) as ix:
        with pytest.raises(KeyboardInterrupt) as caught:
            ix.add_paths([docs], progress=progress, workers=1)
        assert isinstance(caught.value, Interrupted)
        assert (caught.value.files_done, caught.value.files_total, caught.value.documents) == (10, 30, 10)
        assert len(ix) == 10 and ix.update().added == 20 and len(ix) == 30


# -- progress ----------------------------------------------------------------------

def test_progress_moves_inside_a_big_record_file(index: Index, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from persearch.index import commit

    monkeypatch.setattr(commit.Tracker, "INTERVAL", 0.0)
    index.stream_min_bytes = 0  # as if it were big: read one record at a time
    path = write_records(tmp_path / "docs" / "news.jsonl", [record(i) for i in range(800)])
    states: list[ProgressState] = []
    plain: list[tuple[int, int]] = []
    index.add_paths([path], progress=lambda done, total, p, state: states.append(
        ProgressState(**vars(state))))
    inside = [s for s in states if s.files_done == 0]
    assert len(inside) >= 10
    assert [s.records for s in inside] == sorted(s.records for s in inside) and inside[-1].records >= 700
    assert all(0 < s.bytes_done <= s.bytes_total == path.stat().st_size for s in inside)
    assert [s.bytes_done for s in inside] == sorted(s.bytes_done for s in inside)
    last = states[-1]
    assert (last.files_done, last.files_total, last.bytes_done, last.documents) == (1, 1, path.stat().st_size, 800)
    later(path)
    index.add_paths([path], progress=lambda done, total, p: plain.append((done, total)))
    assert plain == [(1, 1)]  # a three-argument callback is called per file, as before


# -- what a named path gives -----------------------------------------------------------

def test_a_named_file_that_cannot_be_indexed_is_not_a_root(index: Index, tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 50)
    report = index.add_paths([binary, "/dev/null"])
    assert [reason for _, reason in report.failed] == ["binary content", "not a regular file"]
    assert index.roots == []
    assert index.update().failed == []
    assert index.remove([str(binary)]).failed == [(str(binary), "not in the index")]


def test_a_named_path_that_gives_no_document_says_so(index: Index, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "a.jpg").write_bytes(b"\xff\xd8\xff")
    (pictures / ".hidden.txt").write_text("کتاب", encoding="utf-8")
    fields = write_records(tmp_path / "only" / "news.jsonl",
                           [{"headline": f"تیتر {i}", "body": "متن", "tags": ["ورزش"], "year": 1402}
                            for i in range(200)])
    report = index.add_paths([empty, pictures, fields.parent])
    failed = dict(report.failed)
    assert failed[str(empty)].startswith("nothing to index: no files persearch reads in it (.csv, .htm")
    assert failed[str(pictures)].startswith("nothing to index")
    assert "'text'" in failed[str(fields)] and "headline" in failed[str(fields)]
    assert failed[str(fields.parent)] == "nothing indexed: no document could be read from its files"
    assert len(report.failed) == 4 and len(index) == 0
    # The folders stay roots: a file put there later is found by update, which says nothing about the rest.
    (empty / "new.txt").write_text("خبر\nکتاب تازه", encoding="utf-8")
    later_report = index.update()
    assert later_report.added == 1 and [p for p, _ in later_report.failed] == [str(fields)]


# -- documents from code, engine work ------------------------------------------------------

def test_add_documents_takes_a_generator_a_batch_at_a_time(index: Index) -> None:
    pulled = []

    def documents() -> Any:
        for i in range(1200):
            pulled.append(i)
            yield {"id": f"g{i}", "text": f"کتاب شماره {i}"}

    index.chunk_documents = 500
    first_commit: list[int] = []
    real = type(index._backend).commit

    def watching(self: Any, *args: Any, **kwargs: Any) -> None:
        first_commit.append(len(pulled))
        real(self, *args, **kwargs)

    type(index._backend).commit = watching  # type: ignore[method-assign]
    try:
        assert index.add_documents(documents()) == 1200
    finally:
        type(index._backend).commit = real  # type: ignore[method-assign]
    assert first_commit[0] < 1200 and len(first_commit) >= 3  # committed before the generator was done
    assert len(index) == 1200


def test_tantivy_deletes_by_id_only_what_the_index_may_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tantivy = pytest.importorskip("tantivy")
    deletes: list[str] = []
    real = tantivy.IndexWriter.delete_documents_by_term

    with Index.create(tmp_path / "ix", backend="tantivy") as ix:
        writer_type = type(ix._backend._open_writer())
        ix._backend.cancel()
        monkeypatch.setattr(writer_type, "delete_documents_by_term",
                            lambda self, field, value: (deletes.append(value), real(self, field, value))[1],
                            raising=False)
        ix.add_documents({"id": f"d{i}", "text": "کتاب"} for i in range(300))
        assert deletes == []  # a fresh index: nothing to replace
        ix.add_documents([{"id": "d5", "text": "درخت"}, {"id": "new", "text": "درخت"}])
        assert deletes == ["d5"] and len(ix) == 301


def test_stats_count_no_terms_once_every_document_is_removed(index: Index, tmp_path: Path) -> None:
    path = write_records(tmp_path / "docs" / "news.jsonl", [record(i) for i in range(20)])
    index.add_paths([path.parent])
    assert index.stats()["terms"] > 10
    index.remove([str(path.parent)])
    stats = index.stats()
    assert (stats["documents"], stats["terms"]) == (0, 0)


def test_writer_memory_reaches_the_engine(tmp_path: Path, backend: str) -> None:
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.writer_memory = 24 * 1024 * 1024
        path = write_records(tmp_path / "docs" / "r.jsonl", [record(i) for i in range(10)])
        ix.add_paths([path])
        assert ix._backend.writer_memory == 24 * 1024 * 1024 and len(ix) == 10


def test_ctrl_c_with_worker_processes_commits_what_each_worker_read(tmp_path: Path, backend: str) -> None:
    """The workers finish their segments with the files read so far: the interrupt keeps all of it."""
    import threading

    docs = write_reports(tmp_path / "docs", 600, sentences=300)
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.parallel_min_bytes = 0
        timer = threading.Timer(0.8, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with pytest.raises(Interrupted) as caught:
                ix.add_paths([docs], workers=2)
        finally:
            timer.cancel()
        kept = caught.value.documents
        assert 0 < kept < 600 and caught.value.files_done == kept
        assert len(ix) == kept and ix.backend.search(Term("گزارش"), limit=1000).total == kept
        report = ix.update(workers=2)
        assert report.added == 600 - kept and len(ix) == 600
