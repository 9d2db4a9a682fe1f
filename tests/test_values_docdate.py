"""persearch.values.docdate: the date of an HTML page or a plain-text news document.

Datelines come from the seeds (real pages) and from forms the news corpus
uses; the corpus itself, whose articles carry no dateline, checks that
dates inside sentences are not taken for the document's date.
"""
from __future__ import annotations

import doctest
import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_data_file
from persearch.values import docdate
from persearch.values.docdate import HTML_WINDOW, TEXT_WINDOW, document_date, html_date, text_date


def test_the_seeds_datelines(seed_texts: dict[str, str]) -> None:
    found = {name: text_date(text) for name, text in seed_texts.items()}
    assert {name: span.jalali() for name, span in found.items() if span} == {
        "000_df093c946d86f816.txt": "1403/09/05 07:07",  # «دوشنبه ۵ آذر ۱۴۰۳ ایران ۰۷:۰۷»
        "004_5de2587191fdc741.txt": "1403/01/10 03:06",  # «جمعه ۱۰ فروردین ۱۴۰۳ تهران ۰۳:۰۶»
    }


@pytest.mark.parametrize("text, expected", [
    ("لینکهای قابل دسترسی\n\nخبر فوری\nدوشنبه ۵ آذر ۱۴۰۳ ایران ۰۷:۰۷\n\nحسن روحانی", "1403/09/05 07:07"),
    ("به گزارش ورزش سه\nشنبه؛ 1400/01/31؛ ساعت 19:30\nتیم تراکتور", "1400/01/31 19:30"),
    ("تاریخ انتشار: ۱۲ مرداد ۱۴۰۲ - ۱۰:۳۰ " + "متن خبر " * 20, "1402/05/12 10:30"),
    ("کد خبر: ۱۲۳۴۵\nتاریخ: ۱۴۰۲/۰۵/۱۲ ۱۰:۴۵\nمتن", "1402/05/12 10:45"),
    ("۱۲ مرداد ۱۴۰۲ - خبرگزاری فارس: " + "رئیس سازمان گفت " * 10, "1402/05/12"),
    ("تهران - ایرنا - پنج‌شنبه، ۱۲ مرداد‌ماه ۱۴۰۲\nمتن", "1402/05/12"),
    ("Thursday, August 3, 2023 - Tehran\nبدنه", "1402/05/12"),
    ("خبر\n۳ اوت ۲۰۲۳\nمتن", "1402/05/12"),
    ("خبر\n2023-08-03T10:30:00+03:30\nمتن", "1402/05/12 10:30"),
])
def test_datelines(text: str, expected: str) -> None:
    span = text_date(text)
    assert span is not None and span.jalali() == expected


@pytest.mark.parametrize("text", [
    # dates inside sentences (news corpus forms): the subject, not the publication date
    "شهرداری در تاریخ 1387/2/17 شهرداری تهران را ملزم کرد که در پی نامه‌ای طولانی که به استانداری نوشته بود اعلام کند",
    "خبر\nدر تاریخ ۱۴۰۲/۰۵/۱۲ جلسه شورا برگزار شد.\n",  # a label inside a short sentence
    "۲۸ ژوئن ۱۹۹۷ بود که تایسون و هالیفیلد در لاس وگاس مقابل هم قرار گرفتند؛ مسابقه‌ای که در تبلیغات",
    "22 آوریل 2014 وقتی فابرگاس دقیق",
    # no year, or not a date
    "العالی) در دیدار روز چهارشنبه 30 شهریور ماه با اعضای مجلس خبرگان",
    "از روز یکشنبه ۲۵خرداد تا روز پنج شنبه ۱۹تیر",
    "شماره 93/3/0014 مورخ",
    "نتیجه بازی 2-1 بود\n1402/13/45\n",
    "",
])
def test_no_date_where_there_is_no_dateline(text: str) -> None:
    assert text_date(text) is None


def test_only_the_first_characters_are_read() -> None:
    filler = "متن خبر بدون تاریخ\n" * (TEXT_WINDOW // 18 + 1)
    assert text_date(filler + "۱۲ مرداد ۱۴۰۲\n") is None
    assert text_date("۱۲ مرداد ۱۴۰۲\n" + filler) is not None


def test_a_long_line_is_only_read_at_its_start() -> None:
    sentence = "خبرگزاری فارس گزارش داد که " * 8
    assert text_date(sentence + "۱۲ مرداد ۱۴۰۲ - متن") is None
    assert text_date("۱۲ مرداد ۱۴۰۲ - " + sentence) is not None


PAGE = """<!doctype html><html lang="fa" dir="rtl"><head>
<meta charset="utf-8"><title>حسن روحانی خواستار همکاری ایران و ترکیه شد</title>
<meta name="date" content="1403/09/04">
<meta property="og:type" content="article">
<meta content="2024-11-25T07:07:00+03:30" property="article:published_time" />
<meta property="article:modified_time" content="2024-11-26T09:00:00+03:30">
</head><body><p>دوشنبه ۵ آذر ۱۴۰۳</p><time datetime="2020-01-01">قدیمی</time></body></html>"""


def test_html_metadata_order() -> None:
    span = html_date(PAGE)
    assert span is not None and span.isoformat() == "2024-11-25T07:07:00+03:30" and span.utc_offset == 210
    # without article:published_time, the generic date meta (here Jalali) comes next
    without = PAGE.replace("article:published_time", "x")
    assert html_date(without).jalali() == "1403/09/04"  # type: ignore[union-attr]
    only_time = '<article><time pubdate datetime="۱۴۰۲-۰۵-۱۲T۱۰:۳۰">۱۲ مرداد</time></article>'
    assert html_date(only_time).jalali() == "1402/05/12 10:30"  # type: ignore[union-attr]
    json_ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-08-03"}</script>'
    assert html_date(json_ld).isoformat() == "2023-08-03"  # type: ignore[union-attr]


def test_html_values_that_are_not_dates_are_passed_over() -> None:
    page = "<meta name='date' content='today'><meta name=pubdate content=1402/13/01><time datetime=2023-08-03>"
    assert html_date(page).isoformat() == "2023-08-03"  # type: ignore[union-attr]
    assert html_date("<meta name='description' content='2023-08-03'>") is None
    assert html_date("<p>" + " " * HTML_WINDOW + "<time datetime='2023-08-03'></time>") is None


def test_document_date_prefers_html_then_text() -> None:
    assert document_date("دوشنبه ۵ آذر ۱۴۰۳\nمتن", PAGE).isoformat() == "2024-11-25T07:07:00+03:30"  # type: ignore[union-attr]
    assert document_date("دوشنبه ۵ آذر ۱۴۰۳\nمتن", "<p>بدون متا</p>").jalali() == "1403/09/05"  # type: ignore[union-attr]
    assert document_date("متن") is None


def test_news_corpus_articles_yield_few_dates() -> None:
    """The corpus's articles have no datelines; what is found must stand alone on a line."""
    path = shared_data_file("news.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    found = [(text, span) for text in texts if (span := text_date(text)) is not None]
    assert len(found) <= len(texts) // 500
    for text, span in found:  # schedule headings such as «پنجشنبه ۱۲ فروردین ۱۴۰۰» on a line of their own
        lines = [line.strip() for line in text[:TEXT_WINDOW].splitlines()]
        assert any(len(line) <= docdate.SHORT_LINE and span.jalali()[:4] in line.translate(
            str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")) for line in lines)


def test_doc_examples_hold() -> None:
    assert doctest.testmod(docdate).failed == 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", "۱۲ مرداد ۱۴۰۲", "2023-08-03 10:30", "<time datetime='x'>"]))
def test_never_raises(text: str, piece: str) -> None:
    for source in (text + piece, piece + "\n" + text):
        span = text_date(source)
        assert span is None or span.start < span.end
        assert html_date(source) is None or html_date(source).start < html_date(source).end  # type: ignore[union-attr]
