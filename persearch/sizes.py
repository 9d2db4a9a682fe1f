"""Sizes as people write them: ``100M``, ``1.5G``, ``512K``, ``4096``; and back (and as ``stats`` shows them).

Units are binary (K = 1024 bytes), as in ``ls -h`` and ripgrep's
``--max-filesize``; ``KB``/``KiB`` and friends mean the same.

    >>> parse_size("100M")
    104857600
    >>> format_size(70 * 1024 * 1024 + 1), format_size(64 * 1024 * 1024)
    ('70.0M', '64M')
"""
from __future__ import annotations

import math
import re

from .errors import InvalidOption

_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit K, M, G or T (also KB, MiB, ...).

    >>> parse_size("1.5k")
    1536
    """
    match = _SIZE.fullmatch(str(text))
    if not str(text).strip():
        raise InvalidOption("an empty value is not a size: write it like 100M, 1.5G, 512K or 4096 (bytes)")
    if match is None:
        raise InvalidOption(f"{text!s} is not a size: write it like 100M, 1.5G, 512K or 4096 (bytes)")
    number, unit = match.groups()
    size = int(float(number) * _UNITS[unit.lower()])
    if size < 1:
        raise InvalidOption(f"{text!s} is not a size: it must be at least one byte")
    return size


def format_size(size: int) -> str:
    """A byte count as a short size: ``512``, ``12.5K``, ``64M`` (exactly), ``1.2G``."""
    for unit in ("T", "G", "M", "K"):
        scale = _UNITS[unit.lower()]
        if size >= scale:
            shown = f"{size / scale:.1f}"
            return (shown[:-2] if shown.endswith(".0") and size % scale == 0 else shown) + unit
    return str(size)


def human_size(size: int) -> str:
    """``human_size(92602) == "90.4 KiB"``: bytes in the largest binary unit that keeps a number ≥ 1."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # not reached


def size_above(size: int) -> str:
    """The smallest whole size in the largest fitting unit that is at least ``size``: ``71M`` for 70.2 MiB."""
    for unit in ("G", "M", "K"):
        scale = _UNITS[unit.lower()]
        if size >= scale:
            return f"{math.ceil(size / scale)}{unit}"
    return str(size)


__all__ = ["parse_size", "format_size", "human_size", "size_above"]
