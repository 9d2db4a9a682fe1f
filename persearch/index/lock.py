"""The index's write lock: one process writes at a time, any number read.

The lock is an flock on ``DIR/write.lock``, held as long as the descriptor is
open. A child forked while it is held (a worker process) closes its copy at
once: a flock lives as long as any descriptor for it, so an orphaned worker
would otherwise keep the index locked after its parent was killed.

    >>> with file_lock(Path("نمایه"), timeout=10.0):   # doctest: +SKIP
    ...     ...                                        # only this process writes here
"""
from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Iterator

from ..errors import IndexLocked, IndexReadOnly

LOCK_FILE = "write.lock"

#: Write-lock descriptors this process holds (closed in forked children).
_LOCK_FDS: set[int] = set()


def acquire(root: Path, timeout: float) -> int:
    """Take the write lock of the index in ``root``, waiting up to ``timeout`` seconds; its descriptor."""
    import fcntl

    try:
        fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise not_writable(root, exc) from None
        raise
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


def not_writable(root: Path, exc: OSError) -> IndexReadOnly:
    """The error for an index folder this user may not write (permissions, another owner, a read-only disk):
    it names the folder, never the lock file or the engine file the write stumbled on."""
    return IndexReadOnly(f"cannot write the index at {root} ({exc.strerror or 'Permission denied'}); searching it "
                         f"still works, changing it does not (read-only here): index into a folder you can write "
                         f"(--index DIR) or ask for write access")


def release(fd: int) -> None:
    """Give the lock taken by :func:`acquire` back (closing the descriptor releases the flock)."""
    _LOCK_FDS.discard(fd)
    os.close(fd)


@contextlib.contextmanager
def file_lock(root: Path, timeout: float) -> Iterator[None]:
    """Hold the write lock of the index in ``root`` for a ``with`` block."""
    fd = acquire(root, timeout)
    try:
        yield
    finally:
        release(fd)


def _close_inherited_locks() -> None:
    for fd in list(_LOCK_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


__all__ = ["LOCK_FILE", "acquire", "release", "file_lock", "not_writable"]
