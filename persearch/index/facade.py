"""The :class:`Index`: a persearch index folder, and what a program does with it.

    >>> from persearch import Index
    >>> with Index.open("نمایه", create=True) as index:       # doctest: +SKIP
    ...     report = index.add_paths(["اخبار/"])
    ...     index.search("رئیس‌جمهوری").total

The class only wires the rooms of this package together: the folder and its
versions (layout.py; a new one: creation.py), the write lock (lock.py), the
file table (manifest.py), field options per path (options.py), the sync with
the disk (sync.py) and its worker processes (workers.py). docs/indexing.md describes the update model.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence, cast

from ..analysis import Analyzer
from ..analysis.analyzer import ANALYZER_VERSION
from ..backends import DEFAULT_BACKEND
from ..backends.base import Backend, Document
from ..errors import IndexDamaged, IndexIncompatible, IndexNotFound, PersearchError
from ..files import write_json
from .commit import CommitPolicy, Pace, Progress
from .creation import create_folder
from .documents import add_in_batches
from .integrity import (CheckReport, GuardedBackend, cancel_quietly, check, close_quietly, open_engine,
                        record_checksums, write_error)
from .layout import META_FILE, SCHEMA_VERSION, describe, read_meta
from .typed import declare_fields, declared_fields, declared_fields_map
from .lock import acquire, release
from .manifest import SHARED_KEYS, Manifest
from .options import given, options_by_path, record_options
from .paths import record_id, resolved
from .sync import Sync, UpdateReport

if TYPE_CHECKING:
    from ..query.run import Results


class Index:
    """A persearch index folder. Use :meth:`open` or :meth:`create`, then ``with``."""

    #: A write commits when it has read this many bytes of files since its last commit...
    chunk_bytes: int = 16 * 1024 * 1024
    #: ...or indexed this many files...
    chunk_files: int = 10_000
    #: ...or this many documents...
    chunk_documents: int = 10_000
    #: ...or worked this many seconds: a crash or a kill loses at most that, Ctrl-C nothing.
    chunk_seconds: float = 10.0
    #: Below this many bytes in a batch, worker processes cost more than they save.
    parallel_min_bytes: int = 8 * 1024 * 1024
    #: A record file this big (or already indexed) is read one record at a time in this process.
    stream_min_bytes: int = 1024 * 1024
    #: Bytes an engine writer may buffer before writing out (Whoosh's posting pool,
    #: tantivy's indexing heap), per process; None: the engine's default.
    writer_memory: int | None = None

    def __init__(self, root: Path, meta: dict[str, Any], analyzer: Analyzer, lock_timeout: float, *,
                 verify: bool = True) -> None:
        self.root = root
        self._meta_file = os.fspath(root / META_FILE)  # stat before every search: no pathlib
        self.analyzer = analyzer
        self.lock_timeout = lock_timeout
        self._meta = meta
        self._meta_stamp = self._stamp()
        self._lock_fd: int | None = None
        self._backend: Backend = self._open_backend(verify)
        self._guard, self._guarded = GuardedBackend(self), self._backend

    # -- opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], analyzer: Analyzer | None = None, backend: str | None = None, *,
               overwrite: bool = False, lock_timeout: float = 10.0, **engine: Any) -> "Index":
        """Create an empty index in folder ``path`` (made if missing).

        ``backend``: "whoosh" (the default), "tantivy" (much faster; needs
        ``pip install 'persearch[tantivy]'``, else MissingExtra) or "sphinx"
        (Sphinx/Manticore nodes; ``persearch[sphinx]``). It is recorded in
        the index and used again by every :meth:`open`. Other keywords are
        the engine's options, recorded too (``nodes="HOST:PORT,HOST:PORT"``
        for sphinx; an option the engine does not take is an InvalidOption).
        With ``overwrite=True`` the index replaced, even one of an older
        schema version, keeps its backend (and its options) unless
        ``backend`` is given.

        >>> Index.create("نمایه", Analyzer(stemmer=None), backend="tantivy")      # doctest: +SKIP
        >>> Index.create("نمایه", backend="sphinx", nodes="127.0.0.1:9306,127.0.0.1:9307")  # doctest: +SKIP
        """
        return cls._create(path, analyzer, backend, overwrite=overwrite, keep=False, lock_timeout=lock_timeout,
                           engine=engine)

    @classmethod
    def recreate(cls, path: str | os.PathLike[str], backend: str | None = None, *,
                 lock_timeout: float = 10.0, **engine: Any) -> "Index":
        """Replace an index this persearch cannot read (another schema or
        analyzer version, a damaged ``persearch.json``) by an empty one.

        What can still be read of the old one is kept, in the same locked
        step: its roots, exclusions and field options (from ``persearch.json``,
        else from its manifest), analyzer options and (unless ``backend`` is
        given) its backend, so that :meth:`rebuild` or :meth:`update` indexes
        the same files again. This is what ``persearch index PATH --rebuild``
        does with an index it cannot open.
        """
        return cls._create(path, None, backend, overwrite=True, keep=True, lock_timeout=lock_timeout, engine=engine)

    @classmethod
    def _create(cls, path: str | os.PathLike[str], analyzer: Analyzer | None, backend: str | None, *,
                overwrite: bool, keep: bool, lock_timeout: float, engine: dict[str, Any]) -> "Index":
        root = Path(path).expanduser().absolute()
        meta, analyzer = create_folder(root, analyzer, backend, overwrite=overwrite, keep=keep,
                                       lock_timeout=lock_timeout, engine=engine)
        return cls(root, meta, analyzer, lock_timeout)

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = False, *, analyzer: Analyzer | None = None,
             backend: str = DEFAULT_BACKEND, lock_timeout: float = 10.0, verify: bool = True,
             **engine: Any) -> "Index":
        """Open the index in ``path``; with ``create=True`` make one if there is none.

        ``backend`` ("whoosh", "tantivy" or "sphinx") and the engine's options
        (``nodes=``, see :meth:`create`) are used only when creating: an
        existing index is opened with the backend and options recorded in it.

        Raises IndexNotFound when ``path`` holds no index, IndexIncompatible
        when it was built with another schema version or (if given) analyzer,
        and IndexDamaged when its engine files are missing or not as they
        were written (``verify=False`` skips that check: :meth:`check` does it).
        """
        root = Path(path).expanduser().absolute()
        if not (root / META_FILE).exists():
            if create:
                try:
                    return cls.create(root, analyzer, backend, lock_timeout=lock_timeout, **engine)
                except PersearchError:
                    if not (root / META_FILE).exists():
                        raise  # else another process created it meanwhile: open that
            else:
                raise IndexNotFound(f"no index at {root}; run: persearch index PATH --index {root}")
        meta = read_meta(root)
        if meta["analyzer"].get("version", 0) != ANALYZER_VERSION:
            raise IndexIncompatible(
                f"index at {root} was built by another persearch (analyzer version "
                f"{meta['analyzer'].get('version', 0)}, this one is {ANALYZER_VERSION}); "
                f"rebuild it: persearch index PATH --index {root} --rebuild")
        stored = Analyzer(**meta["analyzer"])
        if analyzer is not None and analyzer.config() != stored.config():
            raise IndexIncompatible(
                f"index at {root} was built with analyzer {describe(stored)}, not {describe(analyzer)}; "
                f"open it without analyzer options or rebuild it into a new folder")
        return cls(root, meta, stored, lock_timeout, verify=verify)

    # -- life cycle -------------------------------------------------------------
    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close searchers and writers (uncommitted changes are dropped)."""
        if getattr(self, "_backend", None) is not None:
            self._backend.close()
        self._release()

    def __repr__(self) -> str:
        return f"Index({str(self.root)!r})"

    @property
    def backend(self) -> Backend:
        """The engine behind this index, as readers use it: reopened when a rebuild swapped
        it, and an engine failing on damaged files raises IndexDamaged (integrity.py)."""
        current = self._current()
        if self._guarded is not current:  # one guard per engine object: caches keyed by it stay right
            self._guard, self._guarded = GuardedBackend(self), current
        return cast("Backend", self._guard)

    def _current(self) -> Backend:
        """The engine of the data folder persearch.json names now."""
        if self._stamp() != self._meta_stamp:
            self._reload_meta()
        return self._backend

    def _open_backend(self, verify: bool = True) -> Backend:
        """Open the engine of the current data folder; IndexDamaged if its files are not as written."""
        return open_engine(self, verify)

    def _reopen(self) -> None:
        """Open the engine afresh (after it failed: another process may have committed or rebuilt)."""
        self._meta, self._meta_stamp = read_meta(self.root), self._stamp()
        old, self._backend = self._backend, self._open_backend()
        close_quietly(old)

    def _stamp(self) -> int:
        try:
            return os.stat(self._meta_file).st_mtime_ns
        except OSError:
            return -1

    def _reload_meta(self) -> None:
        stamp = self._stamp()
        meta = read_meta(self.root)
        moved = meta["data"] != self._meta["data"]
        self._meta, self._meta_stamp = meta, stamp
        if moved:
            old, self._backend = self._backend, self._open_backend()
            close_quietly(old)

    @property
    def backend_name(self) -> str:
        """The engine this index was created with: "whoosh", "tantivy" or "sphinx"."""
        return str(self._meta["backend"])

    @property
    def backend_options(self) -> dict[str, Any]:
        """The engine's options, as recorded (a sphinx index: ``{"nodes": "HOST:PORT,HOST:PORT"}``)."""
        return dict(self._meta.get("backend_options") or {})

    @property
    def roots(self) -> list[str]:
        """The folders and files :meth:`update` re-scans (resolved paths)."""
        return list(self._meta.get("roots", []))

    @property
    def data_dir(self) -> Path:
        return self.root / self._meta["data"]

    # -- writing: the lock and the manifest ---------------------------------------
    @contextlib.contextmanager
    def _writing(self, lenient: bool = False) -> Iterator[Manifest]:
        """Hold the write lock; yield the manifest, reconciled with the engine.

        ``lenient`` (a rebuild): a damaged engine gives the manifest as recorded
        (roots, exclusions and options are what a rebuild needs).
        """
        if self._lock_fd is not None:
            raise PersearchError("this index is already being written (re-entrant call)")
        self._lock_fd = acquire(self.root, self.lock_timeout)
        try:
            try:
                self._reload_meta()
                manifest = self._manifest()
            except IndexDamaged:
                if not lenient:
                    raise
                manifest = self._recorded_manifest()  # what a rebuild needs: roots, exclusions, options
                manifest.options = options_by_path(manifest.options, manifest.roots)
            yield manifest
        except BaseException as exc:
            # Nothing half-done stays pending: an open engine writer would keep
            # the engine's lock, and could later commit over another process's work.
            cancel_quietly(self._backend)
            translated = write_error(self, exc)
            if translated is exc:
                raise
            raise translated from exc
        finally:
            self._release()

    def _recorded_manifest(self) -> Manifest:
        """The manifest as recorded; lost, its roots and options from the copy in persearch.json."""
        return Manifest.read(self.data_dir) or Manifest.from_json({k: self._meta[k] for k in SHARED_KEYS
                                                                    if k in self._meta})

    def _release(self) -> None:
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            release(fd)

    def _manifest(self) -> Manifest:
        manifest = self._recorded_manifest()  # lost: its files come back below
        if manifest.generation != self._backend.generation():
            # The engine committed but we died before the manifest was written
            # (or the manifest is gone): rebuild its file table from stored fields.
            manifest = manifest.recovered(self._backend)
            self._save(manifest)
        manifest.options = options_by_path(manifest.options, manifest.roots)
        return manifest

    def _remember(self, manifest: Manifest) -> None:
        """Copy roots, exclusions and options into persearch.json (they change rarely)."""
        self._update_meta(manifest.shared())

    def _update_meta(self, changes: Mapping[str, Any]) -> None:
        """Write ``changes`` into persearch.json, when they change anything."""
        if any(self._meta.get(k) != v for k, v in changes.items()):
            self._meta = {**self._meta, **changes}
            write_json(self.root / META_FILE, self._meta)
            self._meta_stamp = self._stamp()

    def _save(self, manifest: Manifest, backend: Backend | None = None, data_dir: Path | None = None, *,
              final: bool = True) -> None:
        """Write the manifest for the engine's last commit; after a write's last commit (``final``,
        its merges done, an interrupted write's too) the checksums of the engine's files and the
        spelling table of what was committed, for searches to map (persearch/spelling.py)."""
        backend = backend or self._backend
        data_dir = data_dir or self.data_dir
        if final:
            from ..spelling import write_for  # a write's end: searches never load it

            record_checksums(data_dir, backend)
            write_for(backend)  # nothing to do when the generation has its table (a no-change update)
        manifest.write(data_dir, backend.generation())

    def _sync(self, manifest: Manifest, backend: Backend | None = None, data_dir: Path | None = None) -> Sync:
        """A sync of ``manifest`` into this index's engine, or into ``backend`` in ``data_dir`` (a rebuild)."""
        return Sync(manifest, backend or self._backend, self.analyzer, data_dir or self.data_dir, self.root,
                    lambda final: self._save(manifest, backend, data_dir, final=final), policy=self._policy(),
                    parallel_min_bytes=self.parallel_min_bytes, stream_min_bytes=self.stream_min_bytes,
                    memory=self.writer_memory)

    def _policy(self) -> CommitPolicy:
        return CommitPolicy(bytes=self.chunk_bytes, documents=self.chunk_documents, files=self.chunk_files,
                            seconds=self.chunk_seconds)

    # -- files ------------------------------------------------------------------
    def add_paths(self, paths: Iterable[str | os.PathLike[str]], *, text_field: str | None = None,
                  title_field: str | None = None, id_field: str | None = None, max_size: int | None = None,
                  fields: Mapping[str, str] | Iterable[str] | None = None, document_dates: bool | None = None,
                  workers: int | None = None, progress: Progress | None = None) -> UpdateReport:
        """Index files and folders and remember them as roots for :meth:`update`.

        The field options (JSON/JSONL/CSV record fields, size limit, whether
        text and HTML documents get their date) given are recorded for
        ``paths`` and everything under them, and used by every later
        :meth:`update`; options left as None keep what was recorded for a
        path before, else the defaults ("text", "title", "id", 64 MiB, dates on).
        ``fields`` declares record field types for the whole index
        (``{"date": "date", "کد": "keyword"}`` or ``["date=date"]``); other
        fields get the type their values show (docs/indexing.md, *Typed
        fields*). A field already recorded with another type is refused:
        :meth:`rebuild` with ``fields`` changes it.
        ``workers``: processes for reading and analysis (None = up to 4 cores
        when the batch is big). ``progress(done, total, path)`` is called as
        files are processed.

        >>> index.add_paths(["اخبار"], fields={"تاریخ": "date"}).added     # doctest: +SKIP
        12
        """
        roots = [resolved(p) for p in paths]
        with self._writing() as manifest:
            self._declare(fields)
            existing = [root for root in roots if os.path.exists(root)]  # a typo is no root
            manifest.add_roots(existing)
            record_options(manifest, existing, given(text_field=text_field, title_field=title_field,
                                                      id_field=id_field, max_size=max_size,
                                                      document_dates=document_dates))
            # On disk before the first chunk: a crash must not forget the new options.
            self._save(manifest)
            self._remember(manifest)
            report = self._sync(manifest).run(roots, workers, progress, named=existing)
            # A named file that could not be indexed (binary, /dev/null) is no root:
            # every later update would fail on it again.
            unindexed = [root for root in existing if root not in manifest.files and not os.path.isdir(root)]
            if unindexed:
                manifest.forget_roots(unindexed)
                self._save(manifest)
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
            targets = [resolved(p) for p in paths] if paths is not None else list(manifest.roots)
            report = self._sync(manifest).run(targets, workers, progress)
            self._remember(manifest)  # a named file that is gone is no longer a root
            return report

    def remove(self, paths_or_ids: Iterable[str]) -> UpdateReport:
        """Remove files, folders (and stop indexing them) or document ids.

        >>> index.remove(["اخبار/قدیمی"]).removed               # doctest: +SKIP
        3
        """
        report = UpdateReport()
        with self._writing() as manifest:
            for item in paths_or_ids:
                # As named, links unresolved: a link inside a root, to outside it.
                reached = str(Path(item).expanduser().absolute())
                path = resolved(item)
                dropped = manifest.drop(path, reached)
                if dropped is not None:
                    self._backend.delete_paths(dropped)
                    # A file root with no documents (an older persearch kept named files that
                    # failed as roots) is removed too: it counts.
                    report.removed += len(dropped) or int(not os.path.isdir(path))
                    report.documents_removed += sum(dropped.values())
                elif self._delete_stored(str(item), manifest):
                    report.removed += 1
                    report.documents_removed += 1
                else:
                    report.failed.append((str(item), "not in the index"))
            self._backend.commit()
            self._save(manifest)
            self._remember(manifest)
            report.documents = self._backend.doc_count()
        return report

    def _delete_stored(self, item: str, manifest: Manifest) -> bool:
        """Delete the document with id ``item`` (or ``PATH#ID`` with a relative PATH); whether there was one."""
        for doc_id in (item, record_id(item)) if "#" in item else (item,):
            stored = self._backend.stored(doc_id)
            if stored is not None:
                self._backend.delete([doc_id])
                manifest.one_document_less(stored.get("path") or "")
                return True
        return False

    # -- documents from code ---------------------------------------------------
    def add_document(self, id: str, text: str, title: str | None = None, **fields: Any) -> None:
        """Add (or replace) one document and commit; extra fields become metadata.

        >>> index.add_document("یادداشت-۱", "کتاب‌ها را خواندم", tags=["کتاب"])   # doctest: +SKIP
        """
        self.add_documents([Document(id=str(id), text=text, title=title or "", metadata=fields)])

    def add_documents(self, documents: Iterable[Document | Mapping[str, Any]]) -> int:
        """Add (or replace by id) documents; returns how many.

        Each is a :class:`~persearch.Document` or a mapping with ``id`` and
        ``text``, optionally ``title``; its other keys become metadata.
        ``documents`` may be any iterable, a generator too: it is taken a
        batch at a time and committed at the intervals of a sync
        (``chunk_documents``, ``chunk_bytes``, ``chunk_seconds``), so memory
        does not grow with it. A bad document raises InvalidOption: a list is
        checked whole before anything is written; from a generator, batches
        committed before the bad one stay.

        >>> index.add_documents([{"id": "۱", "text": "کتاب تازه", "tags": ["کتاب"]}])  # doctest: +SKIP
        1
        """
        with self._writing() as manifest:
            if self.writer_memory is not None:
                self._backend.writer_memory = self.writer_memory
            count = add_in_batches(self._backend, documents, Pace(self._policy()),
                                   lambda: self._save(manifest, final=False))
            self._backend.commit()
            self._save(manifest)
        return count

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
            manifest.one_document_less(id.split("#", 1)[0])
            self._save(manifest)
        return True

    def rebuild(self, paths: Iterable[str | os.PathLike[str]] = (), *, text_field: str | None = None,
                title_field: str | None = None, id_field: str | None = None, max_size: int | None = None,
                fields: Mapping[str, str] | Iterable[str] | None = None, document_dates: bool | None = None,
                workers: int | None = None, progress: Progress | None = None,
                backend: str | None = None, **engine: Any) -> UpdateReport:
        """Re-index every root (plus ``paths``) into a fresh folder, then swap it in atomically.

        Field options given are recorded for ``paths`` (for every root when
        no paths are given); those left as None keep the recorded ones.
        ``fields`` declares record field types (they replace earlier
        declarations of the same fields); undeclared fields are typed again
        from their values. ``backend`` moves the index to another engine
        ("whoosh", "tantivy" or "sphinx"), with the engine's options given
        (``nodes=``), else those recorded for it. Documents added with
        :meth:`add_document` are copied over from their stored text. Readers
        see the old index until the swap. Works on an index with damaged
        engine files too (rebuild.py); interrupted, it leaves the index as it was.
        """
        from .rebuild import rebuild

        options = dict(text_field=text_field, title_field=title_field, id_field=id_field, max_size=max_size,
                       document_dates=document_dates)
        return rebuild(self, list(paths), options, fields, workers, progress, backend or self.backend_name, engine)

    # -- reading ---------------------------------------------------------------
    def stored_text(self, id: str) -> str | None:
        """The text stored for a document (what its offsets point into)."""
        stored = self.backend.stored(id)
        return None if stored is None else stored["text"]

    def document(self, id: str) -> dict[str, Any] | None:
        """All stored fields of a document (id, path, title, text, format, metadata, ...).

        ``id`` as stored, or a file path or ``PATH#ID`` with PATH relative
        (made absolute and resolved, as ids are stored).
        """
        backend = self.backend
        for candidate in dict.fromkeys((id, record_id(id) if "#" in id else resolved(id))):
            found = backend.stored(candidate)
            if found is not None:
                return found
        return None

    @property
    def fields(self) -> dict[str, str]:
        """The typed record fields and their types: ``{"date": "date", "source": "keyword"}``."""
        return {name: spec.type for name, spec in self.backend.fields().items()}

    def __len__(self) -> int:
        return self.backend.doc_count()

    def stats(self) -> dict[str, Any]:
        """Documents, distinct terms, size on disk, roots, last update, analyzer.

        >>> index.stats()["documents"]                         # doctest: +SKIP
        4108
        """
        backend = self.backend
        manifest = Manifest.read(self.data_dir) or Manifest()
        size = sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())
        return {
            "path": str(self.root), "documents": backend.doc_count(), "files": len(manifest.files),
            "terms": backend.term_count(), "size_bytes": size, "roots": manifest.roots,
            "updated_at": manifest.updated_at, "analyzer": self.analyzer.config(),
            "backend": self._meta["backend"], "schema_version": self._meta["schema_version"],
            "segments": backend.segment_count(), "fields": self.fields,
            # An index spread over nodes: each one's address, documents, and whether it answers.
            **({"nodes": backend.node_stats()} if hasattr(backend, "node_stats") else {}),
        }

    def check(self) -> CheckReport:
        """Read the whole index and say what is wrong, changing nothing (``persearch doctor``):
        engine files against their checksums, every segment read through, documents against the manifest.

        >>> Index.open("نمایه", verify=False).check().ok        # doctest: +SKIP
        True
        """
        return check(self)

    def search(self, query: str, limit: int = 10, page: int = 1, fields: Sequence[str] | None = None, *,
               filters: Any = None, sort: str | None = None, facets: Sequence[str] | str | None = None,
               **options: Any) -> Results:
        """One page of ranked hits with highlighted snippets: :func:`persearch.query.search`.

        ``filters`` (``["source=فارس", "date>=1402/05/01"]``, or equality as
        a dict), ``sort`` (``"-date"``) and ``facets`` (``["source"]``) work on
        typed record fields (docs/query.md, *Filters, sorting and facets*);
        the query layer's other keyword arguments pass through, and any other
        keyword is an equality filter (``source="فارس"``).

        The query layer sits above this one and reads the index as a
        :class:`~persearch.query.Searchable`; this is the one call down here
        that goes up to it, loaded on first use (indexing never loads it).

        >>> index.search("رئیس‌جمهوری", limit=5).total        # doctest: +SKIP
        2
        """
        from ..query.run import search
        return search(self, query, limit=limit, page=page, fields=fields, filters=filters, sort=sort, facets=facets,
                      **options)

    def _declare(self, fields: Mapping[str, str] | Iterable[str] | None) -> None:
        """Record declared field types (write lock held): in the engine, and in persearch.json
        so that a rebuild keeps them."""
        if not fields:
            return
        declared = declare_fields(fields, self._backend.fields())
        self._backend.add_fields(declared_fields({"fields": declared}))
        self._update_meta({"fields": {**declared_fields_map(self._meta), **declared}})


__all__ = ["Index", "UpdateReport", "SCHEMA_VERSION"]
