"""Walking folders: which files under some paths persearch reads, in a stable order.

:data:`FORMATS` maps file extensions to format names; inside folders only
those files are listed, and hidden files and folders are skipped. Links are
followed, but a folder is visited once, so a link loop is harmless.
:mod:`persearch.ingest` reads what :func:`walk` lists.

    >>> FORMATS[".jsonl"]
    'jsonl'
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

#: File extension → format name. Folders are walked for these only; a file
#: named explicitly with another extension is read as plain text.
FORMATS = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv",
}


@dataclass
class FileInfo:
    """A file found by :func:`walk`, with the stat values change detection uses."""

    path: str
    size: int
    mtime_ns: int
    format: str
    #: The path as reached from what :func:`walk` was given (resolved) through
    #: the links on the way: ``path`` of a file reached through a link is its
    #: target's, which may lie outside that root.
    via: str = ""


def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk(paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str] = ()) -> Iterator[FileInfo | tuple[str, str]]:
    """Yield the indexable files under ``paths`` (files or folders), sorted.

    Hidden files and folders are skipped; symlinks are followed, but a folder
    is visited once (no loops). A path that does not exist is yielded as
    ``(path, reason)``. ``skip`` lists resolved paths to leave out.

    >>> [f.path for f in walk(["اسناد"])]                  # doctest: +SKIP
    ['/home/u/اسناد/خبر.txt']
    """
    skipped = _Skipped(str(p) for p in skip)
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            yield (str(path.absolute()), "not found")
            continue
        if resolved.is_dir():
            yield from _walk_dir(resolved, seen_dirs, seen_files, skipped)
        elif str(resolved) not in seen_files and not skipped(str(resolved)):
            seen_files.add(str(resolved))
            try:
                st = resolved.stat()
            except OSError as exc:
                yield (str(resolved), f"unreadable: {exc.strerror or exc}")
                continue
            fmt = FORMATS.get(resolved.suffix.lower(), "txt")
            yield FileInfo(str(resolved), st.st_size, st.st_mtime_ns, fmt, str(resolved))


class _Skipped:
    """Whether a resolved path is, or lies inside, one to leave out (a link
    can lead into an excluded folder, or into the index's own)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._paths = tuple(paths)
        self._inside = tuple(p.rstrip(os.sep) + os.sep for p in self._paths)

    def __call__(self, path: str) -> bool:
        return path in self._paths or path.startswith(self._inside)


def _walk_dir(root: Path, seen_dirs: set[tuple[int, int]], seen_files: set[str],
              skipped: "_Skipped") -> Iterator[FileInfo | tuple[str, str]]:
    # Each folder with the path it was reached by (links not followed).
    stack: list[tuple[Path, str]] = [(root, str(root))]
    while stack:
        folder, reached = stack.pop()
        try:
            st = folder.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs or skipped(str(folder)):
            continue  # a symlink loop or a second path to the same folder
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield (str(folder), f"unreadable folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            if _hidden(entry.name):
                continue
            try:
                if entry.is_dir():  # follows symlinks; loops are caught by seen_dirs
                    real = Path(entry.path).resolve() if entry.is_symlink() else Path(entry.path)
                    subdirs.append((real, os.path.join(reached, entry.name)))
                    continue
                fmt = FORMATS.get(os.path.splitext(entry.name)[1].lower())
                if fmt is None:
                    continue
                if not entry.is_file():
                    if entry.is_symlink() and not os.path.exists(entry.path):
                        yield (entry.path, "broken link")
                    continue
                target = str(Path(entry.path).resolve()) if entry.is_symlink() else entry.path
                if target in seen_files or skipped(target):
                    continue
                seen_files.add(target)
                est = entry.stat()
                yield FileInfo(target, est.st_size, est.st_mtime_ns, fmt, os.path.join(reached, entry.name))
            except OSError as exc:
                yield (entry.path, f"unreadable: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))


__all__ = ["FORMATS", "FileInfo", "walk"]
