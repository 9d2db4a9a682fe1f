"""The analyzer's fast paths against a straightforward reference, on real Persian text.

The tokenizer's regex is written for speed (possessive repeats, a first
word character before the spaced-prefix test, lookbehinds after the letters
they check) and the analyzer lays tokens out from caches of plain groups.
The reference here is the plain formulation: the word group regex with an
optional prefix and backtracking repeats, each group analyzed afresh with
``_analyze_group``, its entries turned into tokens one by one. Both must give
the same tokens, offsets and positions for every text.
"""
from __future__ import annotations

import gzip
import json
import re
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import persearch
from conftest import ROOT, shared_data_dir
from persearch import Analyzer, Token
from persearch.analysis import analyzer as analyzer_module
from persearch.analysis import tokenize as tk
from test_analyzer import _GROUPS_TEXT

_WORD = (f"{tk._WORD_CHAR}+(?:(?:{tk.ZWNJ}+|(?<=\\d)[{tk.NUMBER_SEPARATORS}](?=\\d)){tk._WORD_CHAR}+)*")
#: The word group regex in its plain form: optional spaced prefix, word, spaced suffixes.
REFERENCE_GROUP = re.compile(f"(?:ن?م{tk._YEH}{tk._GAP}(?={tk._WORD_CHAR}))?{_WORD}"
                             f"(?:{tk._GAP}(?={tk._SUFFIX_FIRST_LETTERS}){tk._SPACED_SUFFIX})*")


def reference_tokens(analyzer: Analyzer, text: str, keep_stopwords: bool) -> list[Token]:
    """Tokens group by group, each group analyzed afresh (no cache)."""
    tokens, position = [], 0
    for match in REFERENCE_GROUP.finditer(text):
        entries, width = analyzer._analyze_group(match.group())
        for term, start, end, offset, length, is_stop in entries:
            if keep_stopwords or not is_stop:
                tokens.append(Token(term, match.start() + start, match.start() + end, position + offset, length))
        position += width
    return tokens


def _columns(tokens: list[Token]) -> tuple[list, list, list, list]:
    return ([t.text for t in tokens], [t.start for t in tokens], [t.end for t in tokens],
            [t.position for t in tokens])


def _check(analyzer: Analyzer, text: str) -> None:
    dropped = reference_tokens(analyzer, text, keep_stopwords=not analyzer.stopwords)
    kept = reference_tokens(analyzer, text, keep_stopwords=True)
    assert analyzer(text) == dropped
    assert list(analyzer.tokens(text, keep_stopwords=True)) == kept
    assert list(analyzer.tokens(text, keep_stopwords=False)) == reference_tokens(analyzer, text, False)
    assert analyzer.columns(text) == _columns(kept)


def _real_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared_data_dir().parent / "seeds").glob("*.txt"))]
    for name in ("news.jsonl.gz", "poetry.jsonl.gz"):
        path = shared_data_dir() / name
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                texts += [f"{d.get('title', '')}\n{d.get('text', '')}" for d in map(json.loads, islice(lines, 60))]
    return texts


def test_reference_regex_finds_the_groups_of_the_fast_one() -> None:
    texts = _real_texts()
    assert texts  # the repository's seeds at least; ../shared adds its seeds, news and poetry when beside us
    for text in texts:
        assert tk.WORD_GROUP_SPLIT.split(text)[1::2] == REFERENCE_GROUP.findall(text)


@pytest.mark.parametrize("options", [{}, {"stopwords": False}, {"stemmer": None}, {"compounds": False}])
def test_fast_paths_equal_reference_on_real_text_cold_and_warm(options: dict) -> None:
    # News, poetry and seed pages: cold (first sight of every group), warm
    # (every group from the caches), and through persearch.analyze.
    analyzer = Analyzer(**options)
    texts = _real_texts()
    for _ in range(2):
        for text in texts:
            _check(analyzer, text)
    if not options:
        assert all(persearch.analyze(text) == analyzer(text) for text in texts[:20])


def test_fast_paths_equal_reference_when_caches_overflow(monkeypatch: pytest.MonkeyPatch) -> None:
    # Caches cleared again and again in the middle of texts.
    monkeypatch.setattr(analyzer_module, "_CACHE_LIMIT", 7)
    analyzer = Analyzer()
    for text in _real_texts()[:40]:
        _check(analyzer, text)


_SHARED = Analyzer()


@settings(max_examples=300, deadline=None)
@given(st.lists(_GROUPS_TEXT, min_size=1, max_size=3), st.booleans())
def test_fast_paths_equal_reference_on_any_group_mix(texts: list[str], keep: bool) -> None:
    # Spaced prefixes and suffixes, numbers, marks, format characters, compounds,
    # stopwords: a fresh analyzer and one warmed by every earlier example.
    for text in texts:
        for analyzer in (Analyzer(stopwords=not keep), _SHARED):
            _check(analyzer, text)
            _check(analyzer, text + " " + text)


def test_reference_catches_a_wrong_term(monkeypatch: pytest.MonkeyPatch) -> None:
    # The comparison is not vacuous: a plain group's cached term changed is seen.
    analyzer = Analyzer()
    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    _check(analyzer, text)
    surface = next(s for s, term in analyzer._plain_kept.items() if term is not analyzer_module._DROPPED)
    analyzer._plain_kept[surface] = "x"
    with pytest.raises(AssertionError):
        _check(analyzer, text)
