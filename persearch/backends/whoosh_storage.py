"""Whoosh's files, read in place: a search process's memory does not grow with the index.

Whoosh-Reloaded opens a *compound* segment (all of a segment's files in one
``.seg`` file) through a memory map, and then wraps each file it reads from
it in a ``BufferFile``, whose ``BytesIO(buffer)`` copies that whole sub-file
into memory: the first query of every process copied the postings, the term
index and the stored documents (454 MiB of resident memory for a search of a
203 MB index of 42,752 documents, 36 MiB without the copy).

So persearch writes segments as separate files (``compound=False``: no
assembly copy at commit either), maps every file without copying it
(:class:`Storage`: a read copies only what it returns, the process holds only
the pages its queries touch), reads the compound segments of older indexes
through windows on one map, and moves those segments to separate files on the
next commit (:func:`unpack_compound`).

    >>> ix = windex.FileIndex(Storage("/tmp/ix"))      # doctest: +SKIP
"""
from __future__ import annotations

import mmap
import os
import struct
from typing import Any, Iterable, Iterator

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

#: The extension of Whoosh's compound segment files.
COMPOUND_EXT = ".seg"


class Storage(FileStorage):
    """A Whoosh ``FileStorage`` that maps files instead of copying them.

    ``Storage("نمایه/data-1")``: each file is read through a memory map, so
    a read copies only the bytes it returns and the process holds only the
    pages its queries touched (the page cache keeps the rest, shared); a
    compound ``.seg`` file is mapped once and its sub-files are windows on
    that map.
    """

    def __init__(self, path: str, readonly: bool = False) -> None:
        # Whoosh's own mapping (supports_mmap=True) is the copying one: off.
        super().__init__(path, supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        if name.endswith(COMPOUND_EXT):
            return _CompoundFile(self._fpath(name), name)
        path = self._fpath(name)
        mapped = _map(path)
        if mapped is None:  # an empty file cannot be mapped
            return super().open_file(name, **kwargs)
        return _MappedFile(mapped, name, path)


def _map(path: str) -> mmap.mmap | None:
    with open(path, "rb") as fh:
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:
            return None


class _MappedFile(StructFile):
    """A Whoosh file over a memory map (or a window on one): ``get`` slices it directly."""

    def __init__(self, mapped: Any, name: str, path: str | None = None) -> None:
        super().__init__(mapped if isinstance(mapped, mmap.mmap) else _Window(mapped), name=name)
        self.is_real = False  # no os-level reads: everything goes through read/seek
        self._mapped = mapped
        #: The file on disk, when it is one of its own (not a window on a compound segment).
        self.path = path

    def read_whole(self, position: int, length: int) -> bytes:
        """``length`` bytes from ``position``, read from the file rather than through the map
        when it can be: the pages of a sequential read of a whole table then do not stay
        in this process's memory (the page cache keeps them) as the map's pages would."""
        if self.path is not None:
            try:
                with open(self.path, "rb") as fh:
                    fh.seek(position)
                    data = fh.read(length)
                if len(data) == length:
                    return data
            except OSError:  # gone (a rebuild swapped the folder away): the map still holds it
                pass
        return self.get(position, length)

    def get(self, position: int, length: int) -> bytes:
        return self._mapped[position:position + length] if self.file is self._mapped \
            else bytes(self._mapped[position:position + length])


class _Window:
    """A read-only file over a memoryview (a compound segment's sub-file)."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        data = bytes(self._view[self._pos:end])
        self._pos = max(self._pos, end)
        return data

    def readline(self, size: int = -1) -> bytes:
        rest = self._view[self._pos:]
        at = bytes(rest[:size] if size is not None and size >= 0 else rest).find(b"\n")
        return self.read(at + 1 if at >= 0 else size)

    def seek(self, where: int, whence: int = 0) -> int:
        self._pos = where if whence == 0 else self._pos + where if whence == 1 else len(self._view) + where
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()


class _CompoundFile(StructFile):
    """A compound segment file, mapped once; its sub-files are windows on the map."""

    def __init__(self, path: str, name: str) -> None:
        super().__init__(open(path, "rb"), name=name)
        self._mapped = _map(path)

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        if self._mapped is None:
            return super().subset(offset, length, name=name)
        return _MappedFile(memoryview(self._mapped)[offset:offset + length], name or self._name)

    def close(self) -> None:
        super().close()
        if self._mapped is not None:
            try:
                self._mapped.close()
            except BufferError:  # a window is still open: the map goes when it does
                pass


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


def term_frequencies(segment_reader: Any, field: str) -> Iterator[tuple[str, int]] | None:
    """``(term, document frequency)`` of every term of ``field`` in one segment, in term order,
    read in one pass over its term dictionary; None if the segment is not laid out as
    expected (the caller then asks Whoosh term by term, 20 times slower).

    The terms come one at a time: summed over several segments (the spelling
    table a build writes last), a list of each segment's would be the build's
    peak memory.
    """
    try:
        terms = segment_reader._terms
        table = terms._tindex
        number = terms._fieldmap.get(field)
        start, end = table.startofdata, table.endofdata
        dbfile = table.dbfile
        read = dbfile.read_whole if isinstance(dbfile, _MappedFile) else dbfile.get
        data = read(start, end - start)
    except (AttributeError, KeyError, TypeError):
        return None
    if number is None:
        return iter(())
    return _field_terms(data, _FIELD_NUMBER.pack(number))


def _field_terms(data: bytes, prefix: bytes) -> Iterator[tuple[str, int]]:
    """The terms of the field whose number is packed in ``prefix``, from a term dictionary's bytes."""
    lengths, size = _ENTRY_LENGTHS.unpack_from, _ENTRY_LENGTHS.size
    df_of = _DOC_FREQUENCY.unpack_from
    at, end = 0, len(data)
    seen = False
    while at < end:
        key_length, value_length = lengths(data, at)
        key_at = at + size
        value_at = key_at + key_length
        if data[key_at:key_at + 2] == prefix:
            seen = True
            yield data[key_at + 2:value_at].decode("utf-8"), df_of(data, value_at + _DOC_FREQUENCY_AT)[0]
        elif seen:
            return  # keys are sorted by field number: the field's terms are behind us
        at = value_at + value_length
