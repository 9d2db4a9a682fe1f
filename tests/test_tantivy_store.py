"""The tantivy backend's stored records, kept in parts beside tantivy's files (persearch/backends/tantivy_store.py)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("tantivy")

from persearch import Index  # noqa: E402
from persearch.backends.base import Document  # noqa: E402
from persearch.backends.tantivy_store import part_files  # noqa: E402
from persearch.query import search  # noqa: E402
from persearch.querytree import Term  # noqa: E402

ZWNJ = "\u200c"
NEWS = [
    ("بودجه", f"مجلس لایحه{ZWNJ}ی بودجه را بررسی کرد و نمایندگان درباره{ZWNJ}ی کتاب{ZWNJ}های درسی پرسیدند."),
    ("کتابخانه", "رئیسجمهوری امروز به کتابخانه{ZWNJ}ی ملی رفت و کتابها را دید."),
    ("باران", "باران پاییزی در شیراز و اصفهان بارید و درختان کاشته شد."),
]
LEGACY = Path(__file__).parent / "data" / "tantivy-legacy"


def folder(ix: Index) -> Path:
    return Path(ix.backend.path)


def parts(ix: Index) -> list[str]:
    return part_files(str(folder(ix)))


@pytest.fixture
def index(tmp_path: Path) -> Index:
    with Index.create(tmp_path / "ix", backend="tantivy") as ix:
        yield ix


def test_records_live_in_parts_and_tantivys_store_holds_none(index: Index) -> None:
    index.add_documents([Document(id=f"n{i}", title=t, text=x * 20) for i, (t, x) in enumerate(NEWS)])
    [part] = parts(index)
    stored = sum(p.stat().st_size for p in folder(index).glob("*.store"))
    text = sum(len(x) * 20 for _, x in NEWS)
    # Persian text takes a byte a character in the part (persearch.compact), plus its tokens.
    assert (folder(index) / part).stat().st_size > text > 20 * stored
    res = search(index, "کتاب", limit=10)
    assert {h.id for h in res.hits} == {"n0", "n1"}
    assert all("<mark>" in h.snippet or h.highlights for h in res.hits)
    assert index.stored_text("n2") == NEWS[2][1] * 20


def test_each_commit_writes_one_part_and_replaced_records_go_with_their_part(index: Index) -> None:
    index.add_documents([Document(id="a", text=NEWS[0][1]), Document(id="b", text=NEWS[1][1])])
    first = parts(index)
    index.add_documents([Document(id="c", text=NEWS[2][1])])
    second = parts(index)
    assert len(first) == 1 and len(second) == 2 and set(first) < set(second)
    index.add_documents([Document(id="a", text="دفتر تازه")])  # a replaced: b still names the first part
    assert set(first) < set(parts(index)) and len(parts(index)) == 3
    index.delete("b")  # the first part is named by no live document any more
    assert not set(first) & set(parts(index)) and len(parts(index)) == 2
    assert {h.id for h in search(index, "دفتر", limit=10).hits} == {"a"}
    assert index.stored_text("c") == NEWS[2][1] and index.stored_text("b") is None


def test_a_part_left_by_a_writer_killed_before_its_commit_goes_at_the_next_commit(index: Index) -> None:
    index.add_documents([Document(id="a", text=NEWS[0][1])])
    orphan = folder(index) / "docs-0000000000ff.bin"
    orphan.write_bytes(b"\x10\x00\x00\x00\x04\x00\x00\x00half-written")
    with Index.open(index.root) as other:  # a reader is not disturbed by it
        assert {h.id for h in search(other, "لایحه", limit=5).hits} == {"a"}
    index.add_documents([Document(id="b", text=NEWS[1][1])])
    assert not orphan.exists() and len(parts(index)) == 2
    assert index.check().ok


def test_cancelled_changes_leave_no_part(index: Index) -> None:
    index.add_documents([Document(id="a", text=NEWS[0][1])])
    before = parts(index)
    backend = index.backend
    backend.add([Document(id="b", text=NEWS[1][1])])
    assert len(parts(index)) == 2  # being written
    backend.cancel()
    assert parts(index) == before and len(index) == 1


def test_optimize_leaves_one_part(index: Index) -> None:
    for i, (title, text) in enumerate(NEWS):
        index.add_documents([Document(id=f"n{i}", title=title, text=text)])
    assert len(parts(index)) == 3
    index.optimize()
    assert len(parts(index)) == 1 and len(index) == 3
    assert index.stored_text("n1") == NEWS[1][1]


def test_two_workers_parts_join_the_index(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        title, text = NEWS[i % 3]
        (docs / f"{i:02d}.txt").write_text(f"{title} {i}\n{text}\n", encoding="utf-8")
    with Index.create(tmp_path / "ix", backend="tantivy") as ix:
        assert ix.add_paths([docs], workers=2).added == 40
        assert 1 <= len(parts(ix)) <= 2 and not list(folder(ix).glob(".build-*"))
        hits = search(ix, "شیراز", limit=20).hits
        assert len(hits) == 13 and all(h.highlights for h in hits)
        assert ix.check().ok


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=60), st.text(min_size=1, max_size=300),
                          st.dictionaries(st.sampled_from(["منبع", "tag", "سال"]), st.text(max_size=10), max_size=2)),
                min_size=1, max_size=4))
def test_any_document_comes_back_as_it_was_stored(tmp_path_factory: pytest.TempPathFactory,
                                                  docs: list[tuple[str, str, dict[str, str]]]) -> None:
    location = tmp_path_factory.mktemp("ix")
    with Index.create(location / "ix", backend="tantivy") as ix:
        ix.add_documents([Document(id=f"d{i}", title=title, text=text, metadata=meta)
                          for i, (title, text, meta) in enumerate(docs)])
        for i, (title, text, meta) in enumerate(docs):
            stored = ix.backend.stored(f"d{i}")
            assert stored is not None
            assert (stored["text"], stored["title"], stored["metadata"]) == (text, title, meta)


# -- an index made before the records moved out of tantivy (tests/data/tantivy-legacy) -------------

@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """An index written by persearch before this change: records in tantivy's document store."""
    location = tmp_path / "old"
    shutil.copytree(LEGACY, location)
    return location


def test_an_index_from_before_keeps_working(legacy: Path, tmp_path: Path) -> None:
    with Index.open(legacy) as ix:
        data = folder(ix)
        assert "text" in json.dumps(json.loads((data / "meta.json").read_text())["schema"])
        hits = search(ix, "کتابها", limit=10).hits
        assert {Path(h.id).name if "/" in h.id else h.id for h in hits} == {"a.txt", "b.txt", "note"}
        assert all(h.highlights for h in hits)
        assert "یادداشتی" in ix.stored_text("note")
        ix.add_documents([{"id": "new", "text": "کتاب‌های تازه‌ی نویسندگان جوان"}])  # written the old way
        ix.delete("note")
        assert part_files(str(data)) == []
        assert {h.id for h in search(ix, "نویسندگان", limit=10).hits} == {"new"}
        assert ix.check().ok
    with Index.open(legacy) as ix:
        assert len(ix) == 3 and ix.stored_text("new") == "کتاب‌های تازه‌ی نویسندگان جوان"


def test_an_index_from_before_takes_a_two_worker_build(legacy: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"{i}.txt").write_text(f"خبر {i}\n{NEWS[i % 3][1]}\n", encoding="utf-8")
    with Index.open(legacy) as ix:
        assert ix.add_paths([docs], workers=2).added == 12
        assert len(ix) == 15 and part_files(str(folder(ix))) == []
        assert len(search(ix, "شیراز", limit=20).hits) == 4
        assert ix.check().ok


def test_a_reader_lets_go_of_parts_another_process_deleted(index: Index) -> None:
    index.add_documents([Document(id="a", text=NEWS[0][1])])
    with Index.open(index.root) as reader:
        assert [h.id for h in search(reader, "لایحه", limit=5).hits] == ["a"]
        mapped = set(reader.backend._parts._maps)
        assert len(mapped) == 1
        index.add_documents([Document(id="a", text=NEWS[1][1])])  # a replaced: its old part deleted
        assert [h.id for h in search(reader, "کتابخانه", limit=5).hits] == ["a"]
        assert set(reader.backend._parts._maps).isdisjoint(mapped) and len(reader.backend._parts._maps) == 1


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                      max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4), st.text(max_size=20))
def test_a_hits_small_fields_read_back_any_metadata(metadata: dict[str, Any], title: str) -> None:
    # A hit's metadata is read with the JSON decoder's scanner (json.loads without its Python layers).
    from persearch.backends.tantivy_documents import _encode_fields, hit_fields

    fields = hit_fields(_encode_fields(Document(id="d", text="", title=title, metadata=metadata)))
    assert (fields["metadata"], fields["title"]) == (metadata, title)
