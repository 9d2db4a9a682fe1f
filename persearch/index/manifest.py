"""The manifest: which files an index holds, and what they looked like when read.

``DIR/data-N/manifest.json`` records, for the engine generation it describes,
the roots a sync walks, the paths removed from under them (``excluded``),
field options per path (:mod:`persearch.index.options`) and one
:class:`FileEntry` per indexed file. On disk an entry is a JSON list,
``[size, mtime_ns, hash, documents]`` with a fifth item, where a link to the
file is, for a file outside every root that a root reaches through a link.
Indexes written by every persearch so far use that form; it is read and
written unchanged.

    >>> FileEntry.from_json([1200, 1700000000000000000, "9f2c", 3]).documents
    3
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from ..files import write_json
from .paths import under

if TYPE_CHECKING:
    from ..backends.base import Backend

MANIFEST_FILE = "manifest.json"
#: Manifest keys also kept in persearch.json, so a lost manifest loses no roots.
SHARED_KEYS = ("roots", "excluded", "options")


@dataclass(slots=True)
class FileEntry:
    """What the manifest knows of one indexed file."""

    size: int
    mtime_ns: int
    hash: str
    documents: int
    #: For a file outside every root that a root reaches through a link: where the link is.
    link: str | None = None

    @classmethod
    def from_json(cls, item: list[Any]) -> FileEntry:
        """An entry from its on-disk list ``[size, mtime_ns, hash, documents(, link)]``."""
        return cls(*item)  # the fields are in the list's order

    def to_json(self) -> list[Any]:
        """The on-disk list (the link only when there is one)."""
        if self.link is None:
            return [self.size, self.mtime_ns, self.hash, self.documents]
        return [self.size, self.mtime_ns, self.hash, self.documents, self.link]

    def home(self, path: str) -> str:
        """Where the file at ``path`` belongs: its path, or where the link to it is."""
        return self.link or path

    def read_again(self) -> None:
        """Make the next sync read and index the file again, however unchanged it is."""
        self.size, self.mtime_ns, self.hash = -1, -1, ""  # no size, mtime or hash matches

    @property
    def to_read_again(self) -> bool:
        """Whether :meth:`read_again` was called since it was last read."""
        return self.size == -1

    def unchanged(self, size: int, mtime_ns: int) -> bool:
        """The fast path of a sync: same size and mtime, so not even read."""
        return self.size == size and self.mtime_ns == mtime_ns


@dataclass
class Manifest:
    """The file table of an index folder and the settings a sync needs."""

    generation: int | None = -1
    updated_at: str | None = None
    roots: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    #: ``{path: IngestOptions dict}`` once normalized (:func:`persearch.index.options.options_by_path`).
    options: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FileEntry] = field(default_factory=dict)
    #: Keys this persearch does not know, kept as they were.
    other: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """A manifest from its JSON object (missing keys take their defaults)."""
        known = {"generation", "updated_at", "roots", "excluded", "options", "files"}
        return cls(generation=data.get("generation"), updated_at=data.get("updated_at"),
                   roots=list(data.get("roots") or []), excluded=list(data.get("excluded") or []),
                   options=dict(data.get("options") or {}),
                   # FileEntry(*item) is FileEntry.from_json(item), without a call per file.
                   files={path: FileEntry(*item) for path, item in (data.get("files") or {}).items()},
                   other={k: v for k, v in data.items() if k not in known})

    def to_json(self) -> dict[str, Any]:
        return {**self.other, "generation": self.generation, "updated_at": self.updated_at, "roots": self.roots,
                "excluded": self.excluded, "options": self.options,
                "files": {path: entry.to_json() for path, entry in self.files.items()}}

    @classmethod
    def read(cls, data_dir: Path) -> Manifest | None:
        """The manifest in ``data_dir``, or None when it is missing or unreadable."""
        try:
            data = json.loads((data_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls.from_json(data) if isinstance(data, dict) else None

    def write(self, data_dir: Path, generation: int) -> None:
        """Replace the manifest in ``data_dir`` (atomically), as describing engine ``generation``."""
        self.generation = generation
        self.updated_at = now()
        write_json(data_dir / MANIFEST_FILE, self.to_json())

    def shared(self) -> dict[str, Any]:
        """The settings persearch.json keeps a copy of (:data:`SHARED_KEYS`)."""
        return {"roots": self.roots, "excluded": self.excluded, "options": self.options}

    def homes(self) -> Iterator[str]:
        """Where each indexed file belongs (:meth:`FileEntry.home`)."""
        return (entry.home(path) for path, entry in self.files.items())

    def add_roots(self, roots: list[str]) -> None:
        """Record ``roots``. A folder inside a recorded folder is not recorded
        twice; a named file always is: the walk of its folder would skip it when
        its extension is not one persearch reads (NOTES, data.log)."""
        for root in roots:
            if root in self.roots:
                continue
            if not os.path.isdir(root):
                self.roots.append(root)
            elif not under(root, self.roots):
                inner = [r for r in self.roots if under(r, [root]) and os.path.isdir(r)]
                self.roots = [r for r in self.roots if r not in inner] + [root]
        self.excluded = [e for e in self.excluded if not under(e, roots)]

    def forget_roots(self, roots: list[str]) -> None:
        """Stop recording ``roots`` (and the field options given for them); their files stay as they are."""
        self.roots = [root for root in self.roots if root not in roots]
        for root in roots:
            self.options.pop(root, None)

    def one_document_less(self, path: str) -> None:
        """A document read from file ``path`` was deleted: its count (the entry goes with its last one)."""
        entry = self.files.get(path)
        if entry is not None:
            entry.documents -= 1
            if entry.documents <= 0:
                del self.files[path]

    def set_links(self, reached_via: Mapping[str, str], unlinked: Iterable[str]) -> None:
        """Record where the links to the files just seen are, and clear it for those now in a root."""
        for path, via in reached_via.items():
            entry = self.files.get(path)
            if entry is not None:
                entry.link = via
        for path in unlinked:
            entry = self.files.get(path)
            if entry is not None:
                entry.link = None

    def drop(self, path: str, reached: str) -> dict[str, int] | None:
        """Forget ``path``, a file or folder: the files under it, it as a root, the
        roots inside it and their field options; the files dropped (with their
        document counts), or None when the index knows nothing of ``path``.

        When a root would walk into it again (``reached``, the path as named,
        may be a link inside a root to outside it), it is kept out of later syncs.
        """
        doomed = [p for p, entry in self.files.items() if under(p, [path]) or under(entry.home(p), [path])]
        if not doomed and path not in self.roots:
            return None
        linked = any(self.files[p].link for p in doomed)  # reached through a link: keep it out too
        dropped = {p: self.files.pop(p).documents for p in doomed}
        self.roots = [r for r in self.roots if not under(r, [path])]
        for named in [p for p in self.options if under(p, [path])]:
            del self.options[named]
        if (under(path, self.roots) or under(reached, self.roots) or linked) and path not in self.excluded:
            self.excluded.append(path)  # update() must not bring it back
        return dropped

    def recovered(self, backend: Backend) -> Manifest:
        """This manifest with its file table rebuilt from the engine's stored fields.

        For when the engine committed but the manifest was not written (a
        crash between the two) or is lost: what it knew beyond the stored
        fields (link locations, files to read again) is kept. Record files
        are read again (record by record: unchanged records are not
        indexed again), since a crash may have cut one short.
        """
        files: dict[str, FileEntry] = {}
        for doc_id, path, size, mtime, hsh in backend.file_records():
            entry = files.get(path)
            if entry is None:
                entry = files[path] = FileEntry(size, int(mtime * 1e9), hsh, 0)
            entry.documents += 1
            if doc_id != path:  # a record: its hash is the record's, and its file may be indexed only in part
                entry.read_again()
        for path, old in self.files.items():
            entry = files.get(path)
            if entry is not None:
                entry.link = old.link
                if old.to_read_again:  # still to be read again with new options
                    entry.read_again()
        return Manifest(self.generation, self.updated_at, self.roots, self.excluded, self.options, files, self.other)


def now() -> str:
    """The time, as manifests and persearch.json record it (UTC, ISO 8601, seconds)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


__all__ = ["MANIFEST_FILE", "SHARED_KEYS", "FileEntry", "Manifest", "now"]
