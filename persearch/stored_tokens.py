"""A document's index-time tokens, packed small to be stored beside its text.

Highlighting a hit means finding where the query's terms stand in its stored
text. Re-analyzing a long document for every hit costs more than the search
itself, so both backends store the tokens the analyzer produced at index
time, and the highlighter finds the query's terms among them with a literal
byte search per term (C speed) instead of analyzing anything. The same bytes
carry a document's tokens from a worker process to the indexer.

One packed field: a version byte; the byte length of the terms part and the
number of tokens (4 bytes each, little endian); the terms in UTF-8, each
preceded by a NUL and the last followed by one (``\\0کتاب\\0خوب\\0``: a term
is found as ``\\0term\\0``, and no term holds a NUL); a ``(start, end)``
pair per token (16-bit unless the text is longer than 64K characters: the
version byte says); then an int32 position per token. Positions are needed only
to index the tokens: :func:`for_storage` cuts them off, and a document stores
its title's tokens and its body's, one after the other.

    >>> raw = pack([("کتاب", 0, 7, 0, 1), ("خوب", 8, 11, 1, 1)])
    >>> StoredTokens(raw).spans([needle("خوب")])
    [(8, 11, 'خوب')]
"""
from __future__ import annotations

import struct
import sys
from array import array
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from .analysis import Token

# The version byte also says how wide the offsets are: 16 bits when the text
# is shorter than 64K characters (nearly always: half the bytes every hit
# fetches), 32 bits otherwise.
_NARROW, _WIDE = b"\x03", b"\x04"
_PAIRS = {_NARROW: struct.Struct("<HH"), _WIDE: struct.Struct("<ii")}
_HEADER = struct.Struct("<cII")  # version, terms byte length, token count
_SWAP = sys.byteorder != "little"  # stored little-endian whatever the machine


def pack(tokens: Iterable["Token"]) -> bytes:
    """The packed form of ``tokens`` (as the analyzer yields them, in position order)."""
    terms = [""]
    offsets = array("i")
    positions = array("i")
    for text, start, end, position, _ in tokens:
        terms.append(text)
        offsets.extend((start, end))
        positions.append(position)
    terms.append("")
    version = _NARROW if not offsets or max(offsets) < 0x10000 else _WIDE
    if version == _NARROW:
        offsets = array("H", offsets)
    if _SWAP:
        offsets.byteswap()
        positions.byteswap()
    head = "\0".join(terms).encode("utf-8")
    return _HEADER.pack(version, len(head), len(positions)) + head + offsets.tobytes() + positions.tobytes()


def _sizes(raw: bytes, at: int) -> tuple[int, int, struct.Struct]:
    """The end of the terms part, the end of the offsets and their layout, of the pack at ``at``."""
    version, size, count = _HEADER.unpack_from(raw, at)
    pair = _PAIRS.get(version)
    if pair is None:
        raise ValueError("not packed tokens (or packed by another persearch version)")
    terms_end = at + _HEADER.size + size
    return terms_end, terms_end + pair.size * count, pair


def for_storage(*packed: bytes) -> bytes:
    """Packs (a title's, a body's) joined for storage, positions cut off."""
    return b"".join(raw[:_sizes(raw, 0)[1]] for raw in packed)


def iter_tokens(raw: bytes) -> Iterator[tuple[str, int, int, int]]:
    """``(term, position, start, end)`` for each token of one whole pack."""
    terms_end, offsets_end, pair = _sizes(raw, 0)
    head = raw[_HEADER.size:terms_end].decode("utf-8")
    offsets = array("H" if pair.size == 4 else "i", raw[terms_end:offsets_end])
    positions = array("i", raw[offsets_end:])
    if _SWAP:
        offsets.byteswap()
        positions.byteswap()
    terms = head[1:-1].split("\0") if len(head) > 1 else []
    return zip(terms, positions, offsets[0::2], offsets[1::2])


def needle(term: str, prefix: bool = False) -> bytes:
    """What :meth:`StoredTokens.spans` looks for: ``term``, or any term starting with it."""
    return b"\0" + term.encode("utf-8") + (b"" if prefix else b"\0")


class StoredTokens:
    """One stored field's tokens: ``StoredTokens(raw, 1)`` reads the second pack (a body after its title)."""

    __slots__ = ("raw", "terms_start", "terms_end", "pair")

    def __init__(self, raw: bytes, part: int = 0) -> None:
        at = 0
        for _ in range(part):
            at = _sizes(raw, at)[1]
        self.raw = raw
        self.terms_start = at + _HEADER.size
        self.terms_end, _, self.pair = _sizes(raw, at)

    def spans(self, needles: Iterable[bytes]) -> list[tuple[int, int, str]]:
        """``(start, end, term)`` of each token found by ``needles`` (from :func:`needle`), sorted."""
        raw, low, high = self.raw, self.terms_start, self.terms_end
        find = raw.find
        found = []
        for wanted in needles:
            # A substring search (C, fast even though every term starts with a
            # NUL, where a regex stops at each NUL).
            at = find(wanted, low, high)
            while at != -1:
                end = find(b"\0", at + len(wanted) - 1, high)  # NUL after the term
                found.append((at, raw[at + 1:end]))
                at = find(wanted, end, high)
        found.sort()
        out = []
        index, last = 0, low
        count, pair, width = raw.count, self.pair.unpack_from, self.pair.size
        for at, term in found:
            index += count(b"\0", last, at)  # a token's number: the NULs before it
            last = at
            start, end = pair(raw, high + width * index)
            out.append((start, end, term.decode("utf-8")))
        return out


__all__ = ["pack", "for_storage", "iter_tokens", "needle", "StoredTokens"]
