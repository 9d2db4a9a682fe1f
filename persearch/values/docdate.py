"""The date of a document: from HTML metadata, else from a dateline in its first lines.

    >>> text_date("خبر فوری\\nدوشنبه ۵ آذر ۱۴۰۳ ایران ۰۷:۰۷\\n\\nحسن روحانی ...").isoformat()
    '2024-11-25T07:07:00'
    >>> html_date('<meta property="article:published_time" content="2023-08-03T10:30:00+03:30">').jalali()
    '1402/05/12 10:30'

Cheap by construction: HTML is searched with compiled regexes in its first
:data:`HTML_WINDOW` characters (the ``<head>``, where publishers put
``article:published_time``), plain text in its first :data:`TEXT_WINDOW`
characters only, one line at a time. Nothing is analyzed and a document
without a date costs a few regex scans.

A date in the text counts only as a *dateline*: it opens its line (after an
optional weekday or a label such as «تاریخ انتشار:») or stands on a short
line. «در تاریخ 1387/2/17 شهرداری تهران را ...» in a paragraph is the
subject of the news, not its date. The date must be complete (day, month,
four-digit year) and valid; a time on the same line (even after a place
name, «دوشنبه ۵ آذر ۱۴۰۳ تهران ۰۷:۰۷») is kept.
"""
from __future__ import annotations

import html
import re

from ..errors import QueryError
from .dates import (DATE_TEXT_TABLE, MARK_PATTERN, MONTH_WORD, TIME_PATTERN, WEEKDAY_PATTERN, DateSpan, LazyRegex,
                    fold_date_text, parse_date)

#: Characters of HTML source searched for metadata and <time> tags.
HTML_WINDOW = 32768
#: Characters of plain text searched for a dateline.
TEXT_WINDOW = 1500
#: A line this short (characters) holding a date is a dateline wherever the date stands on it.
SHORT_LINE = 60

#: meta names/properties/itemprops holding the publication date, most trusted first.
PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "publishdate", "publish-date",
    "publish_date", "pubdate", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "date",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "citation_date",
)
_META_RANK = {name: rank for rank, name in enumerate(PUBLISHED_META)}
#: Words that may precede a dateline's date on its line (folded as dates are).
DATELINE_LABELS = ("تاریخ", "تاریخ انتشار", "تاریخ خبر", "زمان انتشار", "انتشار", "منتشر شده", "منتشر شده در",
                   "date", "published", "posted")

_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_TIME_TAG = re.compile(r"<time\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_JSON_LD = re.compile(r""""datePublished"\s*:\s*"([^"]{4,64})\"""")

# One complete date, written as parse_date reads it (year first when numeric;
# commas are still in the text here).
_DATE = rf"""
    (?:(?:{WEEKDAY_PATTERN})(?!\w)\s*[-,،؛]?\s*)?
    (?:
        \d{{4}}(?P<sep>[-/.])\d{{1,2}}(?P=sep)\d{{1,2}}
      | \d{{1,2}}(?:st|nd|rd|th)?\s*-?\s*{MONTH_WORD}\s*[-,،]?\s*(?:سال\s*)?\d{{4}}
      | {MONTH_WORD}\s*\d{{1,2}}(?:st|nd|rd|th)?\s*[,،]?\s+\d{{4}}
    )
    (?!\d|[/.\-]\d)
    (?:\s*(?:{MARK_PATTERN})(?!\w)\.?)?
    (?:[,،؛]?{TIME_PATTERN}(?!\d))?
    """
_LABEL = "|".join(re.escape(fold_date_text(w)).replace(r"\ ", r"\s*")
                  for w in sorted(DATELINE_LABELS, key=len, reverse=True))
_DATELINE = rf"(?:(?P<label>{_LABEL})\s*[:\-|]?\s*)?(?P<date>{_DATE})"
#: Anywhere on a short line.
_ON_SHORT_LINE = LazyRegex(rf"(?<![\w/.\-]){_DATELINE}", re.VERBOSE)
#: At the start of a long line.
_AT_LINE_START = LazyRegex(_DATELINE, re.VERBOSE)
#: Characters of a long line's start searched for its date.
_LINE_START = 100
#: What may follow a dateline's date (and time) on its line, unless a label preceded it.
_AFTER_DATE = re.compile(r"\s*(?:$|[-|:,،؛()\[\]/*])")
# A time later on a dateline, after at most two words (a place name).
_LATE_TIME = re.compile(r"\s*(?:[-|]\s*)?(?:[^\d\s:]+\s+){0,2}(?:ساعت\s*)?(\d{1,2}:\d{2})(?![\d:])")
_DIGIT = re.compile(r"\d")
# Date text folding that keeps commas, which tell a dateline from a sentence.
_LINE_TABLE = {**DATE_TEXT_TABLE, ord(","): ",", ord("\u060c"): "\u060c", ord("\u061b"): "\u061b"}


def text_date(text: str, window: int = TEXT_WINDOW) -> DateSpan | None:
    """The first dateline date in the first ``window`` characters of a text, or None.

    >>> text_date("شنبه؛ 1400/01/31؛ ساعت 19:30\\nمتن خبر").jalali()
    '1400/01/31 19:30'
    >>> text_date("۲۸ ژوئن ۱۹۹۷ بود که تایسون و هالیفیلد در لاس وگاس مقابل هم قرار گرفتند") is None
    True
    """
    for raw in text[:window].split("\n"):
        stripped = raw.strip()
        if not stripped or not _DIGIT.search(stripped, 0, _LINE_START):
            continue
        short = len(stripped) <= SHORT_LINE
        # Only the lines looked at are folded (str.translate with a dict costs ~50 ns a character).
        line = (stripped if short else stripped[:_LINE_START]).translate(_LINE_TABLE).lower()
        found = _ON_SHORT_LINE.finditer(line) if short else filter(None, [_AT_LINE_START.match(line)])
        for m in found:
            # A label counts when it opens the line: «در تاریخ ۱۴۰۲/۰۵/۱۲ جلسه …» is a sentence.
            labelled = m.group("label") is not None and m.start() == 0
            end, late = m.end(), ""
            if m.group("hh") is None:
                time = _LATE_TIME.match(line, end)
                if time and (short or labelled):
                    end, late = time.end(), " " + time.group(1)
            if not labelled and not _AFTER_DATE.match(line, end):
                continue  # a date inside a sentence: what the text is about, not when it was written
            try:
                return parse_date(m.group("date") + late)
            except QueryError:  # 1402/13/45 and the like: not a date
                continue
    return None


def html_date(source: str, window: int = HTML_WINDOW) -> DateSpan | None:
    """The publication date an HTML page declares, or None.

    ``<meta>`` publication dates first (:data:`PUBLISHED_META`, most trusted
    first), then JSON-LD ``datePublished``, then the first ``<time
    datetime>``. Values that are not dates are passed over.

    >>> html_date('<time datetime="1402-05-12">۱۲ مرداد</time>').isoformat()
    '2023-08-03'
    """
    head = source[:window]
    ranked: list[tuple[int, str]] = []
    for tag in _META_TAG.finditer(head):
        attrs = _attrs(tag.group())
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _META_RANK and attrs.get("content"):
            ranked.append((_META_RANK[key], attrs["content"]))
    candidates = [value for _, value in sorted(ranked, key=lambda item: item[0])]
    candidates += _JSON_LD.findall(head)
    candidates += [v for v in (_attrs(t.group()).get("datetime") for t in _TIME_TAG.finditer(head)) if v]
    for value in candidates:
        try:
            return parse_date(html.unescape(value))
        except QueryError:
            continue
    return None


def document_date(text: str, source_html: str | None = None) -> DateSpan | None:
    """The date of a document: its HTML metadata (when ``source_html`` is given), else a dateline in ``text``."""
    return (html_date(source_html) if source_html else None) or text_date(text)


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(tag)}
