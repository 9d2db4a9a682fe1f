"""Titles and text of one-document formats: plain text, Markdown, HTML.

    >>> first_line_title("\\n خبر \\nمتن")
    'خبر'
"""
from __future__ import annotations

import re
from html.parser import HTMLParser


def first_line_title(text: str, limit: int = 200) -> str:
    """The first non-empty line, trimmed: ``first_line_title("\\n خبر \\nمتن") == "خبر"``."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:limit]
    return ""


class _VisibleText(HTMLParser):
    """Collects the visible text of an HTML page, its <title> and first heading."""

    _HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})
    _BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
                        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt",
                        "nav", "aside", "main", "figure", "figcaption", "form", "td", "th"})
    _HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.heading_parts: list[str] = []
        self.heading_done = False
        self._hidden = 0
        self._in_title = False
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._HEADINGS and not self.heading_done:
            self._in_heading = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._HEADINGS and self._in_heading:
            self._in_heading = False
            self.heading_done = bool("".join(self.heading_parts).strip())
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)
            if self._in_heading:
                self.heading_parts.append(data)


_BLANK_LINES = re.compile(r"[ \t]*\n[ \t\n]*\n")
_SPACES = re.compile(r"\s+")


def html_text(source: str) -> tuple[str, str]:
    """``(title, visible text)`` of an HTML page: no scripts, styles or tags.

    >>> html_text("<title>خبر</title><p>متن <script>x()</script>خبر</p>")
    ('خبر', 'متن خبر')
    """
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    text = _BLANK_LINES.sub("\n\n", "".join(parser.parts)).strip()
    title = _SPACES.sub(" ", "".join(parser.title_parts)).strip()
    if not title:
        title = _SPACES.sub(" ", "".join(parser.heading_parts)).strip()
    return title or first_line_title(text), text


__all__ = ["first_line_title", "html_text"]
