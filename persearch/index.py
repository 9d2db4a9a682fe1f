"""A persearch index on disk: create/open, add files, keep it in step with them.

    >>> from persearch import Index
    >>> with Index.open("نمایه", create=True) as index:       # doctest: +SKIP
    ...     report = index.add_paths(["اخبار/"])
    ...     index.search("رئیس‌جمهوری").total

Layout of an index folder::

    DIR/persearch.json     format, schema version, analyzer, backend, current data folder
    DIR/write.lock         held (flock) by the one process writing
    DIR/data-N/            the engine's files + manifest.json (path -> size, mtime, hash)

The update model: a file is unchanged when its size and mtime match the
manifest (no read at all), or when its content hash does (read, not
analyzed). Changes are committed in chunks; after every engine commit the
manifest is replaced atomically and records the engine generation it
describes. If a crash falls between the two, the next writer sees the
generation mismatch and rebuilds the manifest from the stored fields, so
nothing is lost or indexed twice. ``rebuild()`` builds ``data-N+1`` beside the
old folder and switches ``persearch.json`` to it with one atomic rename.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from .analysis import Analyzer
from .analysis.analyzer import ANALYZER_VERSION
from .backends.base import Document
from .errors import IndexIncompatible, IndexLocked, IndexNotFound, InvalidOption, MissingExtra, PersearchError
from .files import write_json

if TYPE_CHECKING:  # ingest (HTML, CSV, hashing) loads only when files are read: searches start faster
    from .ingest import FileResult, IngestOptions
    from .query import Results

#: Bumped whenever fields or their analysis change incompatibly.
SCHEMA_VERSION = 3  # 2: body tokens stored for the highlighter; 3: stored in one byte a letter
#: Older schema versions still read, by backend: a version-2 Whoosh index
#: differs only in how its stored token terms are written (UTF-8), still read.
_READABLE_VERSIONS = {"whoosh": {2}}
META_FILE = "persearch.json"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "write.lock"
_FORMAT_TAG = "persearch-index"
BACKENDS = ("whoosh", "tantivy", "sphinx")
#: Manifest keys also kept in persearch.json, so a lost manifest loses no roots.
_SHARED = ("roots", "excluded", "options")

Progress = Callable[[int, int, str], None]


@dataclass
class UpdateReport:
    """What an add/update/remove did, counted in files (or ids for remove)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"added", "updated", "removed", "unchanged", "failed": [{"path", "error"}]}``."""
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged, "failed": [{"path": p, "error": e} for p, e in self.failed]}

    def __str__(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.removed} removed, "
                f"{self.unchanged} unchanged, {len(self.failed)} failed")


@dataclass
class _Job:
    path: str
    format: str
    size: int
    old_hash: str | None
    options: IngestOptions


@dataclass
class _Scan:
    """What :meth:`Index._scan` found under the targets of a sync."""

    jobs: list[_Job] = field(default_factory=list)  # files to read: new, changed, or to read again
    vanished: list[str] = field(default_factory=list)  # indexed files that are gone
    seen: set[str] = field(default_factory=set)
    reached_via: dict[str, str] = field(default_factory=dict)  # outside every root: where the link to it is
    unlinked: set[str] = field(default_factory=set)  # had such a link location, now belong in a root


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _backend_class(name: str) -> Any:
    """The backend class for a recorded name (tantivy raises MissingExtra when not installed)."""
    if name == "whoosh":
        from .backends.whoosh_backend import WhooshBackend
        return WhooshBackend
    if name == "tantivy":
        from .backends.tantivy_backend import TantivyBackend
        return TantivyBackend
    if name == "sphinx":
        from .backends.sphinx.backend import SphinxBackend
        return SphinxBackend
    raise InvalidOption(f"unknown backend {name!r}: use {', '.join(BACKENDS)}")


def _engine_options(backend: str, meta: dict[str, Any] | None, nodes: Any) -> dict[str, Any]:
    """Options a backend is created with: ``nodes`` if given, else those recorded
    for the same backend (a sphinx index's nodes); whoosh and tantivy take none."""
    if nodes:
        if "nodes" not in getattr(_backend_class(backend), "takes_options", ()):
            raise InvalidOption(f"nodes are for the sphinx backend, not {backend}")
        return {"nodes": nodes}
    if meta and meta.get("backend") == backend:
        return dict(meta.get("backend_options") or {})
    return {}


def _discard(backend: str | None, folder: Path) -> None:
    """Let an engine drop what it keeps outside a data folder that is going (sphinx: rows on its nodes)."""
    if backend in BACKENDS and folder.is_dir():
        try:
            discard = getattr(_backend_class(backend), "discard", None)
            if discard is not None:
                discard(folder)
        except PersearchError:  # best effort: its extra is gone, or its engine does not answer
            pass


def _empty_manifest() -> dict[str, Any]:
    return {"generation": -1, "updated_at": None, "roots": [], "excluded": [], "options": {}, "files": {}}


class Index:
    """A persearch index folder. Use :meth:`open` or :meth:`create`, then ``with``."""

    #: A chunk is committed when it reaches this many bytes of files...
    chunk_bytes: int = 32 * 1024 * 1024
    #: ...or this many files; a crash loses at most the current chunk.
    chunk_files: int = 10_000
    #: Below this many bytes in a batch, worker processes cost more than they save.
    parallel_min_bytes: int = 8 * 1024 * 1024

    def __init__(self, root: Path, meta: dict[str, Any], analyzer: Analyzer, lock_timeout: float) -> None:
        self.root = root
        self._meta_file = os.fspath(root / META_FILE)  # stat before every search: no pathlib
        self.analyzer = analyzer
        self.lock_timeout = lock_timeout
        self._meta = meta
        self._meta_stamp = self._stamp()
        self._backend: Any = _backend_class(meta["backend"]).open(root / meta["data"], analyzer=analyzer,
                                                                  lock_timeout=lock_timeout)
        self._lock_fd: int | None = None

    # -- opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, backend: str | None = None, *,
               overwrite: bool = False, lock_timeout: float = 10.0, nodes: Any = None) -> "Index":
        """Create an empty index in folder ``path`` (made if missing).

        ``backend``: "whoosh" (the default) or "tantivy" (much faster; needs
        ``pip install 'persearch[tantivy]'``, else MissingExtra). It is
        recorded in the index and used again by every :meth:`open`. With
        ``overwrite=True`` the index replaced, even one of an older schema
        version, keeps its backend unless ``backend`` is given. ``nodes``: the
        Sphinx nodes of a "sphinx" index (``"HOST:PORT,HOST:PORT"``).

        >>> Index.create("نمایه", Analyzer(stemmer=None), backend="tantivy")      # doctest: +SKIP
        """
        return cls._create(path, analyzer, backend, overwrite=overwrite, keep=False, lock_timeout=lock_timeout,
                           nodes=nodes)

    @classmethod
    def recreate(cls, path: str | os.PathLike[str], backend: str | None = None, *,
                 lock_timeout: float = 10.0) -> "Index":
        """Replace an index this persearch cannot read (another schema or
        analyzer version, a damaged ``persearch.json``) by an empty one.

        What can still be read of the old one is kept, in the same locked
        step: its roots, exclusions and field options (from ``persearch.json``,
        else from its manifest), analyzer options and (unless ``backend`` is
        given) its backend, so that :meth:`rebuild` or :meth:`update` indexes
        the same files again. This is what ``persearch index PATH --rebuild``
        does with an index it cannot open.
        """
        return cls._create(path, None, backend, overwrite=True, keep=True, lock_timeout=lock_timeout)

    @classmethod
    def _create(cls, path: str | os.PathLike[str], analyzer: Analyzer | None, backend: str | None, *,
                overwrite: bool, keep: bool, lock_timeout: float, nodes: Any = None) -> "Index":
        root = Path(path).expanduser().absolute()
        if root.exists() and not root.is_dir():
            raise InvalidOption(f"{root} is a file: an index is a folder")
        if backend is not None:
            _backend_class(backend)  # an unknown backend or a missing extra fails before the disk is touched
            _engine_options(backend, None, nodes)  # and so do options it does not take
        root.mkdir(parents=True, exist_ok=True)
        with _file_lock(root, lock_timeout):
            old = _old_meta(root, overwrite)
            if old is not None and not overwrite:
                raise PersearchError(f"{root} already holds an index; open it, or create with overwrite=True")
            shared = _kept_settings(root, old) if keep else {}
            if analyzer is None:
                analyzer = _kept_analyzer(old) if keep else Analyzer()
            backend = backend or (old or {}).get("backend") or "whoosh"
            backend_cls = _backend_class(backend)
            newest = old["data"] if old else next((folder.name for folder in _data_folders(root)), None)
            data = _next_data_name(newest)
            shutil.rmtree(root / data, ignore_errors=True)  # left by a crashed rebuild, or by an unreadable index
            created = backend_cls.create(root / data, analyzer, lock_timeout=lock_timeout,
                                         **_engine_options(backend, old, nodes))
            options = getattr(created, "options", None)
            manifest = {**_empty_manifest(), **shared}
            manifest["generation"] = created.generation()
            manifest["updated_at"] = _now()
            write_json(root / data / MANIFEST_FILE, manifest)
            created.close()
            meta = {"format": _FORMAT_TAG, "schema_version": SCHEMA_VERSION, "backend": backend,
                    "analyzer": analyzer.config(), "data": data, "created_at": _now(), **shared}
            if options:
                meta["backend_options"] = options
            write_json(root / META_FILE, meta)
            if old is not None:
                _discard(old.get("backend"), root / str(old.get("data")))
            _remove_stale(root, data)
        return cls(root, meta, analyzer, lock_timeout)

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = False, *, analyzer: Analyzer | None = None,
             backend: str = "whoosh", lock_timeout: float = 10.0, nodes: Any = None) -> "Index":
        """Open the index in ``path``; with ``create=True`` make one if there is none.

        ``backend`` ("whoosh" or "tantivy") is used only when creating: an
        existing index is opened with the backend recorded in it.

        Raises IndexNotFound when ``path`` holds no index and IndexIncompatible
        when it was built with another schema version or (if given) analyzer.
        """
        root = Path(path).expanduser().absolute()
        if not (root / META_FILE).exists():
            if create:
                try:
                    return cls.create(root, analyzer, backend, lock_timeout=lock_timeout, nodes=nodes)
                except PersearchError:
                    if not (root / META_FILE).exists():
                        raise  # else another process created it meanwhile: open that
            else:
                raise IndexNotFound(f"no index at {root}; run: persearch index PATH --index {root}")
        meta = _read_meta(root)
        if meta["analyzer"].get("version", 0) != ANALYZER_VERSION:
            raise IndexIncompatible(
                f"index at {root} was built by another persearch (analyzer version "
                f"{meta['analyzer'].get('version', 0)}, this one is {ANALYZER_VERSION}); "
                f"rebuild it: persearch index PATH --index {root} --rebuild")
        stored = Analyzer(**meta["analyzer"])
        if analyzer is not None and analyzer.config() != stored.config():
            raise IndexIncompatible(
                f"index at {root} was built with analyzer {_describe(stored)}, not {_describe(analyzer)}; "
                f"open it without analyzer options or rebuild it into a new folder")
        return cls(root, meta, stored, lock_timeout)

    # -- life cycle -------------------------------------------------------------
    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close searchers and writers (uncommitted changes are dropped)."""
        if self._backend is not None:
            self._backend.close()
        self._release()

    def __repr__(self) -> str:
        return f"Index({str(self.root)!r})"

    @property
    def backend(self) -> Any:
        """The engine behind this index (reopened if ``rebuild`` swapped it)."""
        if self._stamp() != self._meta_stamp:
            self._reload_meta()
        return self._backend

    def _stamp(self) -> int:
        try:
            return os.stat(self._meta_file).st_mtime_ns
        except OSError:
            return -1

    def _reload_meta(self) -> None:
        stamp = self._stamp()
        meta = _read_meta(self.root)
        if meta["data"] != self._meta["data"]:
            old = self._backend
            self._backend = _backend_class(meta["backend"]).open(self.root / meta["data"], analyzer=self.analyzer,
                                                                 lock_timeout=self.lock_timeout)
            old.close()
        self._meta, self._meta_stamp = meta, stamp

    @property
    def backend_name(self) -> str:
        """The engine this index was created with: "whoosh" or "tantivy"."""
        return str(self._meta["backend"])

    @property
    def roots(self) -> list[str]:
        """The folders and files :meth:`update` re-scans (resolved paths)."""
        return list(self._meta.get("roots", []))

    @property
    def data_dir(self) -> Path:
        return self.root / self._meta["data"]

    # -- locking ------------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self) -> Iterator[dict[str, Any]]:
        """Hold the write lock; yield the manifest, reconciled with the engine."""
        if self._lock_fd is not None:
            raise PersearchError("this index is already being written (re-entrant call)")
        self._lock_fd = _acquire(self.root, self.lock_timeout)
        try:
            self._reload_meta()
            yield self._manifest()
        except BaseException:
            # Nothing half-done stays pending: an open engine writer would keep
            # the engine's lock, and could later commit over another process's work.
            self._backend.cancel()
            raise
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            _LOCK_FDS.discard(fd)
            os.close(fd)  # closing the descriptor releases the flock

    def _manifest(self) -> dict[str, Any]:
        path = self.data_dir / MANIFEST_FILE
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # Lost: roots and options have a copy in persearch.json, files come back below.
            manifest = {**_empty_manifest(), **{k: self._meta[k] for k in _SHARED if k in self._meta}}
        if manifest.get("generation") != self._backend.generation():
            # The engine committed but we died before the manifest was written
            # (or the manifest is gone): rebuild its file table from stored fields.
            files = self._files_from_backend(self._backend)
            for path, entry in manifest.get("files", {}).items():
                if path in files:
                    files[path][4:] = entry[4:]  # where a link to it is (see _home)
                    if entry[0] == -1:  # still to be read again with new options
                        files[path][:3] = entry[:3]
            manifest = {**_empty_manifest(), **manifest, "files": files}
            self._save(manifest)
        manifest["options"] = _options_by_path(manifest)
        return manifest

    @staticmethod
    def _files_from_backend(backend: Any) -> dict[str, list[Any]]:
        files: dict[str, list[Any]] = {}
        for _, path, size, mtime, hsh in backend.file_records():
            entry = files.setdefault(path, [size, int(mtime * 1e9), hsh, 0])
            entry[3] += 1
        return files

    def _remember(self, manifest: dict[str, Any]) -> None:
        """Copy roots, exclusions and options into persearch.json (they change rarely)."""
        shared = {k: manifest[k] for k in _SHARED}
        if any(self._meta.get(k) != v for k, v in shared.items()):
            self._meta = {**self._meta, **shared}
            write_json(self.root / META_FILE, self._meta)
            self._meta_stamp = self._stamp()

    def _save(self, manifest: dict[str, Any], backend: Any = None, data_dir: Path | None = None) -> None:
        backend = backend or self._backend
        manifest["generation"] = backend.generation()
        manifest["updated_at"] = _now()
        write_json((data_dir or self.data_dir) / MANIFEST_FILE, manifest)

    # -- files ------------------------------------------------------------------
    def add_paths(self, paths: Iterable[str | os.PathLike[str]], *, text_field: str | None = None,
                  title_field: str | None = None, id_field: str | None = None, max_size: int | None = None,
                  workers: int | None = None, progress: Progress | None = None) -> UpdateReport:
        """Index files and folders and remember them as roots for :meth:`update`.

        The field options (JSON/JSONL/CSV record fields, size limit) given are
        recorded for ``paths`` and everything under them, and used by every
        later :meth:`update`; options left as None keep what was recorded for
        a path before, else the defaults ("text", "title", "id", 64 MiB).
        ``workers``: processes for reading and analysis (None = up to 4 cores
        when the batch is big). ``progress(done, total, path)`` is called as
        files are processed.

        >>> index.add_paths(["اخبار"]).added                   # doctest: +SKIP
        12
        """
        roots = _resolved(paths)
        with self._writing() as manifest:
            existing = [root for root in roots if os.path.exists(root)]  # a typo is no root
            _add_roots(manifest, existing)
            _record_options(manifest, existing, _given(text_field=text_field, title_field=title_field,
                                                      id_field=id_field, max_size=max_size))
            # On disk before the first chunk: a crash must not forget the new options.
            self._save(manifest)
            self._remember(manifest)
            report = self._sync_files(manifest, roots, workers, progress)
            self._remember(manifest)  # a named file found gone is no longer a root
            return report

    def update(self, paths: Iterable[str | os.PathLike[str]] | None = None, *, workers: int | None = None,
               progress: Progress | None = None) -> UpdateReport:
        """Re-scan ``paths`` (default: the recorded roots): add new files,
        re-index changed ones, remove vanished ones.

        >>> index.update().unchanged                           # doctest: +SKIP
        12
        """
        with self._writing() as manifest:
            targets = _resolved(paths) if paths is not None else list(manifest["roots"])
            report = self._sync_files(manifest, targets, workers, progress)
            self._remember(manifest)  # a named file that is gone is no longer a root
            return report

    def remove(self, paths_or_ids: Iterable[str]) -> UpdateReport:
        """Remove files, folders (and stop indexing them) or document ids.

        >>> index.remove(["اخبار/قدیمی"]).removed               # doctest: +SKIP
        3
        """
        report = UpdateReport()
        with self._writing() as manifest:
            files = manifest["files"]
            for item in paths_or_ids:
                path = str(Path(item).expanduser().absolute().resolve())
                doomed = [p for p in files if _under(p, [path]) or _under(_home(p, files[p]), [path])]
                linked = any(_link_home(files[p]) for p in doomed)  # reached through a link: keep it out too
                if doomed or path in manifest["roots"]:
                    self._backend.delete_paths(doomed)
                    for p in doomed:
                        del files[p]
                    report.removed += len(doomed)
                    # Forget the path: as a root, the roots inside it and their field options.
                    manifest["roots"] = [r for r in manifest["roots"] if not _under(r, [path])]
                    for named in [p for p in manifest["options"] if _under(p, [path])]:
                        del manifest["options"][named]
                    reached = str(Path(item).expanduser().absolute())  # a link inside a root, to outside it
                    if (_under(path, manifest["roots"]) or _under(reached, manifest["roots"]) or linked) \
                            and path not in manifest["excluded"]:
                        manifest["excluded"].append(path)  # update() must not bring it back
                elif self._backend.stored(str(item)) is not None:
                    self._backend.delete([str(item)])
                    report.removed += 1
                elif "#" in str(item) and self._backend.stored(_record_id(str(item))) is not None:
                    self._backend.delete([_record_id(str(item))])  # a record named by a relative path
                    report.removed += 1
                else:
                    report.failed.append((str(item), "not in the index"))
            self._backend.commit()
            self._save(manifest)
            self._remember(manifest)
        return report

    def _sync_files(self, manifest: dict[str, Any], targets: list[str], workers: int | None,
                    progress: Progress | None, backend: Any = None, data_dir: Path | None = None) -> UpdateReport:
        """Bring the documents of files under ``targets`` in step with the disk."""
        from .ingest import read_file

        backend = backend or self._backend
        report = UpdateReport()
        files: dict[str, list[Any]] = manifest["files"]
        scan = self._scan(manifest, targets, report)
        jobs, vanished = scan.jobs, scan.vanished

        chunks = _chunks(jobs, self.chunk_bytes, self.chunk_files)
        total_bytes = sum(job.size for job in jobs)
        procs = _worker_count(workers, total_bytes, self.parallel_min_bytes, len(jobs))
        pool = _start_pool(procs) if procs > 1 else None
        done = 0
        try:
            for number, chunk in enumerate(chunks or [[]]):
                last = number == len(chunks) - 1 or not chunks
                segments: list[Any] = []
                if pool is not None and chunk:
                    # Does this chunk's commit delete too (replaced or vanished files)?
                    with_changes = (last and bool(vanished)) or any(job.path in files for job in chunk)
                    results, segments = _run_parallel(pool, procs, backend.name, str(data_dir or self.data_dir),
                                                      self.analyzer, chunk, with_changes)
                    stale = [r.path for r in results if r.path in files and not r.unchanged]
                    backend.delete_paths(stale)
                    for result in results:
                        self._account(result, files, report)
                    done += len(chunk)
                    if progress:
                        progress(done, len(jobs), chunk[-1].path)
                else:
                    for job in chunk:
                        result = read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash)
                        if job.path in files and not result.unchanged:
                            backend.delete_paths([job.path])
                        if result.documents:
                            backend.append(result.documents)
                        self._account(result, files, report)
                        done += 1
                        if progress:
                            progress(done, len(jobs), job.path)
                if last and vanished:
                    backend.delete_paths(vanished)
                    for p in vanished:
                        del files[p]
                    report.removed += len(vanished)
                backend.commit(segments)
                _set_homes(files, scan.reached_via, scan.unlinked)
                self._save(manifest, backend, data_dir)
        except BaseException:
            backend.cancel()
            raise
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        return report

    def _scan(self, manifest: dict[str, Any], targets: list[str], report: UpdateReport) -> "_Scan":
        """Walk ``targets``: which files to read, which are gone, which stay as they are.

        Counts unchanged files and reports what cannot be walked in ``report``.
        """
        from .ingest import walk

        files: dict[str, list[Any]] = manifest["files"]
        options_for = _OptionsLookup(manifest["options"])
        indexed = _PathCounter(_home(p, e) for p, e in files.items())
        scan = _Scan()
        unreachable: list[str] = []
        # The index's own folder may lie inside a root: its files are not documents.
        for item in walk(targets, skip=[*manifest["excluded"], str(self.root.resolve())]):
            if isinstance(item, tuple):
                path, reason = item
                # A recorded root folder that is not there (moved, an unmounted
                # disk) or a folder that cannot be read has not lost its files:
                # their documents are kept. A file that is gone is gone, and so
                # is a folder named to update() that is not a root.
                if path in files and reason == "not found":
                    if path in manifest["roots"]:  # a named file deleted: forget it (vanished below)
                        manifest["roots"].remove(path)
                    continue
                kept_back = reason.startswith("unreadable folder") or path in manifest["roots"]
                inside = indexed.inside(path) if kept_back else 0
                if inside:
                    unreachable.append(path)
                    reason += f"; its {inside} indexed file(s) are kept (persearch remove {path} drops them)"
                report.failed.append((path, reason))
                continue
            scan.seen.add(item.path)
            old = files.get(item.path)
            old_via = _link_home(old) if old is not None else None
            if not _under(item.path, manifest["roots"]):  # outside every root: reached through a link
                if item.via and item.via != item.path:
                    scan.reached_via[item.path] = item.via
                elif old_via is not None:  # named directly to update(): it still belongs where it did
                    scan.reached_via[item.path] = old_via
            via = scan.reached_via.get(item.path)
            if old_via is not None and via is None:
                scan.unlinked.add(item.path)
            # New options where it now belongs (another root, another link): read it again.
            # (Looked up only for linked files: most files take the fast path below.)
            moved = (old_via is not None or via is not None) and \
                options_for(item.path, via) != options_for(item.path, old_via)
            if old is not None and old[0] == item.size and old[1] == item.mtime_ns and not moved:
                report.unchanged += 1  # the fast path: not even read
                continue
            scan.jobs.append(_Job(item.path, item.format, item.size, old[2] if old and not moved else None,
                                  options_for(item.path, via)))
        # A root folder that is there but empty, while the index holds files from
        # it, is most likely an unmounted disk's mount point: keep its documents.
        found = _PathCounter(scan.seen)
        for target in targets:
            if target not in manifest["roots"] or _under(target, unreachable) or found.inside(target):
                continue
            inside = indexed.inside(target)
            if inside and _empty_folder(target):
                unreachable.append(target)
                report.failed.append((target, f"empty folder (a disk not mounted?); its {inside} indexed "
                                              f"file(s) are kept (persearch remove {target} drops them)"))
        scan.vanished = [p for p in files if p not in scan.seen
                         and (_under(p, targets) or _under(_home(p, files[p]), targets))
                         and not (_under(p, unreachable) or _under(_home(p, files[p]), unreachable))]
        return scan

    @staticmethod
    def _account(result: FileResult, files: dict[str, list[Any]], report: UpdateReport) -> None:
        if result.error is not None:
            report.failed.append((result.path, result.error))
            files.pop(result.path, None)
            return
        entry = [result.size, result.mtime_ns, result.hash, result.doc_count]
        if result.unchanged:
            entry[3] = files[result.path][3]
            report.unchanged += 1
        elif result.path in files:
            report.updated += 1
        else:
            report.added += 1
        files[result.path] = entry
        report.failed.extend(result.problems)

    # -- documents from code ---------------------------------------------------
    def add_document(self, id: str, text: str, title: str | None = None, **fields: Any) -> None:
        """Add (or replace) one document and commit; extra fields become metadata.

        >>> index.add_document("یادداشت-۱", "کتاب‌ها را خواندم", tags=["کتاب"])   # doctest: +SKIP
        """
        self.add_documents([Document(id=str(id), text=text, title=title or "", metadata=fields)])

    def add_documents(self, documents: Iterable[Document | Mapping[str, Any]]) -> int:
        """Add (or replace by id) many documents in one commit; returns how many.

        Each is a :class:`~persearch.Document` or a mapping with ``id`` and
        ``text``, optionally ``title``; its other keys become metadata.

        >>> index.add_documents([{"id": "۱", "text": "کتاب تازه", "tags": ["کتاب"]}])  # doctest: +SKIP
        1
        """
        docs = [_as_document(item) for item in documents]  # a bad one fails before anything is written
        with self._writing() as manifest:
            self._backend.add(docs)
            self._backend.commit()
            self._save(manifest)
        return len(docs)

    def optimize(self) -> None:
        """Merge the index into one segment: faster searches, at the cost of one full rewrite.

        Worth it after a large build done in chunks or by several workers
        (``persearch index --optimize``); an update adds small segments again.
        """
        with self._writing() as manifest:
            self._backend.optimize()
            self._save(manifest)

    def delete(self, id: str) -> bool:
        """Delete one document by id; True if it was there."""
        with self._writing() as manifest:
            if self._backend.stored(id) is None:
                return False
            self._backend.delete([id])
            self._backend.commit()
            doc_path = id.split("#", 1)[0]
            entry = manifest["files"].get(doc_path)
            if entry is not None:
                entry[3] -= 1
                if entry[3] <= 0:
                    del manifest["files"][doc_path]
            self._save(manifest)
        return True

    def rebuild(self, paths: Iterable[str | os.PathLike[str]] = (), *, text_field: str | None = None,
                title_field: str | None = None, id_field: str | None = None, workers: int | None = None,
                progress: Progress | None = None, backend: str | None = None, nodes: Any = None) -> UpdateReport:
        """Re-index every root (plus ``paths``) into a fresh folder, then swap it in atomically.

        Field options given are recorded for ``paths`` (for every root when
        no paths are given); those left as None keep the recorded ones.
        ``backend`` moves the index to another engine ("whoosh", "tantivy" or
        "sphinx"; ``nodes`` gives a sphinx index its nodes, else the recorded
        ones are used). Documents added with :meth:`add_document` are copied over
        from their stored text. Readers see the old index until the swap.
        """
        backend = backend or self._meta["backend"]
        backend_cls = _backend_class(backend)
        with self._writing() as manifest:
            named = _resolved(paths)
            _refuse_unreachable_roots(manifest)  # a fresh build would lose their documents
            _add_roots(manifest, [root for root in named if os.path.exists(root)])
            _record_options(manifest, named or list(manifest["roots"]),
                            _given(text_field=text_field, title_field=title_field, id_field=id_field))
            old_data = self._meta["data"]
            _remove_stale(self.root, old_data)
            new_data = _next_data_name(old_data)
            new_backend = backend_cls.create(self.root / new_data, self.analyzer, lock_timeout=self.lock_timeout,
                                             **_engine_options(backend, self._meta, nodes))
            options = getattr(new_backend, "options", None)
            try:
                fresh = {**_empty_manifest(), "roots": list(manifest["roots"]),
                         "excluded": list(manifest["excluded"]), "options": dict(manifest["options"])}
                own = [Document(id=s["id"], text=s["text"], title=s.get("title", ""),
                                metadata=s.get("metadata") or {})
                       for s in self._backend.iter_stored() if not s.get("path")]
                if own:
                    new_backend.append(own)
                report = self._sync_files(fresh, list(fresh["roots"]), workers, progress,
                                          backend=new_backend, data_dir=self.root / new_data)
                if own and not fresh["roots"]:
                    new_backend.commit()
                    self._save(fresh, new_backend, self.root / new_data)
            except BaseException:
                new_backend.close()
                _discard(backend, self.root / new_data)
                shutil.rmtree(self.root / new_data, ignore_errors=True)
                raise
            new_backend.close()
            meta = {**self._meta, **{k: fresh[k] for k in _SHARED}, "data": new_data, "backend": backend,
                    "schema_version": SCHEMA_VERSION, "rebuilt_at": _now()}
            meta.pop("backend_options", None)
            if options:
                meta["backend_options"] = options
            old_backend = self._meta["backend"]
            write_json(self.root / META_FILE, meta)  # the atomic swap
            self._reload_meta()
            _discard(old_backend, self.root / old_data)
            shutil.rmtree(self.root / old_data, ignore_errors=True)
        return report

    # -- reading ---------------------------------------------------------------
    def stored_text(self, id: str) -> str | None:
        """The text stored for a document (what its offsets point into)."""
        stored = self.backend.stored(id)
        return None if stored is None else stored["text"]

    def document(self, id: str) -> dict[str, Any] | None:
        """All stored fields of a document (id, path, title, text, format, metadata, ...)."""
        return self.backend.stored(id)

    def __len__(self) -> int:
        return self.backend.doc_count()

    def stats(self) -> dict[str, Any]:
        """Documents, distinct terms, size on disk, roots, last update, analyzer.

        >>> index.stats()["documents"]                         # doctest: +SKIP
        4108
        """
        backend = self.backend
        try:
            manifest = json.loads((self.data_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = _empty_manifest()
        size = sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
        return {
            "path": str(self.root), "documents": backend.doc_count(), "files": len(manifest.get("files", {})),
            "terms": backend.term_count(), "size_bytes": size, "roots": manifest.get("roots", []),
            "updated_at": manifest.get("updated_at"), "analyzer": self.analyzer.config(),
            "backend": self._meta["backend"], "schema_version": self._meta["schema_version"],
            "segments": backend.segment_count(),
            **({"nodes": backend.node_stats()} if hasattr(backend, "node_stats") else {}),
        }

    def search(self, query: str, limit: int = 10, page: int = 1, fields: Sequence[str] | None = None,
               **options: Any) -> Results:
        """One page of ranked hits with highlighted snippets: :func:`persearch.query.search`
        (its other keyword arguments, and filters on stored fields, pass through).

        >>> index.search("رئیس‌جمهوری", limit=5).total        # doctest: +SKIP
        2
        """
        from .query import search
        return search(self, query, limit=limit, page=page, fields=fields, **options)


# -- helpers -----------------------------------------------------------------

def _describe(analyzer: Analyzer) -> str:
    return ", ".join(f"{k}={v}" for k, v in analyzer.config().items())


def _read_meta(root: Path, any_version: bool = False) -> dict[str, Any]:
    try:
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(f"no index at {root}; run: persearch index PATH --index {root}") from None
    except (OSError, ValueError) as exc:
        raise IndexIncompatible(f"{root / META_FILE} is unreadable ({exc}); rebuild the index") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT_TAG:
        # Some other program's file: never overwritten, nor the folders beside it.
        raise PersearchError(f"{root / META_FILE} is not a persearch index's file; "
                             f"choose another folder for the index")
    version = meta.get("schema_version")
    if not any_version and version != SCHEMA_VERSION and version not in _READABLE_VERSIONS.get(str(meta.get("backend")), ()):
        raise IndexIncompatible(f"index at {root} has schema version {meta.get('schema_version')}, this persearch "
                                f"needs {SCHEMA_VERSION}; re-create it: persearch index PATH --index NEWDIR")
    return meta


def _old_meta(root: Path, overwrite: bool) -> dict[str, Any] | None:
    """The persearch.json an index being created would replace; one that
    cannot be read counts as none when overwriting."""
    if not (root / META_FILE).exists():
        return None
    try:
        return _read_meta(root, any_version=True)
    except (IndexIncompatible, IndexNotFound):
        if not overwrite:
            raise
        return None


def _next_data_name(current: str | None) -> str:
    number = int(current.rsplit("-", 1)[1]) + 1 if current else 1
    return f"data-{number}"


def _empty_folder(path: str) -> bool:
    """A folder with nothing in it at all: how an unmounted disk's mount point looks."""
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _refuse_unreachable_roots(manifest: dict[str, Any]) -> None:
    """Raise if a root holding indexed files is missing or an empty folder."""
    indexed = _PathCounter(_home(p, e) for p, e in manifest["files"].items())
    for root in manifest["roots"]:
        inside = indexed.inside(root)
        if inside and (not os.path.exists(root) or _empty_folder(root)):
            raise PersearchError(f"{root} cannot be reached (missing, or an empty folder: a disk not mounted?); "
                                 f"a rebuild would lose its {inside} indexed file(s): make it reachable, "
                                 f"or drop it first: persearch remove {root}")


def _data_folders(root: Path) -> list[Path]:
    """The ``data-N`` folders in an index folder, newest first (``data-raw`` is not one)."""
    found = [entry for entry in root.glob("data-*")
             if entry.is_dir() and entry.name[5:].isascii() and entry.name[5:].isdigit()]
    return sorted(found, key=lambda entry: int(entry.name[5:]), reverse=True)


def _remove_stale(root: Path, keep: str) -> None:
    """Delete data folders a crashed rebuild or create left behind (write lock held)."""
    for entry in _data_folders(root):
        if entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


def _kept_settings(root: Path, old: dict[str, Any] | None) -> dict[str, Any]:
    """Roots, exclusions and field options of an index being recreated: from its
    persearch.json, else (damaged) from the newest readable manifest."""
    sources = [old] if old else []
    for folder in _data_folders(root):
        try:
            sources.append(json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("roots"), list):
            kept = {k: source[k] for k in _SHARED if isinstance(source.get(k), (list, dict))}
            kept["options"] = _options_by_path({**_empty_manifest(), **kept})
            return kept
    return {}


def _kept_analyzer(old: dict[str, Any] | None) -> Analyzer:
    """The analyzer options of an index being recreated, at this persearch's version.

    A missing extra (hazm, parsivar) is an error rather than a silent change
    of analyzer; options this persearch no longer has fall back to the defaults.
    """
    try:
        return Analyzer(**{**(old or {}).get("analyzer", {}), "version": ANALYZER_VERSION})
    except MissingExtra:
        raise
    except (TypeError, InvalidOption):
        return Analyzer()


def _acquire(root: Path, timeout: float) -> int:
    """Take the index's write lock, waiting up to ``timeout`` seconds."""
    import fcntl

    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _LOCK_FDS.add(fd)
            return fd
        except OSError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise IndexLocked(f"index at {root} is being written by another process (waited {timeout:g} s); "
                                  f"try again when it has finished") from None
            time.sleep(0.05)


@contextlib.contextmanager
def _file_lock(root: Path, timeout: float) -> Iterator[None]:
    fd = _acquire(root, timeout)
    try:
        yield
    finally:
        _LOCK_FDS.discard(fd)
        os.close(fd)


def _chunks(jobs: list[_Job], max_bytes: int, max_files: int) -> list[list[_Job]]:
    chunks: list[list[_Job]] = []
    current: list[_Job] = []
    size = 0
    for job in jobs:
        if current and (size + job.size > max_bytes or len(current) >= max_files):
            chunks.append(current)
            current, size = [], 0
        current.append(job)
        size += job.size
    if current:
        chunks.append(current)
    return chunks


def _record_id(item: str) -> str:
    """``PATH#ID`` with PATH made absolute and resolved, as record ids are stored."""
    path, _, record = item.partition("#")
    return f"{Path(path).expanduser().absolute().resolve()}#{record}"


def _as_document(item: Document | Mapping[str, Any]) -> Document:
    """A Document from what :meth:`Index.add_documents` was given, or one clear error."""
    if isinstance(item, Mapping):
        fields = dict(item)
        if "id" not in fields or "text" not in fields:
            raise InvalidOption(f"a document needs an 'id' and a 'text', not only {sorted(fields)}")
        item = Document(id=fields.pop("id"), text=fields.pop("text"), title=fields.pop("title", None) or "",
                        metadata=fields)
    elif not isinstance(item, Document):
        raise InvalidOption(f"a document is a persearch.Document or a dict with 'id' and 'text', "
                            f"not {type(item).__name__}")
    if isinstance(item.id, int) and not isinstance(item.id, bool):
        item.id = str(item.id)
    if item.title is None:
        item.title = ""
    for name in ("id", "text", "title"):
        if not isinstance(getattr(item, name), str):
            raise InvalidOption(f"document {item.id!r}: {name} must be text, not {type(getattr(item, name)).__name__}")
    if not item.id:
        raise InvalidOption("a document id cannot be empty")
    return item


def _resolved(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    return [str(Path(p).expanduser().absolute().resolve()) for p in paths]


def _add_roots(manifest: dict[str, Any], roots: list[str]) -> None:
    """Record ``roots``. A folder inside a recorded folder is not recorded
    twice; a named file always is: the walk of its folder would skip it when
    its extension is not one persearch reads (NOTES, data.log)."""
    for root in roots:
        if root in manifest["roots"]:
            continue
        if not os.path.isdir(root):
            manifest["roots"].append(root)
        elif not _under(root, manifest["roots"]):
            inner = [r for r in manifest["roots"] if _under(r, [root]) and os.path.isdir(r)]
            manifest["roots"] = [r for r in manifest["roots"] if r not in inner] + [root]
    manifest["excluded"] = [e for e in manifest["excluded"] if not _under(e, roots)]


# Field options are recorded by the path they were given for: a later
# ``persearch index other/`` must not change how ``records.jsonl`` is read.
def _given(**options: Any) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


def _options_by_path(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{path: IngestOptions dict}``; older indexes kept one set, which applied to every root."""
    from .ingest import IngestOptions

    recorded = manifest.get("options") or {}
    if "text_field" in recorded:
        if IngestOptions(**recorded) == IngestOptions():
            return {}
        return {root: dict(recorded) for root in manifest.get("roots", [])}
    return dict(recorded)


def _record_options(manifest: dict[str, Any], paths: list[str], given: dict[str, Any]) -> None:
    """Apply ``given`` options to ``paths`` and everything under them; the
    files they change are read again by the next sync, however unchanged."""
    if not given:
        return
    by_path = manifest["options"]
    before = _OptionsLookup(by_path)
    merged = {path: {**before(path).to_dict(), **given} for path in paths}
    for path in paths:  # a path inside keeps its own options, but for the ones given now
        for inner in [p for p in by_path if _under(p, [path])]:
            by_path[inner] = {**by_path[inner], **given}
    by_path.update(merged)
    after = _OptionsLookup(by_path)
    for file, entry in manifest["files"].items():
        # Reached through a link from outside every root (a root may just have come to hold it).
        via = _link_home(entry) if not _under(file, manifest["roots"]) else None
        if (_under(file, paths) or _under(via or file, paths)) and before(file, via) != after(file, via):
            entry[:3] = [-1, -1, ""]  # no size, mtime or hash matches: read and indexed again


def _link_home(entry: list[Any]) -> str | None:
    """For a file outside every root that a root reaches through a link: where the
    link is (manifest entry item 4, after size, mtime, hash, documents); else None."""
    return entry[4] if len(entry) > 4 else None


def _home(path: str, entry: list[Any]) -> str:
    """Where an indexed file belongs: its path, or where the link to it is (:func:`_link_home`)."""
    return _link_home(entry) or path


def _set_homes(files: dict[str, list[Any]], reached_via: dict[str, str], unlinked: Iterable[str]) -> None:
    """Record where the links to the files just seen are, and clear it for those now in a root."""
    for path, via in reached_via.items():
        entry = files.get(path)
        if entry is not None and entry[4:] != [via]:
            entry[4:] = [via]
    for path in unlinked:
        entry = files.get(path)
        if entry is not None:
            del entry[4:]


class _OptionsLookup:
    """The options of the most specific recorded path holding a file, else the defaults.

    Looked up by walking up the file's folders (a few dict probes, whatever
    the number of recorded paths), remembered per folder.
    """

    def __init__(self, by_path: dict[str, dict[str, Any]]) -> None:
        from .ingest import IngestOptions

        self._options = {p: IngestOptions(**by_path[p]) for p in by_path}
        self._default = IngestOptions()
        self._folders: dict[str, IngestOptions | None] = {}

    def __call__(self, path: str, via: str | None = None) -> IngestOptions:
        """``via``: where the link is, for a file reached through a link from outside every root."""
        if path in self._options:  # a file named with options of its own
            return self._options[path]
        found = self._folder(os.path.dirname(via or path))
        return self._default if found is None else found

    def _folder(self, folder: str) -> IngestOptions | None:
        if folder in self._folders:
            return self._folders[folder]
        if folder in self._options:
            found: IngestOptions | None = self._options[folder]
        else:
            parent = os.path.dirname(folder)
            found = None if parent == folder else self._folder(parent)
        self._folders[folder] = found
        return found


class _PathCounter:
    """How many indexed files lie under a path (sorted once, then two bisections)."""

    def __init__(self, files: Iterable[str]) -> None:
        self._files: list[str] | None = None
        self._source = files

    def inside(self, path: str) -> int:
        import bisect

        if self._files is None:
            self._files = sorted(self._source)
        prefix = path.rstrip(os.sep) + os.sep
        # Every path starting with PREFIX sorts between PREFIX and PREFIX + U+10FFFF.
        below = bisect.bisect_right(self._files, prefix + "\U0010ffff") - bisect.bisect_left(self._files, prefix)
        return below


def _worker_count(workers: int | None, total_bytes: int, min_bytes: int, n_jobs: int) -> int:
    if workers is not None:
        if workers < 1:
            raise InvalidOption(f"workers must be at least 1, not {workers}")
        return min(workers, max(1, n_jobs))
    if total_bytes < min_bytes or n_jobs < 2:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _start_pool(procs: int) -> Any:
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    # fork where it is safe (Linux): fast, and needs no `if __name__ == "__main__"`
    # guard in the user's script. Forked workers close the inherited lock descriptors.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(max_workers=procs, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_init, initargs=(os.getpid(),))


def _worker_init(parent: int) -> None:
    """In a worker: leave Ctrl-C to the parent, and exit when the parent dies.

    Ctrl-C reaches the whole process group; the parent stops at the last
    committed chunk and shuts the pool down, so a worker must not die with a
    traceback of its own. kill -9 of the parent would leave workers waiting
    forever, hence the watcher thread.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


#: Write-lock descriptors this process holds; a forked child must not keep them
#: (a flock lives as long as any descriptor for it, so an orphaned worker would
#: keep the index locked after its parent was killed).
_LOCK_FDS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_LOCK_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _run_parallel(pool: Any, procs: int, backend: str, data_dir: str, analyzer: Analyzer, chunk: list[_Job],
                  with_changes: bool) -> tuple[list[FileResult], list[Any]]:
    """Split a chunk by size over the workers; each writes one segment."""
    groups: list[list[_Job]] = [[] for _ in range(procs)]
    loads = [0] * procs
    for job in sorted(chunk, key=lambda j: -j.size):
        k = loads.index(min(loads))
        groups[k].append(job)
        loads[k] += job.size + 512  # per-file overhead counts too
    futures = [pool.submit(_segment_task, backend, data_dir, analyzer, group, with_changes)
               for group in groups if group]
    results: list[FileResult] = []
    segments: list[Any] = []
    for future in futures:
        segment, group_results = future.result()
        segments.append(segment)
        results.extend(group_results)
    return results, segments


def _segment_task(backend: str, data_dir: str, analyzer: Analyzer, jobs: list[_Job],
                  with_changes: bool) -> tuple[Any, list[FileResult]]:
    """In a worker: read and analyze files into the backend's segment builder.

    What a finished builder returns is the backend's business (a Whoosh
    segment, tantivy segments or analyzed documents): the parent passes it to ``commit``.
    """
    from .ingest import read_file

    builder = _backend_class(backend).segment_builder(data_dir, analyzer, with_changes=with_changes)
    results = []
    for job in jobs:
        result = read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash)
        if result.documents:
            builder.append(result.documents)
        result.documents = []  # the parent needs counts, not texts
        results.append(result)
    return builder.finish(), results


__all__ = ["Index", "UpdateReport", "SCHEMA_VERSION"]
