"""What the query layer searches: an analyzer and a backend.

An :class:`~persearch.index.Index` is one; so is anything else holding the
analyzer an index was built with and its engine (a benchmark's bare backend,
a test double). The query layer reads nothing else, so it never imports the
index layer.

    >>> from persearch import Index
    >>> isinstance(Index.open("نمایه"), Searchable)  # doctest: +SKIP
    True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..analysis import Analyzer
    from ..backends.base import Backend


@runtime_checkable
class Searchable(Protocol):
    """An index as the query layer sees it."""

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer the index was built with: queries are analyzed the same way."""

    @property
    def backend(self) -> Backend:
        """The engine that executes query trees and stores the documents."""


__all__ = ["Searchable"]
