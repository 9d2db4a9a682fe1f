"""The query lexer: what each piece of a query is, and where it is."""
from __future__ import annotations

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
    assert [t.kind for t in lex("کتاب OR OR «دفتر", notes)] == ["word", "or", "phrase"]
    assert notes == ["dropped a repeated OR", "closed an unbalanced quote"]


def test_a_field_before_a_group_applies_to_the_group() -> None:
    tokens = lex("body:(کتاب دفتر)", [])
    assert (tokens[0].kind, tokens[0].field) == ("lparen", "body")
    assert all(t.field is None for t in tokens[1:])


def test_suffixes_leave_the_word() -> None:
    assert [(t.text, t.suffix, t.plain) for t in lex("کتاب* کتاب~2 کتاب", [])] == [
        ("کتاب", "*", False), ("کتاب", "~2", False), ("کتاب", "", True)]


@given(st.text(alphabet='کتاب "«»()-:~*ORNTtitle ؟', max_size=40))
def test_never_raises_and_offsets_lie_in_the_query(query: str) -> None:
    for token in lex(query, []):
        assert 0 <= token.start <= token.end <= len(query)
        assert token.text in query[token.start:token.end]
