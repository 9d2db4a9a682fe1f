"""Typed record fields through the reliability work: record files read a record at a time, committed
at intervals, updated record by record, interrupted — filters and facets give the counts the records
say, on both backends; and the derived files (spelling table, checksums) follow every kind of write."""
from __future__ import annotations

import json
import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from persearch import Index, IndexDamaged, Interrupted
from persearch.index.integrity import CHECKSUMS_FILE
from persearch.spelling import FILE_NAME, SpellingFile

from test_sync import appended, later, write_records  # noqa: F401 - appended: the engine-writes spy fixture

SOURCES = ("فارس", "مهر", "ایسنا", "خبرگزاري فارس")  # Arabic yeh: a keyword folds it (ي/ی), facets show ی


def news_row(i: int, source: str | None = None, month: int | None = None) -> dict[str, Any]:
    month = month or 1 + i % 12
    digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    when = f"{1402}/{month:02d}/{1 + i % 28:02d}"
    return {"id": f"n{i}", "title": f"خبر شماره {i}", "text": f"گزارش {i} درباره بودجه کتابخانه‌های شهر. " * 4,
            "date": when.translate(digits) if i % 2 else when, "source": source or SOURCES[i % len(SOURCES)]}


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    write_records(path, rows)
    later(path)
    return path


def expected(rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """Facet counts of ``source`` and how many records are dated from 1402/07/01 on, from the records."""
    def month(row: dict[str, Any]) -> int:
        return int(row["date"].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")).split("/")[1])

    return dict(Counter(row["source"].replace("ي", "ی") for row in rows)), sum(month(row) >= 7 for row in rows)


def counts(index: Index) -> tuple[dict[str, int], int]:
    faceted = index.search("گزارش", limit=1, facets=["source"])
    autumn = index.search("گزارش", limit=1, filters=["date>=1402/07/01"])
    return {str(k): v for k, v in faceted.facets["source"].items()}, autumn.total


def test_a_streamed_typed_file_keeps_its_fields_through_record_level_updates(tmp_path: Path, backend: str,
                                                                            appended: list[str]) -> None:
    rows = [news_row(i) for i in range(700)]
    path = write(tmp_path / "docs" / "news.jsonl", rows)
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.stream_min_bytes = 0  # read a record at a time, typed a batch of 256 at a time...
        ix.chunk_documents = 300  # ...and committed in the middle of the file
        report = ix.add_paths([path.parent])
        assert report.kept_as_text == [] and report.documents == 700
        assert ix.fields == {"date": "date", "source": "keyword"}
        assert counts(ix) == expected(rows)
        appended.clear()
        rows[10] = news_row(10, source="ایرنا", month=9)  # a new keyword, and a date moved to autumn
        rows[11] = {**rows[11], "text": rows[11]["text"] + " زرافه"}  # text only: values as they were
        del rows[40]
        rows += [news_row(700, source="ایرنا", month=2), news_row(701, month=12)]
        write(path, rows)
        update = ix.update()
        assert sorted(appended) == ["n10", "n11", "n700", "n701"]  # only what changed was indexed
        assert (update.documents_added, update.documents_updated, update.documents_removed) == (2, 2, 1)
        assert counts(ix) == expected(rows) and len(ix) == 701
        assert ix.search("زرافه", filters=["source=" + rows[11]["source"]]).total == 1
    with Index.open(tmp_path / "ix") as again:  # as a fresh process sees it
        assert counts(again) == expected(rows)


def test_values_kept_as_text_are_counted_across_the_batches_of_a_file(tmp_path: Path, backend: str) -> None:
    rows = [{**news_row(i), "views": "نامعلوم" if i % 20 == 0 else i} for i in range(1000)]
    path = write(tmp_path / "docs" / "news.jsonl", rows)
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.stream_min_bytes = 0
        report = ix.add_paths([path], fields=["views=number"])
        kept = report.kept_as_text
        assert len(kept) == 21 and all("نامعلوم" in reason for _, reason in kept[:20])
        assert kept[20] == (str(path.resolve()), "30 more values kept as text")  # 50 in all, four batches
        assert ix.search("گزارش", limit=1, filters=["views>=500"]).total == sum(
            1 for r in rows if isinstance(r["views"], int) and r["views"] >= 500)


def test_the_spelling_table_follows_an_interrupted_write(tmp_path: Path, backend: str) -> None:
    docs = tmp_path / "docs"
    for i in range(12):
        write(docs / f"{i:02d}.jsonl", [news_row(i)])

    def progress(done: int, total: int, path: str) -> None:
        if done == 5:
            os.kill(os.getpid(), signal.SIGINT)

    with Index.create(tmp_path / "ix", backend=backend) as ix:
        with pytest.raises(Interrupted):
            ix.add_paths([docs], progress=progress, workers=1)
        table = SpellingFile(ix.data_dir / FILE_NAME)
        assert table.generation == ix.backend.generation() and len(ix) == 5  # the table of what was committed
        recorded = json.loads((ix.data_dir / CHECKSUMS_FILE).read_text())
        assert recorded["generation"] == ix.backend.generation()
        ix.update()
        assert SpellingFile(ix.data_dir / FILE_NAME).generation == ix.backend.generation() and len(ix) == 12


# Everything in a data folder that is not one of the engine's own files.
NOT_ENGINE = {"checksums.json", "manifest.json", "fields.json", FILE_NAME,
              "MAIN_WRITELOCK", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock"}


def test_checksums_cover_every_file_the_engine_wrote(tmp_path: Path, backend: str) -> None:
    """Whoosh's column writer writes .trm, .pst and .col files per segment (no compound file):
    each is in checksums.json, and each of them damaged is found on open."""
    docs = tmp_path / "docs"
    write(docs / "news.jsonl", [news_row(i) for i in range(300)])
    (docs / "یادداشت.txt").write_text("یادداشتی درباره بودجه\n", encoding="utf-8")
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([docs])
        data = ix.data_dir
    recorded = json.loads((data / CHECKSUMS_FILE).read_text())["files"]
    on_disk = {p.name for p in data.iterdir() if p.is_file()}
    assert on_disk - NOT_ENGINE == set(recorded)
    kinds: dict[str, str] = {}
    for name in sorted(recorded):  # one file of each kind: .toc, .trm, .pst, each column; meta.json, .store, ...
        kinds.setdefault(name.split(".", 1)[-1] if backend == "whoosh" else name.rsplit(".", 1)[-1], name)
    if backend == "whoosh":
        assert {"trm", "pst", "toc"} <= {kind.rsplit(".", 1)[-1] for kind in kinds}
        assert any(kind.endswith("col") for kind in kinds)
    for name in kinds.values():
        original = (data / name).read_bytes()
        (data / name).write_bytes(original[: len(original) // 2])
        with pytest.raises(IndexDamaged) as caught:
            Index.open(tmp_path / "ix")
        assert name in str(caught.value)
        (data / name).write_bytes(original)
    with Index.open(tmp_path / "ix") as ix:
        assert len(ix) == 301
