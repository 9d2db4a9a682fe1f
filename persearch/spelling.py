"""The spelling table an index keeps on disk: written when a write commits, read in place.

The query layer corrects a misspelled word through a deletion neighbourhood
(persearch/query/suggest.py): every frequent index term is filed under
itself with one letter deleted. Building that from the engine's term
dictionary cost the first few-hit query of every process 0.35 s on the news
index and 0.9–1.8 s (127 MiB) at 171,000 documents. So a writer builds it
once per committed generation (:func:`write_for`) into ``spelling.bin`` in
the engine's folder, and a search process maps that file (:func:`open_for`)
and reads the few entries a correction needs.

The file (native byte order, flagged in the header) holds every term with
its document frequency (title and body summed), sorted, and two sorted
arrays of 64-bit keys, ``crc32(text) << 32 | term number``: one finds a term
by its text, one finds the frequent terms filed under a deletion key. A
CRC collision only offers a term that is then checked (by its text, or by
the edit distance every candidate is checked with).

    >>> write_table("/tmp/spelling.bin", 7, [("کتاب", 3), ("کباب", 2)])   # doctest: +SKIP
    >>> SpellingFile("/tmp/spelling.bin").freq["کتاب"]                     # doctest: +SKIP
    3
"""
from __future__ import annotations

import mmap
import os
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterable, Iterator
from zlib import crc32

#: Terms in fewer documents than this are never offered as corrections.
MIN_DOC_FREQ = 2
#: At most this many of the most frequent terms are offered as corrections.
MAX_CANDIDATES = 150_000
#: The table's file in the engine's folder.
FILE_NAME = "spelling.bin"

_MAGIC = b"PSSPELL1"
_ORDER = 1 if sys.byteorder == "little" else 2
# magic, byte order, generation, terms, blob bytes, filed keys
_HEADER = struct.Struct("<8sBxxxxxxxqQQQ")
_LOW = 0xFFFFFFFF


def correctable(freq: Mapping[str, int]) -> list[str]:
    """The terms offered as corrections, most frequent first: in at least
    ``MIN_DOC_FREQ`` documents, two letters or more, not a number."""
    frequent = sorted(((df, t) for t, df in freq.items()
                       if df >= MIN_DOC_FREQ and len(t) >= 2 and not t.isdigit()), reverse=True)
    return [t for _, t in frequent[:MAX_CANDIDATES]]


def deletes1(term: str) -> Iterator[str]:
    """``term`` with one letter deleted, for each letter: ``list(deletes1("کتب")) == ["تب", "کب", "کت"]``."""
    for i in range(len(term)):
        yield term[:i] + term[i + 1:]


def _key(text: str) -> int:
    return crc32(text.encode("utf-8"))


def write_table(path: str | os.PathLike[str], generation: int, terms: Iterable[tuple[str, int]]) -> None:
    """Write the spelling table of ``terms`` (``(term, document frequency)``, a term may repeat:
    its frequencies add up) for engine ``generation`` to ``path``, atomically."""
    freq: dict[str, int] = {}
    for term, df in terms:
        if "\n" not in term:
            freq[term] = freq.get(term, 0) + df
    ordered = sorted(freq)
    number = {term: i for i, term in enumerate(ordered)}
    encoded = [term.encode("utf-8") for term in ordered]
    blob = b"\n".join(encoded)
    starts = array("Q", accumulate((len(b) + 1 for b in encoded), initial=0))
    dfs = array("Q", (freq[t] for t in ordered))
    by_text = array("Q", sorted(crc32(b) << 32 | i for i, b in enumerate(encoded)))
    filed = set()
    for term in correctable(freq):
        i = number[term]
        filed.update(_key(key) << 32 | i for key in deletes1(term))
    by_key = array("Q", sorted(filed))
    header = _HEADER.pack(_MAGIC, _ORDER, generation, len(ordered), len(blob), len(by_key))
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # like persearch.files.write_json
    try:
        with open(temp, "wb") as fh:
            fh.write(header)
            for part in (starts, dfs, by_text, by_key):
                part.tofile(fh)
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


class SpellingFile:
    """A spelling table file, mapped: look-ups read only the pages they touch.

    ``freq`` is a read-only mapping term → document frequency;
    :meth:`filed_under` gives the frequent terms one deletion away from a key.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            magic, order, generation, terms, blob, keys = _HEADER.unpack_from(self._map, 0)
            if magic != _MAGIC or order != _ORDER:
                raise ValueError("not a spelling table of this machine")
            self.generation = generation
            view = memoryview(self._map)
            at = _HEADER.size
            sizes = (terms + 1, terms, terms, keys)
            parts = []
            for count in sizes:
                parts.append(view[at:at + 8 * count].cast("Q"))
                at += 8 * count
            self._starts, self._dfs, self._by_text, self._by_key = parts
            self._blob = view[at:at + blob]
            if at + blob != len(self._map):
                raise ValueError("truncated spelling table")
        except (ValueError, struct.error, TypeError):
            self.close()
            raise
        self.freq = _Frequencies(self)

    def close(self) -> None:
        for name in ("_starts", "_dfs", "_by_text", "_by_key", "_blob"):
            view = self.__dict__.pop(name, None)
            if view is not None:
                view.release()
        try:
            self._map.close()
        except BufferError:  # a view is still held somewhere: the map goes with it
            pass

    def __len__(self) -> int:
        return len(self._dfs)

    def term(self, number: int) -> str:
        """The term numbered ``number`` (terms are numbered in sorted order)."""
        return bytes(self._blob[self._starts[number]:self._starts[number + 1] - 1]).decode("utf-8")

    def number(self, term: str) -> int:
        """The number of ``term``, or -1."""
        key = _key(term)
        table = self._by_text
        i = bisect_left(table, key << 32)
        while i < len(table) and table[i] >> 32 == key:
            number = table[i] & _LOW
            if self.term(number) == term:
                return number
            i += 1
        return -1

    def df(self, term: str) -> int:
        """Documents holding ``term`` (0: not an index term)."""
        number = self.number(term)
        return self._dfs[number] if number >= 0 else 0

    def filed_under(self, key: str) -> list[str]:
        """The frequent terms that are ``key`` with one letter more."""
        hashed = _key(key)
        table = self._by_key
        i = bisect_left(table, hashed << 32)
        found = []
        while i < len(table) and table[i] >> 32 == hashed:
            found.append(self.term(table[i] & _LOW))
            i += 1
        return found

    def terms(self) -> list[str]:
        """Every term, sorted (one decode of the whole list)."""
        return bytes(self._blob).decode("utf-8").split("\n") if len(self._dfs) else []


class _Frequencies(Mapping[str, int]):
    """A spelling file's terms and document frequencies as a read-only mapping."""

    def __init__(self, table: SpellingFile) -> None:
        self._table = table

    def __getitem__(self, term: str) -> int:
        number = self._table.number(term) if isinstance(term, str) else -1
        if number < 0:
            raise KeyError(term)
        return self._table._dfs[number]

    def get(self, term: str, default: Any = None) -> Any:
        number = self._table.number(term)
        return self._table._dfs[number] if number >= 0 else default

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._table.number(term) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.terms())

    def __len__(self) -> int:
        return len(self._table)

    def items(self) -> Any:
        return zip(self._table.terms(), self._table._dfs)


def write_for(backend: Any) -> None:
    """Write the spelling table of ``backend``'s committed generation into its folder,
    unless the one there already is (a no-change update writes nothing).

    Best effort: a table that cannot be written (a full disk) leaves none, and
    the query layer builds one in memory as before.
    """
    path = Path(backend.path) / FILE_NAME
    generation = backend.generation()
    current = _read_generation(path)
    if current == generation:
        return

    def all_terms() -> Iterator[tuple[str, int]]:
        for name in ("body", "title"):
            yield from backend.terms(name)

    try:
        write_table(path, generation, all_terms())
    except OSError:
        try:
            os.unlink(path)  # never a table of another generation
        except OSError:
            pass


def _read_generation(path: Path) -> int | None:
    try:
        with open(path, "rb") as fh:
            magic, order, generation, *_ = _HEADER.unpack(fh.read(_HEADER.size))
    except (OSError, struct.error):
        return None
    return generation if magic == _MAGIC and order == _ORDER else None


def open_for(backend: Any) -> SpellingFile | None:
    """The spelling table stored for ``backend``'s committed generation, or None
    (none written yet, or one of another generation: a writer is at work)."""
    path = getattr(backend, "path", None)
    if not path:
        return None
    try:
        table = SpellingFile(Path(path) / FILE_NAME)
    except (OSError, ValueError):
        return None
    if table.generation != backend.generation():
        table.close()
        return None
    return table


__all__ = ["MIN_DOC_FREQ", "MAX_CANDIDATES", "FILE_NAME", "correctable", "deletes1", "write_table",
           "SpellingFile", "write_for", "open_for"]
