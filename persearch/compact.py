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


__all__ = ["encode", "decode"]
