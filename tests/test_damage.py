"""Damaged indexes: engine files emptied, overwritten or deleted are found, named in one line, and
rebuilt; ``persearch doctor`` checks without changing anything. Every backend."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from persearch import Index, IndexDamaged
from persearch.cli.app import app
from persearch.index.integrity import CHECKSUMS_FILE
from persearch.querytree import Term

from corpus_helpers import write_reports



def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "unexpected" not in stderr
    return lines[0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Enough Persian text that the engine writes files of some size: 40 files, and a JSONL file
    read with its own field option (kept by a rebuild)."""
    folder = write_reports(tmp_path / "اسناد", 40, sentences=60)
    rows = [{"id": f"r{i}", "body": f"یادداشت {i} درباره زرافه‌های باغ وحش"} for i in range(30)]
    (folder / "notes.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                        encoding="utf-8")
    return folder


@pytest.fixture
def built(corpus: Path, tmp_path: Path, backend: str) -> Path:
    location = tmp_path / "نمایه"
    with Index.create(location, backend=backend) as ix:
        report = ix.add_paths([corpus], text_field="body")
        assert report.failed == [] and len(ix) == 70
    return location


def engine_files(location: Path) -> list[Path]:
    data = location / json.loads((location / "persearch.json").read_text())["data"]
    recorded = json.loads((data / CHECKSUMS_FILE).read_text())["files"]
    return [data / name for name in recorded]


def damage(path: Path, how: str) -> None:
    if how == "garbage":  # part of it overwritten, size unchanged
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.seek(size // 3)
            fh.write(bytes(range(256)) * max(1, size // 3 // 256))
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["garbage", "empty", "deleted"])
def test_a_damaged_engine_file_is_named_in_one_line_and_rebuilt(built: Path, corpus: Path, backend: str,
                                                                how: str) -> None:
    largest = max(engine_files(built), key=lambda p: p.stat().st_size)
    damage(largest, how)
    with pytest.raises(IndexDamaged) as caught:
        Index.open(built)
    assert largest.name in str(caught.value) and caught.value.roots == [str(corpus.resolve())]
    for command in (("search", "گزارش"), ("stats",), ("update",)):
        result = cli(*command, "--index", str(built))
        assert result.exit_code == 1, (command, result.stdout)
        line = one_line(result.stderr)
        assert line.startswith(f"persearch: error: the index at {built} is damaged: {backend} file {largest.name}")
        assert line.endswith(f"rebuild it from its files: persearch index {corpus.resolve()} --index {built} "
                             f"--rebuild")
    rebuilt = cli("index", str(corpus), "--index", str(built), "--rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["documents"]["total"] == 70
    assert not largest.parent.exists()  # a fresh data folder; the damaged one is gone
    with Index.open(built) as ix:
        assert ix.backend_name == backend and len(ix) == 70
        # The field option recorded for the folder survived: the JSONL records are read with "body".
        assert ix.backend.search(Term("زرافه"), limit=50).total == 30
        assert ix.backend.search(Term("شیراز"), limit=50).total == 4  # reports 1, 11, 21, 31
    assert cli("doctor", "--index", str(built)).exit_code == 0


@pytest.mark.parametrize("how", ["garbage", "empty", "deleted"])
def test_the_table_of_contents_or_meta_file_damaged_too(built: Path, corpus: Path, backend: str, how: str) -> None:
    # The sphinx backend's one file here, its store, is its table of contents and its contents.
    toc = next(p for p in engine_files(built) if p.name.endswith((".toc", "meta.json", "sphinx.sqlite")))
    damage(toc, how)
    result = cli("search", "گزارش", "--index", str(built))
    assert result.exit_code == 1 and "is damaged" in one_line(result.stderr)
    assert cli("index", str(corpus), "--index", str(built), "--rebuild").exit_code == 0
    assert json.loads(cli("search", "گزارش", "--index", str(built), "--json").stdout)["total"] == 40


def test_an_index_without_checksums_is_still_reported_when_the_engine_fails(built: Path, corpus: Path,
                                                                            backend: str) -> None:
    """An index an older persearch wrote has no checksums: the engine's own failure is reported."""
    files = engine_files(built)
    (files[0].parent / CHECKSUMS_FILE).unlink()
    largest = max(files, key=lambda p: p.stat().st_size)
    largest.unlink()
    result = cli("search", "گزارش", "--index", str(built))
    assert result.exit_code == 1
    assert "is damaged" in one_line(result.stderr) and "--rebuild" in result.stderr
    assert cli("index", str(corpus), "--index", str(built), "--rebuild").exit_code == 0
    assert json.loads(cli("search", "زرافه", "--index", str(built), "--json").stdout)["total"] == 30


def test_a_copied_index_is_not_damaged(built: Path, tmp_path: Path) -> None:
    """Files whose mtime moved (a plain copy) but whose content is intact are fine."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built, copy)  # copies content; for the mtimes, touch every file
    for path in copy.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    with Index.open(copy) as ix:
        assert len(ix) == 70


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.blake2b(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_doctor_checks_everything_and_changes_nothing(built: Path, corpus: Path, backend: str) -> None:
    before = digest(built)
    sound = cli("doctor", "--index", str(built))
    assert sound.exit_code == 0, sound.stdout
    assert "70 documents" in sound.stdout and sound.stdout.rstrip().endswith("the index is sound")
    as_json = json.loads(cli("doctor", "--index", str(built), "--json").stdout)
    assert as_json["ok"] is True and as_json["problems"] == []
    largest = max(engine_files(built), key=lambda p: p.stat().st_size)
    damage(largest, "garbage")
    before = digest(built)
    found = cli("doctor", "--index", str(built))
    assert found.exit_code == 1
    assert f"damaged: {backend} file {largest.name} was overwritten" in found.stdout
    assert found.stdout.rstrip().endswith(f"persearch index {corpus.resolve()} --index {built} --rebuild")
    assert digest(built) == before  # a check writes nothing


def test_doctor_notes_what_the_next_write_repairs(built: Path, corpus: Path) -> None:
    data = engine_files(built)[0].parent
    manifest = json.loads((data / "manifest.json").read_text())
    manifest["generation"] = -5  # as if a crash came between the engine's commit and the manifest's write
    (data / "manifest.json").write_text(json.dumps(manifest))
    result = cli("doctor", "--index", str(built))
    assert result.exit_code == 0 and "note: the manifest describes an earlier commit" in result.stdout
    assert json.loads(cli("update", "--index", str(built), "--json").stdout)["unchanged"] == 41
    assert "note:" not in cli("doctor", "--index", str(built)).stdout


def test_an_engine_eof_error_is_damage_never_an_interrupt(built: Path, backend: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """click turns an EOFError into an abort, which used to exit 130 with no message at all."""
    from persearch.backends import backend_class
    from persearch.query import run

    def truncated(*args: object, **kwargs: object) -> None:
        raise EOFError("Ran out of input")

    monkeypatch.setattr(backend_class(backend), "search", truncated)  # the engine, reading a cut-off file
    result = cli("search", "گزارش", "--index", str(built))
    assert result.exit_code == 1
    assert one_line(result.stderr).startswith(f"persearch: error: the index at {built} is damaged: {backend}")
    monkeypatch.undo()
    monkeypatch.setattr(run, "search", truncated)  # an EOFError anywhere else: an error too, not Ctrl-C
    elsewhere = cli("search", "گزارش", "--index", str(built))
    assert elsewhere.exit_code == 1 and "EOFError" in elsewhere.stderr and "interrupt" not in elsewhere.stderr


def test_a_full_disk_is_one_line_and_the_index_keeps_its_last_commit(built: Path, corpus: Path, backend: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from persearch.backends import backend_class

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    (corpus / "تازه.txt").write_text("خبر تازه\nزرافه‌ای در باغ وحش", encoding="utf-8")
    monkeypatch.setattr(backend_class(backend), "commit", full)
    result = cli("update", "--index", str(built))
    assert result.exit_code == 1
    assert one_line(result.stderr) == (f"persearch: error: no space left on the disk of the index at {built}: it "
                                       f"keeps every document committed before; free some space and run the same "
                                       f"command again")
    monkeypatch.undo()
    with Index.open(built) as ix:
        assert len(ix) == 70 and ix.backend.search(Term("زرافه"), limit=5).total == 30  # the notes only
    assert json.loads(cli("update", "--index", str(built), "--json").stdout)["documents"]["added"] == 1


def test_an_index_that_may_not_be_written_can_still_be_searched(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    real_open = os.open

    def read_only(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("write.lock"):  # tests may run as root, where chmod does not deny
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    refused = cli("update", "--index", str(built))
    assert refused.exit_code == 1
    line = one_line(refused.stderr)
    assert line.startswith(f"persearch: error: cannot write the index at {built} (Permission denied); searching "
                           f"it still works") and "write.lock" not in line
    found = cli("search", "شیراز", "--index", str(built), "--json")
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 4


@pytest.mark.parametrize("content", [b"", b'{"version": 1, "fields": {"date": {"ty', b'\xde\xad\xbe\xef' * 8,
                                     b'{"version": 1, "fields": ["date"]}', None])
def test_a_damaged_field_table_is_named_in_one_line_and_rebuilt(built: Path, corpus: Path, backend: str,
                                                                content: bytes | None) -> None:
    """fields.json (the typed fields beside the engine's files) emptied, cut short, overwritten or
    deleted (None): one line naming it, and --rebuild is still the way out."""
    table = engine_files(built)[0].parent / "fields.json"
    assert json.loads(table.read_text(encoding="utf-8"))["fields"]  # the index has typed fields to lose
    if content is None:
        table.unlink()
    else:
        table.write_bytes(content)
    with pytest.raises(IndexDamaged) as caught:
        Index.open(built)
    assert "fields.json" in str(caught.value)
    for command in (("search", "گزارش"), ("stats",), ("get", str(corpus / "notes.jsonl#r1"))):
        result = cli(*command, "--index", str(built))
        assert result.exit_code == 1, (command, result.stdout)
        line = one_line(result.stderr)
        assert "is damaged" in line and "fields.json" in line and line.endswith("--rebuild"), line
    doctor = cli("doctor", "--index", str(built))
    assert doctor.exit_code == 1 and not doctor.stderr.strip()
    assert any(line.startswith("damaged: ") and "fields.json" in line for line in doctor.stdout.splitlines())
    rebuilt = cli("index", "--rebuild", "--index", str(built), "--json")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["documents"]["total"] == 70
    assert json.loads(cli("search", "زرافه", "--index", str(built), "--json").stdout)["total"] == 30
    assert cli("doctor", "--index", str(built)).exit_code == 0


def test_a_term_dictionary_overwritten_in_place_is_one_line_without_the_engines_panic_report(
        built: Path, corpus: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Garbage written into tantivy's term dictionary with its size and time kept (so opening does not
    notice): walking the dictionary panics inside Rust, whose report (thread … panicked at …, note: …)
    goes straight to file descriptor 2. stats and doctor still say it in one line of their own."""
    if json.loads((built / "persearch.json").read_text())["backend"] != "tantivy":
        pytest.skip("a Rust panic report is tantivy's")
    term = next(p for p in engine_files(built) if p.suffix == ".term")
    before = term.stat()
    with open(term, "r+b") as fh:
        fh.seek(before.st_size // 2)
        fh.write(b"\xde\xad\xbe\xef" * 4)  # into the dictionary's blocks: the walk panics on it
    os.utime(term, ns=(before.st_atime_ns, before.st_mtime_ns))
    capfd.readouterr()
    stats = cli("stats", "--index", str(built))
    assert stats.exit_code == 1
    assert "is damaged" in one_line(stats.stderr)
    doctor = cli("doctor", "--index", str(built))
    assert doctor.exit_code == 1 and any(line.startswith("damaged: ") for line in doctor.stdout.splitlines())
    leaked = capfd.readouterr().err
    assert "panicked" not in leaked and "RUST_BACKTRACE" not in leaked, leaked
    assert cli("index", "--rebuild", "--index", str(built)).exit_code == 0
    assert cli("doctor", "--index", str(built)).exit_code == 0
