"""persearch's own query tree: what the parser produces and every backend executes.

Terms here are already analyzed (normalized, stemmed) index terms. A node's
``field`` is None for "the default fields" (title and body), else a field name.
Backends translate these nodes into their engine's queries; nothing here
imports an engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Term:
    """One index term: ``Term("کتاب")``."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions: ``Phrase(("رییس", "جمهوری"))``.

    An item may be a tuple of alternative terms for that position (spelling
    variants such as ``("مسیله", "مساله")``). ``slop`` is the number of extra
    positions allowed between items (0 = exact phrase).
    """

    terms: tuple[str | tuple[str, ...], ...]
    field: str | None = None
    slop: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Terms starting with ``text``: ``Prefix("کتاب")`` for ``کتاب*``."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """Terms within ``distance`` edits of ``text``: ``Fuzzy("کتاب", 1)`` for ``کتاب~``."""

    text: str
    distance: int = 1
    field: str | None = None
    prefix_length: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Every child must match."""

    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    """At least ``min_match`` children (default 1) must match; more matches score higher."""

    children: tuple["Node", ...]
    min_match: int = 1


@dataclass(frozen=True)
class AndNot:
    """``positive`` matches and ``negative`` does not (``word -other``, ``word NOT other``)."""

    positive: "Node"
    negative: "Node"


@dataclass(frozen=True)
class MatchNone:
    """Matches nothing (an empty or unusable query); ``reason`` says why."""

    reason: str = ""


@dataclass(frozen=True)
class MatchAll:
    """Matches every document (used for a pure negative query such as ``-word``)."""


Node = Union[Term, Phrase, Prefix, Fuzzy, And, Or, AndNot, MatchNone, MatchAll]
