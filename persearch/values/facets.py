"""How results are ordered and counted: ``--sort`` and ``--facet`` on typed fields.

Pure functions, like filters.py: a backend sorts by a :class:`Sort` and
counts the values of each :class:`Facet` over every match; this module reads
the options and turns an engine's raw counts into what a user sees.

    >>> types = {"date": "date", "source": "keyword", "views": "number"}
    >>> parse_sort("-date", types)
    Sort(field='date', type='date', descending=True)
    >>> parse_sort("score", types) is None                       # the default: best first
    True
    >>> [f.name for f in parse_facets(["source", "date:month"], types)]
    ['source', 'date:month']
    >>> from persearch.values.dates import parse_date
    >>> display_counts(parse_facets(["date:month"], types)[0], {parse_date("1402/05/12").start: 2,
    ...                                                          parse_date("2023-08-20").start: 1})
    {'1402/05': 3}

Keyword and number facets are ordered by count (most first), then value;
date facets by date. A date facet counts by Jalali day (``date``), month
(``date:month``) or year (``date:year``). Ties of a sort are broken by
score (best first) in both directions; documents without the field come last.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..errors import InvalidOption
from .dates import SECONDS_PER_DAY, jalali_from_key
from .fields import DATE, NUMBER, clip, field_type

#: What ``--sort score`` (and no sort at all) means.
SCORE = "score"
#: How a date facet groups its values.
DATE_UNITS = ("day", "month", "year")


@dataclass(frozen=True)
class Sort:
    """Order by ``field`` (ascending unless ``descending``), ties by score."""

    field: str
    type: str
    descending: bool = False


@dataclass(frozen=True)
class Facet:
    """Count the matches per value of ``field``; ``unit`` groups a date facet (day, month, year)."""

    field: str
    type: str
    unit: str | None = None

    @property
    def name(self) -> str:
        """The facet as asked for, and its key in results: ``source``, ``date``, ``date:month``."""
        return self.field if self.unit in (None, "day") else f"{self.field}:{self.unit}"


def parse_sort(text: str | None, field_types: Mapping[str, str],
               multi_valued: Iterable[str] = ()) -> Sort | None:
    """``FIELD`` (ascending), ``-FIELD`` (descending), ``+FIELD``, ``FIELD:asc``, ``FIELD:desc``,
    or ``score`` (None: best first).

    A field some document holds several values of has no one place in an order: InvalidOption.

    >>> parse_sort("date:desc", {"date": "date"}) == parse_sort("-date", {"date": "date"})
    True
    """
    if text is None or not text.strip() or text.strip() == SCORE:
        return None
    spec = text.strip()
    descending = spec.startswith("-")
    name = spec.lstrip("+-").strip()
    head, colon, direction = name.rpartition(":")
    if colon and direction.strip().lower() in ("asc", "desc") and head.strip():
        name, descending = head.strip(), direction.strip().lower() == "desc"
    if name == SCORE:
        raise InvalidOption(f"--sort {clip(spec)}: score sorts best first only (write --sort score)")
    kind = field_type(name, field_types, "sort")
    if name in set(multi_valued):
        raise InvalidOption(f"cannot sort by {name}: some documents hold several values of it "
                            f"(sort by a field with one value a document)")
    return Sort(name, kind, descending)


def parse_facets(names: Iterable[str] | str | None, field_types: Mapping[str, str]) -> list[Facet]:
    """``FIELD`` for each value; for a date field ``FIELD:day`` (the default), ``FIELD:month``, ``FIELD:year``."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    found: dict[str, Facet] = {}
    for text in names:
        name, _, unit = text.strip().partition(":")
        kind = field_type(name.strip(), field_types, "facet")
        unit = unit.strip().lower() or None
        if unit is not None and (kind != DATE or unit not in DATE_UNITS):
            raise InvalidOption(f"--facet {clip(text)}: only a date field takes a unit "
                                f"(day, month or year), as in date:month")
        facet = Facet(name.strip(), kind, unit or ("day" if kind == DATE else None))
        found.setdefault(facet.name, facet)
    return list(found.values())


@lru_cache(maxsize=65536)
def _jalali_day(day_key: int) -> tuple[int, int, int]:
    return jalali_from_key(day_key)


def display_counts(facet: Facet, raw: Mapping[Any, int]) -> dict[Any, int]:
    """An engine's counts (keyword terms, numbers, or date keys floored to the day) as shown.

    Numbers that are whole show as integers; dates as Jalali ``1402/05/12``,
    ``1402/05`` or ``1402``.
    """
    if facet.type == DATE:
        grouped: dict[tuple[int, ...], int] = {}
        width = {"day": 3, "month": 2, "year": 1}[facet.unit or "day"]
        for key, count in raw.items():
            jalali = _jalali_day(int(key) // SECONDS_PER_DAY * SECONDS_PER_DAY)[:width]
            grouped[jalali] = grouped.get(jalali, 0) + count
        return {"/".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(key)): grouped[key]
                for key in sorted(grouped)}
    if facet.type == NUMBER:
        shown: dict[Any, int] = {}
        for key, count in raw.items():
            number = float(key)
            value = int(number) if number.is_integer() else number
            shown[value] = shown.get(value, 0) + count
        return dict(sorted(shown.items(), key=lambda item: (-item[1], item[0])))
    return dict(sorted(((str(k), v) for k, v in raw.items()), key=lambda item: (-item[1], item[0])))


__all__ = ["SCORE", "DATE_UNITS", "Sort", "Facet", "parse_sort", "parse_facets", "display_counts"]
