"""Files → documents: detecting encodings, reading formats.

This module knows nothing about indexes. :func:`walk` (persearch/walk.py)
lists the indexable files under some paths; :func:`read_file` turns one file into
:class:`~persearch.backends.base.Document` objects, or says in one line why it
cannot (binary, undecodable, too large, unreadable).

    >>> result = read_file("/tmp/خبر.txt")                   # doctest: +SKIP
    >>> result.documents[0].title
    'رئیس‌جمهوری امروز به کتابخانه رفت'

Formats: ``.txt``/``.md`` (title = first non-empty line), ``.html``/``.htm``
(visible text only), ``.json`` (an object or an array of objects), ``.jsonl``
(one object a line), ``.csv``/``.tsv`` (a header row names the columns).
Encodings: UTF-8 with or without BOM, UTF-16 with BOM, Windows-1256 when the
result is Persian/Arabic text (never mojibake). File ids are absolute,
resolved paths; a record's id is ``<path>#<id>``.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any, Iterator

from .backends.base import Document
from .sizes import format_size, size_above
from .text_formats import first_line_title, html_text
from .walk import FORMATS, FileInfo, walk

#: Default size limit for one file.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024
_SNIFF = 8192


class IngestError(Exception):
    """A file that cannot be indexed; the message is the one-line reason."""


@dataclass(frozen=True)
class IngestOptions:
    """How files are read: record fields for JSON/JSONL/CSV and the size limit."""

    text_field: str = "text"
    title_field: str = "title"
    id_field: str = "id"
    max_size: int = DEFAULT_MAX_SIZE

    def to_dict(self) -> dict[str, Any]:
        return {"text_field": self.text_field, "title_field": self.title_field,
                "id_field": self.id_field, "max_size": self.max_size}


@dataclass
class FileResult:
    """What reading one file produced: documents, or the reason it was skipped."""

    path: str
    size: int = 0
    mtime_ns: int = 0
    hash: str = ""
    documents: list[Document] = field(default_factory=list)
    error: str | None = None
    #: Records inside a good file that could not be read: (where, reason).
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: True when the content hash equals the one we were told the index has.
    unchanged: bool = False
    #: How many documents the file produced (kept when ``documents`` is dropped).
    doc_count: int = 0


# -- decoding --------------------------------------------------------------

# Bytes that never appear in text other than as these whitespace controls.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u200c\u200d\u200e\u200f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def looks_binary(data: bytes) -> bool:
    """Whether bytes (without a UTF-16 BOM) look like a binary file: NULs or many control bytes."""
    head = data[:_SNIFF]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls / len(head) > 0.05


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes: ``(text, encoding)`` or :class:`IngestError`.

    >>> decode("سلام".encode("cp1256"))
    ('سلام', 'windows-1256')
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    if looks_binary(data):
        raise IngestError("binary content")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1256 maps every byte, so it "decodes" anything: accept it only
    # when the non-ASCII characters it produces are Persian/Arabic script.
    text = data.decode("cp1256")
    non_ascii = _NON_ASCII.findall(text)
    arabic = sum(1 for ch in non_ascii if _ARABIC_SCRIPT.match(ch))
    if non_ascii and arabic / len(non_ascii) >= 0.85:
        return text, "windows-1256"
    raise IngestError("undecodable: not UTF-8, UTF-16 with BOM or Windows-1256 Persian text")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"undecodable: invalid {encoding} at byte {exc.start}") from None


# -- formats ---------------------------------------------------------------
def _scalar_metadata(record: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    """Record fields kept as metadata: strings, numbers, booleans and lists of them."""
    meta: dict[str, Any] = {}
    for key, value in record.items():
        if key in skip or not isinstance(key, str):
            continue
        if isinstance(value, (str, int, float, bool)):
            meta[key] = value
        elif isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
            meta[key] = value
    return meta


def _record_doc(record: Any, number: int, base: Document, options: IngestOptions,
                seen: set[str]) -> Document:
    if not isinstance(record, dict):
        raise IngestError(f"record {number} is not an object")
    text = record.get(options.text_field)
    title = record.get(options.title_field)
    if text is None and title is None:
        raise IngestError(f"record {number} has no {options.text_field!r} or {options.title_field!r} field")
    text = "" if text is None else text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    title = "" if title is None else title if isinstance(title, str) else json.dumps(title, ensure_ascii=False)
    raw_id = record.get(options.id_field)
    if raw_id is not None and not isinstance(raw_id, (str, int, float)):
        raise IngestError(f"record {number}: {options.id_field!r} must be text or a number, "
                          f"not {type(raw_id).__name__}")
    rid = str(number) if raw_id is None or raw_id == "" else str(raw_id)
    if rid in seen:  # a duplicate id inside one file would silently replace a record
        rid = f"{rid}~{number}"
    seen.add(rid)
    meta = _scalar_metadata(record, {options.text_field, options.title_field, options.id_field})
    return Document(id=f"{base.path}#{rid}", text=text, title=title, path=base.path, size=base.size,
                    mtime=base.mtime, hash=base.hash, format=base.format, encoding=base.encoding, metadata=meta)


def _records(text: str, fmt: str) -> Iterator[tuple[int, Any] | tuple[int, IngestError]]:
    """(number, record) pairs of a JSON/JSONL/CSV/TSV file; bad lines as IngestError."""
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        items = data if isinstance(data, list) else [data]
        yield from enumerate(items, 1)
    elif fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, IngestError(f"line {number}: invalid JSON ({exc.msg})")
    else:
        delimiter = "\t" if fmt == "tsv" else ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[dict[Any, Any]] = []  # DictReader puts extra cells under the key None
        last_start = 0  # the physical line the last row starts on
        try:
            while True:
                start = reader.line_num
                row = next(reader, None)
                if row is None:
                    break
                rows.append(row)
                last_start = start
        except csv.Error as exc:
            raise IngestError(f"invalid {fmt.upper()}: {exc}") from None
        for number, row in enumerate(rows, 1):
            row.pop(None, None)  # cells beyond the header
            if number == len(rows) and _runaway_quote(text, last_start, row, delimiter):
                yield number, IngestError(f"record {number}: a quote is never closed "
                                          f"(the rest of the file would be one cell)")
                continue
            yield number, row


def _runaway_quote(text: str, start_line: int, last_row: dict[str, Any], delimiter: str) -> bool:
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
    tail = "".join(io.StringIO(text, newline="").readlines()[start_line:])

    def rows(source: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(source, newline=""), delimiter=delimiter))

    as_read, closed = rows(tail), rows(tail + '"')
    return len(as_read) == len(closed) and as_read[-1] == closed[-1]


def documents_from_text(text: str, base: Document, options: IngestOptions = IngestOptions()
                        ) -> tuple[list[Document], list[tuple[str, str]]]:
    """Split decoded file content into documents according to ``base.format``."""
    fmt = base.format
    if fmt in ("json", "jsonl", "csv", "tsv"):
        docs: list[Document] = []
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for number, record in _records(text, fmt):
            if isinstance(record, IngestError):
                problems.append((f"{base.path}:{number}", str(record)))
                continue
            try:
                docs.append(_record_doc(record, number, base, options, seen))
            except IngestError as exc:
                problems.append((f"{base.path}:{number}", str(exc)))
        return docs, problems
    if fmt == "html":
        title, body = html_text(text)
        doc = _with(base, text=body, title=title)
    elif fmt == "md":
        doc = _with(base, text=text, title=first_line_title(text).lstrip("#").strip())
    else:
        doc = _with(base, text=text, title=first_line_title(text))
    return [doc], []


def _with(base: Document, **changes: Any) -> Document:
    return Document(**{**base.__dict__, "metadata": dict(base.metadata), **changes})


def too_large(size: int, limit: int) -> str:
    """The reason a file over the size limit is skipped, with the option that lets it in."""
    return (f"too large: {format_size(size)}, over the {format_size(limit)} limit; "
            f"raise the limit with --max-size {size_above(size)}")


def content_hash(data: bytes) -> str:
    """The content hash change detection confirms with (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_file(path: str, options: IngestOptions = IngestOptions(), *, fmt: str | None = None,
              known_hash: str | None = None) -> FileResult:
    """Read one file into documents; never raises for a bad file.

    When ``known_hash`` equals the content hash, the file is reported
    ``unchanged`` and not parsed or analyzed.
    """
    result = FileResult(path=path)
    try:
        st = os.stat(path)
        result.size, result.mtime_ns = st.st_size, st.st_mtime_ns
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read for ever, /dev/zero never end
            result.error = "not a regular file"
            return result
        if st.st_size > options.max_size:
            result.error = too_large(st.st_size, options.max_size)
            return result
        with open(path, "rb") as fh:
            # Sized by the file, not the limit: read(n) allocates n bytes first,
            # and 64 MiB for every small file costs more than reading it.
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:  # it grew since the stat
                data += fh.read(options.max_size + 1 - len(data))
    except FileNotFoundError:
        result.error = "not found (deleted while indexing)"
        return result
    except OSError as exc:
        result.error = f"unreadable: {exc.strerror or exc}"
        return result
    result.size = len(data)
    if len(data) > options.max_size:
        result.error = too_large(len(data), options.max_size)
        return result
    result.hash = content_hash(data)
    if known_hash is not None and known_hash == result.hash:
        result.unchanged = True
        return result
    fmt = fmt or FORMATS.get(os.path.splitext(path)[1].lower(), "txt")
    try:
        text, encoding = decode(data)
        base = Document(id=path, text="", path=path, size=result.size, mtime=result.mtime_ns / 1e9,
                        hash=result.hash, format=fmt, encoding=encoding)
        result.documents, result.problems = documents_from_text(text, base, options)
        result.doc_count = len(result.documents)
    except IngestError as exc:
        result.error = str(exc)
    except (RecursionError, ValueError) as exc:  # e.g. absurdly nested JSON
        result.error = f"unreadable {fmt}: {exc}"
    return result


__all__ = ["FORMATS", "DEFAULT_MAX_SIZE", "IngestError", "IngestOptions", "FileInfo", "FileResult", "walk",
           "looks_binary", "decode", "first_line_title", "html_text", "documents_from_text", "content_hash",
           "read_file"]
