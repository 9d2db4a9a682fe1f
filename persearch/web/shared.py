"""One open index, read by many threads of a server.

A server opens its index once and reads it from a pool of threads, while
other processes may ``update`` or ``--rebuild`` it. The library takes those
changes in by itself on the next read: :class:`persearch.Index` re-reads
``persearch.json`` when its mtime changes (a rebuild switches the data
folder; the old engine is closed) and each engine re-opens its searcher when
a commit is newer than the one it holds (Whoosh compares the TOC generation,
tantivy stats ``meta.json``). What it does not do is coordinate threads, so
:class:`SharedIndex` does:

* **tantivy** searchers are safe to share: reads run together;
* **Whoosh** searchers are not: a segment's postings file is one file
  object with one position, which every reader seeks and reads in turn, so
  two threads searching through one searcher read each other's blocks
  (``UnpicklingError``, truncated zlib streams, wrong hits: 739 errors and 59
  wrong answers in 3,000 searches from 16 threads at a 1 µs switch interval).
  Reads of a Whoosh index run one at a time, which costs no throughput: a
  Whoosh search is Python holding the GIL throughout;
* a read that another thread's reload disturbed (a rebuild closes the old
  engine under it) is run once more, alone.

    >>> shared = SharedIndex(Index.open("نمایه"))                   # doctest: +SKIP
    >>> shared.read(lambda index: index.search("کتاب").total)       # doctest: +SKIP
    3
"""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from ..errors import InvalidOption, QueryError

if TYPE_CHECKING:
    from ..index import Index

T = TypeVar("T")
log = logging.getLogger("persearch.web")

#: Engines whose searchers several threads may read at once.
CONCURRENT_READERS = frozenset({"tantivy"})
#: Errors that say something about the request, not about the index: never retried.
REQUEST_ERRORS = (InvalidOption, QueryError)


class ReadWriteLock:
    """Many readers or one writer; a waiting writer goes before new readers,
    so a reload is never starved by a stream of searches."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class SharedIndex:
    """An open :class:`~persearch.Index` that many threads read through :meth:`read`."""

    def __init__(self, index: "Index") -> None:
        self.index = index
        self._lock = ReadWriteLock()

    def read(self, work: Callable[["Index"], T]) -> T:
        """``work(index)``, run as the engine allows: together with other reads
        (tantivy) or alone (Whoosh). ``work`` must return plain data, not
        objects that read the index later (a ``Results`` counts its total lazily)."""
        backend = self.index.backend_name
        if backend in CONCURRENT_READERS:
            with self._lock.shared():
                try:
                    result = work(self.index)
                except REQUEST_ERRORS:
                    raise
                except Exception as error:  # noqa: BLE001 - retried alone below; a real fault fails again there
                    log.debug("read disturbed (%s: %s); running it again alone", type(error).__name__, error)
                else:
                    if self.index.backend_name == backend:
                        return result
                    # A rebuild moved the index to another engine meanwhile: this read may have
                    # shared one that cannot be shared.
        with self._lock.exclusive():
            return work(self.index)


__all__ = ["SharedIndex", "ReadWriteLock", "CONCURRENT_READERS"]
