"""Let Whoosh index with persearch's analyzer, unchanged.

Whoosh pickles the schema, analyzer included, into the index: this class
pickles only the analyzer's options (see ``Analyzer.__getstate__``) and lives
at a stable import path. The index keeps stopwords (phrase queries such as a
title made of stopwords must match); the query layer drops them from
non-phrase queries when the analyzer's ``stopwords`` option is on.
"""
from __future__ import annotations

from typing import Any, Iterator

from .. import whoosh_import  # noqa: F401 - first: Whoosh imported without what it need not load
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from .analyzer import Analyzer, Columns


class WhooshAnalyzer(Tokenizer):
    """A Whoosh analyzer (a Tokenizer is a complete analyzer) running ``Analyzer``."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self._remembered: dict[int, tuple[str, Columns]] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WhooshAnalyzer) and other.analyzer == self.analyzer

    def __getstate__(self) -> dict[str, Any]:  # pickled in the index schema: without the replay slots
        return {"analyzer": self.analyzer}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["analyzer"])  # type: ignore[misc]

    def remember(self, *values: str) -> list[Columns]:
        """Analyze ``values`` now (:meth:`Analyzer.columns`); the next call on each of
        these very strings replays its tokens.

        A writer that needs a document's tokens itself (to store them) gets
        them without Whoosh analyzing the text a second time.
        """
        analyzed = [self.analyzer.columns(value) for value in values]
        self._remembered = {id(value): (value, columns) for value, columns in zip(values, analyzed)}
        return analyzed

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        remembered = self._remembered.pop(id(value), None)
        if remembered is not None and remembered[0] is value:
            terms, starts, ends, token_positions = remembered[1]
        else:
            terms, starts, ends, token_positions = self.analyzer.columns(value)
        for text, start, end, position in zip(terms, starts, ends, token_positions):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
