"""The records of a JSON, JSONL, CSV or TSV file, one at a time, from a text stream.

A JSONL, CSV or TSV file is read a line (a row) at a time, so memory does not
grow with the file; a ``.json`` file is one JSON value and is parsed whole.
Each record comes with its number (the JSONL line, the JSON array item or the
CSV data row, 1-based) and the text its content hash is computed from. What
turns a record into a document is :mod:`persearch.ingest`'s business.

    >>> import io
    >>> [(n, r) for n, r, _ in records(io.StringIO('{"text": "کتاب"}\\n\\n{"text": "درخت"}\\n'), "jsonl")]
    [(1, {'text': 'کتاب'}), (3, {'text': 'درخت'})]
"""
from __future__ import annotations

import csv
import io
import itertools
import json
from typing import IO, Any, Callable, Iterator

#: The formats whose files hold records (each record a document).
RECORD_FORMATS = frozenset({"json", "jsonl", "csv", "tsv"})

#: ``(number, record or RecordError, source)``: ``source`` is the record's own
#: text (a JSONL line) for its content hash, or None to hash the parsed record.
Record = tuple[int, Any, "str | None"]


class RecordError(Exception):
    """A record (or, raised, the whole file) that cannot be read; the message is the reason."""


def records(stream: IO[str], fmt: str, reopen: Callable[[], IO[str]] | None = None) -> Iterator[Record]:
    """The records of a record file's decoded text (see :data:`Record`).

    Raises :class:`RecordError` when the file as a whole cannot be read (a
    ``.json`` file that is not valid JSON, a CSV file whose header cannot be
    read). ``reopen`` gives the text again from the start; a CSV file needs it
    to check its last row (:func:`_runaway_quote`).
    """
    if fmt == "json":
        try:
            data = json.load(stream)
        except json.JSONDecodeError as exc:
            raise RecordError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        for number, item in enumerate(data if isinstance(data, list) else [data], 1):
            yield number, item, None
    elif fmt == "jsonl":
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            source = line.rstrip("\r\n")  # the last line with or without its newline: the same record
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                record = RecordError(f"line {number}: invalid JSON ({exc.msg})")
            except (RecursionError, ValueError) as exc:  # absurdly nested, or numbers too long to read
                record = RecordError(f"line {number}: unreadable JSON ({exc})")
            yield number, record, source
    else:
        yield from _csv_rows(stream, fmt, reopen)


def _csv_rows(stream: IO[str], fmt: str, reopen: Callable[[], IO[str]] | None) -> Iterator[Record]:
    """CSV/TSV data rows as dicts keyed by the header; the last row is checked for a quote never closed."""
    delimiter = "\t" if fmt == "tsv" else ","
    reader = csv.DictReader(stream, delimiter=delimiter)
    pending: tuple[int, dict[Any, Any], int] | None = None  # a row is yielded once the next one is read
    number = 0
    try:
        while True:
            start = reader.line_num  # the physical line this row starts after
            row = next(reader, None)
            if row is None:
                break
            if pending is not None:
                yield pending[0], pending[1], None
            number += 1
            row.pop(None, None)  # cells beyond the header
            pending = (number, row, start)
    except csv.Error as exc:
        if pending is None:
            raise RecordError(f"invalid {fmt.upper()}: {exc}") from None
        yield pending[0], pending[1], None
        yield number + 1, RecordError(f"invalid {fmt.upper()} after row {number} (line {reader.line_num}): "
                                      f"{exc}; the rest of the file is skipped"), None
        return
    if pending is not None:
        last, row, start = pending
        if reopen is not None and _runaway_quote(reopen, start, row, delimiter):
            yield last, RecordError(f"record {last}: a quote is never closed "
                                    f"(the rest of the file would be one cell)"), None
        else:
            yield last, row, None


def _runaway_quote(reopen: Callable[[], IO[str]], start_line: int, last_row: dict[str, Any],
                   delimiter: str) -> bool:
    """Whether the last row's last cell is a quoted cell never closed.

    Python's lenient csv reads such a cell to the end of the file. Only a cell
    spanning lines can be one. The row's own lines (from ``start_line``) are
    read again with one quote added at the end: if the reader was still
    inside the quote, that quote just closes it and the row comes out the
    same; otherwise it starts something new. (No strict reading: a quote
    inside an unquoted cell, «"کلیله" و دمنه», 27" screen, or a space after a
    closing quote is fine for the lenient reader, and valid rows must stay.)
    """
    values = [v for v in last_row.values() if isinstance(v, str)]
    if not values or "\n" not in values[-1].rstrip("\r\n"):
        return False
    with reopen() as again:
        tail = "".join(itertools.islice(again, start_line, None))

    def rows(source: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(source, newline=""), delimiter=delimiter))

    as_read, closed = rows(tail), rows(tail + '"')
    return len(as_read) == len(closed) and as_read[-1] == closed[-1]


__all__ = ["RECORD_FORMATS", "Record", "RecordError", "records"]
