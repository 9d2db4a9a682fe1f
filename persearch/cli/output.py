"""How the command line shows things: JSON, plain text, colour, bidi.

Three ways to show a highlighted snippet, chosen per run:

* ``--json``: the library's data as documented in docs/cli.md (UTF-8, never
  ASCII-escaped), no colour, no reordering;
* plain text (piped, ``--no-color``, ``NO_COLOR``, ``TERM=dumb``): highlighted
  words between ``[[`` and ``]]``, so ``grep`` and eyes can still find them;
* colour (a terminal): rich styles.

Many terminals draw characters strictly left to right, so Persian shows
reversed; ``--bidi`` reorders each *line* into visual order with python-bidi
(the optional extra ``persearch[bidi]``). Lines are wrapped first, in logical
order and only at spaces, so a word or a grapheme (a letter with its marks) is
never split and a wrapped paragraph still reads top to bottom.

rich is imported only by the functions that draw in colour, so ``--json`` and
piped runs never pay for it.

    >>> plain(*marked_lines("رئیس‌جمهوری امروز به کتابخانه رفت", [(0, 11)])[0])
    '[[رئیس‌جمهوری]] امروز به کتابخانه رفت'
"""
from __future__ import annotations

import json
import os
import re
import sys
from typing import IO, Any, Iterable, Sequence

from ..errors import MissingExtra
from ..render import HIGHLIGHT_STYLE, marked
# The documented JSON shapes live in the library; the CLI keeps its names for them.
from ..shapes import (count_json, document_json, facets_json, hit_json, report_json,  # noqa: F401
                      results_json, spans, stats_json, tokens_json)
from ..sizes import human_size

Span = tuple[int, int]

MARK_OPEN, MARK_CLOSE = "[[", "]]"
#: Stand-ins for the start and end of a highlight while a line is reordered:
#: LEFT/RIGHT SQUARE BRACKET WITH QUILL are neutral, mirrored characters, so
#: after reordering the opening one still comes first in visual order.
OPEN_SENTINEL, CLOSE_SENTINEL = "\u2045", "\u2046"
_SENTINELS = OPEN_SENTINEL + CLOSE_SENTINEL
_NO_SENTINELS = str.maketrans({OPEN_SENTINEL: "[", CLOSE_SENTINEL: "]"})
#: Line breaks and tabs become spaces (same length, so offsets still hold).
_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " ",
                           "\u2028": " ", "\u2029": " ", "\x85": " "})
_SPACES = re.compile(" {2,}")
#: Characters that take no column: Arabic combining marks, format characters
#: (ZWNJ, ZWJ, bidi controls), the sentinels.
_ZERO_WIDTH = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff" + _SENTINELS + "]"
)
#: In visual (reversed) order an Arabic-script mark lands *before* its letter;
#: terminals attach a mark to the character before it, so it is moved back
#: behind its letter (rule L3 of UAX #9, which python-bidi leaves out).
_MARKS_BEFORE_LETTER = re.compile(
    "([\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]+)"
    "([\u0620-\u064a\u066e-\u06d5\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc])"
)


# -- when to use colour ---------------------------------------------------
def color_enabled(stream: IO[str], *, no_color: bool = False, as_json: bool = False) -> bool:
    """Colour only on a terminal, and never under NO_COLOR, TERM=dumb, --no-color or --json."""
    if no_color or as_json or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """One ``persearch: warning: …`` line on stderr, the first time only."""
    if message not in _warned:
        _warned.add(message)
        print(f"persearch: warning: {message}", file=sys.stderr, flush=True)


def bidi_default() -> bool:
    """The ``auto`` bidi setting: ``PERSEARCH_BIDI=1`` turns it on, otherwise off.

    Off because a terminal that already applies the bidi algorithm (Konsole,
    mlterm, GNOME Terminal/VTE ≥ 0.58, Apple Terminal) would reverse the text
    a second time, and there is no reliable way to ask a terminal which it is.
    A default from the environment never breaks a command: without
    python-bidi it warns once and stays off (``--bidi`` itself fails).
    """
    if os.environ.get("PERSEARCH_BIDI", "").strip().lower() not in ("1", "yes", "true", "on"):
        return False
    try:
        import bidi.algorithm  # noqa: F401
    except ImportError:
        warn_once("PERSEARCH_BIDI is set but python-bidi is not installed, so the output is not reordered; "
                  "install it: pip install 'persearch[bidi]'")
        return False
    return True


def ensure_utf8(*streams: IO[str]) -> None:
    """Make sure Persian can be written (a C locale would otherwise raise)."""
    for stream in streams:
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # already written to, or not a text file
                pass


# -- JSON -----------------------------------------------------------------
def dumps(obj: Any) -> str:
    """JSON as documented: UTF-8 text, Persian left readable (``ensure_ascii=False``)."""
    return json.dumps(obj, ensure_ascii=False)


def write_json(obj: Any, stream: IO[str] | None = None) -> None:
    """Write one JSON document and a newline to stdout."""
    stream = sys.stdout if stream is None else stream
    stream.write(dumps(obj) + "\n")
    stream.flush()


# -- export ---------------------------------------------------------------
EXPORT_FORMATS = ("json", "jsonl", "csv")
_HIT_COLUMNS = ("rank", "id", "path", "title", "score", "snippet")


def write_jsonl(results: Any, stream: IO[str] | None = None) -> None:
    """``--format jsonl``: one hit a line, each as in ``--json``."""
    stream = sys.stdout if stream is None else stream
    stream.write("".join(dumps(hit_json(h)) + "\n" for h in results.hits))
    stream.flush()


def write_csv(results: Any, stream: IO[str] | None = None) -> None:
    """``--format csv``: a header row, then one row a hit; a record field a column (a date in
    Jalali, and in Gregorian in ``FIELD_gregorian``), several values joined by ``; ``."""
    import csv

    stream = sys.stdout if stream is None else stream
    rows = [hit_json(h) for h in results.hits]
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row["fields"]))
    dated = {n for row in rows for n, v in row["fields"].items() if _is_date(v) or
             (isinstance(v, list) and any(map(_is_date, v)))}
    header = [*_HIT_COLUMNS, *(c for n in names for c in ((n, f"{n}_gregorian") if n in dated else (n,)))]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        cells = [row[c] for c in _HIT_COLUMNS]
        for name in names:
            value = row["fields"].get(name, "")
            cells.append(_cell(value, "jalali"))
            if name in dated:
                cells.append(_cell(value, "gregorian"))
        writer.writerow(cells)
    stream.flush()


def _is_date(value: Any) -> bool:
    return isinstance(value, dict) and "jalali" in value


def suggestion_line(query: str, suggestion: str, corrected: bool, *, bidi: bool = False) -> str:
    """The line about a suggestion: the hits are its (``showing results for``), or it is offered."""
    if corrected:
        return (f"showing results for: {show_text(suggestion, bidi=bidi)} "
                f"(instead of: {show_text(query, bidi=bidi)})")
    return f"did you mean: {show_text(suggestion, bidi=bidi)}"




def _cell(value: Any, calendar: str) -> str:
    if isinstance(value, list):
        return "; ".join(_cell(v, calendar) for v in value)
    if _is_date(value):
        return str(value[calendar])
    if calendar == "gregorian":
        return ""  # a value of a date field that did not read as a date: in the first column only
    return "" if value is None else (dumps(value) if isinstance(value, (dict, bool)) else str(value))


# -- record fields on a terminal ------------------------------------------
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def shown_value(value: Any) -> str:
    """A record field's value for a terminal: dates in Jalali with Persian digits, lists joined by «، »."""
    if isinstance(value, list):
        return "، ".join(shown_value(v) for v in value)
    if _is_date(value):
        return str(value["jalali"]).translate(_TO_PERSIAN_DIGITS)
    if isinstance(value, bool):
        return "true" if value else "false"
    return one_line(str(value))


def fields_line(values: dict[str, Any], types: dict[str, str], limit: int = 5, width: int = 40) -> str:
    """A hit's typed record fields on one line: ``date ۱۴۰۲/۰۵/۱۲ · source فارس`` (at most ``limit``)."""
    parts = []
    for name, value in values.items():
        if name in types and value not in (None, "", []):
            text = shown_value(value)
            parts.append(f"{name} {text if len(text) <= width else text[:width - 1] + '…'}")
    return " · ".join(parts[:limit])


def facet_rows(counts: dict[Any, int], limit: int = 10) -> list[tuple[str, str]]:
    """A facet's first ``limit`` values and counts for a terminal table, then one row for the rest."""
    rows = [(shown_value(value), str(n)) for value, n in list(counts.items())[:limit]]
    rest = list(counts.values())[limit:]
    if rest:
        rows.append((f"… {len(rest)} more", str(sum(rest))))
    return rows


def summary_line(data: dict[str, Any]) -> str:
    """The one line ``index``/``update`` end with: files, then documents (``data``: :func:`report_json`).

    >>> summary_line(report_json({"added": 1, "documents": {"added": 40, "total": 40}}))
    'files: added 1 · updated 0 · removed 0 · unchanged 0 · failed 0; documents: added 40 · updated 0 · removed 0 · total 40'
    """
    files = " · ".join(f"{key} {data[key]}" for key in ("added", "updated", "removed", "unchanged"))
    documents = " · ".join(f"{key} {data['documents'][key]}" for key in ("added", "updated", "removed", "total"))
    return f"files: {files} · failed {len(data['failed'])}; documents: {documents}"


def as_typed(path: str, named: dict[str, str]) -> str:
    """A path the library reports (absolute, resolved) as the user typed the path it lies under.

    ``named`` maps resolved paths to how they were typed:
    ``as_typed("/home/u/docs/a.txt", {"/home/u/docs": "docs"}) == "docs/a.txt"``.
    """
    for real, typed in sorted(named.items(), key=lambda item: -len(item[0])):
        if path == real:
            return typed
        if path.startswith(real.rstrip(os.sep) + os.sep) or path.startswith(real + ":"):
            return typed.rstrip(os.sep) + path[len(real.rstrip(os.sep)):]
    return path


# -- lines with highlights ------------------------------------------------
def width(text: str) -> int:
    """Terminal columns ``text`` takes (marks and ZWNJ take none): ``width("کِتاب") == 4``."""
    return len(text) - len(_ZERO_WIDTH.findall(text))


def one_line(text: str) -> str:
    """Line breaks and tabs as spaces; offsets are unchanged."""
    return text.translate(_ONE_LINE)


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` at spaces into lines of at most ``columns`` columns.

    A word longer than a line gets a line of its own rather than being cut:
    ``wrap("کتاب خوب است", 8) == ["کتاب خوب", "است"]``.
    """
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if not current:
            current = word
        elif width(current) + 1 + width(word) <= columns:
            current += " " + word
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def visual(line: str) -> str:
    """One line in visual (left-to-right drawing) order, via python-bidi.

    >>> visual("کتاب")  # doctest: +SKIP
    'باتک'
    """
    try:
        from bidi.algorithm import get_display  # the pure-Python one mirrors brackets (rule L4)
    except ImportError:
        raise MissingExtra("--bidi needs python-bidi; install it: pip install 'persearch[bidi]'") from None
    return _MARKS_BEFORE_LETTER.sub(r"\2\1", get_display(line))


def marked_lines(text: str, highlights: Iterable[Sequence[int]], *, columns: int | None = None,
                 bidi: bool = False) -> list[tuple[str, list[Span]]]:
    """Lines of ``text`` to show, each with its highlighted spans.

    Wrapped at spaces to ``columns`` (no wrapping if None), then reordered for
    display if ``bidi``; a highlight cut by a line end continues on the next.
    """
    text = one_line(text).translate(_NO_SENTINELS)
    pieces: list[str] = []
    last = 0
    for start, end in sorted((int(s), int(e)) for s, e in highlights):
        if start < last or end <= start:  # overlapping or empty spans: keep the first
            continue
        pieces += [text[last:start], OPEN_SENTINEL, text[start:end], CLOSE_SENTINEL]
        last = end
    pieces.append(text[last:])
    # Runs of spaces (often line breaks in the snippet) shrink to one; the
    # sentinels already mark the highlights, so no offset needs fixing.
    marked = _SPACES.sub(" ", "".join(pieces)).strip(" ")
    lines = [marked] if columns is None else wrap(marked, max(columns, 10))
    out: list[tuple[str, list[Span]]] = []
    inside = False
    for line in lines:
        if inside:
            line = OPEN_SENTINEL + line
        inside = line.rfind(OPEN_SENTINEL) > line.rfind(CLOSE_SENTINEL)
        if inside:
            line += CLOSE_SENTINEL
        out.append(_take_sentinels(visual(line) if bidi else line))
    return out


def _take_sentinels(line: str) -> tuple[str, list[Span]]:
    """Remove the sentinels from a line and return where they were."""
    found: list[Span] = []
    chars: list[str] = []
    start = -1
    for piece in re.split(f"([{_SENTINELS}])", line):
        if piece == OPEN_SENTINEL:
            start = sum(map(len, chars))
        elif piece == CLOSE_SENTINEL:
            if start >= 0:
                found.append((start, sum(map(len, chars))))
            start = -1
        else:
            chars.append(piece)
    return "".join(chars), [(s, e) for s, e in found if e > s]


def plain(line: str, line_spans: Iterable[Span], open_mark: str = MARK_OPEN, close_mark: str = MARK_CLOSE) -> str:
    """The line with each span between ``[[`` and ``]]``."""
    return marked(line, line_spans, open_mark, close_mark)


def show_text(text: str, *, bidi: bool = False) -> str:
    """A title, path or message as one displayable line."""
    text = one_line(text)
    return visual(text) if bidi else text


# -- rich ------------------------------------------------------------------

def console(stream: IO[str] | None = None, *, color: bool = True) -> Any:
    """A rich Console on ``stream`` (imports rich: call only when drawing in colour or tables)."""
    from rich.console import Console

    # The caller has already decided about colour (color_enabled), so rich must not guess again.
    return Console(file=stream or sys.stdout, highlight=False, emoji=False, markup=False,
                   force_terminal=color, color_system="auto" if color else None, no_color=not color,
                   soft_wrap=True)


def rich_line(line: str, line_spans: Iterable[Span], style: str = "", indent: str = "") -> Any:
    """A rich Text of one line with its spans highlighted."""
    from rich.text import Text

    text = Text(indent)
    text.append(line, style=style)
    for start, end in line_spans:
        text.stylize(HIGHLIGHT_STYLE, len(indent) + start, len(indent) + end)
    return text


#: How ``stats`` names the library's keys for people (the JSON keeps the library's).
_STATS_NAMES = {"path": "index", "size_bytes": "size", "updated_at": "updated", "schema_version": "schema",
                "roots": "root"}


def stats_lines(stats: dict[str, Any]) -> list[tuple[str, str]]:
    """``stats`` for people: ``(name, value)`` rows, sizes in KiB/MiB, one row per root (and per
    node), paths absolute and normalized, the time in UTC, the analyzer in words."""
    rows: list[tuple[str, str]] = []
    for key, value in stats.items():
        name = _STATS_NAMES.get(key, key)
        if key == "path":
            rows.append((name, os.path.normpath(os.path.abspath(str(value)))))
        elif key == "roots":
            rows.extend((name, os.path.normpath(str(root))) for root in value or ["(none)"])
        elif key == "nodes":  # a sphinx index: a row per node
            rows.extend(("node", f"{n['address']} · documents {n['documents']} · "
                                 f"{'answering' if n['answering'] else 'not answering'}") for n in value)
        elif key == "size_bytes":
            rows.append((name, human_size(int(value))))
        elif key == "updated_at":
            rows.append((name, _utc(value)))
        elif isinstance(value, dict):
            rows.append((name, ", ".join(f"{k} {_word(v)}" for k, v in value.items())))
        elif isinstance(value, (list, tuple)):
            rows.append((name, ", ".join(_word(v) for v in value) or "(none)"))
        else:
            rows.append((name, _word(value)))
    return rows


def _word(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _utc(value: Any) -> str:
    """An ISO time (or datetime) as ``2025-01-01 12:00:00 UTC``."""
    from datetime import datetime, timezone

    if value is None:
        return "(never)"
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


class ProgressBar:
    """A rich progress bar on stderr: bytes done of the total (so one big file moves it too),
    documents and their rate, files, ETA and the file being read, in one short line.

    :meth:`update` is the library's ``progress(done, total, path, state=...)``
    callback (persearch.index.commit.ProgressState).
    """

    def __init__(self, stream: IO[str]) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        self._progress = Progress(
            BarColumn(bar_width=10), TextColumn("{task.fields[line]}", markup=False),
            console=console(stream), transient=True,
        )
        self._task = self._progress.add_task("indexing", total=None, line="reading the folders…")
        self._started = 0.0

    def __enter__(self) -> "ProgressBar":
        import time

        self._started = time.monotonic()
        self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def update(self, done: int, total: int, path: str = "", state: Any = None) -> None:
        """Files ``done`` of ``total``; with ``state``, bytes and documents too (also inside a file)."""
        import time

        elapsed = max(time.monotonic() - self._started, 1e-6)
        name = os.path.basename(path)
        if state is None:
            self._progress.update(self._task, completed=done, total=total, line=f"{done}/{total} files  {name}")
            return
        left = max(state.bytes_total - state.bytes_done, 0)
        eta = left / (state.bytes_done / elapsed) if state.bytes_done else None
        line = (f"{state.bytes_done / max(state.bytes_total, 1):4.0%} {state.bytes_done / 1e6:.1f}/"
                f"{state.bytes_total / 1e6:.1f} MB · {state.documents} docs, {state.documents / elapsed:.0f}/s · "
                f"{state.files_done}/{state.files_total} files · ETA {_clock(eta)}  {name}")
        self._progress.update(self._task, completed=state.bytes_done, total=state.bytes_total or None, line=line)


def _clock(seconds: float | None) -> str:
    """``0:01:05`` (or ``-:--:--`` when not known yet)."""
    if seconds is None:
        return "-:--:--"
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
