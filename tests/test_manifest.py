"""The manifest: typed entries over the on-disk list format every persearch index has."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from persearch import Index
from persearch.index import MANIFEST_FILE
from persearch.index.manifest import FileEntry, Manifest

ENTRY = st.tuples(st.integers(-1, 2**40), st.integers(-1, 2**62), st.text(alphabet="0123456789abcdef", max_size=32),
                  st.integers(0, 10_000))
LINK = st.one_of(st.none(), st.text(min_size=1).map(lambda s: "/اسناد/" + s))


@given(ENTRY, LINK)
def test_an_entry_is_written_as_the_list_it_was_read_from(item: tuple[int, int, str, int], link: str | None) -> None:
    on_disk = [*item] if link is None else [*item, link]
    entry = FileEntry.from_json(on_disk)
    assert entry.to_json() == on_disk
    assert (entry.size, entry.mtime_ns, entry.hash, entry.documents, entry.link) == (*item, link)
    assert entry.home("/اخبار/خبر.txt") == (link or "/اخبار/خبر.txt")


def test_read_again_is_kept_on_disk_as_no_size_no_mtime_no_hash() -> None:
    entry = FileEntry(1200, 17, "9f2c", 3, "/اسناد/پیوند")
    entry.read_again()
    assert entry.to_read_again and entry.to_json() == [-1, -1, "", 3, "/اسناد/پیوند"]
    assert not entry.unchanged(1200, 17)


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_list_format_manifest_opens_updates_and_keeps_unknown_keys(tmp_path: Path, backend: str) -> None:
    docs, outside = tmp_path / "اخبار", tmp_path / "بیرون"
    _write(docs, "a.txt", "خبر نخست\nکتاب‌ها را خواندم\n")
    _write(outside, "z.txt", "بیرون\nزرافه در باغ\n")
    (docs / "پیوند").symlink_to(outside)
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([docs])
        path = ix.data_dir / MANIFEST_FILE
    raw = json.loads(path.read_text(encoding="utf-8"))
    # The on-disk form: lists, with the link location as a fifth item.
    assert sorted(len(item) for item in raw["files"].values()) == [4, 5]
    raw["from_a_later_persearch"] = {"kept": True}
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    manifest = Manifest.read(path.parent)
    assert manifest is not None and manifest.to_json() == raw
    linked = manifest.files[str((outside / "z.txt").resolve())]
    assert linked.link == str(docs.resolve() / "پیوند" / "z.txt")
    with Index.open(tmp_path / "ix") as ix:
        assert ix.update().unchanged == 2 and ix.search("زرافه").total == 1
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["files"] == raw["files"] and after["from_a_later_persearch"] == {"kept": True}


def test_recovery_from_the_engine_keeps_links_and_files_to_read_again(tmp_path: Path, backend: str) -> None:
    docs = tmp_path / "اخبار"
    _write(docs, "a.txt", "خبر نخست\nکتاب\n")
    _write(docs, "b.txt", "خبر دوم\nدفتر\n")
    with Index.create(tmp_path / "ix", backend=backend) as ix:
        ix.add_paths([docs])
        manifest = Manifest.read(ix.data_dir)
        assert manifest is not None
        a, b = str((docs / "a.txt").resolve()), str((docs / "b.txt").resolve())
        manifest.files[a].read_again()
        manifest.files[b].link = "/جای/پیوند/b.txt"
        manifest.files["/گم‌شده.txt"] = FileEntry(5, 5, "00", 1)  # not in the engine: dropped
        recovered = manifest.recovered(ix.backend)
    assert set(recovered.files) == {a, b}
    assert recovered.files[a].to_read_again and recovered.files[a].documents == 1
    assert recovered.files[b].link == "/جای/پیوند/b.txt" and recovered.files[b].size == (docs / "b.txt").stat().st_size
