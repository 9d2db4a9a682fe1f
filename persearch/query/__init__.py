"""The query layer: a user's query in, ranked and highlighted hits out.

Its rooms, in the order a query passes through them:

- :mod:`~persearch.query.lexer`: the text cut into words, phrases, operators;
- :mod:`~persearch.query.parse`: :func:`parse` analyzes the words into a
  :mod:`persearch.querytree` tree (:class:`Parsed`);
- :mod:`~persearch.query.run`: :func:`search` executes it on the backend and
  makes :class:`Results` of :class:`Hit` records with snippets;
- :mod:`~persearch.query.suggest`: "did you mean" (keyboard layout, spelling).

Everything here reads an index through :class:`Searchable` (its analyzer and
its backend), never the index layer itself.

    >>> from persearch.query import parse, search
    >>> search(index, "کتاب").total  # doctest: +SKIP
    12
"""
from __future__ import annotations

from .parse import MODES, Parsed, min_should_match, parse
from .run import Hit, Results, execute, search
from .searchable import Searchable

__all__ = ["search", "parse", "Parsed", "Results", "Hit", "min_should_match", "execute", "Searchable", "MODES"]
