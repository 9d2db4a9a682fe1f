"""A sync: bring the documents of the files under some paths in step with the disk.

The update model: a file is unchanged when its size and mtime match the
manifest (no read at all), or when its content hash does (read, not
analyzed). Changes are committed in chunks; after every engine commit the
manifest is replaced atomically and records the engine generation it
describes. If a crash falls between the two, the next writer sees the
generation mismatch and rebuilds the manifest from the stored fields
(:meth:`~persearch.index.manifest.Manifest.recovered`), so nothing is lost or
indexed twice. A root that cannot be reached (missing, or an empty folder: an
unmounted disk) keeps its documents.

    >>> report = Sync(manifest, backend, analyzer, data_dir, root, save).run(targets)  # doctest: +SKIP
    >>> str(report)                                                                   # doctest: +SKIP
    '3 added, 1 updated, 0 removed, 40 unchanged, 0 failed'
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import PersearchError
from .manifest import FileEntry, Manifest
from .options import OptionsLookup
from .paths import PathCounter, empty_folder, under
from .workers import Job, discover_fields, run_parallel, start_pool, worker_count

if TYPE_CHECKING:
    from ..analysis import Analyzer
    from ..backends.base import Backend
    from ..ingest import FileResult

#: ``progress(done, total, path)``: called as files are processed.
Progress = Callable[[int, int, str], None]


@dataclass
class UpdateReport:
    """What an add/update/remove did, counted in files (or ids for remove)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Record values that did not read as their field's type, indexed as text: (where, reason).
    kept_as_text: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"added", "updated", "removed", "unchanged", "failed": [{"path", "error"}],
        "kept_as_text": [{"where", "reason"}]}``."""
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged, "failed": [{"path": p, "error": e} for p, e in self.failed],
                "kept_as_text": [{"where": w, "reason": r} for w, r in self.kept_as_text]}

    def __str__(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.removed} removed, "
                f"{self.unchanged} unchanged, {len(self.failed)} failed")


@dataclass
class Scan:
    """What :meth:`Sync.scan` found under the targets of a sync."""

    jobs: list[Job] = field(default_factory=list)  # files to read: new, changed, or to read again
    vanished: list[str] = field(default_factory=list)  # indexed files that are gone
    seen: set[str] = field(default_factory=set)
    reached_via: dict[str, str] = field(default_factory=dict)  # outside every root: where the link to it is
    unlinked: set[str] = field(default_factory=set)  # had such a link location, now belong in a root


class Sync:
    """One sync of ``manifest`` with the disk, written to ``backend`` (its data folder ``data_dir``).

    ``save()`` is called after every engine commit: it writes the manifest.
    The index's own folder (``index_root``), when it lies inside a root, is
    not read. A commit takes at most ``chunk_bytes`` of files or
    ``chunk_files`` files; below ``parallel_min_bytes`` no workers are started
    (the class settings of :class:`~persearch.index.Index`).
    """

    def __init__(self, manifest: Manifest, backend: Backend, analyzer: Analyzer, data_dir: Path, index_root: Path,
                 save: Callable[[], None], *, chunk_bytes: int, chunk_files: int, parallel_min_bytes: int) -> None:
        self.manifest = manifest
        self.backend = backend
        self.analyzer = analyzer
        self.data_dir = data_dir
        self.index_root = index_root
        self.save = save
        self.chunk_bytes, self.chunk_files, self.parallel_min_bytes = chunk_bytes, chunk_files, parallel_min_bytes
        self._refused: set[str] = set()  # typed fields the engine had no room for (reported once)

    def run(self, targets: list[str], workers: int | None = None, progress: Progress | None = None) -> UpdateReport:
        """Bring the documents of files under ``targets`` in step with the disk."""
        report = UpdateReport()
        scan = self.scan(targets, report)
        jobs = scan.jobs
        chunks = _chunks(jobs, self.chunk_bytes, self.chunk_files)
        procs = worker_count(workers, sum(job.size for job in jobs), self.parallel_min_bytes, len(jobs))
        pool = start_pool(procs) if procs > 1 else None
        done = 0
        try:
            for number, chunk in enumerate(chunks or [[]]):
                last = number == len(chunks) - 1 or not chunks
                segments: list[Any] = []
                self._date_field(chunk)
                if pool is not None and chunk:
                    # Does this chunk's commit delete too (replaced or vanished files)?
                    with_changes = (last and bool(scan.vanished)) or any(job.path in self.manifest.files
                                                                         for job in chunk)
                    segments = self._read_in_workers(pool, procs, chunk, with_changes, report)
                    done += len(chunk)
                    if progress:
                        progress(done, len(jobs), chunk[-1].path)
                else:
                    for job in chunk:
                        self._read_here(job, report)
                        done += 1
                        if progress:
                            progress(done, len(jobs), job.path)
                if last and scan.vanished:
                    self._forget(scan.vanished, report)
                self.backend.commit(segments)
                self.manifest.set_links(scan.reached_via, scan.unlinked)
                self.save()
        except BaseException:
            self.backend.cancel()
            raise
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        return report

    def _read_here(self, job: Job, report: UpdateReport) -> None:
        """Read one file in this process: its old documents out, its new ones in."""
        from ..ingest import read_file

        result = read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash,
                           fields=self.backend.fields())
        if job.path in self.manifest.files and not result.unchanged:
            self.backend.delete_paths([job.path])
        if result.fields:  # recorded before the documents holding them are written
            self._record_fields(result.fields, job.path, report)
        if result.documents:
            self.backend.append(result.documents)
        self._account(result, report)

    def _read_in_workers(self, pool: Any, procs: int, chunk: list[Job], with_changes: bool,
                         report: UpdateReport) -> list[Any]:
        """Read a chunk in the worker processes; the segments they wrote, for the commit."""
        # Workers write documents at once, so the chunk's new typed fields are
        # found (and recorded) first, read in the same job order as in one process.
        for path, specs in discover_fields(pool, chunk, self.backend.fields()):
            self._record_fields(specs, path, report)
        fields = self.backend.fields()
        results, segments = run_parallel(pool, procs, self.backend.name, str(self.data_dir), self.analyzer, chunk,
                                         with_changes, fields)
        files = self.manifest.files
        self.backend.delete_paths([r.path for r in results if r.path in files and not r.unchanged])
        for result in results:
            self._account(result, report)
            if result.fields:  # before the commit: a field now holding several values, or...
                self._record_fields(result.fields, result.path, report)
                if set(result.fields) - set(fields):  # ...a new one (the file changed since): typed next update
                    files[result.path].read_again()
        return segments

    def _record_fields(self, specs: dict[str, Any], path: str, report: UpdateReport) -> None:
        """Record typed fields in the engine before documents using them are written
        (a field the engine has no room for is reported once)."""
        refused = self._refused
        for name in self.backend.add_fields({k: v for k, v in specs.items() if k not in refused}):
            refused.add(name)
            report.kept_as_text.append((path, f"field {name}: the {self.backend.name} backend has no free "
                                              f"{specs[name].type} field left; kept as metadata only"))

    def _date_field(self, chunk: list[Job]) -> None:
        """Plain-text, Markdown and HTML files give the field ``date`` its type (date) whether or not
        this one holds a date: the same in one process as with workers, whatever the order."""
        from ..ingest import DOCUMENT_DATE_FIELD
        from ..values.records import FieldSpec

        if DOCUMENT_DATE_FIELD not in self.backend.fields() and any(
                job.format in ("txt", "md", "html") and job.options.document_dates for job in chunk):
            self.backend.add_fields({DOCUMENT_DATE_FIELD: FieldSpec("date")})

    def _forget(self, vanished: list[str], report: UpdateReport) -> None:
        """Remove the documents of files that are gone."""
        self.backend.delete_paths(vanished)
        for path in vanished:
            del self.manifest.files[path]
        report.removed += len(vanished)

    def _account(self, result: FileResult, report: UpdateReport) -> None:
        """Record what reading one file gave: its entry, and its line in the report."""
        files = self.manifest.files
        if result.error is not None:
            report.failed.append((result.path, result.error))
            files.pop(result.path, None)
            return
        entry = FileEntry(result.size, result.mtime_ns, result.hash, result.doc_count)
        if result.unchanged:
            entry.documents = files[result.path].documents
            report.unchanged += 1
        elif result.path in files:
            report.updated += 1
        else:
            report.added += 1
        files[result.path] = entry
        report.failed.extend(result.problems)
        report.kept_as_text.extend(result.kept_as_text)

    def scan(self, targets: list[str], report: UpdateReport) -> Scan:
        """Walk ``targets``: which files to read, which are gone, which stay as they are.

        Counts unchanged files and reports what cannot be walked in ``report``.
        """
        from ..ingest import walk

        manifest, files = self.manifest, self.manifest.files
        options_for = OptionsLookup(manifest.options)
        indexed = PathCounter(manifest.homes())
        scan = Scan()
        unreachable: list[str] = []
        # The index's own folder may lie inside a root: its files are not documents.
        for item in walk(targets, skip=[*manifest.excluded, str(self.index_root.resolve())]):
            if isinstance(item, tuple):
                path, reason = item
                # A recorded root folder that is not there (moved, an unmounted
                # disk) or a folder that cannot be read has not lost its files:
                # their documents are kept. A file that is gone is gone, and so
                # is a folder named to update() that is not a root.
                if path in files and reason == "not found":
                    if path in manifest.roots:  # a named file deleted: forget it (vanished below)
                        manifest.roots.remove(path)
                    continue
                kept_back = reason.startswith("unreadable folder") or path in manifest.roots
                inside = indexed.inside(path) if kept_back else 0
                if inside:
                    unreachable.append(path)
                    reason += f"; its {inside} indexed file(s) are kept (persearch remove {path} drops them)"
                report.failed.append((path, reason))
                continue
            scan.seen.add(item.path)
            old = files.get(item.path)
            old_via = old.link if old is not None else None
            if not under(item.path, manifest.roots):  # outside every root: reached through a link
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
            if old is not None and old.unchanged(item.size, item.mtime_ns) and not moved:
                report.unchanged += 1  # the fast path: not even read
                continue
            scan.jobs.append(Job(item.path, item.format, item.size, old.hash if old and not moved else None,
                                 options_for(item.path, via)))
        self._keep_unmounted_roots(targets, scan, indexed, unreachable, report)
        scan.vanished = [p for p, entry in files.items() if p not in scan.seen
                         and (under(p, targets) or under(entry.home(p), targets))
                         and not (under(p, unreachable) or under(entry.home(p), unreachable))]
        return scan

    def _keep_unmounted_roots(self, targets: list[str], scan: Scan, indexed: PathCounter, unreachable: list[str],
                              report: UpdateReport) -> None:
        """A root folder that is there but empty, while the index holds files from
        it, is most likely an unmounted disk's mount point: keep its documents."""
        found = PathCounter(scan.seen)
        for target in targets:
            if target not in self.manifest.roots or under(target, unreachable) or found.inside(target):
                continue
            inside = indexed.inside(target)
            if inside and empty_folder(target):
                unreachable.append(target)
                report.failed.append((target, f"empty folder (a disk not mounted?); its {inside} indexed "
                                              f"file(s) are kept (persearch remove {target} drops them)"))


def refuse_unreachable_roots(manifest: Manifest) -> None:
    """Raise if a root holding indexed files is missing or an empty folder (a rebuild would lose them)."""
    indexed = PathCounter(manifest.homes())
    for root in manifest.roots:
        inside = indexed.inside(root)
        if inside and (not os.path.exists(root) or empty_folder(root)):
            raise PersearchError(f"{root} cannot be reached (missing, or an empty folder: a disk not mounted?); "
                                 f"a rebuild would lose its {inside} indexed file(s): make it reachable, "
                                 f"or drop it first: persearch remove {root}")


def _chunks(jobs: list[Job], max_bytes: int, max_files: int) -> list[list[Job]]:
    """``jobs`` cut into chunks of at most ``max_bytes`` of files or ``max_files`` files (one commit each)."""
    chunks: list[list[Job]] = []
    current: list[Job] = []
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


__all__ = ["UpdateReport", "Sync", "Scan", "Progress", "refuse_unreachable_roots"]
