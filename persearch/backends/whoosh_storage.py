"""Whoosh's files, read in place: a search process's memory does not grow with the index.

Whoosh-Reloaded opens a *compound* segment (all of a segment's files in one
``.seg`` file) through a memory map, and then wraps each file it reads from
it in a ``BufferFile``, whose ``BytesIO(buffer)`` copies that whole sub-file
into memory: the first query of every process copied the postings, the term
index and the stored documents (454 MiB of resident memory for a search of a
203 MB index of 42,752 documents, 36 MiB without the copy).

So persearch writes segments as separate files (``compound=False``: no
assembly copy at commit either), opens every file as an ordinary file read on
demand (:class:`Storage`, no memory maps), reads the compound segments of
older indexes in place, through a file handle of their own per sub-file, and
moves those segments to separate files on the next commit
(:func:`unpack_compound`).

    >>> ix = windex.FileIndex(Storage("/tmp/ix"))      # doctest: +SKIP
"""
from __future__ import annotations

import os
import struct
from typing import Any, Iterable

from whoosh.filedb.compound import SubFile
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

#: The extension of Whoosh's compound segment files.
COMPOUND_EXT = ".seg"


class Storage(FileStorage):
    """A Whoosh ``FileStorage`` that never maps or copies a whole file.

    ``Storage("نمایه/data-1")``: each file is opened as a buffered file and
    read where a query needs it; a compound ``.seg`` file is read in place.
    """

    def __init__(self, path: str, readonly: bool = False) -> None:
        super().__init__(path, supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        if name.endswith(COMPOUND_EXT):
            return _CompoundFile(self._fpath(name), name)
        return super().open_file(name, **kwargs)


class _CompoundFile(StructFile):
    """A compound segment file whose sub-files each get their own file handle.

    Whoosh's own non-mapped path shares one handle among the sub-files and
    seeks it before every read, which two threads searching at once would
    interleave.
    """

    def __init__(self, path: str, name: str) -> None:
        super().__init__(open(path, "rb"), name=name)
        self._path = path

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return StructFile(_OwnSubFile(open(self._path, "rb"), offset, length, name=name), name=name)


class _OwnSubFile(SubFile):
    """A window on a file that owns (and closes) its handle."""

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _inner(segment: Any) -> Any:
    """The codec's segment object (Whoosh may wrap it)."""
    while hasattr(segment, "_child"):
        segment = segment._child
    return segment


def unpack_compound(storage: FileStorage, segments: Iterable[Any]) -> list[str]:
    """Write each compound segment's files out as separate files; return the
    compound files to delete once the next TOC no longer needs them.

    Called before a commit writes its TOC: the segments are marked
    non-compound in that TOC, which is the one atomic step. A crash before it
    leaves the compound file in use and some extra files that the next commit
    writes again; after it, a stale ``.seg`` that :func:`remove_files` deletes.
    """
    stale = []
    for segment in segments:
        inner = _inner(segment)
        if not inner.is_compound():
            # A compound file left by a crash after the TOC that unpacked it.
            leftover = inner.make_filename(COMPOUND_EXT)
            if storage.file_exists(leftover):
                stale.append(leftover)
            continue
        compound = inner.open_compound_file(storage)
        try:
            for name in compound.list():
                source = compound.open_file(name)
                try:
                    target = storage.create_file(name)
                    try:
                        while True:
                            block = source.read(1 << 20)
                            if not block:
                                break
                            target.write(block)
                        target.flush()
                        os.fsync(target.fileno())
                    finally:
                        target.close()
                finally:
                    source.close()
        finally:
            compound.close()
        inner.compound = False
        stale.append(inner.make_filename(COMPOUND_EXT))
    return stale


def remove_files(storage: FileStorage, names: Iterable[str]) -> None:
    """Delete files no TOC refers to any more (a reader that has one open keeps reading it)."""
    for name in names:
        try:
            storage.delete_file(name)
        except OSError:
            pass


# A term dictionary entry: key and value lengths (Whoosh's filetables), the
# key (the field's number, then the term), the value (W3TermInfo: a flag
# byte, the total weight, then the document frequency).
_ENTRY_LENGTHS = struct.Struct("!ii")
_FIELD_NUMBER = struct.Struct("!H")
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5


def term_frequencies(segment_reader: Any, field: str) -> list[tuple[str, int]] | None:
    """``(term, document frequency)`` of every term of ``field`` in one segment, in term order,
    read in one pass over its term dictionary; None if the segment is not laid out as
    expected (the caller then asks Whoosh term by term, 20 times slower)."""
    try:
        terms = segment_reader._terms
        table = terms._tindex
        number = terms._fieldmap.get(field)
        start, end = table.startofdata, table.endofdata
        data = table.dbfile.get(start, end - start)
    except (AttributeError, KeyError, TypeError):
        return None
    if number is None:
        return []
    prefix = _FIELD_NUMBER.pack(number)
    found: list[tuple[str, int]] = []
    lengths, size = _ENTRY_LENGTHS.unpack_from, _ENTRY_LENGTHS.size
    df_of = _DOC_FREQUENCY.unpack_from
    at, end = 0, len(data)
    while at < end:
        key_length, value_length = lengths(data, at)
        key_at = at + size
        value_at = key_at + key_length
        if data[key_at:key_at + 2] == prefix:
            term = data[key_at + 2:value_at].decode("utf-8")
            found.append((term, df_of(data, value_at + _DOC_FREQUENCY_AT)[0]))
        elif found:
            break  # keys are sorted by field number: the field's terms are behind us
        at = value_at + value_length
    return found
