"""The search page as HTML: right to left, Persian, usable without JavaScript.

Pure functions from plain data to text. Every piece of text that comes from
a document, a query or a message is escaped here (``html.escape``, quotes
included), highlights included: ``<mark>`` is the only markup added. Numbers shown to
people are written with Persian digits; paths and ids, which are
left-to-right, sit in ``<bdi dir="ltr">`` so that their slashes stay put.

    >>> "<mark>کتاب</mark>" in hit_html({"rank": 1, "id": "/a.txt", "path": "/a.txt", "title": "کتاب",
    ...     "title_highlights": [[0, 4]], "score": 1.5, "snippet": "", "highlights": []}, "کتاب", "/document")
    True
"""
from __future__ import annotations

import html
import math
from pathlib import PurePath
from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

from ..render import to_html
from .params import MAX_WINDOW

_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
#: Page links shown on each side of the current page.
_PAGE_WINDOW = 2


def fa_number(value: float | int, decimals: int = 0) -> str:
    """``fa_number(2.5, 2) == "۲٫۵۰"``: Persian digits and decimal separator."""
    return f"{value:,.{decimals}f}".replace(",", "\u066c").translate(_PERSIAN_DIGITS)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def marked_html(text: str, spans: Sequence[Sequence[int]]) -> str:
    """``text`` escaped, each span (str offsets, half-open, as in the JSON) in ``<mark>``."""
    return to_html(text, [(int(s), int(e)) for s, e in spans])


def document(title: str, body: str, *, query: str = "", home: str, css: str, js: str, documents: int,
             status: str = "", kept: Links | None = None) -> str:
    """A whole page: the search form on top, ``body`` (already HTML) below.

    ``kept``: the search's other parameters (filters, sort, facets, limit, fields), which
    the form sends again with a new query, as hidden fields.
    """
    placeholder = f"جستجو در {fa_number(documents)} سند…"
    autofocus = "" if query else " autofocus"
    hidden = "".join(f'\n<input type="hidden" name="{_e(name)}" value="{_e(value)}">'
                     for name, values in (kept or {}).items() for value in _values(values))
    return f"""<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{_e(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{_e(css)}">
<script src="{_e(js)}" defer></script>
</head>
<body>
<a class="skip" href="#results">پرش به نتایج</a>
<header class="bar">
<a class="brand" href="{_e(home)}" lang="en" dir="ltr">persearch</a>
<form class="search" role="search" method="get" action="{_e(home)}">
<label class="visually-hidden" for="q">عبارت جستجو</label>
<input id="q" name="q" type="search" value="{_e(query)}" placeholder="{_e(placeholder)}" dir="auto"
 autocomplete="off" spellcheck="false" enterkeyhint="search"{autofocus}>{hidden}
<button type="submit">جستجو</button>
</form>
</header>
<p id="status" class="visually-hidden" role="status">{_e(status)}</p>
<main id="results">
{body}
</main>
<footer class="foot">{fa_number(documents)} سند در نمایه · <span lang="en" dir="ltr">persearch</span></footer>
</body>
</html>
"""


def summary(data: Mapping[str, Any]) -> str:
    """One line about the results, for the page and for screen readers."""
    total, page, limit = int(data["total"]), int(data["page"]), int(data["limit"])
    if not total:
        return "چیزی پیدا نشد."
    pages = math.ceil(total / limit)
    return f"{fa_number(total)} نتیجه · صفحهٔ {fa_number(page)} از {fa_number(pages)}"


Links = Mapping[str, "str | list[str]"]


def _values(given: "str | list[str]") -> list[str]:
    return [given] if isinstance(given, str) else list(given)


def results_html(data: Mapping[str, Any], *, links: Links, document_url: str) -> str:
    """The results part of the page: suggestion, note, summary, hits, page links.

    ``data`` is the API's search answer plus each hit's ``title_highlights``;
    ``links`` holds the other parameters of the request (limit, fields,
    filter, sort, facet) that page, suggestion and facet links keep.
    """
    query = str(data["query"])
    parts = []
    if data.get("suggestion"):
        href = "?" + urlencode({"q": data["suggestion"], **links}, doseq=True)
        link = f'<a href="{_e(href)}" dir="auto">{_e(data["suggestion"])}</a>'
        if data.get("corrected"):  # the hits are the suggestion's: say so, and offer the query as typed
            typed = "?" + urlencode({"q": query, **links}, doseq=True)
            parts.append(f'<p class="suggestion">نتایج برای {link} · جستجوی '
                         f'<a href="{_e(typed)}" dir="auto" class="typed">{_e(query)}</a></p>')
        else:
            parts.append(f'<p class="suggestion">آیا منظورتان {link} بود؟</p>')
    if data.get("message"):
        parts.append(f'<p class="note" lang="en" dir="ltr">{_e(data["message"])}</p>')
    parts.append(f'<p class="summary">{_e(summary(data))}</p>')
    parts.append(narrowing_html(query, links))
    parts.append(facets_html(query, data.get("facets") or {}, links))
    hits = data["hits"]
    if hits:
        items = "\n".join(hit_html(hit, query, document_url) for hit in hits)
        parts.append(f'<ol class="hits" start="{int(hits[0]["rank"])}">\n{items}\n</ol>')
    parts.append(pages_html(query, int(data["page"]), int(data["limit"]), int(data["total"]), links,
                            deepest=MAX_WINDOW))
    return "\n".join(part for part in parts if part)


def hit_html(hit: Mapping[str, Any], query: str, document_url: str) -> str:
    """One hit: the title (a link to the document), its id and score, the snippet."""
    title, spans = str(hit.get("title") or ""), hit.get("title_highlights") or []
    if not title:  # as the CLI: the file's name stands in for a missing title
        title, spans = PurePath(str(hit["path"] or hit["id"])).name or str(hit["id"]), []
    href = f"{document_url}?{urlencode({'id': hit['id'], 'q': query})}"
    snippet = f'\n<p class="snippet" dir="auto">{marked_html(hit["snippet"], hit["highlights"])}</p>' \
        if hit.get("snippet") else ""
    return (f'<li class="hit">\n<h2 class="title" dir="auto"><a href="{_e(href)}">{marked_html(title, spans)}</a></h2>\n'
            f'<p class="meta"><bdi class="id" dir="ltr">{_e(hit["id"])}</bdi>'
            f' <span class="score">امتیاز {fa_number(float(hit["score"]), 2)}</span></p>{snippet}\n</li>')


def narrowing_html(query: str, links: Links) -> str:
    """The filters and the sort the search keeps (the form sends them again), each with a
    link to the same search without it."""
    items = []
    for name, label in (("filter", "فیلتر"), ("sort", "ترتیب")):
        given = _values(links.get(name) or [])
        for number, value in enumerate(given):
            rest = {**links, name: given[:number] + given[number + 1:]}
            if query:
                target = {"q": query, **rest}
            elif _values(rest.get("filter") or []):
                target = rest  # a search by filters alone
            else:
                target = {}  # nothing left to search for: the first page
            href = "?" + urlencode(target, doseq=True)
            items.append(f'<li>{label}: <bdi dir="auto">{_e(value)}</bdi> <a class="remove" href="{_e(href)}" '
                         f'aria-label="{_e(f"حذف {label} {value}")}">×</a></li>')
    return f'<ul class="narrowing">{"".join(items)}</ul>' if items else ""


def facets_html(query: str, facets: Mapping[str, Mapping[str, int]], links: Links) -> str:
    """Counts per value of each facet asked for; a value links to the same search filtered to it."""
    if not facets:
        return ""
    filters = _values(links.get("filter") or [])
    blocks = []
    for name, counts in facets.items():
        field = name.split(":", 1)[0]  # date:month counts months; date=1403/05 filters one
        rows = []
        for value, count in counts.items():
            href = "?" + urlencode({"q": query, **links, "filter": [*filters, f"{field}={value}"]}, doseq=True)
            rows.append(f'<li><a href="{_e(href)}" dir="auto">{_e(value)}</a> '
                         f'<span class="count">{fa_number(count)}</span></li>')
        blocks.append(f'<section class="facet"><h3 dir="auto">{_e(name)}</h3><ul>{"".join(rows)}</ul></section>')
    return '<div class="facets">' + "".join(blocks) + "</div>"


def pages_html(query: str, page: int, limit: int, total: int, links: Links,
               deepest: int | None = None) -> str:
    """Links to the pages around this one, first and last included ("" for one page)."""
    pages = math.ceil(total / limit) if limit else 0
    if deepest is not None:
        pages = min(pages, max(1, deepest // limit))
    if pages <= 1 and page <= 1:
        return ""

    def link(number: int, label: str, rel: str = "") -> str:
        href = "?" + urlencode({"q": query, **links, **({"page": number} if number > 1 else {})}, doseq=True)
        rel_attr = f' rel="{rel}"' if rel else ""
        return f'<a href="{_e(href)}"{rel_attr}>{label}</a>'

    shown = sorted({1, pages, *range(max(1, page - _PAGE_WINDOW), min(pages, page + _PAGE_WINDOW) + 1)})
    items = [link(page - 1, "→ قبلی", "prev")] if page > 1 else []
    before = 0
    for number in shown:
        if number - before > 1:
            items.append('<span class="gap">…</span>')
        items.append(f'<span aria-current="page">{fa_number(number)}</span>' if number == page
                     else link(number, fa_number(number)))
        before = number
    if page < pages:
        items.append(link(page + 1, "بعدی ←", "next"))
    return f'<nav class="pages" aria-label="صفحه‌های نتایج">{" ".join(items)}</nav>'


def error_html(message: str) -> str:
    """A request the page could not answer: what was wrong, in the library's words."""
    return (f'<p class="error"><strong>درخواست نامعتبر:</strong> '
            f'<span lang="en" dir="ltr">{_e(message)}</span></p>')


#: Queries the first page offers as examples of the query language (docs/query.md).
EXAMPLES = ("«رئیس جمهوری»", "کتاب OR دفتر", "ایران -ترکیه", "کتاب*")


def welcome_html(documents: int) -> str:
    """The page before a search: how many documents, and example queries (links)."""
    examples = "، ".join(f'<a href="?{_e(urlencode({"q": example}))}"><bdi dir="rtl">{_e(example)}</bdi></a>'
                        for example in EXAMPLES)
    return f'<p class="welcome">در {fa_number(documents)} سند جستجو کنید. نمونه‌ها: {examples}</p>'


def document_html(stored: Mapping[str, Any], matches: Sequence[Sequence[int]], back: str) -> str:
    """One document's stored text, the matched words of the query marked."""
    title = str(stored.get("title") or "") or PurePath(str(stored.get("path") or stored["id"])).name
    return (f'<p class="back"><a href="{_e(back)}">→ بازگشت به نتایج</a></p>\n'
            f'<article class="document">\n<h1 dir="auto">{_e(title)}</h1>\n'
            f'<p class="meta"><bdi class="id" dir="ltr">{_e(stored["id"])}</bdi></p>\n'
            f'<div class="text" dir="auto">{marked_html(str(stored.get("text") or ""), matches)}</div>\n</article>')


def not_found_html(what: str) -> str:
    return f'<p class="error">{_e(what)}</p>'


__all__ = ["document", "marked_html", "results_html", "hit_html", "pages_html", "error_html", "welcome_html", "document_html",
           "not_found_html", "summary", "fa_number"]
