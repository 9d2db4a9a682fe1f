"""Persian text in one byte per character, for what an index stores.

UTF-8 spends two bytes on every Persian letter. A search fetches each hit's
stored text and tokens, and tantivy's fetch costs about a nanosecond per
stored byte, so both are stored in a one-byte code instead: ASCII keeps its
bytes and the 128 characters of :data:`~persearch.analysis.chars.STORAGE_CHARS`
take the other 128. Python's charmap codec runs in C: encoding a news article
costs ~5 µs and decoding is faster than UTF-8. A text holding any character
outside the table (``encode`` returns None) is stored in UTF-8; ~0.5 % of the
news sample.

    >>> data = encode("کتاب‌ها")
    >>> len(data), decode(data)
    (7, 'کتاب\u200cها')
    >>> encode("😀") is None
    True
"""
from __future__ import annotations

import codecs

from .analysis.chars import STORAGE_CHARS

_DECODING = "".join(map(chr, range(128))) + STORAGE_CHARS
_ENCODING = codecs.charmap_build(_DECODING)
assert len(_DECODING) == 256 and len(set(_DECODING)) == 256


def encode(text: str) -> bytes | None:
    """``text`` in one byte per character, or None if a character is not in the table."""
    try:
        return codecs.charmap_encode(text, "strict", _ENCODING)[0]
    except UnicodeEncodeError:
        return None


def decode(data: bytes) -> str:
    """The text :func:`encode` gave ``data`` for (every byte decodes)."""
    return codecs.charmap_decode(data, "strict", _DECODING)[0]


class CompactText:
    """An encoded text read in slices: ``text[a:b]`` decodes only those characters.

    One byte is one character, so a character offset is a byte offset. A
    snippet reads a few hundred characters of a hit's text, which may run to
    thousands (decoding a news article whole costs ~5 µs).

    >>> text = CompactText(b"#" + encode("کتاب خوب"), 1)
    >>> len(text), text[5:8], str(text)
    (8, 'خوب', 'کتاب خوب')
    """

    __slots__ = ("data", "start", "size")

    def __init__(self, data: bytes, start: int = 0, size: int | None = None) -> None:
        """The text encoded in ``data[start:start + size]`` (to its end when ``size`` is None)."""
        self.data, self.start = data, start
        self.size = len(data) - start if size is None else size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice | int) -> str:
        if isinstance(key, int):
            key = slice(key, key + 1 if key != -1 else None)
            if not self.size or not -self.size <= key.start < self.size:
                raise IndexError("text index out of range")
        low, high, step = key.indices(self.size)
        if step != 1:
            return str(self)[key]
        at = self.start
        return decode(self.data[at + low:at + high]) if high > low else ""

    def __str__(self) -> str:
        return self[0:self.size]


__all__ = ["encode", "decode", "CompactText"]
