"""Highlighting: spans on surface words, snippets."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persearch import Analyzer
from persearch.analysis.chars import RLM, TATWEEL, ZWNJ, ZWSP
from persearch.highlight import IGNORABLE, Matcher, analyzed_spans, make_snippet

from conftest import SEEDS

ANALYZER = Analyzer()
KASRA = "\u0650"
#: What a snippet shows a line break as (one character for one).
LINE_BREAKS = dict.fromkeys(map(ord, "\n\r\t\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029"), " ")
FATHA = "\u064e"


def words(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def matcher(*terms: str, prefixes: tuple[str, ...] = (), fuzzy: tuple[tuple[str, int, int], ...] = ()) -> Matcher:
    return Matcher(ANALYZER, terms, prefixes, fuzzy)


def test_whole_word_with_zwnj_suffixes() -> None:
    text = f"او کتاب{ZWNJ}هایشان را آورد"
    assert words(text, matcher("کتاب").spans(text)) == [f"کتاب{ZWNJ}هایشان"]


def test_diacritics_and_tatweel_inside_the_word() -> None:
    text = f"این ک{KASRA}تا{TATWEEL}ب و کت{FATHA}اب است"
    assert words(text, matcher("کتاب").spans(text)) == [f"ک{KASRA}تا{TATWEEL}ب", f"کت{FATHA}اب"]


@pytest.mark.parametrize("ignorable", sorted(IGNORABLE))
def test_every_ignorable_character_may_sit_inside_a_word(ignorable: str) -> None:
    # The candidate filter's cheap gap must let through everything the analyzer ignores.
    text = f"این ک{ignorable}تاب و ر{ignorable}ئیس"
    expected = analyzed_spans(ANALYZER, text, {"کتاب", "رییس"})
    assert matcher("کتاب", "رییس").spans(text) == expected


def test_arabic_letters_in_text() -> None:
    text = "رئيس جمهور و كتاب"
    assert words(text, matcher("کتاب", "رییس").spans(text)) == ["رئيس", "كتاب"]


def test_presentation_forms() -> None:
    text = "این \ufedb\ufe98\ufe8e\ufe8f خوب است"  # ﻛﺘﺎﺏ
    assert words(text, matcher("کتاب").spans(text)) == ["\ufedb\ufe98\ufe8e\ufe8f"]


def test_format_characters_inside_and_around_the_word() -> None:
    text = f"گفت {RLM}کت{ZWSP}اب{RLM} را"
    assert words(text, matcher("کتاب").spans(text)) == [f"{RLM}کت{ZWSP}اب{RLM}"]


def test_digits_fold() -> None:
    text = "در سال ۲۰۱۹ و ٢٠١٩ و 2019"
    assert words(text, matcher("2019").spans(text)) == ["۲۰۱۹", "٢٠١٩", "2019"]


def test_compound_spans_whole_group() -> None:
    text = f"رئیس{ZWNJ}جمهوری ایران و رئیسجمهوری ترکیه"
    got = words(text, matcher("رییسجمهوری", "رییس", "جمهوری").spans(text))
    assert got == [f"رئیس{ZWNJ}جمهوری", "رئیسجمهوری"]


def test_spaced_verb_prefix() -> None:
    text = "او می خواهد برود"
    assert words(text, matcher("میخواهد").spans(text)) == ["می خواهد"]


def test_hamza_variant() -> None:
    text = "این مسئله و مسأله و مساله"
    assert words(text, matcher("مساله").spans(text)) == ["مسئله", "مسأله", "مساله"]


def test_prefix_and_fuzzy() -> None:
    text = "کتابخانه و کتابدار و کباب"
    assert words(text, matcher(prefixes=("کتابخ",)).spans(text)) == ["کتابخانه"]
    text = "دفتر و کباب و دریا"
    assert words(text, matcher(fuzzy=(("کتاب", 1, 1),)).spans(text)) == ["کباب"]


def test_no_match_no_spans() -> None:
    assert matcher("دریا").spans("کتاب خوب") == []
    assert matcher().spans("کتاب") == []


def test_seed_text_matches_full_analysis(seed_texts: dict[str, str]) -> None:
    """The candidate filter never misses a match the full analysis finds."""
    for text in seed_texts.values():
        terms = {t.text for t in ANALYZER.tokens(text)}
        for term in sorted(terms)[::7]:
            m = matcher(term)
            expected = [(t.start, t.end) for t in ANALYZER.tokens(text, keep_stopwords=True) if t.text == term]
            got = m.spans(text)
            # every expected span is inside a found span
            for s, e in expected:
                assert any(gs <= s and e <= ge for gs, ge in got), (term, text[s:e])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["کتاب", "كتاب", f"کتاب{ZWNJ}ها", "می خواهد", "مسئله", "۲۰۱۹", "و", "،", "\n",
                                 f"ک{KASRA}تاب", "رئیسجمهوری", "خوب", ".", "1,000", TATWEEL, "ها", "می", "نمی",
                                 "خواهد", "بزرگ", "تر", "ترین", "3.14", "3", "14", "اند", ZWNJ, "کمی"]), max_size=30),
       st.sampled_from([" ", "", "\u00a0"]))
def test_filter_agrees_with_full_analysis(parts: list[str], glue: str) -> None:
    # Spaced prefixes and suffixes (می خواهد, کتاب ها, بزرگ تر) and numbers make
    # word groups span several words: the windowed analysis must see them whole.
    text = glue.join(parts)
    terms = ("کتاب", "میخواهد", "مساله", "2019", "رییس", "1000", "بزرگ", "خواهد", "3.14", "تر", "کم")
    m = matcher(*terms)
    expected = sorted((t.start, t.end) for t in ANALYZER.tokens(text, keep_stopwords=True) if t.text in terms)
    got = m.spans(text)
    for s, e in expected:
        assert any(gs <= s and e <= ge for gs, ge in got)
    for s, e in got:
        assert any(s <= es and ee <= e for es, ee in expected)


def test_snippet_offsets_point_at_the_same_words(seed_texts: dict[str, str]) -> None:
    text = next(iter(seed_texts.values()))
    found = matcher("ایران", "ترکیه").find(text)
    snip = make_snippet(text, found, length=120, fragments=2)
    assert snip.highlights
    for (s, e) in snip.highlights:
        assert snip.text[s:e] in {text[fs:fe] for fs, fe, _ in found}
    assert len(snip.text) <= 2 * 120 + 10


SNIPPET_TEXT = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
SNIPPET_WORDS = [m.span() for m in re.finditer(r"\S+", SNIPPET_TEXT)]


@st.composite
def match_sets(draw: st.DrawFn, reach: int) -> list[tuple[int, int, str]]:
    """Sorted matches on words (or parts of words; a word may be matched twice, overlapping)
    within one stretch of ``reach`` characters of a seed text."""
    first = draw(st.integers(0, len(SNIPPET_WORDS) - 1))
    words_in_reach = [w for w in SNIPPET_WORDS[first:first + reach] if w[1] <= SNIPPET_WORDS[first][0] + reach]
    found = []
    for start, end in draw(st.lists(st.sampled_from(words_in_reach), min_size=1, max_size=12)):
        cut = draw(st.integers(0, end - start - 1))  # a part of the word, or the whole word
        found.append((start, end - cut, draw(st.sampled_from(["الف", "ب", "پ"]))))
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(match_sets(reach=150), st.integers(1, 3))
def test_matches_within_one_window_are_all_highlighted(found: list[tuple[int, int, str]], fragments: int) -> None:
    snip = make_snippet(SNIPPET_TEXT, found, length=160, fragments=fragments)
    assert words(snip.text, snip.highlights) == [SNIPPET_TEXT[s:e].translate(LINE_BREAKS) for s, e, _ in found]


@settings(max_examples=200, deadline=None)
@given(match_sets(reach=2000), st.integers(20, 300), st.integers(1, 3))
def test_highlights_are_the_matches_inside_the_fragments(found: list[tuple[int, int, str]], length: int,
                                                         fragments: int) -> None:
    snip = make_snippet(SNIPPET_TEXT, found, length=length, fragments=fragments,
                        weight={"الف": 1.0, "ب": 0.5, "پ": 0.25}.get)
    shown = words(snip.text, snip.highlights)
    assert snip.highlights == sorted(snip.highlights)
    assert len(snip.text) <= fragments * length + len(" … ") * (fragments + 1)  # no fragment is longer than asked
    # In order, each highlight is a match's text (line breaks shown as spaces), and no match is shown twice.
    texts = iter([SNIPPET_TEXT[s:e].translate(LINE_BREAKS) for s, e, _ in found])
    assert all(any(word == t for t in texts) for word in shown)


def test_snippet_prefers_fragment_with_most_distinct_terms() -> None:
    filler = " ".join(["متن"] * 60)
    text = f"دریا دریا دریا {filler} دریا و کوه کنار هم {filler}"
    found = matcher("دریا", "کوه").find(text)
    snip = make_snippet(text, found, length=40, fragments=1)
    assert "کوه" in snip.text
    assert snip.text.startswith("…") and snip.text.endswith("…")


def test_snippet_cuts_at_word_boundaries() -> None:
    text = " ".join(f"واژه{i}" for i in range(200)) + " هدف " + " ".join(f"کلمه{i}" for i in range(200))
    found = matcher("هدف").find(text)
    snip = make_snippet(text, found, length=60, fragments=1)
    body = snip.text.strip("… ")
    assert body.split()[0] in text.split() and body.split()[-1] in text.split()
    assert snip.text[snip.highlights[0][0]:snip.highlights[0][1]] == "هدف"


def test_snippet_without_matches_is_the_beginning() -> None:
    text = "سطر اول متن\nسطر دوم متن " * 30
    snip = make_snippet(text, [], length=50)
    assert snip.text.startswith("سطر اول متن سطر دوم")
    assert snip.highlights == []
    assert "\n" not in snip.text


def test_multiple_fragments_are_joined_with_ellipsis() -> None:
    filler = " ".join(["متن"] * 80)
    text = f"{filler} دریا {filler} کوه {filler}"
    found = matcher("دریا", "کوه").find(text)
    snip = make_snippet(text, found, length=40, fragments=2)
    assert snip.text.count("…") == 3
    assert words(snip.text, snip.highlights) == ["دریا", "کوه"]


def test_title_spans() -> None:
    assert analyzed_spans(ANALYZER, "كتاب‌های فارسی", {"کتاب"}) == [(0, 8)]


# --- phrases -----------------------------------------------------------------------

PHRASE_TEXT = ("رئیس دولت امروز سخن گفت و جمهوری خواهان پاسخ دادند. " * 6
               + f"سپس رئیس{ZWNJ}جمهوری و رئیس جمهوری دیگر، و رئیسجمهوری سوم، دیدار کردند.")


def test_a_phrase_is_marked_only_where_its_words_stand_together() -> None:
    matcher = Matcher(ANALYZER, phrases=[((("رییس",), ("جمهوری",)), 0)])
    marked = [PHRASE_TEXT[s:e] for s, e, _ in matcher.find(PHRASE_TEXT)]
    assert marked == [f"رئیس{ZWNJ}جمهوری", "رئیس جمهوری", "رئیسجمهوری"]  # never a lone رئیس or جمهوری


def test_a_sloppy_phrase_marks_its_words_one_by_one() -> None:
    text = "رئیس محترم جمهوری آمد و رئیس دولت رفت"
    found = Matcher(ANALYZER, phrases=[((("رییس",), ("جمهوری",)), 1)]).find(text)
    assert [text[s:e] for s, e, _ in found] == ["رئیس", "جمهوری"]
    assert Matcher(ANALYZER, phrases=[((("رییس",), ("جمهوری",)), 0)]).find(text) == []


def test_the_snippet_shows_the_phrase_not_its_lone_words() -> None:
    matcher = Matcher(ANALYZER, phrases=[((("رییس",), ("جمهوری",)), 0)])
    snip = make_snippet(PHRASE_TEXT, matcher.find(PHRASE_TEXT), length=80, fragments=1, weight=matcher.weight)
    assert [snip.text[s:e] for s, e in snip.highlights] == [f"رئیس{ZWNJ}جمهوری", "رئیس جمهوری", "رئیسجمهوری"]


def test_fuzzy_snippets_prefer_the_word_itself() -> None:
    text = "کار و کارها و کاری و کرار و کنار " * 4 + "در پایان یک کتاب خوب خواندیم."
    matcher = Matcher(ANALYZER, fuzzy=[("کتاب", 2, 1)])
    snip = make_snippet(text, matcher.find(text), length=60, fragments=1, weight=matcher.weight)
    assert "کتاب" in [snip.text[s:e] for s, e in snip.highlights]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["کتاب", "خوب", " ", "  ", "\r\n", ZWNJ, *map(chr, LINE_BREAKS)]), min_size=1,
                max_size=80), st.integers(20, 90), st.integers(1, 3))
def test_snippets_show_every_line_break_as_a_space(parts: list[str], length: int, fragments: int) -> None:
    text = "".join(parts)
    found = [(m.start(), m.end(), "کتاب") for m in re.finditer("کتاب", text)]
    snip = make_snippet(text, found, length=length, fragments=fragments)
    assert not set(snip.text) & set(map(chr, LINE_BREAKS))
    shown = text.translate(LINE_BREAKS)  # each fragment is the text with its line breaks as spaces
    assert all(piece.strip(" ") in shown for piece in snip.text.split("…"))
    assert words(snip.text, snip.highlights) == ["کتاب"] * len(snip.highlights)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["کتاب", "خوب", "و", " ", "   ", "\n", "\t", "\xa0", "\x1c", ZWNJ, "."]), max_size=120),
       st.lists(st.tuples(st.integers(0, 400), st.integers(1, 12), st.sampled_from(["الف", "ب"])), max_size=8),
       st.integers(10, 120), st.integers(1, 3))
def test_a_snippet_read_in_slices_is_the_snippet_of_the_whole_text(parts: list[str],
                                                                   places: list[tuple[int, int, str]],
                                                                   length: int, fragments: int) -> None:
    # A hit's stored text is read only in a slice per fragment (persearch.compact.CompactText): the same snippet.
    from persearch.compact import CompactText, encode

    text = "".join(parts)
    found = sorted({(s, min(s + n, len(text)), label) for s, n, label in places if s < len(text)})
    sliced = CompactText(b"head" + (encode(text) or b""), 4)
    assert len(sliced) == len(text) and str(sliced) == text
    expected = make_snippet(text, found, length=length, fragments=fragments)
    assert make_snippet(sliced, found, length=length, fragments=fragments) == expected
