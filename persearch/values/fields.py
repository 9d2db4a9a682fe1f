"""Record fields as typed values: keyword, number or date, inferred or declared.

    >>> infer_types([{"تاریخ": "۱۴۰۲/۰۵/۱۲", "منبع": "فارس", "سال": "۱۴۰۲"},
    ...              {"تاریخ": "2023-08-04", "منبع": "مهر", "سال": 1401}])
    {'تاریخ': 'date', 'منبع': 'keyword', 'سال': 'number'}
    >>> parse_value("number", "۱۲٬۵۰۰"), parse_value("keyword", "خبرگزاري  فارس")
    (12500, 'خبرگزاری فارس')

**The inference rule.** Each field's first :data:`INFER_SAMPLE` non-empty
values are classified (lists count element by element; text over
:data:`LONGEST_VALUE` characters is neither a number nor a date). A field is

- ``date`` if at least :data:`INFER_THRESHOLD` of its values read as dates
  and at least one is more than a bare year (``1402/05/12``, ``مرداد
  1402``): a column of bare years is a number column;
- else ``number`` if at least that share read as numbers (any digits,
  ``۱۲٬۵۰۰``, ``12,500``, ``-3.5``, ``۳٫۵``). A leading zero (``0912…``,
  ``00123``) makes a value an identifier, not a number; so do integers of
  16 digits or more, which a float64 cannot hold;
- else ``keyword``.

"That share" tolerates at least one value that does not read once a field
has :data:`TOLERANT_FROM` values: in a file of eight records, one mistyped
date (``1402/13/01``) is a typo in a date column, not a text column.

A value that does not read as its field's type is reported (a
:class:`Problem`, one line) and kept as text: nothing is dropped.
Booleans are keywords ``true``/``false``. A declared type (``{"date":
"date"}``, ``--field date=date``) is never second-guessed.

Keyword terms fold only what a reader cannot see: Arabic ي ك and Persian
ی ک, the three digit systems, invisible format marks and tatweel, runs of
spaces. Letters a reader can tell apart (آ/ا, ة/ه) and ZWNJ are kept, so a
facet shows the value as it was written.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, NamedTuple

from ..analysis.chars import FARSI_YEH, FOLD_TABLE, FORMAT_CHARS, KEHEH, NBSP, TATWEEL
from ..errors import InvalidOption, QueryError
from .dates import parse_date

KEYWORD, NUMBER, DATE = "keyword", "number", "date"
#: The types a record field can have.
FIELD_TYPES = (KEYWORD, NUMBER, DATE)
#: Share of a field's non-empty values that must read as its type.
INFER_THRESHOLD = 0.9
#: From this many values on, one value that does not read is tolerated whatever the share.
TOLERANT_FROM = 4
#: Values per field looked at to infer its type.
INFER_SAMPLE = 1000
#: Longer text is never read as a number or a date.
LONGEST_VALUE = 64
#: Integers from here on lose digits as float64: kept as keywords.
EXACT_INTEGERS = 2 ** 53
#: What a field name may be (as the backends' metadata keys).
FIELD_NAME = re.compile(r"^[\w\-]{1,64}$")

# Keyword folding, built from chars.FOLD_TABLE's yeh, kaf and digit entries.
_KEYWORD_TABLE: dict[int, str | None] = {
    code: to for code, to in FOLD_TABLE.items() if to in (FARSI_YEH, KEHEH) or (to is not None and to.isdigit())
}
_KEYWORD_TABLE.update({ord(ch): None for ch in FORMAT_CHARS + TATWEEL})
_KEYWORD_TABLE[ord(NBSP)] = " "
_SPACES = re.compile(r"\s+")
# Numbers: FOLD_TABLE turns ٫ into "." and drops ٬; "," groups thousands.
_NUMBER_TABLE = {**{code: to for code, to in FOLD_TABLE.items() if to is not None and (to.isdigit() or to == ".")},
                 ord("\u066c"): ",", 0x2212: "-"}
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_BARE_YEAR = re.compile(r"^\d{4}$")


def keyword_term(value: Any) -> str:
    """The term a keyword value is indexed and matched as.

    >>> keyword_term(" خبرگزاري\u00a0 فارس "), keyword_term("۱۴۰۲"), keyword_term(True)
    ('خبرگزاری فارس', '1402', 'true')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value).translate(_KEYWORD_TABLE)).strip()


def parse_number(value: Any) -> int | float:
    """A number from JSON or from text in any digits; raise QueryError with a one-line reason.

    >>> parse_number("۱۲٬۵۰۰"), parse_number("-۳٫۵"), parse_number("12,500"), parse_number(7)
    (12500, -3.5, 12500, 7)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise QueryError(f"{_shown(value)} is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise QueryError(f"{_shown(value)} is not a number: only finite numbers can be compared")
        if abs(value) >= EXACT_INTEGERS:
            raise QueryError(f"{_shown(value)} is too large to compare exactly (keep it as a keyword)")
        return value
    text = value.translate(_NUMBER_TABLE).strip()
    if not _NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        raise QueryError(f'"{clip(value)}" is not a number: write digits, e.g. 1400, ۱۴۰۰, 12.5 or -3')
    plain = text.lstrip("+-").replace(",", "")
    whole = plain.split(".", 1)[0]
    if len(whole) > 1 and whole.startswith("0"):
        raise QueryError(f'"{clip(value)}" starts with 0: an identifier, not a number (keep it as a keyword)')
    if "." in plain:
        return float(text.replace(",", ""))
    number = int(text.replace(",", ""))
    if abs(number) >= EXACT_INTEGERS:
        raise QueryError(f'"{clip(value)}" is too large to compare exactly (keep it as a keyword)')
    return number


def parse_value(field_type: str, value: Any) -> int | float | str:
    """One value as its field type stores it: a keyword term, a number, or a date key (the span's start).

    >>> parse_value("date", "۱۲ مرداد ۱۴۰۲") == parse_value("date", "2023-08-03")
    True
    """
    if field_type == KEYWORD:
        return keyword_term(value)
    if field_type == NUMBER:
        return parse_number(value)
    if field_type == DATE:
        if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) != 4:
            raise QueryError(f"{value} is a number, not a date: write the date as text, e.g. 2023-08-03")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise QueryError(f"{_shown(value)} is not a date: write it as text, e.g. 1402/05/12")
        return parse_date(str(value)).start
    raise InvalidOption(f"unknown field type {field_type}: use {', '.join(FIELD_TYPES)}")


def _shown(value: Any) -> str:
    return f'"{clip(value)}"' if isinstance(value, str) else clip(str(value).lower() if isinstance(value, bool)
                                                                  else str(value))


def field_type(name: str, field_types: Mapping[str, Any], what: str = "filter") -> Any:
    """The type of field ``name``, or InvalidOption naming the fields there are.

    >>> field_type("x", {"date": "date"}, "sort")
    Traceback (most recent call last):
    persearch.errors.InvalidOption: unknown sort field x: use one of date
    """
    kind = field_types.get(name)
    if kind is None:
        known = ", ".join(sorted(field_types)) or "none (this index has no record fields)"
        if not name.strip():  # --sort -, --facet "", --facet :month
            raise InvalidOption(f"a {what} needs a field name: use one of {known}")
        raise InvalidOption(f"unknown {what} field {clip(name)}: use one of {known}")
    return kind


def clip(value: Any) -> str:
    """A value on one line, at most 60 characters: how a message quotes what it could not read."""
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:59] + "…"


# -- declarations ---------------------------------------------------------------

def parse_field_declarations(declared: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Field types from ``--field NAME=TYPE`` options (or a mapping); raise InvalidOption.

    >>> parse_field_declarations(["تاریخ=date", "price=number,source=keyword"])
    {'تاریخ': 'date', 'price': 'number', 'source': 'keyword'}
    """
    if declared is None:
        return {}
    if isinstance(declared, Mapping):
        pairs = [(str(k), str(v)) for k, v in declared.items()]
        given = [f"{k}={v}" for k, v in pairs]
    else:
        if isinstance(declared, str):
            declared = [declared]
        given = [part.strip() for item in declared for part in item.split(",") if part.strip()]
        pairs = []
        for item in given:
            name, eq, kind = item.partition("=")
            if not eq:
                raise InvalidOption(f'--field "{clip(item)}": write NAME=TYPE, TYPE one of {", ".join(FIELD_TYPES)}')
            pairs.append((name.strip(), kind.strip()))
    types: dict[str, str] = {}
    for (name, kind), item in zip(pairs, given):
        if not FIELD_NAME.match(name):
            raise InvalidOption(f'--field "{clip(item)}": a field name is 1-64 letters, digits, _ or -')
        if kind.lower() not in FIELD_TYPES:
            raise InvalidOption(f'--field "{clip(item)}": unknown type {clip(kind)} '
                                f'(use {", ".join(FIELD_TYPES)})')
        if types.get(name, kind.lower()) != kind.lower():
            raise InvalidOption(f"--field {name} is declared twice, as {types[name]} and {kind.lower()}")
        types[name] = kind.lower()
    return types


# -- inference ------------------------------------------------------------------

class Problem(NamedTuple):
    """A record value that does not read as its field's type (it is kept as text)."""

    field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        return f"field {self.field}: {self.reason} (kept as text)"


class _Tally:
    """Counts of one field's values by what they read as (a plain class: dataclasses cost import time)."""

    __slots__ = ("values", "numbers", "dates", "years")

    def __init__(self) -> None:
        self.values = self.numbers = 0
        self.dates = 0  # dates finer than a year
        self.years = 0  # bare four-digit years: numbers that would also be dates


def _scalars(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if v is not None and not (isinstance(v, str) and not v.strip())
            and isinstance(v, (str, int, float, bool))]


def _classify(value: Any, tally: _Tally) -> None:
    tally.values += 1
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > LONGEST_VALUE):
        return
    try:
        parse_number(value)
    except QueryError:
        pass
    else:
        tally.numbers += 1
        if _BARE_YEAR.match(str(value).translate(_NUMBER_TABLE).strip()):
            tally.years += 1
        return
    if isinstance(value, str):
        try:
            unit = parse_date(value).unit
        except QueryError:
            return
        if unit == "year":
            tally.years += 1
        else:
            tally.dates += 1


class FieldTypes:
    """The type of each record field: declared, or inferred from the values observed.

    Feed records with :meth:`observe`, read :meth:`types`, then turn each
    record's fields into typed values with :meth:`coerce`.

    >>> ft = FieldTypes(declared={"کد": "keyword"}, skip={"text"})
    >>> ft.observe({"کد": "12", "تاریخ": "1402/05/12", "text": "متن خبر"})
    >>> ft.types()
    {'کد': 'keyword', 'تاریخ': 'date'}
    >>> typed, problems = ft.coerce({"کد": "13", "تاریخ": "1402/13/01"})
    >>> typed, [str(p) for p in problems]
    ({'کد': ['13']}, ['field تاریخ: "1402/13/01" is not a date: month 13 does not exist (months are 1-12) (kept as text)'])
    """

    def __init__(self, declared: Mapping[str, str] | Iterable[str] | None = None, skip: Iterable[str] = (), *,
                 sample: int = INFER_SAMPLE, threshold: float = INFER_THRESHOLD) -> None:
        self.declared = parse_field_declarations(declared)
        self.skip = frozenset(skip)
        self.sample, self.threshold = sample, threshold
        self._tallies: dict[str, _Tally] = {}

    def observe(self, record: Mapping[str, Any]) -> None:
        """Count one record's values towards its fields' types."""
        for key, value in record.items():
            if key in self.skip or key in self.declared or not isinstance(key, str):
                continue
            tally = self._tallies.get(key)
            if tally is None:
                tally = self._tallies[key] = _Tally()
            for item in _scalars(value):
                if tally.values >= self.sample:
                    break
                _classify(item, tally)

    def types(self) -> dict[str, str]:
        """Every field seen or declared, with its type (declared ones first)."""
        out = dict(self.declared)
        for key, tally in self._tallies.items():
            out[key] = self._decide(tally)
        return out

    def _decide(self, tally: _Tally) -> str:
        if tally.values == 0:
            return KEYWORD
        needed = self.threshold * tally.values
        if tally.values >= TOLERANT_FROM:  # one typo in a small file does not make a column text
            needed = min(needed, tally.values - 1)
        if tally.dates and tally.dates + tally.years >= needed:
            return DATE
        if tally.numbers >= needed:
            return NUMBER
        return KEYWORD

    def coerce(self, record: Mapping[str, Any], types: Mapping[str, str] | None = None
               ) -> tuple[dict[str, list[int | float | str]], list[Problem]]:
        """A record's typed values (``{field: [values]}``) and the values that did not read as their type.

        A value that fails keeps its field in the record's metadata as text;
        it only has no typed value.
        """
        types = self.types() if types is None else types
        typed: dict[str, list[int | float | str]] = {}
        problems: list[Problem] = []
        for key, value in record.items():
            kind = types.get(key) if isinstance(key, str) and key not in self.skip else None
            if kind is None:
                continue
            values = []
            for item in _scalars(value):
                try:
                    values.append(parse_value(kind, item))
                except QueryError as exc:
                    problems.append(Problem(key, item, str(exc)))
            if values:
                typed[key] = values
        return typed, problems


def infer_types(records: Iterable[Mapping[str, Any]], declared: Mapping[str, str] | Iterable[str] | None = None,
                *, skip: Iterable[str] = ()) -> dict[str, str]:
    """The type of every field of some records (declared types win); see the module docstring for the rule."""
    inference = FieldTypes(declared=parse_field_declarations(declared), skip=skip)
    for record in records:
        inference.observe(record)
    return inference.types()
