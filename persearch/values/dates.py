"""Dates as people write them (Jalali first) → one comparable number, and back.

A date is accepted in Jalali (Solar Hijri) or Gregorian, in Persian, Arabic-
Indic or Latin digits, with or without a weekday (as in news datelines) and a
time:

    >>> parse_date("۱۴۰۲/۰۵/۱۲") == parse_date("12 مرداد 1402") == parse_date("2023-08-03")
    True
    >>> parse_date("پنجشنبه ۱۲ مرداد ۱۴۰۲ ساعت ۱۰:۳۰").isoformat()
    '2023-08-03T10:30:00'
    >>> parse_date("مرداد ۱۴۰۲").unit, parse_date("1402").unit
    ('month', 'year')

A year below 1700 is Jalali, from 1700 on Gregorian; years have four digits.
A partial date is a span: ``1402/05`` is the whole of Mordad 1402.

**The comparable value (the key)** is an integer: seconds since
1970-01-01 00:00 of the date and time *as written* (wall-clock time, no
zone conversion), so a date without a time is ``days × 86400``. Both
engines range-query, sort and count on a signed 64-bit integer natively
(Whoosh ``NUMERIC(int, bits=64)``, tantivy ``add_integer_field(fast=True)``),
and a key range selects the same days whichever calendar it was written in.
Wall-clock time keeps a dateline's day: ``12 مرداد 1402 ساعت 23:30`` stays on
12 Mordad instead of moving to another day in UTC; a zone offset given in
the text is kept on the span (for display) and only applied when the caller
asks for one zone (``parse_date(text, zone=210)``, minutes east of UTC).

Conversions use jdatetime (imported on first use); this module only adds
reading and writing. Every failure is a :class:`~persearch.errors.QueryError`
whose message is one line saying what is wrong and what to write instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..analysis.chars import ARABIC_COMMA, ARABIC_SEMICOLON, FOLD_TABLE, PERSIAN_DIGITS
from ..errors import QueryError

#: A year below this is Jalali; from it on, Gregorian.
JALALI_BELOW = 1700
#: The last Gregorian year accepted (jdatetime shows Jalali years up to 9377).
MAX_GREGORIAN_YEAR = 9998
SECONDS_PER_DAY = 86400
#: Longer text is never read as a date (the longest real form, a weekday
#: dateline with a time, zone and calendar word, is under 60 characters).
LONGEST_DATE = 120
_EPOCH = date(1970, 1, 1).toordinal()

#: Month names: the first of each is the one shown. Jalali months also in
#: their common Latin spellings; Gregorian months as Persian press writes them.
JALALI_MONTHS = (
    ("فروردین", "farvardin"),
    ("اردیبهشت", "اردی بهشت", "ordibehesht"),
    ("خرداد", "khordad"),
    ("تیر", "tir"),
    ("مرداد", "امرداد", "mordad", "amordad"),
    ("شهریور", "shahrivar"),
    ("مهر", "mehr"),
    ("آبان", "aban"),
    ("آذر", "azar"),
    ("دی", "dey", "dei"),
    ("بهمن", "bahman"),
    ("اسفند", "esfand"),
)
GREGORIAN_MONTHS = (  # Persian name shown, English name (for messages), other spellings
    ("ژانویه", "january", "jan"),
    ("فوریه", "february", "feb"),
    ("مارس", "march", "mar"),
    ("آوریل", "april", "apr"),
    ("مه", "may", "می"),
    ("ژوئن", "june", "ژوین", "جون", "jun"),
    ("ژوئیه", "july", "ژوییه", "جولای", "ژولای", "jul"),
    ("اوت", "august", "آگوست", "aug"),
    ("سپتامبر", "september", "sept", "sep"),
    ("اکتبر", "october", "oct"),
    ("نوامبر", "november", "nov"),
    ("دسامبر", "december", "dec"),
)
#: Weekday names a dateline may start with (ignored: the date decides the day).
WEEKDAYS = ("شنبه", "یک شنبه", "دو شنبه", "سه شنبه", "چهار شنبه", "پنج شنبه", "جمعه",
            "saturday", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
            "sat", "sun", "mon", "tue", "wed", "thu", "fri")
#: Words after a year that name its calendar.
JALALI_MARKS = ("ه ش", "هجری شمسی", "شمسی")
GREGORIAN_MARKS = ("میلادی", "م")
LUNAR_MARKS = ("ه ق", "هجری قمری", "قمری")

_EXAMPLES = "write e.g. 1402/05/12, 12 مرداد 1402, 2023-08-03 or 2023-08-03T10:30:00+03:30"
_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)
# FOLD_TABLE folds digits to ASCII and Arabic letters to Persian ones, and drops
# marks, tatweel and ZWNJ (so سه‌شنبه = سهشنبه); here list separators and the
# minus sign become spaces and "-".
#: str.translate table of date text (see fold_date_text).
DATE_TEXT_TABLE = {**FOLD_TABLE, ord(ARABIC_COMMA): " ", ord(ARABIC_SEMICOLON): " ", ord(","): " ",
               0x2212: "-", 0x2013: "-", 0x2014: "-"}
_SPACES = re.compile(r"\s+")


class LazyRegex:
    r"""A regex compiled on first use. The date grammar, with every month and
    weekday name, takes ~2 ms to compile: a command that reads no date should
    not pay it at import.

    >>> LazyRegex(r"\d+").findall("۱۲ مرداد 1402")
    ['۱۲', '1402']
    """

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # match, search, finditer …
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


def fold_date_text(text: str) -> str:
    """Text as the date grammar reads it: ASCII digits, Persian letters, lower case, single spaces.

    >>> fold_date_text("پنج‌شنبه، ۱۲ مرداد‌ماه ۱۴۰۲")
    'پنجشنبه 12 مردادماه 1402'
    """
    return _SPACES.sub(" ", text.translate(DATE_TEXT_TABLE)).strip().lower()


def _names(groups: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    # Keyed without spaces: the grammar lets a space inside a name be absent.
    return {fold_date_text(name).replace(" ", ""): number for number, names in enumerate(groups, 1) for name in names}


_JALALI_NAMES = _names(JALALI_MONTHS)
_GREGORIAN_NAMES = _names(GREGORIAN_MONTHS)


def _alternation(names: Any) -> str:
    # Longest first, so مهر wins over مه; a space inside a name may be absent.
    folded = sorted({fold_date_text(n) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s*") for n in folded)


#: Regex pieces shared with persearch.values.docdate (one grammar for both).
MONTH_PATTERN = _alternation([*_JALALI_NAMES, *_GREGORIAN_NAMES])
WEEKDAY_PATTERN = _alternation(WEEKDAYS)
MARK_PATTERN = _alternation([*JALALI_MARKS, *GREGORIAN_MARKS, *LUNAR_MARKS]).replace(r"\s*", r"[.\s]*")
TIME_PATTERN = r"""
    (?:\s*(?:[-|@]|t)\s*|\s+)(?:ساعت\s*)?
    (?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?
    (?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.|ق[.\s]*ظ\.?|ب[.\s]*ظ\.?))?
    (?:\s*(?P<zone>z|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?|utc|gmt))?"""
#: A month name, perhaps abbreviated with a dot or followed by ماه, then no further letter.
MONTH_WORD = rf"(?:{MONTH_PATTERN})\.?(?:\s*ماه)?(?![^\W\d])"
_GRAMMAR = LazyRegex(rf"""
    ^(?:(?:{WEEKDAY_PATTERN})(?!\w)\s*-?\s*)?
    (?:
        (?P<ny>\d+)(?P<sep>[-/.])(?P<nm>\d{{1,2}})(?:(?P=sep)(?P<nd>\d{{1,2}}))?
      | (?P<td>\d{{1,2}})(?:st|nd|rd|th|ام|م)?\s*-?\s*(?P<tm>{MONTH_WORD})\s*-?\s*(?:سال\s*)?(?P<ty>\d+)
      | (?P<em>{MONTH_WORD})\s*(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<ey>\d+)
      | (?P<mm>{MONTH_WORD})\s*(?:سال\s*)?(?P<my>\d+)
      | (?:سال\s*)?(?P<yy>\d+)
    )
    (?:\s*(?P<mark>{MARK_PATTERN})(?!\w)\.?)?
    (?:{TIME_PATTERN})?
    $""", re.VERBOSE)
_DAY_FIRST = re.compile(r"^\d{1,2}([-/.])\d{1,2}\1\d{4}$")
_ANY_MONTH = LazyRegex(MONTH_PATTERN)


@dataclass(frozen=True)
class DateSpan:
    """A date, month, year or moment as a half-open span of keys ``[start, end)``.

    ``unit`` is ``"year"``, ``"month"``, ``"day"``, ``"minute"`` or
    ``"second"``; ``calendar`` is how it was written (``"jalali"`` or
    ``"gregorian"``); ``utc_offset`` is the zone the text gave, in minutes
    east of UTC (None: none given).

    >>> span = parse_date("1402/05")
    >>> (span.end - span.start) // 86400                 # مرداد has 31 days
    31
    """

    start: int
    end: int
    unit: str
    # How it was written does not change which span it is: 1402/05/12 == 2023-08-03.
    calendar: str = field(compare=False)
    utc_offset: int | None = field(default=None, compare=False)

    def isoformat(self) -> str:
        """The start as ISO 8601: ``2023-08-03``, or with the time (and zone, if given)."""
        return format_gregorian(self.start, self.utc_offset, time=self.unit in ("minute", "second"))

    def jalali(self, digits: str = "latin") -> str:
        """The start in Jalali: ``1402/05/12`` (``digits="persian"``: ``۱۴۰۲/۰۵/۱۲``)."""
        return format_jalali(self.start, digits=digits, time=self.unit in ("minute", "second"))


# -- calendar arithmetic (jdatetime does the Jalali conversions) ----------------

@lru_cache(maxsize=1)
def _jdatetime() -> Any:
    import jdatetime  # a light pure-Python package, but nothing on the default path needs it

    return jdatetime


def _jalali_month_days(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if _jdatetime().date(year, 1, 1).isleap() else 29


def _jalali_ordinal(year: int, month: int, day: int) -> int:
    return _jdatetime().date(year, month, day).togregorian().toordinal()


def key_from_date(value: date | datetime) -> int:
    """The key of a Python date or (naive, or aware: its own wall clock) datetime.

    >>> key_from_date(date(2023, 8, 3)) == parse_date("1402/05/12").start
    True
    """
    key = (value.toordinal() - _EPOCH) * SECONDS_PER_DAY
    if isinstance(value, datetime):
        key += value.hour * 3600 + value.minute * 60 + value.second
    return key


def date_from_key(key: int) -> datetime:
    """The naive datetime of a key (wall-clock time)."""
    return datetime(1970, 1, 1) + timedelta(seconds=key)


def jalali_from_key(key: int) -> tuple[int, int, int]:
    """``(year, month, day)`` in Jalali: ``jalali_from_key(parse_date("2023-08-03").start) == (1402, 5, 12)``."""
    j = _jdatetime().date.fromgregorian(date=date_from_key(key).date())
    return j.year, j.month, j.day


def _time_suffix(key: int, time: bool | None, seconds: bool) -> str:
    rest = key % SECONDS_PER_DAY
    if time is False or (time is None and rest == 0):
        return ""
    hh, mm, ss = rest // 3600, rest // 60 % 60, rest % 60
    return f"{hh:02d}:{mm:02d}:{ss:02d}" if seconds or ss else f"{hh:02d}:{mm:02d}"


def format_jalali(key: int, *, digits: str = "latin", style: str = "numeric", time: bool | None = None) -> str:
    """A key as a Jalali date: ``1402/05/12`` or (``style="long"``) ``12 مرداد 1402``.

    ``digits="persian"`` writes ۰-۹; the time is shown when it is not
    midnight (``time=True`` always, ``time=False`` never).

    >>> format_jalali(parse_date("2023-08-03T10:30").start, digits="persian", style="long")
    '۱۲ مرداد ۱۴۰۲ ۱۰:۳۰'
    """
    if digits not in ("latin", "persian") or style not in ("numeric", "long"):
        raise QueryError(f"unknown date format {style}/{digits}: use style numeric or long, digits latin or persian")
    y, m, d = jalali_from_key(key)
    text = f"{y:04d}/{m:02d}/{d:02d}" if style == "numeric" else f"{d} {JALALI_MONTHS[m - 1][0]} {y}"
    clock = _time_suffix(key, time, seconds=False)
    text = f"{text} {clock}" if clock else text
    return text.translate(_PERSIAN_DIGITS) if digits == "persian" else text


def format_gregorian(key: int, utc_offset: int | None = None, *, time: bool | None = None) -> str:
    """A key as ISO 8601: ``2023-08-03``, ``2023-08-03T10:30:00`` or ``…+03:30`` with an offset.

    >>> format_gregorian(parse_date("2023-08-03T10:30+03:30").start, 210)
    '2023-08-03T10:30:00+03:30'
    """
    moment = date_from_key(key)
    clock = _time_suffix(key, time, seconds=True)
    if not clock:
        return moment.date().isoformat()
    zone = ""
    if utc_offset is not None:
        sign, minutes = ("-" if utc_offset < 0 else "+"), abs(utc_offset)
        zone = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{moment.date().isoformat()}T{clock}{zone}"


def date_to_json(key: int, utc_offset: int | None = None) -> dict[str, str]:
    """Both calendars, for JSON output: ``{"jalali": "1402/05/12", "gregorian": "2023-08-03"}``."""
    return {"jalali": format_jalali(key), "gregorian": format_gregorian(key, utc_offset)}


# -- parsing ------------------------------------------------------------------

def _fail(text: str, why: str) -> QueryError:
    return QueryError(f'"{text}" is not a date: {why}')


def parse_date(text: str, *, zone: int | None = None) -> DateSpan:
    """Read one date, month, year or moment; raise QueryError with a one-line reason.

    ``zone`` (minutes east of UTC): when the text gives its own zone, the
    time is moved to this one; by default times stay as written.

    >>> parse_date("3 August 2023") == parse_date("۳ اوت ۲۰۲۳") == parse_date("1402-05-12")
    True
    >>> parse_date("1402/12/30")
    Traceback (most recent call last):
    persearch.errors.QueryError: "1402/12/30" is not a date: اسفند 1402 has 29 days (1402 is not a leap year)
    """
    if not isinstance(text, str):
        raise QueryError(f"a date must be text, not {type(text).__name__}")
    return _parse_date(text, zone)


@lru_cache(maxsize=4096)
def _parse_date(text: str, zone: int | None) -> DateSpan:
    # Cached: a server's filters and a corpus's dates repeat, and a Jalali date costs a
    # calendar conversion (~50 µs); a DateSpan is immutable.
    shown = " ".join(text.split())[:80]
    if len(text) > LONGEST_DATE:  # nothing that long is one date: fail before folding it
        raise QueryError(f'cannot read "{shown}…" as a date: {_EXAMPLES}')
    folded = fold_date_text(text)
    if not folded:
        raise QueryError(f"empty date: {_EXAMPLES}")
    m = _GRAMMAR.match(folded)
    if m is None:
        if _DAY_FIRST.match(folded):
            raise _fail(shown, "write the year first (year/month/day, e.g. 1402/05/12)")
        if _ANY_MONTH.search(folded) and not re.search(r"\d{3,}", folded):
            raise _fail(shown, "a month needs its year (e.g. مرداد 1402)")
        raise QueryError(f'cannot read "{shown}" as a date: {_EXAMPLES}')
    g = m.groupdict()
    month_name = g["tm"] or g["em"] or g["mm"]
    year_text = g["ny"] or g["ty"] or g["ey"] or g["my"] or g["yy"]
    month_text = g["nm"]
    day_text = g["nd"] or g["td"] or g["ed"]
    if len(year_text) != 4:
        raise _fail(shown, f"write the year with four digits (not {year_text})")
    year = int(year_text)
    calendar_name = "jalali" if year < JALALI_BELOW else "gregorian"
    if month_name is not None:
        month, named = _month_number(month_name, shown)
        if named != calendar_name:
            raise _fail(shown, f"{_month_name(named, month)} is a {named.title()} month but {year} is a "
                               f"{calendar_name.title()} year (Jalali years are below {JALALI_BELOW})")
    else:
        month = int(month_text) if month_text else None
    _check_mark(g["mark"], calendar_name, year, shown)
    if calendar_name == "gregorian" and year > MAX_GREGORIAN_YEAR:
        raise _fail(shown, f"year {year} is out of range (Gregorian years up to {MAX_GREGORIAN_YEAR})")
    if year == 0:  # four digits, but no calendar has a year 0 (jdatetime refuses it)
        raise _fail(shown, "year 0 does not exist (Jalali years start at 1)")
    if month is not None and not 1 <= month <= 12:
        raise _fail(shown, f"month {month} does not exist (months are 1-12)")
    day = int(day_text) if day_text else None
    if day is not None:
        assert month is not None
        length = _month_length(calendar_name, year, month)
        if not 1 <= day <= length:
            raise _fail(shown, _day_reason(calendar_name, year, month, day, length))
    if g["hh"] is not None and day is None:
        raise _fail(shown, "a time needs a full date (year, month and day)")
    span = _span(calendar_name, year, month, day)
    if g["hh"] is None:
        return span
    offset = _offset(g["zone"], shown) if g["zone"] else None
    seconds, unit = _clock(g, shown)
    start = span.start + seconds
    if offset is not None and zone is not None:
        start += (zone - offset) * 60
        offset = zone
    return DateSpan(start, start + (1 if unit == "second" else 60), unit, calendar_name, offset)


def _month_number(name: str, shown: str) -> tuple[int, str]:
    word = re.sub(r"\s*ماه$", "", name.rstrip(".")).replace(" ", "")
    if word in _JALALI_NAMES:
        return _JALALI_NAMES[word], "jalali"
    if word in _GREGORIAN_NAMES:
        return _GREGORIAN_NAMES[word], "gregorian"
    raise _fail(shown, f"unknown month {name}")  # the grammar only matches known names


def _check_mark(mark: str | None, calendar_name: str, year: int, shown: str) -> None:
    if not mark:
        return
    word = re.sub(r"[.\s]+", " ", mark).strip()
    if word in {fold_date_text(m) for m in LUNAR_MARKS}:
        raise _fail(shown, "lunar Hijri (قمری) dates are not supported: write the Jalali or Gregorian date")
    named = "jalali" if word in {fold_date_text(m) for m in JALALI_MARKS} else "gregorian"
    if named != calendar_name:
        raise _fail(shown, f"{year} is a {calendar_name.title()} year but the text says {named.title()} "
                           f"(Jalali years are below {JALALI_BELOW})")


def _month_length(calendar_name: str, year: int, month: int) -> int:
    if calendar_name == "jalali":
        return _jalali_month_days(year, month)
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (after - date(year, month, 1)).days


def _month_name(calendar_name: str, month: int) -> str:
    return JALALI_MONTHS[month - 1][0] if calendar_name == "jalali" else GREGORIAN_MONTHS[month - 1][1].title()


def _day_reason(calendar_name: str, year: int, month: int, day: int, length: int) -> str:
    if day < 1:
        return f"day {day} does not exist (days start at 1)"
    leap = f" ({year} is not a leap year)" if calendar_name == "jalali" and month == 12 and day == 30 else ""
    return f"{_month_name(calendar_name, month)} {year} has {length} days{leap}"


def _span(calendar_name: str, year: int, month: int | None, day: int | None) -> DateSpan:
    if calendar_name == "jalali":
        def ordinal(y: int, m: int, d: int) -> int:
            return _jalali_ordinal(y, m, d)
    else:
        def ordinal(y: int, m: int, d: int) -> int:
            return date(y, m, d).toordinal()
    if month is None:
        first, after, unit = ordinal(year, 1, 1), ordinal(year + 1, 1, 1), "year"
    elif day is None:
        nxt = (year + 1, 1) if month == 12 else (year, month + 1)
        first, after, unit = ordinal(year, month, 1), ordinal(*nxt, 1), "month"
    else:
        first = ordinal(year, month, day)
        after, unit = first + 1, "day"
    return DateSpan((first - _EPOCH) * SECONDS_PER_DAY, (after - _EPOCH) * SECONDS_PER_DAY, unit, calendar_name)


def _clock(g: dict[str, str | None], shown: str) -> tuple[int, str]:
    hh, mi = int(g["hh"] or 0), int(g["mi"] or 0)
    ss = int(g["ss"]) if g["ss"] is not None else 0
    ampm = g["ampm"]
    if ampm:
        if not 1 <= hh <= 12:
            raise _fail(shown, f"hour {hh} with am/pm (use 1-12)")
        after_noon = ampm.startswith(("p", "ب"))
        hh = hh % 12 + (12 if after_noon else 0)
    if hh > 23 or mi > 59 or ss > 59:
        raise _fail(shown, f"{g['hh']}:{g['mi']} is not a time of day (00:00-23:59)")
    return hh * 3600 + mi * 60 + ss, "second" if g["ss"] is not None else "minute"


def _offset(zone: str, shown: str) -> int:
    zone = zone.replace(" ", "")
    for prefix in ("utc", "gmt"):
        zone = zone[len(prefix):] if zone.startswith(prefix) else zone
    if zone in ("", "z"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        raise _fail(shown, f"zone {zone} does not exist (offsets run from -14:00 to +14:00)")
    return sign * (hours * 60 + minutes)


_RANGE_SPLIT = re.compile(r"\.\.|\s+تا\s+")


def parse_date_range(text: str, *, zone: int | None = None) -> tuple[int | None, int | None]:
    """A date or a range ``A..B`` (also ``A تا B``) as half-open keys ``(low, high)``; None is open.

    Each side covers its whole span: ``1402/05..1402/06`` runs from 1 Mordad
    to the end of Shahrivar; ``2023-08-01..`` has no end.

    >>> parse_date_range("1402/05/10..1402/06/09") == parse_date_range("2023-08-01..2023-08-31")
    True
    """
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) == 1:
        span = parse_date(text, zone=zone)
        return span.start, span.end
    low_text, high_text = (p.strip() for p in parts)
    if not low_text and not high_text:
        raise QueryError(f'"{text.strip()}" is not a date range: write A..B, A.. or ..B (e.g. 1402/05/01..1402/05/31)')
    low = parse_date(low_text, zone=zone).start if low_text else None
    high = parse_date(high_text, zone=zone).end if high_text else None
    if low is not None and high is not None and low >= high:
        raise QueryError(f'the date range "{text.strip()}" is empty: its start is after its end')
    return low, high
