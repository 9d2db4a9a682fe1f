"""The tantivy backend's stored documents, kept beside tantivy's files rather than in its document store.

Why: a hit needs its small fields, its text and its tokens (for the snippet).
tantivy's Python binding returns a stored document by decompressing a store
block and then deserializing every stored byte one at a time: about 17 µs for
a news hit, 15 % of a whole question search. Here a page of hits costs two
fast-field reads (the engine's column store) and one slice of a memory map
per hit: about 1.4 µs a hit.

Layout: records are written to *parts*, files ``docs-<12 hex digits>.bin``
in the engine folder. A part is written by one writer between two commits
(or by one worker of a parallel build) and never changed afterwards, so its
checksum is taken once, like a segment file's. A record is ``u32 size`` then
``u32 fields size``, the small fields (tantivy_documents) and the body (the
text and its tokens). Each tantivy document holds its record's place in two
fast fields, :data:`PART` (the part's number) and :data:`AT` (the record's
offset in it).

Crash safety: a part is flushed to disk before the commit that names it, so
a committed document's record is always there. A part no live document
names (a writer killed before its commit, a part whose documents were all
replaced or deleted) is deleted after a commit, write lock held
(:func:`remove_unnamed`). tantivy never sees these files: they are not in
its ``.managed.json``, so its own garbage collection leaves them alone.
A search that finds a part gone (another process's commit removed it after
this searcher was taken) fails with an OSError, and the index opens the
engine again and searches the new generation (persearch.index.integrity).
"""
from __future__ import annotations

import mmap
import os
import re
import struct
from typing import Any, Sequence

import tantivy

from ..files import fsync_folder

#: The fast fields that hold a document's record: its part's number and its offset in the part.
PART, AT = "part", "at"
_PART_NAME = re.compile(r"docs-([0-9a-f]{12})\.bin\Z")
_U32 = 4
_HEAD = struct.Struct("<II")  # a record's head: its size after the first number, its fields' size


def part_name(number: int) -> str:
    return f"docs-{number:012x}.bin"


def part_files(folder: str) -> list[str]:
    """The names of the parts in an engine folder."""
    return sorted(name for name in os.listdir(folder) if _PART_NAME.match(name))


def add_record_fields(builder: Any) -> None:
    """Declare the two fast fields that place a document's record (unsigned, not indexed, not stored)."""
    builder.add_unsigned_field(PART, fast=True)
    builder.add_unsigned_field(AT, fast=True)


class PartWriter:
    """One new part: records appended, then flushed to disk before the commit that names them."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        while True:  # 48 random bits: parts written at once by worker processes never share a number
            # (os.urandom, not the secrets module: that imports OpenSSL, ~6 ms of every search's start)
            self.number = int.from_bytes(os.urandom(6), "little")
            self.path = os.path.join(folder, part_name(self.number))
            try:
                self._file = open(self.path, "xb")
                break
            except FileExistsError:  # pragma: no cover - one chance in 2**48
                continue
        self._size = 0

    def add(self, fields: bytes, body: bytes) -> int:
        """Append one record; its offset."""
        at = self._size
        self._file.write(_HEAD.pack(_U32 + len(fields) + len(body), len(fields)))
        self._file.write(fields)
        self._file.write(body)
        self._size += _HEAD.size + len(fields) + len(body)
        return at

    def finish(self) -> None:
        """Flush the part to disk (before the commit that names it); an empty one is removed."""
        self._file.flush()
        if self._size:
            os.fsync(self._file.fileno())
        self._file.close()
        if not self._size:
            os.remove(self.path)
        fsync_folder(self.folder)

    def abandon(self) -> None:
        """Drop the part (its writer's changes were cancelled)."""
        self._file.close()
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass


class Parts:
    """The parts of an engine folder, as a reader maps them: each opened on first use, kept open.

    A part never changes once written, so a mapping stays valid for every
    searcher of the index, and stays readable even after a later commit
    deletes the file.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._maps: dict[int, mmap.mmap] = {}

    def _part(self, number: int) -> mmap.mmap:
        found = self._maps.get(number)
        if found is None:
            path = os.path.join(self.folder, part_name(number))
            try:
                with open(path, "rb") as fh:
                    found = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except FileNotFoundError:
                raise FileNotFoundError(2, "a stored-documents part is missing", path) from None
            except ValueError:  # mmap of an empty file
                raise OSError(f"the stored-documents part {path} is empty") from None
            self._maps[number] = found
        return found

    def records(self, searcher: Any, addresses: Sequence[Any], body: bool = True) -> list[tuple[bytes, bytes]]:
        """``(fields, body)`` of the documents at ``addresses`` (``body`` empty unless asked for)."""
        if not addresses:
            return []
        numbers = searcher.fast_field_values(PART, addresses)
        offsets = searcher.fast_field_values(AT, addresses)
        out = []
        for number, at in zip(numbers, offsets):
            if number is None or at is None:
                raise OSError("a document of the index does not say where its stored record is")
            part = self._part(number)
            if at + 2 * _U32 > len(part):
                raise OSError(f"the stored-documents part {part_name(number)} is cut short")
            size, fields_size = _HEAD.unpack_from(part, at)
            fields_end = at + 2 * _U32 + fields_size
            end = at + _U32 + size
            if size < _U32 or end > len(part) or fields_end > end:
                raise OSError(f"the stored-documents part {part_name(number)} is cut short")
            out.append((part[at + 2 * _U32:fields_end], part[fields_end:end] if body else b""))
        return out

    def forget_deleted(self) -> None:
        """Let go of the mappings of parts a commit deleted (after a reload): a long-running reader
        does not keep their disk space. A search still reading one keeps it until it is done."""
        for number in [n for n in self._maps if not os.path.exists(os.path.join(self.folder, part_name(n)))]:
            del self._maps[number]

    def close(self) -> None:
        maps, self._maps = self._maps, {}
        for mapped in maps.values():  # slicing copies, so no buffer of a mapping is ever held elsewhere
            mapped.close()


def named_parts(searcher: Any) -> set[int]:
    """The numbers of the parts the live documents name (one terms aggregation of the fast field)."""
    if not searcher.num_docs:
        return set()
    found = searcher.aggregate(tantivy.Query.all_query(), {"p": {"terms": {"field": PART, "size": 1 << 24}}})
    return {int(bucket["key"]) for bucket in found["p"]["buckets"]}


def remove_unnamed(folder: str, searcher: Any) -> None:
    """Delete the parts no live document of the committed index names (write lock held)."""
    named = {part_name(number) for number in named_parts(searcher)}
    for name in part_files(folder):
        if name not in named:
            try:
                os.remove(os.path.join(folder, name))
            except FileNotFoundError:
                pass
