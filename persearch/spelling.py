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
its document frequency (title and body summed), sorted, and two hash tables
of 64-bit entries, ``crc32(text) << 32 | term number``, sorted, so grouped in
buckets by the CRC's high bits (an array of bucket starts beside each): one finds a
term by its text, one finds the frequent terms filed under a deletion key,
each with one bucket read. A CRC collision only offers a term that is then
checked (by its text, or by the edit distance every candidate is checked with).

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
from collections import Counter
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

_MAGIC = b"PSSPELL3"
_ORDER = 1 if sys.byteorder == "little" else 2
# magic, byte order, generation, terms, blob bytes, filed keys, buckets of the text table, of the key table
_HEADER = struct.Struct("<8sBxxxxxxxqQQQQQ")
_LOW = 0xFFFFFFFF
# A table is sorted in 16 parts, by an entry's top 4 bits.
_PARTS, _PART_SHIFT = 16, 60


def _offered(term: str, df: int) -> bool:
    """Whether a term may be offered as a correction: in at least ``MIN_DOC_FREQ``
    documents, two letters or more, not a number."""
    return df >= MIN_DOC_FREQ and len(term) >= 2 and not term.isdigit()


def correctable(freq: Mapping[str, int]) -> list[str]:
    """The terms offered as corrections, most frequent first: in at least
    ``MIN_DOC_FREQ`` documents, two letters or more, not a number."""
    frequent = sorted(((df, t) for t, df in freq.items() if _offered(t, df)), reverse=True)
    return [t for _, t in frequent[:MAX_CANDIDATES]]


def deletes1(term: str) -> Iterator[str]:
    """``term`` with one letter deleted, for each letter: ``list(deletes1("کتب")) == ["تب", "کب", "کت"]``."""
    for i in range(len(term)):
        yield term[:i] + term[i + 1:]


def _key(text: str) -> int:
    return crc32(text.encode("utf-8"))


def _hash_table(entries: Iterable[int]) -> tuple[array, array]:
    """Entries ``crc << 32 | number`` as a bucketed hash table: the entries, sorted and each once
    (so grouped by bucket, the CRC's high bits), and each bucket's start.

    Kept compact: the deletion keys are about six a frequent term, and a set
    or list of Python ints costs 40-70 bytes an entry (a corpus whose terms
    all recur doubled a build's peak memory with them). Entries go to 16
    arrays of 8 bytes by their top bits, each sorted alone, so only a
    sixteenth of them is ever a set or a list.
    """
    parts = [array("Q") for _ in range(_PARTS)]
    for entry in entries:
        parts[entry >> _PART_SHIFT].append(entry)
    table = array("Q")
    for n, part in enumerate(parts):
        table.extend(sorted(set(part)))
        parts[n] = array("Q")  # freed as it goes
    bits = max(0, (len(table) - 1).bit_length() - 1)  # about two entries a bucket
    sizes = array("Q", bytes(8 * ((1 << bits) + 1)))
    if bits:
        shift = 64 - bits
        for entry in table:
            sizes[(entry >> shift) + 1] += 1
    else:
        sizes[1] = len(table)
    return table, array("Q", accumulate(sizes))


def _candidates(ordered: list[str], dfs: array) -> list[int]:
    """The numbers of the terms :func:`correctable` gives (``ordered``: every term, sorted;
    ``dfs``: their frequencies), without a dict of them."""
    offered = [i for i, (term, df) in enumerate(zip(ordered, dfs)) if _offered(term, df)]
    if len(offered) > MAX_CANDIDATES:
        offered = sorted(offered, key=lambda i: (dfs[i], ordered[i]), reverse=True)[:MAX_CANDIDATES]
    return offered


def write_table(path: str | os.PathLike[str], generation: int, terms: Iterable[tuple[str, int]]) -> None:
    """Write the spelling table of ``terms`` (``(term, document frequency)``, a term may repeat:
    its frequencies add up) for engine ``generation`` to ``path``, atomically."""
    freq: dict[str, int] = {}
    for term, df in terms:
        if "\n" not in term:
            freq[term] = freq.get(term, 0) + df
    ordered = sorted(freq)
    dfs = array("Q", map(freq.__getitem__, ordered))
    del freq
    blob = "\n".join(ordered).encode("utf-8")
    starts = array("Q", accumulate((len(term.encode("utf-8")) + 1 for term in ordered), initial=0))
    by_text, text_buckets = _hash_table(_key(term) << 32 | i for i, term in enumerate(ordered))

    def filed() -> Iterator[int]:
        for i in _candidates(ordered, dfs):
            for key in deletes1(ordered[i]):
                yield _key(key) << 32 | i

    by_key, key_buckets = _hash_table(filed())
    header = _HEADER.pack(_MAGIC, _ORDER, generation, len(ordered), len(blob), len(by_key),
                          len(text_buckets) - 1, len(key_buckets) - 1)
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # like persearch.files.write_json
    try:
        with open(temp, "wb") as fh:
            fh.write(header)
            for part in (starts, dfs, by_text, text_buckets, by_key, key_buckets):
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
            magic, order, generation, terms, blob, keys, text_buckets, key_buckets = \
                _HEADER.unpack_from(self._map, 0)
            if magic != _MAGIC or order != _ORDER:
                raise ValueError("not a spelling table of this machine")
            self.generation = generation
            view = memoryview(self._map)
            at = _HEADER.size
            parts = []
            for count in (terms + 1, terms, terms, text_buckets + 1, keys, key_buckets + 1):
                parts.append(view[at:at + 8 * count].cast("Q"))
                at += 8 * count
            self._starts, self._dfs, self._by_text, self._text_buckets, self._by_key, self._key_buckets = parts
            self._text_shift = 32 - (text_buckets.bit_length() - 1)  # a bucket is the CRC's high bits
            self._key_shift = 32 - (key_buckets.bit_length() - 1)
            self._blob = view[at:at + blob]
            if at + blob != len(self._map):
                raise ValueError("truncated spelling table")
        except (ValueError, struct.error, TypeError) as exc:  # cut short inside an array: TypeError
            self.close()
            raise ValueError(f"not a whole spelling table ({exc})") from None
        self.freq = _Frequencies(self)

    def close(self) -> None:
        for name in ("_starts", "_dfs", "_by_text", "_text_buckets", "_by_key", "_key_buckets", "_blob"):
            view = self.__dict__.pop(name, None)
            if view is not None:
                view.release()
        try:
            self._map.close()
        except BufferError:  # a view is still held somewhere: the map goes with it
            pass

    def __len__(self) -> int:
        return len(self._dfs)

    # Look-ups never raise on a table whose bytes were overwritten (the header
    # and the size still right): what does not add up reads as no term, and
    # persearch doctor (verify) says the table is damaged.
    def term(self, number: int) -> str:
        """The term numbered ``number`` (terms are numbered in sorted order); "" past the table."""
        if not 0 <= number < len(self._dfs):
            return ""
        start, end = self._starts[number], self._starts[number + 1] - 1
        if not start <= end <= len(self._blob):
            return ""
        return bytes(self._blob[start:end]).decode("utf-8", "replace")

    def number(self, term: str) -> int:
        """The number of ``term``, or -1."""
        crc = _key(term)
        table, buckets = self._by_text, self._text_buckets
        bucket = crc >> self._text_shift
        for i in range(buckets[bucket], min(buckets[bucket + 1], len(table))):
            entry = table[i]
            if entry >> 32 == crc and self.term(entry & _LOW) == term:
                return entry & _LOW
        return -1

    def df(self, term: str) -> int:
        """Documents holding ``term`` (0: not an index term)."""
        number = self.number(term)
        return self._dfs[number] if number >= 0 else 0

    def filed_under(self, key: str) -> list[str]:
        """The frequent terms that are ``key`` with one letter more."""
        crc = _key(key)
        table, buckets = self._by_key, self._key_buckets
        bucket = crc >> self._key_shift
        end = len(table)
        return [term for entry in table[min(buckets[bucket], end):min(buckets[bucket + 1], end)]
                if entry >> 32 == crc and (term := self.term(entry & _LOW))]

    def terms(self) -> list[str]:
        """Every term, sorted (one decode of the whole list)."""
        return bytes(self._blob).decode("utf-8", "replace").split("\n") if len(self._dfs) else []

    def verify(self, documents: int) -> str | None:
        """Read the whole table and say what does not add up, or None (``persearch doctor``; slow).

        ``documents``: how many the index holds (no term is in more, title and body counted apart).
        """
        count, blob = len(self._dfs), bytes(self._blob)
        try:
            terms = blob.decode("utf-8").split("\n") if count else []
        except UnicodeDecodeError:
            return "its terms are not text"
        if len(terms) != count or list(self._starts) != list(accumulate(
                (len(t.encode("utf-8")) + 1 for t in terms), initial=0)):
            return "its list of terms does not add up"
        if any(df > 2 * documents for df in self._dfs):
            return "its document frequencies are out of range"
        for table, buckets in ((self._by_text, self._text_buckets), (self._by_key, self._key_buckets)):
            if buckets[-1] != len(table) or any(a > b for a, b in zip(buckets, buckets[1:])):
                return "its hash tables do not add up"
            if any(entry & _LOW >= count for entry in table):
                return "its hash tables point past its terms"
        if any(_key(terms[entry & _LOW]) != entry >> 32 for entry in self._by_text):
            return "its hash table of terms does not match them"
        return None


class _Frequencies(Mapping[str, int]):
    """A spelling file's terms and document frequencies as a read-only mapping.

    Look-ups read the file; the first walk over every term (the Finglish
    reader's vocabulary does one) loads them all into a dict, which serves
    the look-ups after it.
    """

    def __init__(self, table: SpellingFile) -> None:
        self._table = table
        self._loaded: dict[str, int] | None = None

    def _all(self) -> dict[str, int]:
        if self._loaded is None:
            self._loaded = dict(zip(self._table.terms(), self._table._dfs))
        return self._loaded

    def __getitem__(self, term: str) -> int:
        if self._loaded is not None:
            return self._loaded[term]
        number = self._table.number(term) if isinstance(term, str) else -1
        if number < 0:
            raise KeyError(term)
        return self._table._dfs[number]

    def get(self, term: str, default: Any = None) -> Any:
        if self._loaded is not None:
            return self._loaded.get(term, default)
        number = self._table.number(term)
        return self._table._dfs[number] if number >= 0 else default

    def __contains__(self, term: object) -> bool:
        if self._loaded is not None:
            return term in self._loaded
        return isinstance(term, str) and self._table.number(term) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._table)

    def items(self) -> Any:
        return self._all().items()


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
    """The generation a table file was written for, or None (no table, another machine's, or a file
    whose size is not the one its header gives: cut short or grown, it is written again)."""
    try:
        with open(path, "rb") as fh:
            magic, order, generation, terms, blob, keys, text_buckets, key_buckets = \
                _HEADER.unpack(fh.read(_HEADER.size))
            size = os.fstat(fh.fileno()).st_size
    except (OSError, struct.error):
        return None
    arrays = (terms + 1) + terms + terms + (text_buckets + 1) + keys + (key_buckets + 1)
    if magic != _MAGIC or order != _ORDER or size != _HEADER.size + 8 * arrays + blob:
        return None
    return generation


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
