"""Readers during writes: a search running while another process updates or rebuilds the index sees
the old or the new committed state, never an error. Every backend, real processes."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from persearch import Index
from persearch.querytree import Term

from corpus_helpers import write_reports

WRITER = r"""
import sys, time
from pathlib import Path
from persearch import Index
from persearch.querytree import Term
index_dir, docs, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
with Index.open(index_dir, lock_timeout=60) as ix:
    ix.chunk_files = 7  # many commits in every update
    for round in range(rounds):
        for path in sorted(docs.glob("*.txt"))[round::3]:
            path.write_text(path.read_text(encoding="utf-8") + f"\nویرایش {round} گزارش", encoding="utf-8")
        ix.update()
        print("updated", round, flush=True)
        if round % 2 == 1:
            ix.rebuild()  # a fresh data folder swapped in, the old one deleted
            print("rebuilt", round, flush=True)
print("done", flush=True)
"""

def test_searches_during_updates_and_rebuilds_never_fail(tmp_path: Path, backend: str) -> None:
    docs = write_reports(tmp_path / "docs", 60)
    location = tmp_path / "ix"
    with Index.create(location, backend=backend) as ix:
        ix.add_paths([docs])
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    writer = subprocess.Popen([sys.executable, str(script), str(location), str(docs), "6"],
                              stdout=subprocess.PIPE, text=True)
    searches = opens = 0
    long_lived = Index.open(location)
    try:
        deadline = time.monotonic() + 300
        while writer.poll() is None and time.monotonic() < deadline:
            # One reader kept open across commits and swaps, and fresh ones as the command line makes.
            for reader in (long_lived, None):
                if reader is None:
                    reader = Index.open(location)
                    opens += 1
                    try:
                        results = reader.search("گزارش", limit=5)
                    finally:
                        reader.close()
                else:
                    results = reader.search("گزارش", limit=5)
                # Every commit replaces a file's document in the same commit: always all 60.
                assert results.total == 60
                assert all(hit.snippet for hit in results.hits)
                searches += 1
    finally:
        long_lived.close()
    output = writer.communicate(timeout=60)[0]
    assert writer.returncode == 0 and output.rstrip().endswith("done"), output
    assert output.count("rebuilt") == 3 and searches > 20 and opens > 10
    with Index.open(location) as ix:
        assert len(ix) == 60 and ix.search("ویرایش", limit=1).total == 60


def test_a_search_on_the_engine_a_rebuild_retired_answers_from_the_new_one(tmp_path: Path, backend: str) -> None:
    # A search that holds the index's engine when a rebuild swaps in a fresh folder and deletes
    # the old one (for sphinx: the old folder's rows on the nodes) still answers in full.
    docs = write_reports(tmp_path / "docs", 12, sentences=3)
    location = tmp_path / "ix"
    with Index.create(location, backend=backend) as ix:
        ix.add_paths([docs])
    with Index.open(location) as reader:
        engine = reader.backend  # as a search running across the rebuild holds it
        with Index.open(location) as writer:
            writer.rebuild()
        found = engine.search(Term("گزارش"), limit=5)
        assert found.total == 12 and len(found.hits) == 5
        assert all(hit.text.startswith("خبر") for hit in found.hits)
        assert reader.search("گزارش").total == 12
