"""Whoosh's files read in place: no segment is copied into memory, older compound segments move out."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb.structfile import BufferFile

from persearch import Index
from persearch.backends.base import Document
from persearch.backends.whoosh_storage import COMPOUND_EXT
from persearch.backends.whoosh_writer import ColumnSegmentWriter
from persearch.querytree import Term


def _segment_files(index: Index) -> list[str]:
    return sorted(p.name for p in index.data_dir.iterdir() if p.name.startswith("MAIN_"))


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files Whoosh copies whole into memory (its BufferFile does ``BytesIO(buffer)``)."""
    copied: list[str] = []
    original = BufferFile.__init__

    def recording(self, buf, name=None, onclose=None):  # type: ignore[no-untyped-def]
        copied.append(str(name))
        original(self, buf, name=name, onclose=onclose)

    monkeypatch.setattr(BufferFile, "__init__", recording)
    return copied


def test_segments_are_written_as_separate_files(tmp_path: Path, seeds_dir: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([seeds_dir])
        names = _segment_files(ix)
        assert names and not any(n.endswith(COMPOUND_EXT) for n in names)
        assert any(n.endswith(".pst") for n in names) and any(n.endswith(".trm") for n in names)
        assert ix.search("ایران").total > 0


def test_a_search_reads_files_in_place(tmp_path: Path, seeds_dir: Path, copies: list[str]) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([seeds_dir])
    with Index.open(tmp_path / "ix") as ix:
        hits = ix.search("ایران").hits
        assert hits and hits[0].snippet
    assert copies == []


def _compound_index(tmp_path: Path, seeds_dir: Path) -> Path:
    """An index whose only segment is compound, as every persearch before this one wrote them."""
    folder = tmp_path / "old"
    with Index.create(folder) as ix:
        backend = ix.backend
        writer = ColumnSegmentWriter(backend._ix, compound=True)
        backend._writer = writer
        backend.add([Document(id=p.name, text=p.read_text(encoding="utf-8"), title=p.stem)
                     for p in sorted(seeds_dir.glob("*.txt"))])
        backend._writer = None
        writer.commit()  # Whoosh's own commit assembles the compound file
        ix._save(ix._manifest())
        assert [n for n in _segment_files(ix) if n.endswith(COMPOUND_EXT)]
    return folder


def test_compound_segments_of_older_indexes_are_read_in_place_then_moved_out(tmp_path: Path, seeds_dir: Path,
                                                                                copies: list[str]) -> None:
    folder = _compound_index(tmp_path, seeds_dir)
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    with Index.open(folder) as ix:
        before = [(h.id, h.snippet) for h in ix.search("ایران", limit=50)]
        assert before and copies == []
        # The next write moves the old segment to separate files, its documents untouched.
        ix.add_document("یادداشت", "کتابی تازه درباره فرهنگ")
        names = _segment_files(ix)
        assert not any(n.endswith(COMPOUND_EXT) for n in names)
        after = [(h.id, h.snippet) for h in ix.search("ایران", limit=50)]
        assert after == before
        assert ix.backend.search(Term("فرهنگ"), limit=100).total >= 1
        count = len(ix)
    # An untouched copy still reads the same (a crash before the TOC leaves the old layout in use).
    with Index.open(copy) as old:
        assert [(h.id, h.snippet) for h in old.search("ایران", limit=50)] == before
        assert len(old) == count - 1


def test_a_compound_file_left_by_a_crash_is_removed_by_the_next_commit(tmp_path: Path, seeds_dir: Path) -> None:
    folder = _compound_index(tmp_path, seeds_dir)
    with Index.open(folder) as ix:
        seg = next(n for n in _segment_files(ix) if n.endswith(COMPOUND_EXT))
        saved = (ix.data_dir / seg).read_bytes()
        ix.add_document("۱", "متن نخست")
        # As if the process had died between the TOC and the delete.
        (ix.data_dir / seg).write_bytes(saved)
        ix.add_document("۲", "متن دوم")
        assert not (ix.data_dir / seg).exists()
        assert ix.search("ایران").total > 0 and len(ix) > 2


def seed_lines(seeds_dir: Path) -> list[Document]:
    """Each non-empty line of the seeds as a document."""
    lines = [line for p in sorted(seeds_dir.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return [Document(id=f"{i}", text=line, title=line[:20]) for i, line in enumerate(lines)]


def commit_unmerged(backend: Any, docs: list[Document], parts: int) -> None:
    """``docs`` committed in ``parts`` segments, none merged."""
    size = len(docs) // parts
    for n in range(parts):
        backend.append(docs[n * size:(n + 1) * size] if n < parts - 1 else docs[n * size:])
        backend._writer.merge = False
        backend.commit()


def test_terms_are_read_with_their_document_frequencies(tmp_path: Path, seeds_dir: Path) -> None:
    """backend.terms() (one pass over each segment's term file) gives what Whoosh's reader gives."""
    with Index.create(tmp_path / "ix") as ix:
        commit_unmerged(ix.backend, seed_lines(seeds_dir), 3)
        reader = ix.backend._current_searcher().reader()
        assert len(list(reader.leaf_readers())) == 3
        for field in ("body", "title", "id"):
            expected = [(t.decode("utf-8"), int(i.doc_frequency())) for t, i in reader.iter_field(field)]
            assert expected and list(ix.backend.terms(field)) == expected
        assert list(ix.backend.terms("m_nothing")) == []


def test_terms_are_read_from_the_term_files_and_from_the_maps_once_they_are_gone(tmp_path: Path,
                                                                                 seeds_dir: Path) -> None:
    """The term dictionaries are read from their files (their pages do not stay in the process);
    a file gone since the reader opened it (a rebuild swapped the folder away) is read through
    the map the reader still holds: the same terms either way."""
    with Index.create(tmp_path / "ix") as ix:
        backend = ix.backend
        commit_unmerged(backend, seed_lines(seeds_dir), 2)
        reader = backend._current_searcher().reader()
        expected = {field: [(t.decode("utf-8"), int(i.doc_frequency())) for t, i in reader.iter_field(field)]
                    for field in ("body", "title")}
        assert list(backend.terms("body")) == expected["body"]
        term_files = [p for p in ix.data_dir.iterdir() if p.suffix == ".trm"]
        assert len(term_files) == 2
        for path in term_files:
            path.rename(tmp_path / path.name)
        for field in ("body", "title"):
            assert expected[field] and list(backend.terms(field)) == expected[field]
        for path in term_files:
            (tmp_path / path.name).rename(path)
