"""Let Whoosh index with persearch's analyzer, unchanged.

Whoosh pickles the schema, analyzer included, into the index: this class
pickles only the analyzer's options (see ``Analyzer.__getstate__``) and lives
at a stable import path. The index keeps stopwords (phrase queries such as a
title made of stopwords must match); the query layer drops them from
non-phrase queries when the analyzer's ``stopwords`` option is on.
"""
from __future__ import annotations

from typing import Any, Iterator

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from .analyzer import Analyzer


class WhooshAnalyzer(Tokenizer):
    """A Whoosh analyzer (a Tokenizer is a complete analyzer) running ``Analyzer``."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WhooshAnalyzer) and other.analyzer == self.analyzer

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for t in self.analyzer.tokens(value, keep_stopwords=True):
            token.text = t.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[t.start:t.end]
            if positions:
                token.pos = start_pos + t.position
            if chars:
                token.startchar = start_char + t.start
                token.endchar = start_char + t.end
            yield token
