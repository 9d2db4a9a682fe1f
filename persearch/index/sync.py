"""A sync: bring the documents of the files under some paths in step with the disk.

The update model: a file is unchanged when its size and mtime match the
manifest (no read at all), or when its content hash does (read, not
analyzed). A changed JSON, JSONL, CSV or TSV file is updated record by
record: only records whose content changed are replaced, new ones added,
vanished ones deleted (each document stores its record's hash). Changes are
committed at bounded intervals (:mod:`persearch.index.commit`), also in the
middle of a big record file, whose manifest entry then says it is to be
read again: the next sync picks up where this one stopped. After every
engine commit the manifest is replaced atomically and records the engine
generation it describes. If a crash falls between the two, the next writer
sees the generation mismatch and rebuilds the manifest from the stored
fields (:meth:`~persearch.index.manifest.Manifest.recovered`), so nothing is
lost or indexed twice. A root that cannot be reached (missing, or an empty
folder: an unmounted disk) keeps its documents.

    >>> report = Sync(manifest, backend, analyzer, data_dir, root, save, policy=policy).run(targets)  # doctest: +SKIP
    >>> str(report)                                                                   # doctest: +SKIP
    'files: added 3 · updated 1 · removed 0 · unchanged 40 · failed 0; documents: added 3 · ...'
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import Interrupted, PersearchError
from .commit import CommitPolicy, Interrupts, Pace, Progress, Tracker, chunks
from .manifest import FileEntry, Manifest
from .options import OptionsLookup
from .paths import PathCounter, empty_folder, under
from .workers import Job, discover_fields, start_pool, stop_pool, submit, worker_count, wrap_up

if TYPE_CHECKING:
    from ..analysis import Analyzer
    from ..backends.base import Backend, Document
    from ..ingest import FileResult

#: A record file's new and changed records go to the engine this many at a time.
BATCH_DOCUMENTS = 256


@dataclass
class UpdateReport:
    """What an add/update/remove did: files (or ids, for remove) and documents."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Documents added, replaced (changed in place: a changed file, a changed record) and removed.
    documents_added: int = 0
    documents_updated: int = 0
    documents_removed: int = 0
    #: Documents the index holds afterwards.
    documents: int = 0
    #: Record values that did not read as their field's type, indexed as text: (where, reason).
    kept_as_text: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"added", "updated", "removed", "unchanged", "failed": [{"path", "error"}],
        "documents": {"added", "updated", "removed", "total"}, "kept_as_text": [{"where", "reason"}]}``."""
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "unchanged": self.unchanged, "failed": [{"path": p, "error": e} for p, e in self.failed],
                "documents": {"added": self.documents_added, "updated": self.documents_updated,
                              "removed": self.documents_removed, "total": self.documents},
                "kept_as_text": [{"where": w, "reason": r} for w, r in self.kept_as_text]}

    def __str__(self) -> str:
        return (f"files: added {self.added} · updated {self.updated} · removed {self.removed} · "
                f"unchanged {self.unchanged} · failed {len(self.failed)}; documents: added {self.documents_added} · "
                f"updated {self.documents_updated} · removed {self.documents_removed} · total {self.documents}")

    def count_replaced(self, old: int, new: int) -> None:
        """A file's ``old`` documents replaced by ``new`` ones."""
        self.documents_updated += min(old, new)
        self.documents_added += max(0, new - old)
        self.documents_removed += max(0, old - new)


@dataclass
class Scan:
    """What :meth:`Sync.scan` found under the targets of a sync."""

    jobs: list[Job] = field(default_factory=list)  # files to read: new, changed, or to read again
    vanished: list[str] = field(default_factory=list)  # indexed files that are gone
    seen: set[str] = field(default_factory=set)
    reached_via: dict[str, str] = field(default_factory=dict)  # outside every root: where the link to it is
    unlinked: set[str] = field(default_factory=set)  # had such a link location, now belong in a root


class _Stopped(Exception):
    """An interrupt reached a safe point: commit what is done, then stop."""


class Sync:
    """One sync of ``manifest`` with the disk, written to ``backend`` (its data folder ``data_dir``).

    ``save()`` is called after every engine commit: it writes the manifest.
    The index's own folder (``index_root``), when it lies inside a root, is
    not read. Commits follow ``policy``; below ``parallel_min_bytes`` no
    workers are started; a record file that is already indexed, or of at
    least ``stream_min_bytes``, is read here one record at a time (others
    may go to workers whole). ``memory``: bytes an engine writer may buffer
    (None: the engine's default).
    """

    def __init__(self, manifest: Manifest, backend: Backend, analyzer: Analyzer, data_dir: Path, index_root: Path,
                 save: Callable[[bool], None], *, policy: CommitPolicy, parallel_min_bytes: int,
                 stream_min_bytes: int, memory: int | None = None) -> None:
        self.manifest = manifest
        self.backend = backend
        self.analyzer = analyzer
        self.data_dir = data_dir
        self.index_root = index_root
        self.save = save
        self.policy, self.parallel_min_bytes, self.stream_min_bytes = policy, parallel_min_bytes, stream_min_bytes
        self.memory = memory
        if memory is not None:
            backend.writer_memory = memory
        self._pace = Pace(policy)
        self._scan = Scan()
        self._stop = Interrupts()
        self._dirty = False  # changes written to the engine since the last commit
        self._refused: set[str] = set()  # typed fields the engine had no room for (reported once)

    def run(self, targets: list[str], workers: int | None = None, progress: Progress | None = None, *,
            named: list[str] | None = None) -> UpdateReport:
        """Bring the documents of files under ``targets`` in step with the disk.

        ``named``: paths the user named just now; one of them from which no
        document at all is indexed gets a line in ``report.failed``. Ctrl-C
        commits what is done and raises :class:`~persearch.errors.Interrupted`.
        """
        report = UpdateReport()
        with Interrupts() as stop:
            self._stop = stop
            self._scan = scan = self.scan(targets, report)
            from ..record_formats import RECORD_FORMATS

            files = self.manifest.files
            whole: list[Job] = []
            streamed: list[Job] = []  # read here one record at a time: big, or updated record by record
            for job in scan.jobs:
                as_records = job.format in RECORD_FORMATS and (job.path in files or job.size >= self.stream_min_bytes)
                (streamed if as_records else whole).append(job)
            tracker = Tracker(progress, len(scan.jobs), sum(job.size for job in scan.jobs))
            self._pace.reset()
            try:
                self._check_stop()
                self._date_field(whole)
                self._read_whole(whole, workers, report, tracker)
                for job in streamed:
                    self._read_records(job, report, tracker)
                if scan.vanished:
                    self._forget(scan.vanished, report)
                self._commit(final=True)
                self._check_stop()  # Ctrl-C during the last commit: all is done, and the caller hears of it
            except _Stopped:
                self._commit(final=True)
                report.documents = self.backend.doc_count()
                raise Interrupted(report, tracker.state.files_done, tracker.state.files_total,
                                  report.documents) from None
            except BaseException:
                self.backend.cancel()
                raise
        report.documents = self.backend.doc_count()
        if named:
            self._nothing_indexed(named, report)
        return report

    # -- commits and interrupts -------------------------------------------------
    def _commit(self, segments: list[Any] | None = None, *, final: bool = False) -> None:
        """Commit what was written (and workers' ``segments``), then save the manifest."""
        if segments or self._dirty or final:
            self.backend.commit(segments or (), release=final)
            self.manifest.set_links(self._scan.reached_via, self._scan.unlinked)
            self.save(final)
        self._dirty = False
        self._pace.reset()

    def _check_stop(self) -> None:
        """At a safe point (nothing half-written): stop if Ctrl-C or SIGTERM came."""
        if self._stop.requested:
            raise _Stopped

    def _maybe_commit(self) -> None:
        """At a safe point: commit if an interval is over, stop if interrupted."""
        self._check_stop()
        if self._pace.due():
            self._commit()

    # -- whole files: one-document formats, new small record files ------------------
    def _read_whole(self, jobs: list[Job], workers: int | None, report: UpdateReport, tracker: Tracker) -> None:
        """Read files whole, here or in worker processes, committing at intervals."""
        procs = worker_count(workers, sum(job.size for job in jobs), self.parallel_min_bytes, len(jobs))
        if procs <= 1:
            for job in jobs:
                tracker.started(job.path)
                documents = self._read_here(job, report)
                self._pace.add(documents=documents, nbytes=job.size, files=1)
                tracker.done([job.path], job.size, _indexed(report))
                self._maybe_commit()
            return
        pool = start_pool(procs)
        stopped = False
        try:
            rate = 0.0
            policy = self.policy
            for chunk in chunks(jobs, lambda job: job.size, lambda: self._pace.bytes_per_interval(rate),
                                min(policy.files, policy.documents)):
                started = time.monotonic()
                # Does this chunk's commit delete too (replaced files)?
                with_changes = any(job.path in self.manifest.files for job in chunk)
                segments, stopped = self._read_in_workers(pool, procs, chunk, with_changes, report, tracker)
                rate = sum(job.size for job in chunk) / max(time.monotonic() - started, 1e-3)
                self._commit(segments, final=stopped)
                if stopped:
                    raise _Stopped
                self._check_stop()
        finally:
            pool.shutdown(cancel_futures=True)

    def _read_here(self, job: Job, report: UpdateReport) -> int:
        """Read one file in this process: its old documents out, its new ones in; how many."""
        from ..ingest import read_file

        result = read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash,
                           fields=self.backend.fields())
        if job.path in self.manifest.files and not result.unchanged:
            self.backend.delete_paths([job.path])
            self._dirty = True
        if result.fields:  # recorded before the documents holding them are written
            self._record_fields(result.fields, job.path, report)
        if result.documents:
            self.backend.append(result.documents)
            self._dirty = True
        self._account(result, report)
        return result.doc_count

    def _read_in_workers(self, pool: Any, procs: int, chunk: list[Job], with_changes: bool, report: UpdateReport,
                         tracker: Tracker) -> tuple[list[Any], bool]:
        """Read a chunk in the worker processes: the segments they wrote, for the commit, and
        whether an interrupt came (the workers then finish their segments with the files read so far)."""
        from concurrent.futures import FIRST_COMPLETED, wait

        # Workers write documents at once, so the chunk's new typed fields are
        # found (and recorded) first, read in the same job order as in one process.
        for path, specs in discover_fields(pool, chunk, self.backend.fields()):
            self._record_fields(specs, path, report)
        fields = self.backend.fields()
        futures = submit(pool, procs, self.backend.name, str(self.data_dir), self.analyzer, chunk, with_changes,
                         self.memory, fields)
        sizes = {job.path: job.size for job in chunk}
        segments: list[Any] = []
        pending = set(futures)
        asked = False
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if self._stop.requested and not asked:
                # Each worker finishes its segment with the files it has read; all of it is committed.
                asked = True
                if not wrap_up(pool):
                    stop_pool(pool)
                    return segments, True
            for future in done:
                segment, results = future.result()
                segments.append(segment)
                files = self.manifest.files
                changed = [r.path for r in results if r.path in files and not r.unchanged]
                if changed:
                    self.backend.delete_paths(changed)
                for result in results:
                    self._account(result, report)
                    if result.fields:  # before the commit: a field now holding several values, or...
                        self._record_fields(result.fields, result.path, report)
                        if set(result.fields) - set(fields):  # ...a new one (the file changed since): typed next update
                            files[result.path].read_again()
                paths = [r.path for r in results]
                tracker.done(paths, sum(sizes[p] for p in paths), _indexed(report))
        return segments, asked

    # -- record files, one record at a time -------------------------------------------
    def _read_records(self, job: Job, report: UpdateReport, tracker: Tracker) -> None:
        """Bring one record file's documents in step, record by record, committing at intervals.

        Typed values are given a batch at a time: a field the index has not
        recorded takes the type the first batch holding it shows.
        """
        from ..ingest import KeptAsText, open_records, type_documents

        tracker.started(job.path)
        opened = open_records(job.path, job.options, fmt=job.format, known_hash=job.old_hash)
        result, files = opened.result, self.manifest.files
        old = files.get(job.path)
        link = old.link if old is not None else None
        if result.error is not None or result.unchanged:
            if result.error is not None and old is not None:
                self.backend.delete_paths([job.path])
                self._dirty = True
            self._account(result, report)
            self._pace.add(files=1)
            tracker.done([job.path], job.size, _indexed(report))
            self._maybe_commit()
            return
        stored = self.backend.records(job.path)  # id -> the hash of the record it holds (all committed)
        before = len(stored)
        batch: list[Document] = []
        replaced: list[str] = []
        added = updated = 0
        read_before = 0
        kept = KeptAsText()

        def flush() -> None:
            nonlocal read_before
            if batch:
                new, _ = type_documents(batch, self.backend.fields(), kept)
                if new:  # recorded before the documents holding them are written
                    self._record_fields(new, job.path, report)
            if replaced:
                self.backend.delete(replaced)
            if batch:
                self.backend.append(batch)
                self._dirty = True
            self._pace.add(documents=len(batch), nbytes=opened.bytes_read - read_before)
            read_before = opened.bytes_read
            batch.clear()
            replaced.clear()

        for doc in opened:
            previous = stored.pop(doc.id, None)
            if previous is not None and previous == doc.hash:
                continue  # the same record: nothing to do
            if previous is not None:
                replaced.append(doc.id)
                updated += 1
                report.documents_updated += 1
            else:
                added += 1
                report.documents_added += 1
            batch.append(doc)
            tracker.inside(opened.records_read, opened.bytes_read, _indexed(report))
            if len(batch) < BATCH_DOCUMENTS:
                continue
            flush()
            if self._stop.requested or self._pace.due():
                # Some records are committed, not all: the entry says "read it again" until it is done.
                files[job.path] = FileEntry(-1, -1, "", before + added, link)
                self._commit()
                self._check_stop()
        flush()
        report.kept_as_text.extend(kept.lines())
        if result.error is not None and result.doc_count:  # failed half-way: keep what was read, read it again
            files[job.path] = FileEntry(-1, -1, "", before + added, link)
            report.failed.append((job.path, result.error))
        elif result.error is not None:  # nothing could be read: like any file that turned bad
            if before:
                self.backend.delete_paths([job.path])
                self._dirty = True
                report.documents_removed += before
            files.pop(job.path, None)
            report.failed.append((job.path, result.error))
        else:
            if stored:  # records no longer in the file
                self.backend.delete(list(stored))
                self._dirty = True
                report.documents_removed += len(stored)
            if old is None:
                report.added += 1
            elif added or updated or stored:
                report.updated += 1
            else:  # other bytes (blank lines, a newline at the end), or read again: the same records
                report.unchanged += 1
            files[job.path] = FileEntry(result.size, result.mtime_ns, result.hash, result.doc_count, link)
            report.failed.extend(result.problems)
        self._pace.add(files=1)
        tracker.done([job.path], job.size, _indexed(report))
        self._maybe_commit()

    # -- typed fields ----------------------------------------------------------------
    def _record_fields(self, specs: dict[str, Any], path: str, report: UpdateReport) -> None:
        """Record typed fields in the engine before documents using them are written
        (a field the engine has no room for is reported once)."""
        refused = self._refused
        for name in self.backend.add_fields({k: v for k, v in specs.items() if k not in refused}):
            refused.add(name)
            report.kept_as_text.append((path, f"field {name}: the {self.backend.name} backend has no free "
                                              f"{specs[name].type} field left; kept as metadata only"))

    def _date_field(self, jobs: list[Job]) -> None:
        """Plain-text, Markdown and HTML files give the field ``date`` its type (date) whether or not
        this one holds a date: the same in one process as with workers, whatever the order."""
        from ..ingest import DOCUMENT_DATE_FIELD
        from ..values.records import FieldSpec

        if DOCUMENT_DATE_FIELD not in self.backend.fields() and any(
                job.format in ("txt", "md", "html") and job.options.document_dates for job in jobs):
            self.backend.add_fields({DOCUMENT_DATE_FIELD: FieldSpec("date")})

    # -- bookkeeping ---------------------------------------------------------------
    def _forget(self, vanished: list[str], report: UpdateReport) -> None:
        """Remove the documents of files that are gone."""
        self.backend.delete_paths(vanished)
        self._dirty = True
        for path in vanished:
            report.documents_removed += self.manifest.files.pop(path).documents
        report.removed += len(vanished)

    def _account(self, result: FileResult, report: UpdateReport) -> None:
        """Record what reading one file gave: its entry, and its lines in the report."""
        files = self.manifest.files
        old = files.get(result.path)
        if result.error is not None:
            report.failed.append((result.path, result.error))
            if old is not None:
                report.documents_removed += old.documents
                del files[result.path]
            return
        entry = FileEntry(result.size, result.mtime_ns, result.hash, result.doc_count)
        if result.unchanged:
            entry.documents = old.documents if old is not None else 0
            report.unchanged += 1
        elif old is not None:
            report.updated += 1
            report.count_replaced(old.documents, result.doc_count)
        else:
            report.added += 1
            report.documents_added += result.doc_count
        files[result.path] = entry
        report.failed.extend(result.problems)
        report.kept_as_text.extend(result.kept_as_text)

    def _nothing_indexed(self, named: list[str], report: UpdateReport) -> None:
        """A line for each named path from which no document at all is indexed (an empty folder,
        a folder of files persearch does not read, a file none of whose records could be read)."""
        from ..walk import FORMATS

        files = self.manifest.files
        holding = PathCounter(home for path, entry in files.items() if entry.documents
                              for home in {path, entry.home(path)})
        failed = {where for where, _ in report.failed}
        for target in named:
            if target in failed or not os.path.exists(target):
                continue  # already said
            if os.path.isdir(target):
                if holding.inside(target):
                    continue
                if PathCounter(self._scan.seen).inside(target):
                    reason = "nothing indexed: no document could be read from its files"
                else:
                    kinds = ", ".join(sorted(FORMATS))
                    reason = (f"nothing to index: no files persearch reads in it ({kinds}; "
                              f"name a file to read it as text)")
            elif target in files and not files[target].documents:
                reason = "nothing indexed: it holds no document persearch could read"
            else:
                continue
            report.failed.append((target, reason))

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




def _indexed(report: UpdateReport) -> int:
    """Documents indexed so far (added or replaced)."""
    return report.documents_added + report.documents_updated


__all__ = ["UpdateReport", "Sync", "Scan", "Progress", "refuse_unreachable_roots"]
