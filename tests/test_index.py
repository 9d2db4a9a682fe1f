"""The index: create/open, add/update/remove cycles, rebuild; every backend (whoosh, tantivy)."""
from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest

from persearch import (Analyzer, Index, IndexIncompatible, IndexLocked, IndexNotFound, InvalidOption,
                       PersearchError)
from persearch.backends.base import Document
from persearch.index import MANIFEST_FILE, META_FILE, SCHEMA_VERSION, UpdateReport
from persearch.querytree import And, AndNot, Fuzzy, MatchAll, MatchNone, Or, Phrase, Prefix, Term

ZWNJ = "\u200c"
TEXTS = {
    "a.txt": f"خبر نخست\nرئیس{ZWNJ}جمهوری امروز به کتابخانه رفت و کتاب‌ها را دید.\n",
    "b.txt": "خبر دوم\nرئیسجمهوری گفت که او میخواهد مساله را حل کند.\n",
    "c.txt": "خبر سوم\nدر سال ۱۴۰۳ درختان بسیاری در شیراز کاشته شد.\n",
    "d.md": "# یادداشت\nکتاب تازه‌ای درباره درختان شیراز خواندم.\n",
}


def make_docs(folder: Path, texts: dict[str, str] = TEXTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def ids(index: Index, node: object, **filters: object) -> set[str]:
    res = index.backend.search(node, limit=100, filters=filters or None)
    assert res.total == len(res.hits)
    return {Path(h.id.split("#")[0]).name + ("#" + h.id.split("#")[1] if "#" in h.id else "") for h in res.hits}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    return make_docs(tmp_path / "docs")


@pytest.fixture
def index(tmp_path: Path, backend: str) -> Index:
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        yield ix


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


# -- opening -----------------------------------------------------------------------

def test_open_without_index_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match=r"no index at .*; run: persearch index PATH --index"):
        Index.open(tmp_path / "nothing")
    (tmp_path / "plain").mkdir()
    # Some other program's persearch.json: refused, even by overwrite, and nothing beside it is touched.
    (tmp_path / "plain" / META_FILE).write_text('{"hello": 1}')
    (tmp_path / "plain" / "data-raw").mkdir()
    for attempt in (lambda: Index.open(tmp_path / "plain", create=True),
                    lambda: Index.create(tmp_path / "plain", overwrite=True),
                    lambda: Index.recreate(tmp_path / "plain")):
        with pytest.raises(PersearchError, match="not a persearch index's file; choose another folder"):
            attempt()
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == ["data-raw", META_FILE, "write.lock"]
    # Folders that only look like data folders are left alone (and do not break a create).
    (tmp_path / "odd").mkdir()
    for name in ("data-²", "data-٣", "data-7x"):
        (tmp_path / "odd" / name).mkdir()
    Index.create(tmp_path / "odd", overwrite=True).close()
    assert {"data-²", "data-٣", "data-7x", "data-1"} <= {p.name for p in (tmp_path / "odd").iterdir()}
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidOption, match="is a file: an index is a folder"):
        Index.open(tmp_path / "file", create=True)


def test_open_create_then_reopen(tmp_path: Path, docs: Path, backend: str) -> None:
    with Index.open(tmp_path / "ix", create=True, backend=backend) as ix:
        assert ix.add_paths([docs]).added == 4
    with Index.open(tmp_path / "ix") as ix:  # the backend is found again
        assert len(ix) == 4 and ix.analyzer == Analyzer() and ix.backend_name == backend
        assert ix.stats()["backend"] == backend


def test_create_refuses_to_overwrite_silently(tmp_path: Path, backend: str) -> None:
    Index.create(tmp_path / "ix", backend=backend).close()
    with pytest.raises(PersearchError, match="already holds an index"):
        Index.create(tmp_path / "ix", backend=backend)
    Index.create(tmp_path / "ix", overwrite=True, backend=backend).close()


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidOption, match="unknown backend 'lucene': use whoosh, tantivy"):
        Index.create(tmp_path / "ix", backend="lucene")
    assert not (tmp_path / "ix").exists()


def test_missing_tantivy_extra_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from persearch import MissingExtra

    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "persearch.backends.tantivy_backend", raising=False)
    with pytest.raises(MissingExtra) as info:
        Index.create(tmp_path / "ix", backend="tantivy")
    assert str(info.value) == "the tantivy backend needs the tantivy extra: pip install 'persearch[tantivy]'"
    assert not (tmp_path / "ix").exists()


def test_rebuild_can_move_an_index_to_the_other_backend(tmp_path: Path, docs: Path) -> None:
    pytest.importorskip("tantivy")
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([docs])
        ix.add_document("note", "یادداشت کتاب")
        before = ids(ix, Term("کتاب"))
        assert ix.rebuild(backend="tantivy").added == 4
        assert ix.backend_name == "tantivy" and ids(ix, Term("کتاب")) == before == {"a.txt", "d.md", "note"}
    with Index.open(tmp_path / "ix") as ix:
        assert ix.backend.name == "tantivy" and len(ix) == 5 and ix.update().unchanged == 4


def test_incompatible_analyzer_is_refused(tmp_path: Path, backend: str) -> None:
    Index.create(tmp_path / "ix", Analyzer(stemmer=None), backend=backend).close()
    with pytest.raises(IndexIncompatible, match="stemmer=None"):
        Index.open(tmp_path / "ix", analyzer=Analyzer())
    with Index.open(tmp_path / "ix", analyzer=Analyzer(stemmer=None)) as ix:
        assert ix.analyzer.stemmer is None
    with Index.open(tmp_path / "ix") as ix:  # no analyzer given: the stored one is used
        assert ix.analyzer == Analyzer(stemmer=None)


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    meta_path = tmp_path / "ix" / META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "schema_version": 999}))
    with pytest.raises(IndexIncompatible, match="schema version 999"):
        Index.open(tmp_path / "ix")


def _set_schema_version(root: Path, version: int) -> None:
    meta_path = root / META_FILE
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "schema_version": version}))


def test_an_index_of_an_older_schema_is_rebuilt_in_place_on_its_backend(tmp_path: Path, docs: Path,
                                                                         backend: str) -> None:
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([docs])
    _set_schema_version(tmp_path / "ix", 1)
    with pytest.raises(IndexIncompatible, match="schema version 1"):
        Index.open(tmp_path / "ix")
    with Index.create(tmp_path / "ix", overwrite=True) as ix:  # the refused index does not stop its replacement
        assert ix.backend_name == backend and len(ix) == 0
        ix.add_paths([docs])
        assert ids(ix, Term("کتاب")) == {"a.txt", "d.md"}


def test_indexes_of_an_older_schema_are_refused_and_rebuilt(tmp_path: Path, docs: Path) -> None:
    # Version 3 had no typed record fields: it is not read, and a rebuild (on either backend) gives them.
    pytest.importorskip("tantivy")
    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([docs])
    _set_schema_version(tmp_path / "ix", 3)
    with pytest.raises(IndexIncompatible, match="schema version 3"):
        Index.open(tmp_path / "ix")
    with Index.recreate(tmp_path / "ix", backend="tantivy") as ix:
        ix.rebuild()
    with Index.open(tmp_path / "ix") as ix:
        assert ix.backend_name == "tantivy" and ix.stats()["schema_version"] == SCHEMA_VERSION
        assert ids(ix, Term("کتاب")) == {"a.txt", "d.md"}


def test_other_analyzer_version_is_refused(tmp_path: Path) -> None:
    # An analyzer that turns the same text into other terms must not search it.
    Index.create(tmp_path / "ix").close()
    meta_path = tmp_path / "ix" / META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "analyzer": {**meta["analyzer"], "version": 0}}))
    with pytest.raises(IndexIncompatible, match="analyzer version 0.*--rebuild"):
        Index.open(tmp_path / "ix")


# -- files ---------------------------------------------------------------------------

def test_search_finds_persian_spellings(index: Index, docs: Path) -> None:
    index.add_paths([docs])
    assert ids(index, Term("رییسجمهوری")) == {"a.txt", "b.txt"}
    assert ids(index, Phrase(("رییس", "جمهوری"))) == {"a.txt", "b.txt"}
    assert ids(index, Term("کتاب")) == {"a.txt", "d.md"}
    assert ids(index, Term("1403")) == {"c.txt"}
    assert ids(index, Term("مساله")) == {"b.txt"}


def test_stored_text_is_the_file_content(index: Index, seeds_dir: Path, seed_texts: dict[str, str]) -> None:
    report = index.add_paths([seeds_dir])
    assert (report.added, report.failed) == (len(seed_texts), [])
    for name, text in seed_texts.items():
        doc_id = str((seeds_dir / name).resolve())
        assert index.stored_text(doc_id) == text
        stored = index.document(doc_id)
        assert stored["path"] == doc_id and stored["format"] == "txt" and stored["encoding"] == "utf-8"
        assert stored["title"] == text.strip().splitlines()[0].strip()


def test_add_change_delete_cycle_counts_exactly(index: Index, docs: Path) -> None:
    first = index.add_paths([docs])
    assert (first.added, first.updated, first.removed, first.unchanged, first.failed) == (4, 0, 0, 0, [])
    again = index.update()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 4)

    (docs / "a.txt").write_text("خبر نخست\nامروز باران بارید.\n", encoding="utf-8")
    touch_later(docs / "a.txt")
    touch_later(docs / "b.txt")  # touched, same content: confirmed unchanged by hash
    (docs / "c.txt").unlink()
    make_docs(docs / "تازه", {"e.txt": "خبر پنجم\nباران\n", "f.txt": "خبر ششم\nبرف\n"})
    report = index.update()
    assert (report.added, report.updated, report.removed, report.unchanged, report.failed) == (2, 1, 1, 2, [])
    assert len(index) == 5
    assert ids(index, Term("باران")) == {"a.txt", "e.txt"}
    assert ids(index, Term("کتابخانه")) == set()
    assert ids(index, Term("1403")) == set()
    assert index.update().unchanged == 5


def test_jsonl_records_follow_their_file(index: Index, tmp_path: Path) -> None:
    path = tmp_path / "docs" / "r.jsonl"
    path.parent.mkdir()
    rows = [{"id": "x1", "title": "عنوان", "text": "كتاب علي"}, {"title": "دوم", "text": "درخت سیب"},
            {"id": "x3", "text": "کتاب سوم"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert index.add_paths([path.parent]).added == 1
    assert ids(index, Term("کتاب")) == {"r.jsonl#x1", "r.jsonl#x3"}
    assert ids(index, Term("علی")) == {"r.jsonl#x1"}
    path.write_text(json.dumps(rows[1], ensure_ascii=False) + "\n", encoding="utf-8")
    touch_later(path)
    assert index.update().updated == 1
    assert len(index) == 1 and ids(index, MatchAll()) == {"r.jsonl#1"}


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_field_options_belong_to_the_path_they_were_given_for(index: Index, tmp_path: Path) -> None:
    # Two collections with their own record fields: indexing the second must not
    # change how the first is read on update (it used to: one set for the index).
    poems = _jsonl(tmp_path / "poems" / "p.jsonl", [{"code": "p1", "body": "کتاب شعر حافظ"}])
    news = _jsonl(tmp_path / "news" / "n.jsonl", [{"id": "n1", "text": "کتاب تازه در کتابخانه"}])
    assert index.add_paths([poems.parent], text_field="body", id_field="code").added == 1
    assert index.add_paths([news.parent]).added == 1  # defaults, for news/ only
    assert ids(index, Term("کتاب")) == {"p.jsonl#p1", "n.jsonl#n1"}
    _jsonl(poems, [{"code": "p1", "body": "کتاب شعر سعدی"}, {"code": "p2", "body": "دیوان حافظ"}])
    touch_later(poems)
    report = index.update()
    assert (report.updated, report.failed) == (1, [])
    assert ids(index, Term("حافظ")) == {"p.jsonl#p2"} and ids(index, Term("سعدی")) == {"p.jsonl#p1"}
    # Naming a path again without options keeps what it was given before.
    touch_later(poems)
    assert index.add_paths([poems.parent]).failed == [] and ids(index, Term("حافظ")) == {"p.jsonl#p2"}
    # A file inside a root can have options of its own; the most specific path wins.
    inner = _jsonl(tmp_path / "news" / "inner" / "i.jsonl", [{"id": "i1", "matn": "درخت سیب"}])
    assert index.add_paths([inner], text_field="matn").added == 1
    touch_later(news)
    assert index.update().failed == []
    assert ids(index, Term("درخت")) == {"i.jsonl#i1"} and ids(index, Term("کتابخانه")) == {"n.jsonl#n1"}
    # A rebuild keeps them all.
    index.rebuild()
    assert ids(index, Term("حافظ")) == {"p.jsonl#p2"} and ids(index, Term("درخت")) == {"i.jsonl#i1"}
    assert len(index) == 4


def test_field_options_of_older_indexes_apply_to_each_of_their_roots(index: Index, tmp_path: Path) -> None:
    poems = _jsonl(tmp_path / "poems" / "p.jsonl", [{"id": "p1", "body": "کتاب شعر حافظ"}])
    index.add_paths([poems.parent], text_field="body")
    manifest_path = index.data_dir / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    assert manifest["options"] == {str(poems.parent.resolve()): {
        "text_field": "body", "title_field": "title", "id_field": "id", "max_size": 64 * 1024 * 1024,
        "document_dates": True}}
    # Earlier persearch versions kept one flat set for the whole index.
    manifest["options"] = next(iter(manifest["options"].values()))
    manifest_path.write_text(json.dumps(manifest))
    _jsonl(poems, [{"id": "p2", "body": "دیوان سعدی"}])
    touch_later(poems)
    assert index.update().failed == [] and ids(index, Term("سعدی")) == {"p.jsonl#p2"}


def test_removing_a_root_forgets_its_field_options(index: Index, tmp_path: Path) -> None:
    poems = _jsonl(tmp_path / "poems" / "p.jsonl", [{"id": "p1", "body": "کتاب شعر"}])
    index.add_paths([poems.parent], text_field="body")
    assert index.remove([str(poems.parent)]).removed == 1
    assert json.loads((index.data_dir / MANIFEST_FILE).read_text())["options"] == {}
    report = index.add_paths([poems.parent])  # named anew with no options: the defaults
    assert len(index) == 0 and "no 'text' or 'title' field" in report.failed[0][1]


def test_changing_the_field_options_of_a_path_reads_its_files_again(index: Index, tmp_path: Path) -> None:
    records = _jsonl(tmp_path / "r" / "a.jsonl", [{"key": "k1", "head": "یک", "content": "زرافه نخست", "text": ""}])
    index.add_paths([records.parent], id_field="key", title_field="head", text_field="content")
    assert ids(index, Term("زرافه")) == {"a.jsonl#k1"}
    # The file is unchanged on disk, but read with other fields it gives other documents.
    report = index.add_paths([records.parent], text_field="text")
    assert (report.updated, report.unchanged) == (1, 0)
    assert ids(index, Term("زرافه")) == set() and ids(index, Term("یک")) == {"a.jsonl#k1"}
    assert index.add_paths([records.parent], text_field="text").unchanged == 1  # same options: not read


def test_a_root_that_cannot_be_reached_keeps_its_documents(index: Index, docs: Path, tmp_path: Path) -> None:
    other = make_docs(tmp_path / "other", {"e.txt": "باران بهاری"})
    index.add_paths([docs, other])
    docs.rename(tmp_path / "away")  # an unmounted disk looks the same
    report = index.update()
    assert report.removed == 0 and [(p, r.split(";")[0]) for p, r in report.failed] == [(str(docs), "not found")]
    assert "its 4 indexed file(s) are kept" in report.failed[0][1]
    assert ids(index, Term("کتاب")) == {"a.txt", "d.md"} and len(index) == 5
    (tmp_path / "away").rename(docs)
    (docs / "c.txt").unlink()  # back, less one file: that one goes
    report = index.update()
    assert (report.removed, report.failed) == (1, []) and len(index) == 4
    assert index.remove([str(docs)]).removed == 3 and index.roots == [str(other.resolve())]


def test_what_is_really_gone_still_goes(index: Index, docs: Path, tmp_path: Path) -> None:
    (docs / "sub").mkdir()
    (docs / "sub" / "s.txt").write_text("زرافه در باغ", encoding="utf-8")
    index.add_paths([docs])
    index.add_paths([docs / "a.txt"])  # a named file: a root of its own
    (docs / "a.txt").unlink()
    report = index.update()
    assert (report.removed, report.failed) == (1, []) and str(docs / "a.txt") not in index.roots
    (docs / "sub" / "s.txt").unlink()
    (docs / "sub").rmdir()
    report = index.update([docs / "sub"])  # a folder named to update() that is not a root
    assert (report.removed, ids(index, Term("زرافه"))) == (1, set())


def test_an_emptied_root_folder_keeps_its_documents(index: Index, docs: Path) -> None:
    # An unmounted disk leaves its mount point: the folder is there, empty.
    index.add_paths([docs])
    for child in docs.iterdir():
        child.unlink()
    report = index.update()
    assert report.removed == 0 and "empty folder (a disk not mounted?); its 4 indexed file(s) are kept" in \
        report.failed[0][1]
    assert len(index) == 4
    with pytest.raises(PersearchError, match="a rebuild would lose its 4 indexed file"):
        index.rebuild()
    assert len(index) == 4
    # Not empty, only of files persearch does not read: the indexed ones were deleted.
    (docs / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = index.update()
    assert (report.removed, report.failed, len(index)) == (4, [], 0)


def test_a_folder_named_to_update_is_no_mount_point(index: Index, docs: Path) -> None:
    (docs / "sub").mkdir()
    (docs / "sub" / "s.txt").write_text("زرافه در باغ", encoding="utf-8")
    index.add_paths([docs])
    (docs / "sub" / "s.txt").unlink()
    assert index.update([docs / "sub"]).to_dict()["removed"] == 1 and ids(index, Term("زرافه")) == set()


def test_a_path_that_does_not_exist_is_not_recorded(index: Index, docs: Path) -> None:
    report = index.add_paths([docs, docs / "typo.txt"])
    assert report.failed == [(str(docs / "typo.txt"), "not found")] and index.roots == [str(docs)]


def test_links_between_roots_leave_each_root_its_own(index: Index, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _jsonl(b / "sub" / "t.jsonl", [{"id": "t1", "text": "ببر", "body": "موش"}])
    a.mkdir()
    os.symlink(b / "sub", a / "L")  # a reaches b's file first, through the link
    index.add_paths([a])
    assert index.add_paths([b], text_field="body").updated == 1 and ids(index, Term("موش")) == {"t.jsonl#t1"}
    assert index.remove([str(a)]).removed == 0 and ids(index, Term("موش")) == {"t.jsonl#t1"}
    # A link inside one root to another folder of it: deleting the link loses nothing.
    r = make_docs(tmp_path / "r" / "b", {"x.txt": "زرافه"}).parent
    (r / "a").mkdir()
    os.symlink(r / "b", r / "a" / "link")
    index.add_paths([r])
    (r / "a" / "link").unlink()
    assert index.update([r / "a"]).removed == 0 and ids(index, Term("زرافه")) == {"x.txt"}


def test_a_named_file_keeps_its_options_when_a_root_links_to_it(index: Index, tmp_path: Path) -> None:
    ext = _jsonl(tmp_path / "ext" / "u.jsonl", [{"id": "u1", "text": "ببر", "body": "موش"}])
    (tmp_path / "R").mkdir()
    os.symlink(ext.parent, tmp_path / "R" / "link")
    index.add_paths([tmp_path / "R"])
    assert index.add_paths([ext], text_field="body").updated == 1 and ids(index, Term("موش")) == {"u.jsonl#u1"}


def test_a_missing_root_of_links_keeps_its_documents(index: Index, tmp_path: Path) -> None:
    outside = make_docs(tmp_path / "ext", {"o.txt": "زرافه"})
    (tmp_path / "disk" / "R").mkdir(parents=True)
    os.symlink(outside, tmp_path / "disk" / "R" / "linked")
    index.add_paths([tmp_path / "disk" / "R"])
    (tmp_path / "disk").rename(tmp_path / "away")
    report = index.update()
    assert report.removed == 0 and "its 1 indexed file(s) are kept" in report.failed[0][1]
    with pytest.raises(PersearchError, match="a rebuild would lose its 1 indexed file"):
        index.rebuild()
    assert ids(index, Term("زرافه")) == {"o.txt"}


def test_removing_a_link_sticks_and_survives_a_lost_manifest(index: Index, docs: Path, tmp_path: Path) -> None:
    outside = make_docs(tmp_path / "ext", {"o.txt": "زرافه", "p.txt": "ببر"})
    os.symlink(outside, docs / "linked")
    index.add_paths([docs])
    assert index.remove([str(docs / "linked")]).removed == 2
    assert index.update().added == 0 and ids(index, Term("زرافه")) == set()
    index.add_paths([docs / "linked"])  # named again: back
    assert ids(index, Term("زرافه")) == {"o.txt"}
    # The manifest is rebuilt from the engine after a crash: where links are is kept.
    manifest_path = index.data_dir / MANIFEST_FILE
    manifest_path.write_text(json.dumps({**json.loads(manifest_path.read_text()), "generation": -5}))
    index.remove([str(docs / "linked")])
    index.add_paths([docs])
    (docs / "linked").unlink()
    index.update()
    assert ids(index, Term("ببر")) == set()


def test_a_linked_file_read_again_when_where_it_belongs_changes_options(index: Index, tmp_path: Path) -> None:
    x = _jsonl(tmp_path / "X" / "d" / "u.jsonl", [{"id": "u1", "text": "ببر", "body": "موش"}])
    (tmp_path / "A").mkdir()
    os.symlink(x.parent, tmp_path / "A" / "L")
    index.add_paths([tmp_path / "A"], text_field="body")
    assert ids(index, Term("موش")) == {"u.jsonl#u1"}
    index.add_paths([tmp_path / "X"])  # now inside a root of its own, with the default fields
    assert ids(index, Term("ببر")) == {"u.jsonl#u1"} and ids(index, Term("موش")) == set()


def test_a_linked_file_named_to_update_still_goes_with_its_link(index: Index, tmp_path: Path) -> None:
    outside = make_docs(tmp_path / "X", {"o.txt": "زرافه"})
    make_docs(tmp_path / "R", {"r.txt": "کتاب"})  # (a root left with nothing at all would look unmounted)
    os.symlink(outside, tmp_path / "R" / "L")
    index.add_paths([tmp_path / "R"])
    index.update([tmp_path / "R" / "L"])
    (tmp_path / "R" / "L").unlink()
    assert index.update().removed == 1 and ids(index, Term("زرافه")) == set()


def test_removing_a_linked_file_by_its_real_path_sticks(index: Index, tmp_path: Path) -> None:
    outside = make_docs(tmp_path / "X", {"o.txt": "زرافه", "p.txt": "ببر"})
    (tmp_path / "R").mkdir()
    os.symlink(outside, tmp_path / "R" / "L")
    index.add_paths([tmp_path / "R"])
    assert index.remove([str(outside / "o.txt")]).removed == 1
    assert index.update().added == 0 and ids(index, Term("زرافه")) == set() and ids(index, Term("ببر")) == {"p.txt"}


def test_links_do_not_lead_into_excluded_folders_or_the_index(tmp_path: Path, backend: str) -> None:
    root = make_docs(tmp_path / "R", {"a.txt": "کتاب"})
    make_docs(root / "ex" / "sub", {"e.txt": "زرافه"})
    with Index.create(root / "ix", backend=backend) as index:  # the index inside its root
        index.add_paths([root])
        index.remove([str(root / "ex")])
        os.symlink(root / "ex" / "sub", root / "Lsub")
        os.symlink(index.data_dir, root / "Ldata")
        report = index.update()
        assert (report.added, report.failed) == (0, []) and ids(index, Term("زرافه")) == set()


def test_options_for_a_path_that_does_not_exist_are_not_recorded(index: Index, tmp_path: Path) -> None:
    index.add_paths([tmp_path / "later"], text_field="body")
    assert json.loads((index.data_dir / MANIFEST_FILE).read_text())["options"] == {}


def test_files_reached_through_a_link_go_when_the_link_goes(index: Index, docs: Path, tmp_path: Path) -> None:
    outside = make_docs(tmp_path / "outside", {"o.txt": "زرافه در باغ"})
    os.symlink(outside, docs / "linked")
    index.add_paths([docs])
    assert ids(index, Term("زرافه")) == {"o.txt"}
    (docs / "linked").unlink()
    assert index.update().removed == 1 and ids(index, Term("زرافه")) == set()
    os.symlink(outside, docs / "linked")
    index.update()
    assert index.remove([str(docs / "linked")]).removed == 1 and ids(index, Term("زرافه")) == set()


def test_options_given_for_a_folder_leave_the_rest_of_an_inner_path_s_own(index: Index, tmp_path: Path) -> None:
    poems = tmp_path / "poems"
    _jsonl(poems / "a.jsonl", [{"id": "a1", "body": "دیوان حافظ"}])
    _jsonl(poems / "sub" / "b.jsonl", [{"key": "b1", "verse": "موش و گربه"}])
    index.add_paths([poems], text_field="body")
    index.add_paths([poems / "sub"], text_field="verse")
    report = index.add_paths([poems], id_field="key")  # sub keeps text_field="verse"
    assert report.failed == [] and ids(index, Term("موش")) == {"b.jsonl#b1"}


def test_files_reached_through_a_link_get_the_options_of_where_the_link_is(index: Index, tmp_path: Path) -> None:
    elsewhere = _jsonl(tmp_path / "elsewhere" / "t.jsonl", [{"id": "t1", "body": "موش و گربه"}])
    other = _jsonl(tmp_path / "other" / "u.jsonl", [{"id": "u1", "body": "ببر", "verse": "شیر"}])
    (tmp_path / "root" / "sub").mkdir(parents=True)
    os.symlink(elsewhere.parent, tmp_path / "root" / "linked")  # a folder link
    os.symlink(other, tmp_path / "root" / "sub" / "u.jsonl")  # a file link, in a folder with its own options
    report = index.add_paths([tmp_path / "root"], text_field="body")
    assert report.failed == [] and ids(index, Term("موش")) == {"t.jsonl#t1"}
    index.add_paths([tmp_path / "root" / "sub"], text_field="verse")
    assert ids(index, Term("شیر")) == {"u.jsonl#u1"} and ids(index, Term("ببر")) == set()


@pytest.mark.parametrize("dying_commit", [1, 2])  # after the first chunk's engine commit, after a later one
def test_a_crash_after_new_options_still_reads_every_file_again(tmp_path: Path, backend: str, dying_commit: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    records = tmp_path / "r"
    for n in range(3):
        _jsonl(records / f"{n}.jsonl", [{"id": f"x{n}", "text": "کهنه", "body": "تازه"}])
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.chunk_files = 1
        ix.add_paths([records])
        commits: list[int] = []
        engine_commit = ix._backend.commit
        monkeypatch.setattr(ix._backend, "commit", lambda *a, **k: (commits.append(1), engine_commit(*a, **k))[1])
        real_save = Index._save

        def dying_save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if len(commits) == dying_commit:
                raise KeyboardInterrupt  # the engine committed a chunk, its manifest never written
            return real_save(self, *args, **kwargs)

        monkeypatch.setattr(Index, "_save", dying_save)
        with pytest.raises(KeyboardInterrupt):
            ix.add_paths([records], text_field="body")
        monkeypatch.setattr(Index, "_save", real_save)
    with Index.open(tmp_path / "ix") as ix:
        ix.update()
        assert ids(ix, Term("تازه")) == {"0.jsonl#x0", "1.jsonl#x1", "2.jsonl#x2"} and ids(ix, Term("کهنه")) == set()


def test_a_named_file_inside_a_root_folder_stays_whatever_its_extension(index: Index, docs: Path) -> None:
    (docs / "NOTES").write_text("زرافه‌ها در باغ وحش", encoding="utf-8")  # the walk skips this name
    index.add_paths([docs])
    index.add_paths([docs / "NOTES"])
    assert ids(index, Term("زرافه")) == {"NOTES"}
    assert index.update().removed == 0 and ids(index, Term("زرافه")) == {"NOTES"}
    index.add_paths([docs])  # naming the folder again keeps the file root
    assert index.update().removed == 0 and ids(index, Term("زرافه")) == {"NOTES"}
    assert index.remove([str(docs)]).removed == 5 and index.roots == []
    assert index.update().added == 0 and len(index) == 0


def test_recreate_keeps_what_an_unreadable_index_recorded(tmp_path: Path, docs: Path, backend: str) -> None:
    poems = _jsonl(tmp_path / "poems" / "p.jsonl", [{"id": "p1", "body": "کتاب شعر حافظ"}])
    with Index.create(tmp_path / "ix", Analyzer(stopwords=False), backend=backend) as ix:
        ix.add_paths([docs])
        ix.add_paths([poems.parent], text_field="body")
        ix.remove([str(docs / "c.txt")])
    _set_schema_version(tmp_path / "ix", 1)
    with Index.recreate(tmp_path / "ix") as ix:
        assert len(ix) == 0 and ix.backend_name == backend and ix.analyzer == Analyzer(stopwords=False)
        ix.rebuild()
        assert ids(ix, Term("کتاب")) == {"a.txt", "d.md", "p.jsonl#p1"}
        assert ids(ix, Term("1403")) == set()  # c.txt stays excluded
    # A persearch.json that is not even JSON: the roots come from the manifest.
    (tmp_path / "ix" / META_FILE).write_text("{not json")
    with pytest.raises(IndexIncompatible):
        Index.open(tmp_path / "ix")
    with Index.recreate(tmp_path / "ix", backend=backend) as ix:
        assert len(ix) == 0 and set(ix.roots) == {str(docs.resolve()), str(poems.parent.resolve())}
        ix.rebuild()
        assert ids(ix, Term("کتاب")) == {"a.txt", "d.md", "p.jsonl#p1"}
    # The roots are in persearch.json as soon as recreate returns (one locked step).
    assert set(json.loads((tmp_path / "ix" / META_FILE).read_text())["roots"]) == set(ix.roots)
    # Nothing readable at all: an empty index, and no refusal either.
    (tmp_path / "ix" / META_FILE).write_text("{not json")
    for folder in (tmp_path / "ix").glob("data-*"):
        (folder / MANIFEST_FILE).write_text("[")
    with Index.recreate(tmp_path / "ix", backend=backend) as ix:
        assert len(ix) == 0 and ix.roots == []


def test_recreate_does_not_swap_an_analyzer_whose_extra_is_missing(tmp_path: Path, docs: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("hazm") is not None:
        pytest.skip("needs hazm to be missing")
    from persearch import MissingExtra

    with Index.create(tmp_path / "ix") as ix:
        ix.add_paths([docs])
    meta_path = tmp_path / "ix" / META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "analyzer": {**meta["analyzer"], "stemmer": "hazm", "version": 1}}))
    with pytest.raises(MissingExtra):
        Index.recreate(tmp_path / "ix")
    assert json.loads(meta_path.read_text())["analyzer"]["stemmer"] == "hazm"  # nothing replaced


def test_bad_files_among_good_ones(index: Index, docs: Path) -> None:
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (docs / "french.txt").write_bytes("Le café était très animé.".encode("latin-1"))
    (docs / "old.txt").write_bytes("خبر قديمي\nكتاب تاريخ ايران\n".encode("cp1256"))
    (docs / "wide.txt").write_bytes(codecs.BOM_UTF16_LE + "خبر پهن\nکتاب جغرافیا\n".encode("utf-16-le"))
    (docs / "big.txt").write_text("درخت " * 400, encoding="utf-8")
    report = index.add_paths([docs], max_size=1000)
    assert report.added == 6
    assert sorted((Path(p).name, reason.split(":")[0]) for p, reason in report.failed) == [
        ("big.txt", "too large"), ("french.txt", "undecodable"), ("image.txt", "binary content")]
    assert ids(index, Term("کتاب")) == {"a.txt", "d.md", "old.txt", "wide.txt"}
    assert index.document(str((docs / "old.txt").resolve()))["encoding"] == "windows-1256"


def test_a_file_that_turns_bad_loses_its_old_documents(index: Index, docs: Path) -> None:
    index.add_paths([docs])
    (docs / "a.txt").write_bytes(b"\x00\x01binary now" * 10)
    touch_later(docs / "a.txt")
    report = index.update()
    assert [Path(p).name for p, _ in report.failed] == ["a.txt"]
    assert ids(index, Term("کتابخانه")) == set() and len(index) == 3


def test_two_worker_processes_index_the_same_documents(tmp_path: Path, docs: Path, backend: str) -> None:
    make_docs(docs / "more", {f"n{i}.txt": f"خبر {i}\nکتاب شماره {i} درباره درخت\n" for i in range(30)})
    with Index.create(tmp_path / "one", backend=backend) as one, Index.create(tmp_path / "two", backend=backend) as two:
        r1 = one.add_paths([docs], workers=1)
        r2 = two.add_paths([docs], workers=2)
        assert r1.to_dict() == r2.to_dict() and r2.added == 34
        for node in (Term("کتاب"), Phrase(("رییس", "جمهوری")), Term("درخت")):
            assert ids(one, node) == ids(two, node)
        (docs / "more" / "n3.txt").unlink()
        assert two.update(workers=2).removed == 1 and len(two) == 33


def _tantivy_files(ix: Index) -> tuple[set[str], set[str], list[str]]:
    """A tantivy index folder's segment files, the files tantivy manages, and leftover worker folders."""
    folder = Path(ix.backend.path)
    names = {p.name for p in folder.iterdir()}
    segment_files = {n for n in names if len(n.split(".", 1)[0]) == 32}
    managed = set(json.loads((folder / ".managed.json").read_text()))
    return segment_files, managed, sorted(n for n in names if n.startswith(".build-"))


def test_tantivy_workers_write_segments_the_commit_adopts(tmp_path: Path, docs: Path) -> None:
    pytest.importorskip("tantivy")
    make_docs(docs / "more", {f"n{i}.txt": f"خبر {i}\nکتاب شماره {i} درباره درخت\n" for i in range(30)})
    with Index.create(tmp_path / "ix", backend="tantivy") as ix:
        before = ix.backend.generation()
        assert ix.add_paths([docs], workers=2).added == 34
        segment_files, managed, leftovers = _tantivy_files(ix)
        # Each worker's segment is now the index's: listed, managed (so merges can
        # delete it later), and no worker folder is left.
        assert ix.backend.segment_count() == 2 and segment_files <= managed and leftovers == []
        assert ix.backend.generation() > before and len(ix) == 34
        assert ids(ix, Term("شماره")) == {f"n{i}.txt" for i in range(30)}
        # Replacing files: workers only analyze, and the deletes and the new
        # documents land in one commit (the old text is gone, the new found).
        for i in range(10):
            (docs / "more" / f"n{i}.txt").write_text(f"خبر {i}\nگزارش تازه {i}\n", encoding="utf-8")
            touch_later(docs / "more" / f"n{i}.txt")
        report = ix.update(workers=2)
        assert (report.updated, report.unchanged) == (10, 24) and len(ix) == 34
        assert ids(ix, Term("گزارش")) == {f"n{i}.txt" for i in range(10)}
        assert ids(ix, Term("شماره")) == {f"n{i}.txt" for i in range(10, 30)}
        ix.optimize()  # merged away: tantivy deletes the adopted files it manages
        segment_files, managed, _ = _tantivy_files(ix)
        assert ix.backend.segment_count() == 1 and len(segment_files) == len(managed - {"meta.json"})


def test_tantivy_adoption_cut_short_loses_nothing(tmp_path: Path, docs: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tantivy")
    from persearch.backends import tantivy_segments

    make_docs(docs / "more", {f"n{i}.txt": f"خبر {i}\nکتاب شماره {i}\n" for i in range(20)})
    with Index.create(tmp_path / "ix", backend="tantivy") as ix:
        ix.add_paths([docs / "a.txt"])
        files_before = _tantivy_files(ix)[0]
        real_write, parent = tantivy_segments.write_json, os.getpid()

        def fail_on_meta(path: str, value: object) -> None:
            if path.endswith("meta.json") and os.getpid() == parent:  # workers write theirs
                raise OSError("disk full")
            real_write(path, value)

        # The segment files are moved in and managed, but meta.json is never written.
        monkeypatch.setattr(tantivy_segments, "write_json", fail_on_meta)
        with pytest.raises(OSError, match="disk full"):
            ix.add_paths([docs], workers=2)
        monkeypatch.undo()
        assert len(ix) == 1 and _tantivy_files(ix)[0] > files_before  # the old commit, orphans beside it
        # The same object goes on (the caller caught the error): its next
        # writer's garbage collection deletes the orphans.
        assert ix.add_paths([docs], workers=1).added == 23 and len(ix) == 24
        assert ids(ix, Term("شماره")) == {f"n{i}.txt" for i in range(20)}
        segment_files, managed, leftovers = _tantivy_files(ix)
        assert segment_files <= managed and leftovers == []
        assert {n.split(".", 1)[0] for n in segment_files} == {s.replace("-", "") for s in _segment_ids(ix)}
    with Index.open(tmp_path / "ix") as ix:
        assert ix.update().unchanged == 24 and len(ix) == 24


def test_a_failed_write_leaves_no_engine_writer_behind(tmp_path: Path, docs: Path, backend: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A write that raises half-way must not keep an engine writer (and the
    # engine's lock) open: it would block other writers, and on tantivy could
    # later commit its older segment list over another process's documents.
    make_docs(docs / "more", {f"n{i}.txt": f"خبر {i}\nکتاب شماره {i}\n" for i in range(30)})
    Index.create(tmp_path / "ix", backend=backend).close()
    real_columns = Analyzer.columns

    def interrupted(self: Analyzer, text: str) -> object:  # say, Ctrl-C half-way through a batch
        if "ناتمام" in text:
            raise KeyboardInterrupt
        return real_columns(self, text)

    with Index.open(tmp_path / "ix") as first:
        monkeypatch.setattr(Analyzer, "columns", interrupted)
        with pytest.raises(KeyboardInterrupt):
            first.add_documents([Document(id="ok", text="سند خوب"), Document(id="cut", text="سند ناتمام")])
        monkeypatch.undo()
        assert not first.backend.pending()
        with Index.open(tmp_path / "ix", lock_timeout=2) as second:  # another process, in effect
            assert second.add_paths([docs], workers=2).added == 34
        first.add_document("later", "سند بعدی")
        assert len(first) == 35 and ids(first, Term("شماره")) == {f"n{i}.txt" for i in range(30)}
    with Index.open(tmp_path / "ix") as again:
        assert len(again) == 35 and again.update(workers=1).unchanged == 34


def test_tantivy_adoption_waits_for_another_writer(tmp_path: Path, docs: Path) -> None:
    # Adopting segments rewrites meta.json: it must hold tantivy's writer
    # lock, or another writer's later commit would drop the adopted segments.
    pytest.importorskip("tantivy")
    from persearch.backends.tantivy_backend import TantivyBackend

    make_docs(docs / "more", {f"n{i}.txt": f"خبر {i}\nکتاب شماره {i}\n" for i in range(30)})
    with Index.create(tmp_path / "ix", backend="tantivy", lock_timeout=0.3) as ix:
        other = TantivyBackend.open(ix.backend.path, Analyzer())
        other.add([Document(id="held", text="سندی که هنوز ثبت نشده")])  # tantivy's lock, uncommitted
        with pytest.raises(IndexLocked):
            ix.add_paths([docs], workers=2)
        other.commit()
        other.close()
        assert ix.add_paths([docs], workers=2).added == 34
        assert len(ix) == 35 and ids(ix, Term("شماره")) == {f"n{i}.txt" for i in range(30)}
        assert _tantivy_files(ix)[2] == []  # the refused build's worker folders are gone


def test_tantivy_writer_sees_files_other_processes_added(tmp_path: Path, docs: Path) -> None:
    # tantivy keeps the list of files it manages in memory: a writer from an
    # index opened before another process's commits must not drop that
    # process's files from the list (they would never be deleted after merges).
    pytest.importorskip("tantivy")
    Index.create(tmp_path / "ix", backend="tantivy").close()
    with Index.open(tmp_path / "ix") as first, Index.open(tmp_path / "ix") as second:
        first.add_document("first", "سند نخست")
        for i in range(3):
            second.add_document(f"second-{i}", f"سند دوم شماره {i}")
        first.add_document("later", "سند بعدی")
        first.optimize()
        segment_files, managed, _ = _tantivy_files(first)
        assert first.backend.segment_count() == 1 and len(first) == 5
        assert segment_files <= managed and {n.split(".", 1)[0] for n in segment_files} == {
            s.replace("-", "") for s in _segment_ids(first)}


def _segment_ids(ix: Index) -> set[str]:
    meta = json.loads((Path(ix.backend.path) / "meta.json").read_text())
    return {s["segment_id"] for s in meta["segments"]}


def test_an_index_inside_its_own_root_does_not_index_itself(docs: Path, backend: str) -> None:
    with Index.create(docs / "ix", backend=backend) as ix:
        first = ix.add_paths([docs])
        assert (first.added, first.failed) == (4, [])
        again = ix.update()
        assert (again.added, again.unchanged, again.failed) == (0, 4, []) and len(ix) == 4


def test_remove_files_folders_and_ids(index: Index, docs: Path) -> None:
    make_docs(docs / "old", {"x.txt": "قدیمی\nکتاب کهنه\n", "y.txt": "قدیمی\nدرخت کهن\n"})
    index.add_paths([docs])
    index.add_document("note-1", "یادداشت درباره کتاب")
    report = index.remove([str(docs / "old"), str(docs / "a.txt"), "note-1", "nothing-here"])
    assert (report.removed, [p for p, _ in report.failed]) == (4, ["nothing-here"])
    assert len(index) == 3
    later = index.update()  # what was removed under a root stays out...
    assert (later.added, later.removed, later.unchanged) == (0, 0, 3)
    assert ids(index, Term("کهنه")) == set() and "a.txt" not in ids(index, Term("کتاب"))
    assert index.add_paths([docs / "a.txt"]).added == 1  # ...until it is added again
    assert "a.txt" in ids(index, Term("کتاب")) and index.update().unchanged == 4


def test_update_with_no_roots_does_nothing(index: Index) -> None:
    assert index.update().to_dict() == UpdateReport().to_dict()


# -- documents from code ------------------------------------------------------------------

def test_add_document_delete_and_metadata_filters(index: Index) -> None:
    index.add_document("n1", "بازی فوتبال دیروز", title="ورزش", tags=["ورزش", "فوتبال"], year=1402)
    index.add_document("n2", "کتاب فوتبال", tags=["کتاب"], year=1403)
    assert ids(index, Term("فوتبال")) == {"n1", "n2"}
    assert ids(index, Term("فوتبال"), tags="ورزش") == {"n1"}
    assert ids(index, Term("فوتبال"), year=1403) == {"n2"}
    assert index.document("n1")["metadata"] == {"tags": ["ورزش", "فوتبال"], "year": 1402}
    with pytest.raises(InvalidOption, match="unknown filter field colour:"):
        index.backend.search(Term("فوتبال"), limit=5, filters={"colour": "سبز"})
    index.add_document("n1", "بازی والیبال")  # same id: replaced
    assert len(index) == 2 and ids(index, Term("والیبال")) == {"n1"}
    assert index.delete("n1") and not index.delete("n1")
    assert len(index) == 1


def test_add_documents_takes_dicts_and_refuses_bad_ones_before_writing(index: Index) -> None:
    import persearch

    assert index.add_documents([{"id": 7, "text": "کتاب تازه", "title": "نو", "tags": ["کتاب"]},
                                persearch.Document(id="d2", text="درخت سیب", title=None)]) == 2
    assert ids(index, Term("کتاب"), tags="کتاب") == {"7"} and index.document("7")["title"] == "نو"
    for bad, message in (({"text": "بی‌شناسه"}, "needs an 'id' and a 'text'"), ("کتاب", "not str"),
                         ({"id": "x", "text": {"a": 1}}, "text must be text"), ({"id": "", "text": "خالی"}, "empty")):
        with pytest.raises(InvalidOption, match=message):
            index.add_documents([{"id": "ok", "text": "سالم"}, bad])
    assert len(index) == 2 and index.document("ok") is None


def test_remove_a_record_named_by_a_relative_path(index: Index, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _jsonl(tmp_path / "r" / "a.jsonl", [{"id": "x1", "text": "کتاب یک"}, {"id": "x2", "text": "کتاب دو"}])
    index.add_paths([tmp_path / "r"])
    monkeypatch.chdir(tmp_path)
    assert index.remove(["r/a.jsonl#x1"]).removed == 1 and ids(index, Term("کتاب")) == {"a.jsonl#x2"}
    assert index.remove(["r/a.jsonl#x9"]).failed == [("r/a.jsonl#x9", "not in the index")]


# -- the backend's query translation -----------------------------------------------------------

@pytest.fixture
def small(index: Index) -> Index:
    index.add_documents([
        Document(id="1", title="کتاب", text="درباره درخت سیب"),
        Document(id="2", title="باغ", text="کتاب درباره باغ و درخت سیب"),
        Document(id="3", title="سیب", text="درخت بزرگ سیب سرخ"),
        Document(id="4", title="مساله", text="مسئله ریاضی کتابخانه"),
    ])
    return index


def test_phrase_slop_and_alternatives(small: Index) -> None:
    assert ids(small, Phrase(("درخت", "سیب"))) == {"1", "2"}
    assert ids(small, Phrase(("درخت", "سیب"), slop=1)) == {"1", "2", "3"}
    assert ids(small, Phrase((("مسیله", "درخت"), "ریاضی"))) == {"4"}
    assert ids(small, Phrase(("درخت", "سیب"), field="title")) == set()


def test_prefix_fuzzy_and_boolean_nodes(small: Index) -> None:
    assert ids(small, Prefix("کتاب")) == {"1", "2", "4"}
    assert ids(small, Fuzzy("درخب", 1)) == {"1", "2", "3"}
    assert ids(small, And((Term("درخت"), Term("باغ")))) == {"2"}
    assert ids(small, Or((Term("باغ"), Term("سرخ"), Term("ریاضی")), min_match=1)) == {"2", "3", "4"}
    assert ids(small, Or((Term("باغ"), Term("کتاب"), Term("سیب")), min_match=2)) == {"1", "2"}
    assert ids(small, Or((Term("باغ"), Term("کتاب"), Term("سیب")), min_match=3)) == {"2"}
    assert ids(small, Or((Term("باغ"), Term("کتاب")), min_match=3)) == set()
    assert ids(small, And((Or((Term("باغ"), Term("سیب"), Term("سرخ")), min_match=2), Prefix("درخ")))) == {"2", "3"}
    assert ids(small, AndNot(Term("سیب"), Term("کتاب"))) == {"3"}
    assert ids(small, MatchAll()) == {"1", "2", "3", "4"}
    assert small.backend.search(MatchNone("empty"), limit=5).total == 0


def test_title_is_boosted_and_paging_works(small: Index) -> None:
    ranked = [h.id for h in small.backend.search(Term("کتاب"), limit=10).hits]
    assert ranked[0] == "1"
    page2 = small.backend.search(Term("کتاب"), limit=1, offset=1)  # کتابخانه (4) holds کتاب too
    assert page2.total == 3 and [h.id for h in page2.hits] == ranked[1:2]
    hit = small.backend.search(Term("کتاب"), limit=1).hits[0]
    assert {"id", "path", "title", "format"} <= set(hit.fields)
    assert hit.text == "درباره درخت سیب"  # decompressed on first use


def test_terms_lists_document_frequencies(small: Index) -> None:
    terms = dict(small.backend.terms("body"))
    assert terms["درخت"] == 3 and terms["سیب"] == 3 and terms["باغ"] == 1
    assert list(small.backend.terms("nothing")) == []


# -- rebuild, stats and recovery ----------------------------------------------------------------

def test_rebuild_swaps_in_a_fresh_index(index: Index, docs: Path) -> None:
    index.add_paths([docs])
    index.add_document("note", "یادداشت کتاب")
    old_data = index.data_dir
    reader = Index.open(index.root)  # another reader, opened before the rebuild
    report = index.rebuild()
    assert report.added == 4 and index.data_dir != old_data and not old_data.exists()
    assert len(index) == 5 and ids(index, Term("کتاب")) == {"a.txt", "d.md", "note"}
    assert ids(reader, Term("کتاب")) == {"a.txt", "d.md", "note"} and len(reader) == 5
    reader.close()
    assert index.update().unchanged == 4


def test_rebuild_with_new_paths_indexes_each_file_once(index: Index, docs: Path, tmp_path: Path) -> None:
    more = tmp_path / "more"
    more.mkdir()
    (more / "e.txt").write_text("گزارش تازه\nکتاب‌های نو رسید.", encoding="utf-8")
    index.add_paths([docs])
    report = index.rebuild([more])
    assert report.added == 5 and report.updated == 0 and len(index) == 5
    assert index.stats()["roots"] == [str(docs.resolve()), str(more.resolve())]
    assert "e.txt" in ids(index, Term("کتاب"))


def test_optimize_merges_segments_and_keeps_every_document(index: Index, docs: Path, backend: str) -> None:
    if backend == "sphinx":
        pytest.skip("sphinx: each node has RT chunks of its own, merged by Sphinx in the background "
                    "(docs/backends.md, Scaling out: not supported)")
    index.add_paths([docs])
    index.add_document("note", "یادداشت کتاب")  # a second commit: a second segment
    assert index.stats()["segments"] == 2
    before = ids(index, Term("کتاب"))
    index.optimize()
    assert index.stats()["segments"] == 1 and ids(index, Term("کتاب")) == before and len(index) == 5
    assert index.update().unchanged == 4


def test_stats(index: Index, docs: Path, backend: str) -> None:
    index.add_paths([docs])
    stats = index.stats()
    assert stats["documents"] == 4 and stats["files"] == 4
    assert stats["roots"] == [str(docs.resolve())]
    assert stats["terms"] > 20 and stats["size_bytes"] > 1000
    assert stats["analyzer"] == Analyzer().config() and stats["backend"] == backend
    assert stats["schema_version"] == SCHEMA_VERSION and stats["updated_at"]


def test_manifest_lost_after_commit_is_rebuilt_without_duplicates(index: Index, docs: Path) -> None:
    index.add_paths([docs])
    manifest_path = index.data_dir / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    # As if we crashed after the engine committed c.txt's removal and e.txt's
    # addition but before the manifest said so: the manifest is one generation old.
    (docs / "c.txt").unlink()
    (docs / "e.txt").write_text("خبر\nباران\n", encoding="utf-8")
    index.update()
    manifest_path.write_text(json.dumps(manifest))
    report = index.update()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 4)
    assert len(index) == 4 and ids(index, MatchAll()) == {"a.txt", "b.txt", "d.md", "e.txt"}
    manifest_path.unlink()
    assert index.update().unchanged == 4


def test_progress_is_reported(index: Index, docs: Path) -> None:
    calls: list[tuple[int, int]] = []
    index.add_paths([docs], progress=lambda done, total, path: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_report_to_dict() -> None:
    report = UpdateReport(added=1, failed=[("/a/b.txt", "binary content")], documents_added=3, documents=7)
    assert report.to_dict() == {"added": 1, "updated": 0, "removed": 0, "unchanged": 0,
                                "failed": [{"path": "/a/b.txt", "error": "binary content"}],
                                "documents": {"added": 3, "updated": 0, "removed": 0, "total": 7},
                                "kept_as_text": []}
