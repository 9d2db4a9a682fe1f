"""How a sync paces itself: when it commits, where an interrupt stops it, what progress it reports.

A sync commits at bounded intervals (:class:`CommitPolicy`: so many bytes
read, documents or files indexed, or seconds of work, whichever comes
first), so a crash or a kill loses at most one interval. Ctrl-C (and SIGTERM
where it raises KeyboardInterrupt, as the command line makes it) does not cut
a write in half: :class:`Interrupts` notes it, the sync commits everything
complete at its next safe point (between two records or two files) and then
raises :class:`~persearch.errors.Interrupted`, which says how far it got. A
second Ctrl-C stops at once (the last commit is kept either way).

    >>> policy = CommitPolicy(bytes=16 << 20, documents=10_000, files=10_000, seconds=10.0)
    >>> pace = Pace(policy); pace.add(documents=1, nbytes=1024, files=1); pace.due()
    False
"""
from __future__ import annotations

import inspect
import signal
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable, Iterator

#: ``progress(done, total, path)``: called as files are done; a callable that
#: also takes a keyword ``state`` gets a :class:`ProgressState` each time, and
#: more often: inside a big record file too.
Progress = Callable[..., None]


@dataclass(frozen=True)
class CommitPolicy:
    """A commit is due when any of these is reached since the last one."""

    bytes: int
    documents: int
    files: int
    seconds: float


class Pace:
    """The work done since the last commit, against a :class:`CommitPolicy`."""

    def __init__(self, policy: CommitPolicy) -> None:
        self.policy = policy
        self.reset()

    def reset(self) -> None:
        self.bytes = self.documents = self.files = 0
        self.started = time.monotonic()

    def add(self, *, documents: int = 0, nbytes: int = 0, files: int = 0) -> None:
        self.documents += documents
        self.bytes += nbytes
        self.files += files

    def due(self) -> bool:
        """Whether a commit is due now."""
        policy = self.policy
        return (self.bytes >= policy.bytes or self.documents >= policy.documents or self.files >= policy.files
                or time.monotonic() - self.started >= policy.seconds)

    def bytes_per_interval(self, rate: float) -> int:
        """How many bytes fit in one interval at ``rate`` bytes a second (at most the policy's bytes)."""
        if rate <= 0:
            return self.policy.bytes
        return max(1, min(self.policy.bytes, int(rate * self.policy.seconds)))


class Interrupts:
    """Ctrl-C and SIGTERM deferred to the next safe point of a sync (a ``with`` block).

    Only signals whose handler raises KeyboardInterrupt (Python's default for
    SIGINT; the command line gives SIGTERM the same) are taken over, and only
    in the main thread; the handlers are restored on leaving the block.
    :attr:`requested` is the signal received, else 0. A second signal raises
    KeyboardInterrupt at once.
    """

    def __init__(self) -> None:
        self.requested = 0
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                if signal.getsignal(signum) is signal.default_int_handler:
                    self._saved[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved.clear()

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:  # asked twice: stop now
            self.__exit__()
            raise KeyboardInterrupt
        self.requested = signum


@dataclass
class ProgressState:
    """How far a sync has got, for a progress bar.

    Files and bytes count the files to read (unchanged files, not read at
    all, are not counted); ``documents`` the documents indexed so far
    (added or replaced); ``path`` and ``records`` the file being read and
    the records read from it (a big JSONL or CSV file moves the bar too).
    """

    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    documents: int = 0
    path: str = ""
    records: int = 0


class Tracker:
    """Reports a sync's :class:`ProgressState` to a ``progress`` callback (see :data:`Progress`)."""

    #: Inside a file, at most this often (seconds).
    INTERVAL = 0.1

    def __init__(self, progress: Progress | None, files_total: int, bytes_total: int) -> None:
        self.state = ProgressState(files_total=files_total, bytes_total=bytes_total)
        self._progress = progress
        self._with_state = progress is not None and _takes_state(progress)
        self._file_start = 0
        self._last = 0.0

    def started(self, path: str) -> None:
        """A file is being read."""
        self.state.path, self.state.records = path, 0
        self._file_start = self.state.bytes_done

    def inside(self, records: int, bytes_read: int, documents: int) -> None:
        """Progress inside the file being read (throttled)."""
        now = time.monotonic()
        if not self._with_state or now - self._last < self.INTERVAL:
            return
        self._last = now
        state = self.state
        state.records, state.bytes_done = records, self._file_start + bytes_read
        state.documents = documents
        self._call()

    def done(self, paths: list[str], nbytes: int, documents: int) -> None:
        """Files finished (read, skipped or failed): ``nbytes`` their size."""
        state = self.state
        state.files_done += len(paths)
        self._file_start += nbytes
        state.bytes_done = self._file_start
        state.documents = documents
        if paths:
            state.path, state.records = paths[-1], 0
        self._call()

    def _call(self) -> None:
        if self._progress is None:
            return
        state = self.state
        if self._with_state:
            self._progress(state.files_done, state.files_total, state.path, state=state)
        else:
            self._progress(state.files_done, state.files_total, state.path)


def _takes_state(progress: Progress) -> bool:
    """Whether a progress callback accepts the keyword ``state``."""
    try:
        parameters = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):  # a builtin or something uninspectable: the three arguments only
        return False
    return any(p.name == "state" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def chunks(items: list[Any], size_of: Callable[[Any], int], max_bytes: Callable[[], int],
           max_items: int) -> Iterator[list[Any]]:
    """``items`` cut into runs of at most ``max_bytes()`` bytes (asked anew for each run) or ``max_items``."""
    current: list[Any] = []
    size, limit = 0, max_bytes()
    for item in items:
        if current and (size + size_of(item) > limit or len(current) >= max_items):
            yield current
            current, size, limit = [], 0, max_bytes()
        current.append(item)
        size += size_of(item)
    if current:
        yield current


__all__ = ["Progress", "CommitPolicy", "Pace", "Interrupts", "ProgressState", "Tracker", "chunks"]
