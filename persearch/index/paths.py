"""Paths as an index records them (absolute, links resolved), and which lie inside which.

    >>> under("/home/u/اخبار/خبر.txt", ["/home/u/اخبار"])
    True
    >>> under("/home/u/اخبار-قدیم", ["/home/u/اخبار"])
    False
"""
from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Iterable


def under(path: str, roots: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``roots`` or lies inside one."""
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def resolved(path: str | os.PathLike[str]) -> str:
    """``path`` absolute, with links resolved: how the index names files and roots."""
    return str(Path(path).expanduser().absolute().resolve())


def record_id(item: str) -> str:
    """``PATH#ID`` with PATH made absolute and resolved, as record ids are stored."""
    path, _, record = item.partition("#")
    return f"{resolved(path)}#{record}"


def empty_folder(path: str) -> bool:
    """A folder with nothing in it at all: how an unmounted disk's mount point looks."""
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:
        return False


class PathCounter:
    """How many indexed files lie under a path (sorted once, then two bisections)."""

    def __init__(self, files: Iterable[str]) -> None:
        self._files: list[str] | None = None
        self._source = files

    def inside(self, path: str) -> int:
        if self._files is None:
            self._files = sorted(self._source)
        prefix = path.rstrip(os.sep) + os.sep
        # Every path starting with PREFIX sorts between PREFIX and PREFIX + U+10FFFF.
        return bisect.bisect_right(self._files, prefix + "\U0010ffff") - bisect.bisect_left(self._files, prefix)
