"""What a request asks for: its query string, read strictly, as library arguments.

Every parameter the API knows is a row of a table (:data:`SEARCH_PARAMETERS`,
:data:`ANALYZE_PARAMETERS`): a function from the values given to keyword
arguments of the library call. A new search option (a filter, a sort order,
facets) is one more row; a parameter that is not in the table is refused,
naming the known ones, so a misspelt option never goes unnoticed.

Bad input is a :class:`BadRequest` with the HTTP status to answer and one
line saying what is wrong; nothing here touches the index.

    >>> search_arguments(parse_query_string("q=%DA%A9%D8%AA%D8%A7%D8%A8&limit=5".encode()))
    ('کتاب', {'limit': 5})
"""
from __future__ import annotations

from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl

#: Hits per page: the default, and the most one request may ask for.
DEFAULT_LIMIT, MAX_LIMIT = 10, 1000
#: The deepest hit a request may reach (page × limit), as in Elasticsearch's
#: max_result_window: deeper pages cost every search a longer ranking.
MAX_WINDOW = 10_000
#: Longer queries are refused. Up to this the library cuts a long query
#: (at 2,000 characters) and says so in ``message``.
MAX_QUERY_CHARS = 10_000
#: The longest text /api/analyze analyzes.
MAX_ANALYZE_CHARS = 10_000
#: More fields than this in one query string is not a real request.
MAX_FIELDS = 50


class BadRequest(Exception):
    """A request the server cannot answer as asked: ``status`` and a one-line ``message``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


Params = Mapping[str, list[str]]
Rule = Callable[[list[str]], dict[str, Any]]


def parse_query_string(raw: bytes) -> dict[str, list[str]]:
    """``name → values`` of a raw query string; percent-escapes must spell UTF-8.

    Python's own parsing replaces bytes that are not UTF-8 by U+FFFD and
    searches for that; a client that sent them should hear so instead.
    """
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest("the query string is not UTF-8: percent-escapes must encode UTF-8 bytes") from None
    except ValueError:
        raise BadRequest(f"too many parameters (at most {MAX_FIELDS})") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def one(name: str, values: list[str]) -> str:
    """The single value of parameter ``name``."""
    if len(values) != 1:
        raise BadRequest(f"parameter {name} is given {len(values)} times; give it once")
    return values[0]


def integer(name: str, values: list[str], low: int, high: int) -> int:
    """A whole number in ``[low, high]``; Persian and Arabic-Indic digits count too."""
    value = one(name, values).strip()
    if not value.isdecimal() or len(value) > 9 or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}, not {quoted(value)}")
    return int(value)


def flag(name: str, values: list[str]) -> bool:
    value = one(name, values).strip().lower()
    if value in ("", "1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise BadRequest(f"{name} must be true or false, not {quoted(value)}")


def text(name: str, values: list[str], longest: int, *, required: bool = True) -> str:
    value = one(name, values)
    if required and not value:
        raise BadRequest(f"parameter {name} is empty")
    if len(value) > longest:
        raise BadRequest(f"{name} is longer than {longest} characters", status=414)
    return value


def _given(name: str, values: list[str]) -> list[str]:
    """Every value of a repeatable parameter; an empty one is a mistake, not "no filter"."""
    if any(not value.strip() for value in values):
        raise BadRequest(f"parameter {name} is empty")
    if sum(map(len, values)) > MAX_QUERY_CHARS:
        raise BadRequest(f"{name} is longer than {MAX_QUERY_CHARS} characters", status=414)
    return [value.strip() for value in values]


def _facets(values: list[str]) -> dict[str, Any]:
    # facet=source&facet=date:month or facet=source,date:month (a facet name holds no comma)
    return {"facets": [name.strip() for value in _given("facet", values) for name in value.split(",")
                       if name.strip()]}


def _fields(values: list[str]) -> dict[str, Any]:
    # fields=title,body or fields=title&fields=body; the library refuses unknown names.
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return {"fields": names} if names else {}


#: Search parameters other than ``q``, each → keyword arguments of ``Index.search``.
SEARCH_PARAMETERS: dict[str, Rule] = {
    "limit": lambda values: {"limit": integer("limit", values, 1, MAX_LIMIT)},
    "page": lambda values: {"page": integer("page", values, 1, MAX_WINDOW)},
    "fields": _fields,
    # structured search (docs/query.md, *Filters, sorting and facets*), as the CLI's options
    "filter": lambda values: {"filters": _given("filter", values)},
    "sort": lambda values: {"sort": one("sort", _given("sort", values))},
    "facet": _facets,
}

#: Parameters of a search that its page links keep (the page number aside).
KEPT_IN_LINKS = ("limit", "fields", "filter", "sort", "facet")

#: Analyze parameters other than ``text``, each → keyword arguments of ``persearch.analyze``.
ANALYZE_PARAMETERS: dict[str, Rule] = {
    "stemmer": lambda values: {"stemmer": _stemmer(one("stemmer", values))},
    "keep_stopwords": lambda values: {"stopwords": not flag("keep_stopwords", values)},
}


def _stemmer(name: str) -> str | None:
    # Checked here, in the command line's words: the library's message is written for Python (None).
    from ..analysis.analyzer import STEMMERS

    name = name.strip()
    if name.lower() in ("", "none", "off"):
        return None
    if name not in STEMMERS:
        raise BadRequest(f"unknown stemmer {name}: use {', '.join(STEMMERS)} or none")
    return name


def search_arguments(params: Params, *, extra: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
    """``(query, keyword arguments for Index.search)``; ``extra``: names the caller reads itself."""
    if "q" not in params:
        if "filter" not in params:
            raise BadRequest("missing parameter q (the query): ?q=… (or filter=…)")
        query = ""  # every document the filters allow, as `persearch search --filter …`
    else:
        query = text("q", params["q"], MAX_QUERY_CHARS, required="filter" not in params)
    options = _apply(SEARCH_PARAMETERS, params, ("q", *extra))
    limit, page = options.get("limit", DEFAULT_LIMIT), options.get("page", 1)
    if page * limit > MAX_WINDOW:
        raise BadRequest(f"page × limit may be at most {MAX_WINDOW} (page {page} of {limit} hits is deeper)")
    return query, options


def analyze_arguments(params: Params) -> tuple[str, dict[str, Any]]:
    """``(text, keyword arguments for persearch.analyze)``."""
    if "text" not in params:
        raise BadRequest("missing parameter text (the text to analyze): ?text=…")
    return text("text", params["text"], MAX_ANALYZE_CHARS), _apply(ANALYZE_PARAMETERS, params, ("text",))


def _apply(rules: Mapping[str, Rule], params: Params, handled: tuple[str, ...]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, values in params.items():
        if name in handled:
            continue
        rule = rules.get(name)
        if rule is None:
            known = ", ".join((*handled, *rules))
            raise BadRequest(f"unknown parameter {quoted(name)}; known: {known}")
        options.update(rule(values))
    return options


def quoted(value: str, longest: int = 40) -> str:
    """A value for a message as the user wrote it: in double quotes, cut short, Persian readable;
    invisible and control characters named by code point (ZWNJ as \\u200c), never Python's repr.

        >>> print(quoted("بله"))
        "بله"
    """
    cut = value if len(value) <= longest else value[:longest] + "…"
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in cut) + '"'


__all__ = ["BadRequest", "quoted", "parse_query_string", "search_arguments", "analyze_arguments", "SEARCH_PARAMETERS",
           "ANALYZE_PARAMETERS", "KEPT_IN_LINKS", "DEFAULT_LIMIT", "MAX_LIMIT", "MAX_WINDOW", "MAX_QUERY_CHARS"]
