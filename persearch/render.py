"""A text with highlighted spans as HTML, ANSI terminal escapes, rich markup or plain marks.

Pure string functions, the one place highlights are drawn: :class:`persearch.query.Hit`
uses them for its snippet, the command line for its plain ``[[word]]`` lines.
The CLI decides colours; rich itself is never imported here.

    >>> to_html("<b>کتاب</b>", [(3, 7)])
    '&lt;b&gt;<mark>کتاب</mark>&lt;/b&gt;'
    >>> marked("کتاب خوب", [(0, 4)])
    '[[کتاب]] خوب'

Offsets are Python ``str`` indices, half-open; overlapping spans keep the first.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

Span = tuple[int, int]

#: How a highlighted word looks in a terminal, for the CLI and for Hit.to_ansi()/to_rich() alike:
#: as a rich style, and as the ANSI escapes rich writes for it (bold, red; then reset).
HIGHLIGHT_STYLE = "bold red"
HIGHLIGHT_ANSI = ("\x1b[1;31m", "\x1b[0m")


def to_html(text: str, highlights: Iterable[Span], tag: str = "mark") -> str:
    """``text`` with highlights wrapped in ``<mark>``; everything else HTML-escaped.

    ``to_html("<b>کتاب</b>", [(3, 7)]) == "&lt;b&gt;<mark>کتاب</mark>&lt;/b&gt;"``
    """
    from html import escape  # html loads its entity table (~1 ms): only when HTML is drawn

    return _render(text, highlights, f"<{tag}>", f"</{tag}>", escape)


def to_ansi(text: str, highlights: Iterable[Span], start: str = HIGHLIGHT_ANSI[0], end: str = HIGHLIGHT_ANSI[1]) -> str:
    """``text`` with highlights wrapped in ANSI escapes (bold red by default, as the CLI draws them)."""
    return _render(text, highlights, start, end, _strip_escapes)


def to_rich(text: str, highlights: Iterable[Span], style: str = HIGHLIGHT_STYLE) -> str:
    """``text`` as rich console markup, highlights styled, ``[`` escaped (no rich import)."""
    return _render(text, highlights, f"[{style}]", "[/]", _rich_escape)


def marked(text: str, highlights: Iterable[Span], open_mark: str = "[[", close_mark: str = "]]") -> str:
    """``text`` with each highlight between ``[[`` and ``]]`` (nothing escaped): for plain terminals and pipes."""
    return _render(text, highlights, open_mark, close_mark, _unchanged)


def _unchanged(text: str) -> str:
    return text


def _strip_escapes(text: str) -> str:
    return text.replace("\x1b", "")


def _rich_escape(text: str) -> str:
    # Like rich.markup.escape: backslashes before [ are doubled, [ gets one,
    # and a trailing backslash must not escape the tag that follows.
    text = _RICH_BRACKET.sub(lambda m: m.group(1) * 2 + "\\[", text)
    return text + "\\" if text.endswith("\\") else text


_RICH_BRACKET = re.compile(r"(\\*)\[")


def _render(text: str, highlights: Iterable[Span], open_: str, close: str, escape: Callable[[str], str]) -> str:
    """``text`` escaped, each highlight between ``open_`` and ``close``."""
    out: list[str] = []
    at = 0
    for s, e in sorted(highlights):
        if s < at:
            continue
        out.append(escape(text[at:s]))
        out.append(open_ + escape(text[s:e]) + close)
        at = e
    out.append(escape(text[at:]))
    return "".join(out)


__all__ = ["to_html", "to_ansi", "to_rich", "marked", "HIGHLIGHT_STYLE", "HIGHLIGHT_ANSI"]
