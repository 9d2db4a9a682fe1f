"""The one assertion helper every analyzer test goes through.

Like Lucene's ``assertAnalyzesTo``: it checks terms *and* offsets and
positions, fails on a missing or extra token, and checks the stream's
invariants (offsets inside the text, starts and positions never going
backwards, no empty or blank surface) on every call.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from persearch import Analyzer, Token

#: (term, start, end, position) or (term, start, end, position, length)
Expected = Sequence[tuple]

DEFAULT = Analyzer()


def check_stream(text: str, tokens: Sequence[Token]) -> None:
    """The invariants every token stream must keep, whatever the input."""
    last_start = last_position = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text), token
        assert token.start >= last_start, f"start went backwards at {token}"
        assert token.position >= last_position, f"position went backwards at {token}"
        assert token.length >= 1, token
        surface = text[token.start:token.end]
        assert surface.strip() != "", f"blank surface for {token}"
        assert token.text != "", token
        last_start, last_position = token.start, token.position


def assert_analyzes(text: str, expected: Expected, analyzer: Analyzer | None = None,
                    keep_stopwords: bool | None = None) -> None:
    """``text`` analyzes to exactly ``expected``: terms, offsets, positions, lengths."""
    analyzer = analyzer or DEFAULT
    tokens = list(analyzer.tokens(text, keep_stopwords=keep_stopwords))
    check_stream(text, tokens)
    want = [Token(*entry) for entry in expected]
    assert tokens == want, f"{text!r}:\n got  {tokens}\n want {want}"


def assert_word(word: str, *terms: str, analyzer: Analyzer | None = None) -> None:
    """A single word yields ``terms``, all at position 0 spanning the whole word."""
    assert_analyzes(word, [(term, 0, len(word), 0) for term in terms], analyzer)


def all_same_word(words: Iterable[str], term: str, analyzer: Analyzer | None = None) -> None:
    """Every spelling in ``words`` is one word analyzed to ``term``."""
    for word in words:
        assert_word(word, term, analyzer=analyzer)
