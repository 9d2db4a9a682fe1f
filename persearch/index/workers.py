"""Worker processes of a big sync: files read and analyzed in parallel, one segment each.

The parent holds the write lock and commits; a worker reads and analyzes its
share of a chunk's files into its backend's segment builder
(:meth:`~persearch.backends.base.Backend.segment_builder`) and sends back what
the builder finished with, which the parent's commit takes in. Workers are
forked on Linux (fast, and no ``if __name__ == "__main__"`` guard needed in the
user's script), spawned elsewhere; they ignore Ctrl-C (the parent commits the
groups they finished and stops the others) and exit when the parent dies.

    >>> worker_count(None, total_bytes=1024, min_bytes=8 * 1024 * 1024, n_jobs=3)
    1
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..backends import backend_class
from ..errors import InvalidOption

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..analysis import Analyzer
    from ..ingest import FileResult, IngestOptions
    from ..values.records import FieldSpec


@dataclass
class Job:
    """A file to read: new, changed, or to be read again with other options."""

    path: str
    format: str
    size: int
    old_hash: str | None  # a file whose content hash still matches is not analyzed again
    options: IngestOptions


def worker_count(workers: int | None, total_bytes: int, min_bytes: int, n_jobs: int) -> int:
    """How many processes read a batch: as asked, else up to 4 cores when it is big enough to pay."""
    if workers is not None:
        if workers < 1:
            raise InvalidOption(f"workers must be at least 1, not {workers}")
        return min(workers, max(1, n_jobs))
    if total_bytes < min_bytes or n_jobs < 2:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def start_pool(procs: int) -> ProcessPoolExecutor:
    """A pool of ``procs`` worker processes (forked where that is safe: Linux)."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    # Forked workers close the inherited lock descriptors (persearch.index.lock).
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(max_workers=procs, mp_context=multiprocessing.get_context(method),
                               initializer=_worker_init, initargs=(os.getpid(),))


#: Set in a worker when the parent asks it to wrap up (:func:`wrap_up`).
_WRAPPING_UP = False


def _worker_init(parent: int) -> None:
    """In a worker: leave Ctrl-C to the parent, wrap up when asked, exit when the parent dies.

    Ctrl-C reaches the whole process group; the parent then asks the workers
    to wrap up (SIGUSR1): each finishes its segment with the files it has
    read so far, and the parent commits them, so a worker must not die with
    a traceback of its own. SIGTERM ends a worker at once (a forked worker
    would otherwise inherit the parent's deferred handler). kill -9 of the
    parent would leave workers waiting forever, hence the watcher thread.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, _note_wrap_up)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def submit(pool: ProcessPoolExecutor, procs: int, backend: str, data_dir: str, analyzer: Analyzer,
           chunk: list[Job], with_changes: bool, memory: int | None = None,
           fields: dict[str, FieldSpec] | None = None) -> list[Future[Any]]:
    """Split a chunk by size over the workers; each future gives ``(segment, results)``.

    Each worker writes one segment (for the backend's ``commit(segments)``);
    its results are every file's :class:`~persearch.ingest.FileResult`
    (documents dropped: the parent needs counts). ``fields``: the typed
    fields recorded (those of the chunk's record files included:
    :func:`discover_fields`).
    """
    groups: list[list[Job]] = [[] for _ in range(procs)]
    loads = [0] * procs
    for job in sorted(chunk, key=lambda j: -j.size):
        k = loads.index(min(loads))
        groups[k].append(job)
        loads[k] += job.size + 512  # per-file overhead counts too
    # Balanced biggest first, read in the walk's order: the share of files done then follows
    # the share of bytes (what an interrupt keeps is counted in documents).
    order = {job.path: n for n, job in enumerate(chunk)}
    return [pool.submit(_segment_task, backend, data_dir, analyzer, sorted(group, key=lambda j: order[j.path]),
                        with_changes, memory, fields or {})
            for group in groups if group]


def _note_wrap_up(signum: int, frame: Any) -> None:
    global _WRAPPING_UP
    _WRAPPING_UP = True


def wrap_up(pool: ProcessPoolExecutor) -> bool:
    """Ask the workers to finish their segments now with the files read so far (an interrupt);
    False where that cannot be asked (no SIGUSR1): then :func:`stop_pool`."""
    import signal

    if not hasattr(signal, "SIGUSR1"):
        return False
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(process.pid, signal.SIGUSR1)
        except OSError:  # already gone
            pass
    return True


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now: what they were writing is never committed, and the next commit clears it away."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _segment_task(backend: str, data_dir: str, analyzer: Analyzer, jobs: list[Job], with_changes: bool,
                  memory: int | None, fields: dict[str, FieldSpec]) -> tuple[Any, list[FileResult]]:
    """In a worker: read and analyze files into the backend's segment builder.

    What a finished builder returns is the backend's business (a Whoosh
    segment, tantivy segments or analyzed documents): the parent passes it to ``commit``.
    Asked to wrap up, it stops after the file it is reading: the files not
    read have no result, and the next sync reads them.
    """
    from ..ingest import read_file

    builder = backend_class(backend).segment_builder(data_dir, analyzer, with_changes=with_changes, memory=memory)
    results = []
    for job in jobs:
        if _WRAPPING_UP:
            break
        result = read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash, fields=fields)
        if result.documents:
            builder.append(result.documents)
        result.documents = []  # the parent needs counts, not texts
        results.append(result)
    return builder.finish(), results


def discover_fields(pool: ProcessPoolExecutor, chunk: list[Job], known: dict[str, FieldSpec]
                    ) -> list[tuple[str, dict[str, FieldSpec]]]:
    """The typed fields the chunk's record files would add to ``known``, per file in job order,
    read (not analyzed) in the worker processes: ``[(path, specs)]``."""
    from ..record_formats import RECORD_FORMATS

    jobs = [job for job in chunk if job.format in RECORD_FORMATS]
    if not jobs:
        return []
    found = pool.map(_fields_task, jobs, [known] * len(jobs), chunksize=max(1, len(jobs) // 16))
    return [(job.path, specs) for job, specs in zip(jobs, found) if specs]


def _fields_task(job: Job, known: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
    from ..ingest import read_file

    return read_file(job.path, job.options, fmt=job.format, known_hash=job.old_hash, fields=known).fields


__all__ = ["Job", "worker_count", "start_pool", "submit", "wrap_up", "stop_pool", "discover_fields"]
