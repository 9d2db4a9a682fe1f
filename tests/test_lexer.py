"""The query lexer: what each piece of a query is, and where it is."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persearch.query.lexer import lex


def kinds(query: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(query, [])]


def test_fields_quotes_and_operators() -> None:
    tokens = lex("title:کتاب OR «رئیس جمهور»~2 -دولت", [])
    assert [(t.kind, t.text, t.field, t.suffix, t.negated) for t in tokens] == [
        ("word", "کتاب", "title", "", False), ("or", "OR", None, "", False),
        ("phrase", "رئیس جمهور", None, "~2", False), ("word", "دولت", None, "", True)]


def test_persian_punctuation_is_text_and_unknown_fields_are_words() -> None:
    assert kinds("چرا؟ http://x.ir") == [("word", "چرا؟"), ("word", "http://x.ir")]


def test_repairs_are_noted() -> None:
    notes: list[str] = []
    assert [t.kind for t in lex("کتاب OR OR «دفتر", notes)] == ["word", "or", "word"]
    assert notes == ["ignored an unmatched «", "dropped a repeated OR"]


@pytest.mark.parametrize(("query", "expected", "note"), [
    # A quote or bracket without its partner is text: the words around it stay words.
    ("هابسبورگ ) و حکمرانان", [("word", "هابسبورگ"), ("word", "و"), ("word", "حکمرانان")], ")"),
    ("(هابسبورگ و حکمرانان", [("word", "هابسبورگ"), ("word", "و"), ("word", "حکمرانان")], "("),
    ("«هابسبورگ و", [("word", "هابسبورگ"), ("word", "و")], "«"),
    ("هابسبورگ» و", [("word", "هابسبورگ"), ("word", "و")], "»"),
    ('تاریخ "اتریش', [("word", "تاریخ"), ("word", "اتریش")], '"'),
    # A stray quote ahead of a phrase, alone or glued, leaves the phrase whole.
    ('تاریخ " "خاندان سلطنتی"', [("word", "تاریخ"), ("phrase", "خاندان سلطنتی")], '"'),
    ('"تاریخ "خاندان سلطنتی"', [("word", "تاریخ"), ("phrase", "خاندان سلطنتی")], '"'),
    ('تاریخ" "خاندان سلطنتی"', [("word", "تاریخ"), ("phrase", "خاندان سلطنتی")], '"'),
    ('"خاندان سلطنتی" تاریخ"', [("phrase", "خاندان سلطنتی"), ("word", "تاریخ")], '"'),
    # Brackets inside a phrase are its text; a bracket pair crossing a phrase is text.
    ('(تاریخ "خاندان) سلطنتی"', [("word", "تاریخ"), ("phrase", "خاندان) سلطنتی")], "("),
    ("(تاریخ (اتریش) ایران", [("word", "تاریخ"), ("lparen", "("), ("word", "اتریش"), ("rparen", ")"),
                             ("word", "ایران")], "("),
])
def test_unmatched_quotes_and_brackets_are_text(query: str, expected: list[tuple[str, str]], note: str) -> None:
    notes: list[str] = []
    assert [(t.kind, t.text) for t in lex(query, notes)] == expected
    assert notes == [f"ignored an unmatched {note}"]


@pytest.mark.parametrize("stray", [")", "(", "«", "»", '"', "...", "…"])
def test_a_stray_inside_a_word_leaves_the_word_whole(stray: str) -> None:
    numbers = ("۱۴{}۰۲",) if "." not in stray and "…" not in stray else ()  # dots in a number are its own
    for query in (f"هابس{stray}بورگ", f"م{stray}ی کنند", *(n.format(stray) for n in numbers)):
        words = [t.text for t in lex(query, [])]
        assert "".join(words).replace(" ", "") == query.replace(stray, "").replace(" ", ""), query
    assert [t.text for t in lex(f"کتاب{stray} دفتر", [])] == ["کتاب", "دفتر"]


def test_dots_between_digits_are_left_to_the_analyzer() -> None:
    assert [t.text for t in lex("۱۴۰۲..۱۴۰۳ 3.5", [])] == ["۱۴۰۲..۱۴۰۳", "3.5"]


def test_well_formed_syntax_is_syntax() -> None:
    assert kinds("«رئیس جمهور» (ایران OR ترکیه)") == [
        ("phrase", "رئیس جمهور"), ("lparen", "("), ("word", "ایران"), ("or", "OR"), ("word", "ترکیه"),
        ("rparen", ")")]
    assert kinds('"رئیس جمهور "') == [("phrase", "رئیس جمهور ")]  # a space before the closing quote
    assert kinds("“رئیس جمهور”") == [("phrase", "رئیس جمهور")]


def test_dots_around_words_are_text() -> None:
    assert [(t.text, t.suffix) for t in lex("کتاب*... می ...شود …دفتر~", [])] == [
        ("کتاب", "*"), ("می", ""), ("شود", ""), ("دفتر", "~")]
    assert kinds("... …") == []


def test_boosts_on_words_phrases_and_groups() -> None:
    tokens = lex('بانک^3 "رئیس جمهور"~2^1.5 (ایران ترکیه)^2 کتاب~1^۲ بانک^', [])
    assert [(t.kind, t.text, t.suffix, t.boost) for t in tokens] == [
        ("word", "بانک", "", 3.0), ("phrase", "رئیس جمهور", "~2", 1.5), ("lparen", "(", "", 1.0),
        ("word", "ایران", "", 1.0), ("word", "ترکیه", "", 1.0), ("rparen", ")", "", 2.0),
        ("word", "کتاب", "~1", 2.0), ("word", "بانک^", "", 1.0)]
    assert not tokens[0].plain  # a boosted word is an item of its own
    notes: list[str] = []
    assert lex("بانک^0", notes)[0].boost == 1.0 and notes == ["ignored ^0 after بانک: a boost is a number above 0"]


def test_a_double_dash_is_text_not_an_exclusion() -> None:
    assert [(t.text, t.negated) for t in lex("--کتاب -دفتر", [])] == [("کتاب", False), ("دفتر", True)]


def test_a_leading_star_is_noted() -> None:
    notes: list[str] = []
    assert [(t.text, t.suffix) for t in lex("*خانه", notes)] == [("خانه", "")]
    assert notes and "leading *" in notes[0]


def test_a_field_before_a_group_applies_to_the_group() -> None:
    tokens = lex("body:(کتاب دفتر)", [])
    assert (tokens[0].kind, tokens[0].field) == ("lparen", "body")
    assert all(t.field is None for t in tokens[1:])


def test_suffixes_leave_the_word() -> None:
    assert [(t.text, t.suffix, t.plain) for t in lex("کتاب* کتاب~2 کتاب", [])] == [
        ("کتاب", "*", False), ("کتاب", "~2", False), ("کتاب", "", True)]


@given(st.text(alphabet='کتاب "«»\u201c\u201d()-:~*^2.…ORNTtitle ؟', max_size=40))
def test_never_raises_and_offsets_lie_in_the_query(query: str) -> None:
    for token in lex(query, []):
        assert 0 <= token.start <= token.end <= len(query)
        span = iter(query[token.start:token.end])
        assert all(ch in span for ch in token.text)  # its text, perhaps without a stray inside it


@given(st.text(alphabet='کتاب دفتر"«»()', max_size=30), st.sampled_from(['"', "«", "»", "(", ")"]),
       st.integers(min_value=0, max_value=30))
def test_kept_syntax_is_balanced(query: str, stray: str, at: int) -> None:
    """Whatever the quotes and brackets, the parser gets balanced brackets and whole phrases."""
    at = min(at, len(query))
    depth = 0
    for token in lex(query[:at] + stray + query[at:], []):
        depth += {"lparen": 1, "rparen": -1}.get(token.kind, 0)
        assert depth >= 0
    assert depth == 0
