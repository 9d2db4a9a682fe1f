"""Damage: an index whose engine files are missing, emptied or overwritten is found and named.

After each write the writer records, for the engine generation it committed,
the size, mtime and CRC-32 of every file the engine's index is made of
(``data-N/checksums.json``; the engines' segment files never change once
written, so each is summed once). Opening an index compares sizes and
mtimes (a few stats); a file whose mtime moved is summed again, so a copied
index is not called damaged. A search that still fails inside the engine is
re-tried once on a fresh open (another process may have just committed or
rebuilt) before it is reported as :class:`~persearch.errors.IndexDamaged`,
which names what was found and the command that rebuilds the index.
:func:`check` (``persearch doctor``) reads everything without changing anything.

    >>> damaged_files(Path("نمایه/data-1"), backend)        # doctest: +SKIP
    ['whoosh file MAIN_x1y2.seg is empty (it had 38144437 bytes)']
"""
from __future__ import annotations

import errno
import json
import os
import pickle
import re
import struct
import sys
import time
import weakref
import zlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..backends import backend_class
from ..backends.base import FIELDS_FILE
from ..errors import IndexDamaged, MissingExtra, PersearchError
from ..files import write_json
from .layout import read_meta
from .lock import not_writable

if TYPE_CHECKING:
    from ..analysis import Analyzer
    from ..backends.base import Backend


class IndexCore(Protocol):
    """What this module (and rebuild.py) uses of :class:`persearch.index.Index`: typed here,
    not imported, so the index's helpers do not import the facade that imports them."""

    root: Path
    analyzer: Analyzer
    lock_timeout: float
    _meta: dict[str, Any]
    _meta_stamp: int
    _backend: Backend

    @property
    def data_dir(self) -> Path: ...

    @property
    def backend_name(self) -> str: ...

    def _stamp(self) -> int: ...

    def _current(self) -> Backend: ...

    def _reopen(self) -> None: ...

CHECKSUMS_FILE = "checksums.json"
_BLOCK = 1 << 20


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            crc = zlib.crc32(block, crc)
    return crc


def _recorded(data_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((data_dir / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def record_checksums(data_dir: Path, backend: Backend) -> None:
    """Record the engine files of the generation just committed (write lock held, merges done)."""
    before = (_recorded(data_dir) or {}).get("files", {})
    files: dict[str, list[int]] = {}
    for name in backend.engine_files():
        st = os.stat(data_dir / name)
        old = before.get(name)
        if isinstance(old, list) and len(old) == 3 and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            files[name] = old  # immutable segment files: summed once
        else:
            files[name] = [st.st_size, st.st_mtime_ns, _crc(data_dir / name)]
    # fields.json changes before a commit, so it has no checksum; but once typed fields are
    # recorded, its absence is damage (the values would silently stop being typed).
    write_json(data_dir / CHECKSUMS_FILE, {"generation": backend.generation(), "files": files,
                                           "typed_fields": sorted(backend.fields())})


def damaged_files(data_dir: Path, backend: Backend, *, full: bool = False) -> list[str]:
    """What is wrong with the engine's files, one line each; [] when they are as written.

    Nothing is said when no checksums were recorded for the generation on
    disk (an index written by an older persearch, or a commit whose
    checksums a crash kept from being written). ``full`` sums every file,
    not only those whose mtime moved.
    """
    for _ in range(3):  # a writer may commit (and delete old files) while we look
        recorded = _recorded(data_dir)
        generation = backend.generation()
        if recorded is None or recorded.get("generation") != generation:
            return []
        problems = [problem for name, item in sorted(recorded["files"].items())
                    if (problem := _file_problem(data_dir, backend.name, name, item, full))]
        typed = recorded.get("typed_fields")
        if typed and isinstance(typed, list) and not (data_dir / FIELDS_FILE).exists():
            problems.append(f"{FIELDS_FILE} is missing (it describes the typed fields {', '.join(map(str, typed))})")
        if not problems or backend.generation() == generation:
            return problems
    return []


def _file_problem(data_dir: Path, engine: str, name: str, item: Any, full: bool) -> str | None:
    try:
        size, mtime, crc = item
    except (TypeError, ValueError):
        return None
    path = data_dir / name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{engine} file {name} is missing"
    except OSError as exc:
        return f"{engine} file {name} cannot be read ({exc.strerror or exc})"
    if st.st_size != size:
        if st.st_size == 0:
            return f"{engine} file {name} is empty (it had {size} bytes)"
        return f"{engine} file {name} has {st.st_size} bytes, not the {size} it was written with"
    if full or st.st_mtime_ns != mtime:
        try:
            if _crc(path) != crc:
                return f"{engine} file {name} was overwritten (its content is not what was written)"
        except OSError as exc:
            return f"{engine} file {name} cannot be read ({exc.strerror or exc})"
    return None


def _recorded_problem(data_dir: Path, engine: str) -> str | None:
    """For an engine that does not even open: the first file not as the checksums (of whatever
    commit they describe) recorded it, as a likely reason."""
    recorded = _recorded(data_dir) or {"files": {}}
    for name, item in sorted(recorded["files"].items()):
        problem = _file_problem(data_dir, engine, name, item, False)
        if problem:
            return problem
    return None


#: Errors an engine raises on files it cannot read (truncated, overwritten, gone).
_DAMAGE_ERRORS = (OSError, EOFError, ValueError, TypeError, struct.error, zlib.error, pickle.UnpicklingError,
                  IndexError, KeyError, AttributeError, AssertionError)


def engine_failure(exc: BaseException) -> bool:
    """Whether ``exc`` looks like an engine failing on its files (not a persearch bug, not Ctrl-C).

    Raised inside Whoosh, or by tantivy (a ValueError from its native
    calls, or a Rust panic), by the sphinx backend's SQLite store, or an
    I/O-like error anywhere on the way.
    """
    if type(exc).__name__ == "PanicException":  # a Rust panic inside tantivy (a BaseException)
        return True
    if type(exc).__module__.split(".")[0] in ("whoosh", "tantivy"):  # the engine's own (EmptyIndexError, ...)
        return True
    if _store_failure(exc):
        return True
    if not isinstance(exc, _DAMAGE_ERRORS) or isinstance(exc, (PersearchError, RecursionError)):
        return False
    if isinstance(exc, (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError)):
        return True
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
    where = (last or "").replace(os.sep, "/")
    return "/whoosh/" in where or "/persearch/backends/tantivy" in where


def _store_failure(exc: BaseException) -> bool:
    """A SQLite store failing on its file (the sphinx backend's: persearch/backends/sphinx/store.py):
    not a database, malformed, a table gone with an emptied file; not a lock held too long."""
    sqlite3 = sys.modules.get("sqlite3")  # an engine that never loaded it raised none of its errors
    if sqlite3 is None or not isinstance(exc, sqlite3.DatabaseError):
        return False
    return "locked" not in str(exc) and "busy" not in str(exc)


_FILE_NAME = re.compile(r"[\w.-]+\.(?:seg|toc|trm|pst|col|store|idx|pos|term|fast|fieldnorm|del|json|sqlite|bin)\b")


def damage_detail(exc: BaseException, data_dir: Path, engine: str) -> str:
    """A damaged index in words, from an engine error: which of its files it names, if any."""
    for name in _FILE_NAME.findall(str(exc)):
        name = os.path.basename(name)
        if (data_dir / name).exists():
            return f"{engine} file {name} cannot be read"
        return f"{engine} file {name} is missing"
    return f"{engine} cannot read its files"


def damaged(root: Path, detail: str, meta: dict[str, Any]) -> IndexDamaged:
    """The error for a damaged index, naming a root it can be rebuilt from."""
    return IndexDamaged(str(root), detail, list(meta.get("roots") or []))


def open_engine(index: IndexCore, verify: bool = True) -> Backend:
    """Open the engine of an index's current data folder; IndexDamaged if its files are not as written.

    A data folder that fails is tried again, after looking in persearch.json
    first: a rebuild may have just swapped it (and deleted the old one), or a
    writer committed while the engine was reading.
    """
    detail = ""
    for _ in range(3):
        meta = index._meta
        data_dir = index.root / meta["data"]
        backend = None
        try:
            backend = backend_class(meta["backend"]).open(data_dir, analyzer=index.analyzer,
                                                          lock_timeout=index.lock_timeout)
            problems = damaged_files(data_dir, backend) if verify else []
        except MissingExtra:
            raise
        except PersearchError:  # no engine index in the folder at all
            detail = _recorded_problem(data_dir, meta["backend"]) or \
                f"its {meta['backend']} files are missing from {meta['data']}"
        except BaseException as exc:
            if not engine_failure(exc):
                raise
            detail = _recorded_problem(data_dir, meta["backend"]) or damage_detail(exc, data_dir, meta["backend"])
        else:
            if not problems:
                return backend
            detail = problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        if backend is not None:
            backend.close()
            backend = None  # not kept alive by this frame in the error's traceback
        # A rebuild may have just swapped the data folder (and deleted this one), or a writer
        # committed while the engine read its table of contents: look again before calling it damage.
        fresh = read_meta(index.root)
        if fresh["data"] == meta["data"]:
            time.sleep(0.05)
        index._meta, index._meta_stamp = fresh, index._stamp()
    raise damaged(index.root, detail, index._meta)


def write_error(index: IndexCore, exc: BaseException) -> BaseException:
    """A failed write in words: a full disk, a folder that may not be written, damaged engine files
    (else ``exc`` itself)."""
    if isinstance(exc, (PersearchError, KeyboardInterrupt)):
        return exc
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return PersearchError(f"no space left on the disk of the index at {index.root}: it keeps every document "
                              f"committed before; free some space and run the same command again")
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return not_writable(index.root, exc)
    if isinstance(exc, OSError):  # another system error: as it is (the command line prints it in one line)
        return exc
    if engine_failure(exc):
        problems = damaged_files(index.data_dir, index._backend)
        return damaged(index.root, problems[0] if problems else
                       damage_detail(exc, index.data_dir, index.backend_name), index._meta)
    return exc


def close_quietly(backend: Backend) -> None:
    """Close an engine being replaced; a damaged one may fail to close, which changes nothing."""
    try:
        backend.close()
    except Exception:  # noqa: BLE001 - it is being dropped either way
        pass


def cancel_quietly(backend: Backend) -> None:
    """Drop uncommitted changes after a failure, which may be the engine's own."""
    try:
        backend.cancel()
    except Exception:  # noqa: BLE001 - the first failure is the one to report
        pass


class GuardedBackend:
    """An index's backend as readers see it: a damaged engine raises IndexDamaged, not its own error.

    Every attribute comes from the index's backend (``Index.backend`` reopens
    it first when a rebuild swapped the data folder). A read that fails inside the engine is
    tried once more on a fresh open, which checks the files again (a writer
    may have just committed, or a rebuild deleted the folder being read);
    if that fails too, it is :class:`~persearch.errors.IndexDamaged`.
    Writes are not wrapped: the index's write lock path handles them. The
    index makes a new one whenever its backend is replaced, so a cache keyed
    by the backend (the spelling table) does not outlive it.
    """

    __slots__ = ("_ref", "__weakref__")
    _WRITES = frozenset({"add", "append", "delete", "delete_paths", "commit", "cancel", "optimize", "close"})

    def __init__(self, index: IndexCore) -> None:
        # A weak reference: no cycle, so an index nobody holds is freed (and its engine's
        # memory maps with it) at once, not whenever the garbage collector runs.
        object.__setattr__(self, "_ref", weakref.ref(index))

    @property
    def _index(self) -> IndexCore:
        index = self._ref()
        if index is None:
            raise PersearchError("this backend's index was closed and dropped; open the index again")
        return index

    def __getattr__(self, name: str) -> Any:
        # The index's engine as of when this guard was handed out (Index.backend looked at
        # persearch.json then): no stat per call on the search path.
        value = getattr(self._index._backend, name)
        if name.startswith("_") or name in self._WRITES or not callable(value):
            return value
        return partial(self._read, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._index._backend, name, value)

    def __repr__(self) -> str:
        return f"GuardedBackend({self._index._backend!r})"

    def _read(self, name: str, *args: Any, **kwargs: Any) -> Any:
        index = self._index
        try:
            return getattr(index._backend, name)(*args, **kwargs)
        except BaseException as exc:
            if not engine_failure(exc):
                raise
        index._reopen()  # IndexDamaged here when its files are found damaged
        try:
            return getattr(index._current(), name)(*args, **kwargs)
        except BaseException as exc:
            if not engine_failure(exc):
                raise
            raise damaged(index.root, damage_detail(exc, index.data_dir, index.backend_name),
                          index._meta) from exc


@dataclass
class CheckReport:
    """What ``Index.check`` found: facts, problems, and notes (harmless, repaired by the next write)."""

    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "facts": self.facts, "problems": self.problems, "notes": self.notes}


def check(index: IndexCore) -> CheckReport:
    """Read the whole index without changing anything (``persearch doctor``).

    Every engine file against its checksum; every segment opened and read
    through (terms, stored fields, texts); the document count against the
    manifest's; the manifest against the engine's generation; the roots.
    """
    from .manifest import Manifest

    report = CheckReport()
    backend, data_dir = index._backend, index.data_dir
    recorded = _recorded(data_dir)
    if recorded is None:
        report.notes.append("no checksums recorded (an index written by an older persearch): "
                            "the next write records them")
    elif recorded.get("generation") != backend.generation():
        report.notes.append("the checksums describe an earlier commit (a write was cut short): "
                            "the next write records them anew")
    else:
        report.problems.extend(damaged_files(data_dir, backend, full=True))
        report.facts.append(f"{len(recorded['files'])} {backend.name} files match their checksums"
                            if not report.problems else "")
    segments, documents, problems = backend.read_everything()
    report.problems.extend(problems)
    report.facts.append(f"{segments} segment(s) opened and read through: {documents} documents, "
                        f"their stored texts readable" if not problems else f"{segments} segment(s) opened")
    _check_spelling(report, data_dir, backend, documents)
    manifest = Manifest.read(data_dir)
    if manifest is None:
        report.notes.append("the manifest is missing or unreadable: the next write rebuilds it from the index")
        return _tidy(report)
    if manifest.generation != backend.generation():
        report.notes.append("the manifest describes an earlier commit (a write was cut short): "
                            "the next write brings it up to date")
    partial = [path for path, entry in manifest.files.items() if entry.to_read_again]
    if partial:
        report.notes.append(f"{len(partial)} file(s) to read again (an interrupted write, or new field options): "
                            f"the next update reads them")
    from_files = sum(1 for _ in backend.file_records()) if not problems else None
    expected = sum(entry.documents for entry in manifest.files.values())
    if from_files is not None and not partial and manifest.generation == backend.generation():
        if from_files != expected:
            report.problems.append(f"the index holds {from_files} documents from files, "
                                   f"the manifest says {expected}")
        else:
            report.facts.append(f"{len(manifest.files)} file(s), {expected} documents, as the manifest says")
    missing = [root for root in manifest.roots if not os.path.exists(root)]
    if missing:
        report.notes.append(f"{len(missing)} recorded root(s) cannot be found: {', '.join(missing[:3])}")
    return _tidy(report)


def _check_spelling(report: CheckReport, data_dir: Path, backend: Backend, documents: int) -> None:
    """The stored spelling table, read through. It is not in the checksums: a table that is
    missing, cut short or of another commit is never used (suggestions build one in memory) and
    the next write stores it again; one whose bytes were overwritten is damage a rebuild repairs."""
    from ..spelling import FILE_NAME, SpellingFile

    path = data_dir / FILE_NAME
    if not path.exists():
        report.notes.append(f"no spelling table stored ({FILE_NAME}): suggestions build it in memory; "
                            f"the next write stores it")
        return
    try:
        table = SpellingFile(path)
    except (OSError, ValueError) as exc:
        report.notes.append(f"the spelling table {FILE_NAME} is not used ({exc}): suggestions build it in "
                            f"memory; the next write stores it again")
        return
    try:
        if table.generation != backend.generation():
            report.notes.append(f"the spelling table {FILE_NAME} describes another commit: suggestions build "
                                f"it in memory; the next write stores it again")
        elif (problem := table.verify(documents)) is not None:
            report.problems.append(f"the spelling table {FILE_NAME} is damaged: {problem}")
        else:
            report.facts.append(f"the spelling table reads back: {len(table)} terms")
    finally:
        table.close()


def _tidy(report: CheckReport) -> CheckReport:
    report.facts = [fact for fact in report.facts if fact]
    return report


__all__ = ["IndexCore", "CHECKSUMS_FILE", "record_checksums", "damaged_files", "engine_failure", "damage_detail", "damaged",
           "open_engine", "write_error", "close_quietly", "cancel_quietly", "GuardedBackend", "CheckReport", "check"]
