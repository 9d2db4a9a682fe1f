"""persearch.values.dates: Jalali and Gregorian dates as people write them, one key, spans and ranges.

Known facts checked: Nowruz (1 Farvardin) falls on 21 March 2023, 20 March
2024 and 21 March 2025; 1399 and 1403 are leap years (Esfand has 30 days),
1402 is not. The seeds' own datelines name their weekday, which the
conversion must agree with.
"""
from __future__ import annotations

import calendar
import doctest
import subprocess
import sys
from datetime import date, timedelta

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch.errors import QueryError
from persearch.values import dates
from persearch.values.dates import (JALALI_MONTHS, DateSpan, date_to_json, format_gregorian, format_jalali,
                                    jalali_from_key, key_from_date, parse_date, parse_date_range)

DAY = 86400
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def day_key(y: int, m: int, d: int) -> int:
    return key_from_date(date(y, m, d))


# -- the forms the issue and real pages use ------------------------------------------

@pytest.mark.parametrize("text", [
    "1402/05/12", "1402/5/12", "۱۴۰۲/۰۵/۱۲", "۱۴۰۲-۰۵-۱۲", "١٤٠٢/٠٥/١٢", "1402.05.12",
    "12 مرداد 1402", "۱۲ مرداد ۱۴۰۲", "۱۲ مرداد‌ماه ۱۴۰۲", "۱۲ مردادماه ۱۴۰۲", "۱۲مرداد۱۴۰۲",
    "۱۲ امرداد ۱۴۰۲", "پنجشنبه ۱۲ مرداد ۱۴۰۲", "پنج‌شنبه، ۱۲ مرداد ۱۴۰۲", "پنج شنبه ۱۲ مرداد ۱۴۰۲",
    "۱۲ مرداد ۱۴۰۲ ه.ش", "۱۲ مرداد ۱۴۰۲ هجری شمسی", "12 Mordad 1402",
    "2023-08-03", "2023/8/3", "۲۰۲۳-۰۸-۰۳", "3 August 2023", "August 3, 2023", "Aug. 3, 2023",
    "Thursday, 3 August 2023", "۳ اوت ۲۰۲۳", "۳ آگوست ۲۰۲۳", "3 اوت 2023 میلادی",
])
def test_every_written_form_of_one_day_is_the_same_span(text: str) -> None:
    span = parse_date(text)
    assert (span.start, span.end, span.unit) == (day_key(2023, 8, 3), day_key(2023, 8, 4), "day")
    assert span.jalali() == "1402/05/12" and span.isoformat() == "2023-08-03"


@pytest.mark.parametrize("text, iso", [
    ("دوشنبه ۵ آذر ۱۴۰۳ ۰۷:۰۷", "2024-11-25T07:07:00"),            # seed 000's dateline
    ("جمعه ۱۰ فروردین ۱۴۰۳ ۰۳:۰۶", "2024-03-29T03:06:00"),          # seed 004's dateline
    ("شنبه؛ 1400/01/31؛ ساعت 19:30", "2021-04-20T19:30:00"),         # varzesh3, as written
    ("1402/05/12 10:30 ب.ظ", "2023-08-03T22:30:00"),
    ("1402/05/12 ساعت 12:15 ق.ظ", "2023-08-03T00:15:00"),
    ("2023-08-03T10:30:00+03:30", "2023-08-03T10:30:00+03:30"),
    ("2023-08-03 10:30:15.250Z", "2023-08-03T10:30:15+00:00"),
    ("Thursday, 3 August 2023 10:30 PM", "2023-08-03T22:30:00"),
    ("28 ژوئن 1997", "1997-06-28"), ("11 سپتامبر 2001", "2001-09-11"), ("۴ مارس ۲۰۱۸", "2018-03-04"),
    ("8 می 2015", "2015-05-08"), ("۳ ژوئیه ۲۰۲۳", "2023-07-03"), ("۳ جولای ۲۰۲۳", "2023-07-03"),
    ("1387/2/17", "2008-05-06"), ("1393/4/16", "2014-07-07"),
])
def test_real_datelines_and_moments(text: str, iso: str) -> None:
    assert parse_date(text).isoformat() == iso


def test_seed_weekdays_agree_with_the_conversion(seed_texts: dict[str, str]) -> None:
    """Each seed's publisher wrote the weekday beside the Jalali date: jdatetime must give the same day."""
    weekdays = {"شنبه": 5, "یکشنبه": 6, "دوشنبه": 0, "سه‌شنبه": 1, "چهارشنبه": 2, "پنجشنبه": 3, "جمعه": 4}
    checked = 0
    for text in seed_texts.values():
        for line in text.splitlines()[:6]:
            words = line.split()
            if words and words[0] in weekdays and len(words) >= 4:
                span = parse_date(" ".join(words[:4]))
                assert dates.date_from_key(span.start).weekday() == weekdays[words[0]], line
                checked += 1
    assert checked == len(seed_texts) == 2


@pytest.mark.parametrize("jalali, gregorian", [
    ("1402/01/01", date(2023, 3, 21)), ("1403/01/01", date(2024, 3, 20)), ("1404/01/01", date(2025, 3, 21)),
    ("1399/12/30", date(2021, 3, 20)), ("1403/12/30", date(2025, 3, 20)), ("1357/11/22", date(1979, 2, 11)),
])
def test_known_conversions(jalali: str, gregorian: date) -> None:
    assert parse_date(jalali).start == key_from_date(gregorian)
    assert format_jalali(key_from_date(gregorian)) == jalali


def test_partial_dates_are_spans() -> None:
    month = parse_date("مرداد ۱۴۰۲")
    assert month == parse_date("1402/05") == parse_date("مرداد ماه سال ۱۴۰۲")
    assert (month.start, month.end, month.unit) == (day_key(2023, 7, 23), day_key(2023, 8, 23), "month")
    esfand_leap, esfand = parse_date("1403/12"), parse_date("اسفند 1402")
    assert (esfand_leap.end - esfand_leap.start) // DAY == 30 and (esfand.end - esfand.start) // DAY == 29
    year = parse_date("۱۴۰۲")
    assert (year.start, year.end, year.unit) == (day_key(2023, 3, 21), day_key(2024, 3, 20), "year")
    assert parse_date("2023").start == day_key(2023, 1, 1) and parse_date("February 2024").end == day_key(2024, 3, 1)
    assert parse_date("2023-08-03T10:30").end - parse_date("2023-08-03T10:30").start == 60
    assert parse_date("2023-08-03T10:30:05").unit == "second"


@pytest.mark.parametrize("text, words", [
    ("1402/13/01", "month 13 does not exist"),
    ("1402/00/10", "month 0 does not exist"),
    ("1402/05/32", "مرداد 1402 has 31 days"),
    ("1402/07/31", "مهر 1402 has 30 days"),
    ("1402/05/00", "day 0 does not exist"),
    ("1402/12/30", "اسفند 1402 has 29 days (1402 is not a leap year)"),
    ("30 اسفند 1402", "1402 is not a leap year"),
    ("2023-02-29", "February 2023 has 28 days"),
    ("2023-13-01", "month 13 does not exist"),
    ("94/05/12", "write the year with four digits (not 94)"),
    ("12/05/1402", "write the year first"),
    ("مرداد", "a month needs its year"),
    ("۱۲ مرداد ۲۰۲۳", "مرداد is a Jalali month but 2023 is a Gregorian year"),
    ("3 August 1402", "August is a Gregorian month but 1402 is a Jalali year"),
    ("1402 میلادی", "the text says Gregorian"),
    ("۱۲ مرداد ۱۴۰۲ ه.ق", "lunar Hijri"),
    ("1402/05/12 24:00", "is not a time of day"),
    ("1402/05/12 13:00 pm", "with am/pm"),
    ("2023-08-03T10:00+15:00", "zone +15:00 does not exist"),
    ("1402/05 10:30", "a time needs a full date"),
    ("9999-01-01", "out of range"),
    ("فردا", "cannot read"),
    ("   ", "empty date"),
    ("1402/05/12 " * 20, "cannot read"),
])
def test_invalid_dates_say_why_in_one_line(text: str, words: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_date(text)
    message = str(info.value)
    assert words in message and "\n" not in message and "Traceback" not in message
    assert "QueryError" not in message and "'" not in message.split(":")[0]  # no Python repr


def test_non_text_is_refused_clearly() -> None:
    with pytest.raises(QueryError, match="must be text"):
        parse_date(1402)  # type: ignore[arg-type]


def test_zone_is_kept_and_only_applied_on_request() -> None:
    span = parse_date("2023-08-03T23:00:00Z")
    assert span.utc_offset == 0 and format_jalali(span.start) == "1402/05/12 23:00"
    tehran = parse_date("2023-08-03T23:00:00Z", zone=210)
    assert tehran.isoformat() == "2023-08-04T02:30:00+03:30" and tehran.jalali() == "1402/05/13 02:30"
    assert parse_date("1402/05/12 10:00", zone=210).start == parse_date("1402/05/12 10:00").start  # no zone given


def test_display_in_both_calendars() -> None:
    key = parse_date("1402/05/12").start
    assert format_jalali(key, digits="persian") == "۱۴۰۲/۰۵/۱۲"
    assert format_jalali(key, style="long") == "12 مرداد 1402"
    assert format_jalali(key, digits="persian", style="long") == "۱۲ مرداد ۱۴۰۲"
    assert format_jalali(key, time=True) == "1402/05/12 00:00"
    assert date_to_json(key) == {"jalali": "1402/05/12", "gregorian": "2023-08-03"}
    moment = parse_date("2023-08-03T10:30:00-05:00")
    assert date_to_json(moment.start, moment.utc_offset) == {"jalali": "1402/05/12 10:30",
                                                             "gregorian": "2023-08-03T10:30:00-05:00"}
    with pytest.raises(QueryError):
        format_jalali(key, digits="roman")


def test_ranges_cover_both_ends_whole() -> None:
    low, high = parse_date_range("1402/05/01..1402/05/31")
    assert (low, high) == parse_date_range("1402/05") == parse_date_range("۱ مرداد ۱۴۰۲ تا ۳۱ مرداد ۱۴۰۲")
    assert parse_date_range("1402/05..1402/06") == (parse_date("1402/05").start, parse_date("1402/06").end)
    assert parse_date_range("1402.05.01..1402.05.31") == (low, high)
    assert parse_date_range("2023-08-01..") == (day_key(2023, 8, 1), None)
    assert parse_date_range("..1402/05/12") == (None, day_key(2023, 8, 4))
    for bad, words in (("1402/06..1402/05", "is empty"), ("..", "not a date range"), ("1402/05..x", "cannot read")):
        with pytest.raises(QueryError, match=words):
            parse_date_range(bad)


def test_doc_examples_hold() -> None:
    assert doctest.testmod(dates).failed == 0


def test_jdatetime_is_imported_on_first_use_only() -> None:
    code = ("import sys, persearch, persearch.values.dates as d, persearch.values.filters, persearch.values.docdate; "
            "a = 'jdatetime' in sys.modules; d.parse_date('2023-08-03'); b = 'jdatetime' in sys.modules; "
            "d.parse_date('1402/05/12'); print(a, b, 'jdatetime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]


# -- properties ---------------------------------------------------------------------

def jalali_month_length(year: int, month: int) -> int:
    """From jdatetime directly: the reference the parser is checked against."""
    return jdatetime.j_days_in_month[month - 1] + (month == 12 and jdatetime.date(year, 1, 1).isleap())


@st.composite
def jalali_days(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(1000, 1699))
    month = draw(st.integers(1, 12))
    return year, month, draw(st.integers(1, jalali_month_length(year, month)))


def _digits(text: str, system: int) -> str:
    return text.translate((None, PERSIAN, ARABIC)[system]) if system else text


@settings(max_examples=400, deadline=None)
@given(jalali_days(), st.integers(0, 2))
def test_jalali_gregorian_jalali_round_trip(day: tuple[int, int, int], system: int) -> None:
    y, m, d = day
    span = parse_date(_digits(f"{y}/{m:02d}/{d:02d}", system))
    assert jalali_from_key(span.start) == day
    if dates.date_from_key(span.start).year >= 1700:  # earlier years are read as Jalali
        assert parse_date(format_gregorian(span.start)) == span  # the Gregorian spelling is the same day
    assert parse_date(_digits(f"{d} {JALALI_MONTHS[m - 1][0]} {y}", system)) == span
    assert parse_date(format_jalali(span.start, digits="persian", style="long")) == span


@settings(max_examples=200, deadline=None)
@given(st.integers(1000, 1698))
def test_months_tile_each_jalali_year(year: int) -> None:
    """Each month starts where the last ended; a year has 365 days, or 366 when Esfand has 30."""
    spans = [parse_date(f"{year}/{m:02d}") for m in range(1, 13)]
    assert spans[0].start == parse_date(str(year)).start and spans[-1].end == parse_date(str(year + 1)).start
    assert all(a.end == b.start for a, b in zip(spans, spans[1:]))
    days = (spans[-1].end - spans[0].start) // DAY
    assert days == 365 + ((spans[-1].end - spans[-1].start) // DAY == 30)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.tuples(st.just("jalali"), st.integers(1000, 1699), st.integers(1, 12)),
                 st.tuples(st.just("gregorian"), st.integers(1700, 9998), st.integers(1, 12))))
def test_a_month_range_holds_exactly_its_days(month: tuple[str, int, int]) -> None:
    kind, y, m = month
    span = parse_date(f"{y}/{m:02d}")
    length = jalali_month_length(y, m) if kind == "jalali" else calendar.monthrange(y, m)[1]
    day_keys = [parse_date(f"{y}/{m:02d}/{d:02d}").start for d in range(1, length + 1)]
    assert list(range(span.start, span.end, DAY)) == day_keys
    assert span.start - DAY not in range(span.start, span.end) and day_keys[-1] + DAY == span.end


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1700, 1, 1), date(2319, 12, 31)), st.integers(0, 400))  # Jalali years stay below 1700
def test_gregorian_and_jalali_ranges_select_the_same_days(first: date, days: int) -> None:
    last = first + timedelta(days=days)
    j_first, j_last = format_jalali(key_from_date(first)), format_jalali(key_from_date(last))
    assert parse_date_range(f"{first}..{last}") == parse_date_range(f"{j_first}..{j_last}")
    assert parse_date(first.isoformat()) == parse_date(j_first)


_PIECES = st.sampled_from([
    "1402", "۱۴۰۲", "٢٠٢٣", "05", "۱۲", "3", "/", "-", ".", ":", " ", "T", "Z", "+03:30", "..", "مرداد", "اسفند",
    "ژوئیه", "August", "پنجشنبه", "ساعت", "ب.ظ", "ه.ش", "میلادی", "ماه", "سال", "،", "؛", "\u200c", "ـ", "ي", "99999",
])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=9).map("".join)))
def test_parse_raises_only_the_documented_error(text: str) -> None:
    for parse in (parse_date, parse_date_range):
        try:
            result = parse(text)
        except QueryError as exc:
            assert "\n" not in str(exc) and str(exc)
            continue
        if isinstance(result, DateSpan):
            assert result.start < result.end
        else:
            low, high = result
            assert low is None or high is None or low < high
