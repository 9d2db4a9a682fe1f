"""A document's index-time tokens, packed small to be stored beside its text.

Highlighting a hit means finding where the query's terms stand in its stored
text. Re-analyzing a long document for every hit costs more than the search
itself, so both backends store the tokens the analyzer produced at index
time, and the highlighter finds the query's terms among them with a literal
byte search per term (C speed) instead of analyzing anything. The same bytes
carry a document's tokens from a worker process to the indexer.

One packed field: a version byte; the byte length of the terms part and the
number of tokens (4 bytes each, little endian); the terms, each preceded by
a NUL and the last followed by one (``\\0کتاب\\0خوب\\0``: a term is found
as ``\\0term\\0``, and no term holds a NUL), in persearch.compact's one byte
per character when every term fits its table, else in UTF-8; each token's
start, then each token's end (16-bit unless the text is longer than 64K
characters); then an int32 position per token. The version byte says which
code and which width.

What a document stores (:func:`pack_for_storage`, :func:`for_storage`) is
its title's tokens and its body's, one after the other, with each position
as one signed byte: its difference from the previous token's (0 for the
spelling variants and compound parts that share a position, 1 for the next
word). A phrase's words are one position apart, and a phrase allows at most
10 extra positions, so a difference past a byte is kept as the byte's end:
far is far. The highlighter marks a phrase only where its words stand in a
row (:meth:`StoredTokens.positions`). Packs stored before positions were
(versions 5 to 8) are still read; they have none.

    >>> stored = StoredTokens(pack([("کتاب", 0, 7, 0, 1), ("خوب", 8, 11, 1, 1)]))
    >>> stored.spans([needle("خوب", compact_code=stored.compact)])
    [(8, 11, 'خوب')]
"""
from __future__ import annotations

import re
import struct
import sys
from array import array
from itertools import accumulate
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from . import compact

try:  # the loop of StoredTokens.spans compiled (persearch/_spans.c), where pip could build it
    from ._spans import find_spans as _compiled_spans
except ImportError:  # no C compiler at install: the Python loop below, same answers
    _compiled_spans = None

if TYPE_CHECKING:
    from .analysis import Token
    from .analysis.analyzer import Columns

# The version byte also says how wide the offsets are: 16 bits when the text
# is shorter than 64K characters (nearly always: fewer bytes for every hit
# to fetch), 32 bits otherwise; and how the terms are written: one byte per
# character (persearch.compact: half the bytes of UTF-8) or UTF-8.
_NARROW, _WIDE, _NARROW_COMPACT, _WIDE_COMPACT = b"\x05", b"\x06", b"\x07", b"\x08"
#: The same four, stored with a position difference per token.
_WITH_POSITIONS = {_NARROW: b"\x09", _WIDE: b"\x0a", _NARROW_COMPACT: b"\x0b", _WIDE_COMPACT: b"\x0c"}
_SHORT, _LONG = struct.Struct("<H"), struct.Struct("<i")
_OFFSET = {_NARROW: _SHORT, _WIDE: _LONG, _NARROW_COMPACT: _SHORT, _WIDE_COMPACT: _LONG}
_OFFSET.update({stored: _OFFSET[plain] for plain, stored in _WITH_POSITIONS.items()})
_COMPACT = frozenset((_NARROW_COMPACT, _WIDE_COMPACT, _WITH_POSITIONS[_NARROW_COMPACT],
                      _WITH_POSITIONS[_WIDE_COMPACT]))
_POSITIONED = frozenset(_WITH_POSITIONS.values())
_HEADER = struct.Struct("<cII")  # version, terms byte length, token count
_SWAP = sys.byteorder != "little"  # stored little-endian whatever the machine
#: Each version byte: its offsets' format, whether its terms are in the compact code, whether it has positions.
_FORMS = {version: (offset, version in _COMPACT, version in _POSITIONED) for version, offset in _OFFSET.items()}


def pack(tokens: Iterable["Token"]) -> bytes:
    """The packed form of ``tokens`` (as the analyzer yields them, in position order)."""
    rows = list(tokens)
    if not rows:
        return pack_columns([], [], [], [])
    terms, starts, ends, positions, _ = zip(*rows)
    return pack_columns(terms, starts, ends, positions)


def pack_columns(terms: Sequence[str], starts: Sequence[int], ends: Sequence[int],
                 positions: Sequence[int] | None, *, stored: bool = False) -> bytes:
    """The packed form of tokens given as columns (:meth:`Analyzer.columns`);
    ``stored=True`` packs them as :func:`for_storage` would keep them."""
    wide = bool(ends) and max(ends) >= 0x10000  # a token's end is past its start
    code = "i" if wide else "H"
    arrays = [array(code, starts), array(code, ends)]
    if positions is not None and not stored:
        arrays.append(array("i", positions))
    if _SWAP:
        for numbers in arrays:
            numbers.byteswap()
    if stored:
        arrays.append(_differences(positions or []))
    joined = "\0" + "\0".join(terms) + "\0" if terms else "\0"
    head = compact.encode(joined)
    if head is not None:
        version = _WIDE_COMPACT if wide else _NARROW_COMPACT
    else:
        head, version = joined.encode("utf-8"), _WIDE if wide else _NARROW
    if stored:
        version = _WITH_POSITIONS[version]
    return b"".join([_HEADER.pack(version, len(head), len(starts)), head,
                     *(numbers.tobytes() for numbers in arrays)])


def _differences(positions: Sequence[int]) -> array:
    """Each position's difference from the one before, as signed bytes (kept within -128..127)."""
    before = [0, *positions[:-1]] if positions else []
    return array("b", [max(-128, min(127, p - q)) for p, q in zip(positions, before)])


def _layout(raw: bytes, at: int) -> tuple[int, int, struct.Struct]:
    """Where the terms of the pack at ``at`` end, its token count and its offsets' format."""
    version, size, count = _HEADER.unpack_from(raw, at)
    offset = _OFFSET.get(version)
    if offset is None:
        raise ValueError("not packed tokens (or packed by another persearch version)")
    return at + _HEADER.size + size, count, offset


def _decoder(raw: bytes, at: int) -> Callable[[bytes], str]:
    """How the terms of the pack at ``at`` are decoded."""
    return compact.decode if raw[at:at + 1] in _COMPACT else _utf8


def _utf8(data: bytes) -> str:
    return data.decode("utf-8")


def pack_for_storage(*columns: "Columns") -> bytes:
    """Tokens as columns (a title's, a body's) packed for storage: what ``for_storage``
    makes of their packs."""
    return b"".join([pack_columns(terms, starts, ends, positions, stored=True)
                     for terms, starts, ends, positions in columns])


def for_storage(*packed: bytes) -> bytes:
    """Packs (a title's, a body's) joined for storage, positions as one-byte differences."""
    parts = []
    for raw in packed:
        terms_end, count, offset = _layout(raw, 0)
        kept = terms_end + 2 * offset.size * count
        positions = array("i", raw[kept:kept + 4 * count])
        if _SWAP:
            positions.byteswap()
        parts += [_WITH_POSITIONS[raw[:1]], raw[1:kept], _differences(positions).tobytes()]
    return b"".join(parts)


def unpack_columns(raw: bytes) -> tuple[list[str], list[int], list[int], list[int]]:
    """One whole pack back as columns: terms, starts, ends, positions."""
    terms_end, count, offset = _layout(raw, 0)
    head = _decoder(raw, 0)(raw[_HEADER.size:terms_end])
    code = "i" if offset.size == 4 else "H"
    width = offset.size * count
    arrays = [array(code, raw[terms_end:terms_end + width]), array(code, raw[terms_end + width:terms_end + 2 * width]),
              array("i", raw[terms_end + 2 * width:terms_end + 2 * width + 4 * count])]
    if _SWAP:
        for numbers in arrays:
            numbers.byteswap()
    terms = head[1:-1].split("\0") if count else []
    return terms, arrays[0].tolist(), arrays[1].tolist(), arrays[2].tolist()


def needle(term: str, prefix: bool = False, compact_code: bool = False) -> bytes | None:
    """What :meth:`StoredTokens.spans` looks for: ``term``, or any term starting with it,
    written as a pack writes its terms (None: no pack in that code can hold it)."""
    data = compact.encode(term) if compact_code else term.encode("utf-8")
    if not data:  # not in the code, or empty (no term is)
        return None
    return b"\0" + data + (b"" if prefix else b"\0")


class StoredTokens:
    """One stored field's tokens: ``StoredTokens(raw, 1)`` reads the second pack (a body after its title).

    ``compact`` says which needles it wants (``needle(..., compact_code=True)`` or not).
    """

    __slots__ = ("raw", "terms_start", "terms_end", "count", "offset", "compact", "decode", "positioned",
                 "_positions")

    def __init__(self, raw: bytes, part: int = 0, *, at: int | None = None) -> None:
        """``at``: where the pack starts in ``raw``, when known (else it is found by skipping ``part`` packs)."""
        if at is None:
            at = 0
            for _ in range(part):
                at = StoredTokens(raw, at=at).stored_end()
        version, size, count = _HEADER.unpack_from(raw, at)
        form = _FORMS.get(version)
        if form is None:
            raise ValueError("not packed tokens (or packed by another persearch version)")
        self.raw = raw
        self.terms_start = at + _HEADER.size
        self.terms_end = self.terms_start + size
        self.count = count
        self.offset, self.compact, self.positioned = form
        self.decode = compact.decode if self.compact else _utf8
        self._positions: list[int] | None = None

    @classmethod
    def parts(cls, raw: bytes) -> "list[StoredTokens]":
        """Every pack of a stored field (its title's, then its body's), read in one walk."""
        out = []
        at = 0
        while at < len(raw):
            tokens = cls(raw, at=at)
            out.append(tokens)
            at = tokens.stored_end()
        return out

    def stored_end(self) -> int:
        """Where this pack ends in a stored field (:func:`for_storage`), so where the next one starts."""
        return self.terms_end + 2 * self.offset.size * self.count + (self.count if self.positioned else 0)

    def positions(self) -> list[int] | None:
        """Each token's position (None for a pack stored without them): their differences, added up."""
        if self._positions is None and self.positioned:
            at = self.terms_end + 2 * self.offset.size * self.count
            self._positions = list(accumulate(array("b", self.raw[at:at + self.count])))
        return self._positions

    def spans(self, needles: Sequence[bytes], numbered: bool = False) -> list[tuple[int, int, str]]:
        """``(start, end, term)`` of each token found by ``needles`` (from :func:`needle`), sorted;
        ``numbered`` adds each token's number as a fourth item (for :meth:`positions`)."""
        if _compiled_spans is not None:
            found = _compiled_spans(self.raw, self.terms_start, self.terms_end, self.count, self.offset.size,
                                    needles if type(needles) is list else list(needles), self.decode, numbered)
            if found is not None:  # None: the pack does not hold together, and the loop below says how
                return found  # type: ignore[no-any-return]
        return self.python_spans(needles, numbered)

    def python_spans(self, needles: Sequence[bytes], numbered: bool = False) -> list[tuple[int, int, str]]:
        """:meth:`spans` in Python: what persearch/_spans.c computes, where it was not compiled."""
        raw, low, high = self.raw, self.terms_start, self.terms_end
        find = raw.find
        found: list[tuple[int, str]] = []
        for wanted in needles:
            # A substring search (C, fast even though every term starts with a
            # NUL, where a regex stops at each NUL).
            at = find(wanted, low, high) if len(wanted) > 1 else -1  # a bare NUL: no term, no prefix
            if at == -1:
                continue
            if wanted[-1] == 0:  # a whole term: every find is that term
                term = self.decode(wanted[1:-1])
                step = len(wanted) - 1  # its closing NUL opens the next term
                while at != -1:
                    found.append((at, term))
                    at = find(wanted, at + step, high)
            else:  # a prefix: the term runs to the next NUL
                while at != -1:
                    end = find(b"\0", at + len(wanted), high)
                    found.append((at, self.decode(raw[at + 1:end])))
                    at = find(wanted, end, high)
        if not found:
            return []
        if len(needles) > 1:  # one needle's finds come in order
            found.sort()
        offsets, ends = self._offsets(), self.count  # token i starts at offsets[i], ends at offsets[ends + i]
        out = []
        index, last = 0, low
        count = raw.count
        for at, term in found:
            index += count(b"\0", last, at)  # a token's number: the NULs before it
            last = at
            if numbered:
                out.append((offsets[index], offsets[ends + index], term, index))
            else:
                out.append((offsets[index], offsets[ends + index], term))
        return out  # type: ignore[return-value]

    def _offsets(self) -> Sequence[int]:
        """Every token's start, then every token's end, read in place as one view (one cast costs
        half of two); copied and swapped on a big-endian machine."""
        width, count, high = self.offset.size, self.count, self.terms_end
        code = "i" if width == 4 else "H"
        if _SWAP:
            numbers = array(code, self.raw[high:high + 2 * width * count])
            numbers.byteswap()
            return numbers
        return memoryview(self.raw)[high:high + 2 * width * count].cast(code)

    def candidates(self, pattern: re.Pattern[str], accept: Callable[[str], bool]) -> list[tuple[int, int, str]]:
        """``(start, end, term)`` of each token whose term ``pattern`` finds and ``accept`` takes.

        ``pattern`` runs over the decoded terms (``\\0term\\0term\\0``); a match is
        the NUL before a term and the whole term, so it ends with ``(?=\\0)``: a
        cheap filter (for fuzzy terms: first letters and length) before ``accept``.
        """
        raw, high = self.raw, self.terms_end
        terms = self.decode(raw[self.terms_start:high])
        out = []
        index, last = 0, 0
        count, offset, width = terms.count, self.offset.unpack_from, self.offset.size
        ends = high + width * self.count
        for match in pattern.finditer(terms):
            term = match.group()[1:]
            if accept(term):
                index += count("\0", last, match.start())
                last = match.start()
                out.append((offset(raw, high + width * index)[0], offset(raw, ends + width * index)[0], term))
        return out


__all__ = ["pack", "pack_columns", "unpack_columns", "for_storage", "needle", "StoredTokens"]
