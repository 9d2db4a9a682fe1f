"""Files → documents: walking folders, detecting encodings, reading formats.

This module knows nothing about indexes. :func:`walk` lists the indexable
files under some paths; :func:`read_file` turns one file into
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

Record fields become typed values (:func:`type_documents`: keyword, number
or date, persearch.values.records); a plain-text, Markdown or HTML document
gets the metadata field ``date`` when it declares or opens with a date
(persearch.values.docdate).
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
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .backends.base import RESERVED_FIELDS, Document

if TYPE_CHECKING:
    from .values.records import FieldSpec

#: File extension → format name. Folders are walked for these only; a file
#: named explicitly with another extension is read as plain text.
FORMATS = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv",
}
#: Default size limit for one file.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024
#: The metadata field a plain-text, Markdown or HTML document's own date goes in.
DOCUMENT_DATE_FIELD = "date"
#: Values kept as text that one file reports one by one (the rest are counted in one line).
REPORTED_VALUES = 20
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
    #: Give plain-text, Markdown and HTML documents their date (:data:`DOCUMENT_DATE_FIELD`).
    document_dates: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"text_field": self.text_field, "title_field": self.title_field,
                "id_field": self.id_field, "max_size": self.max_size, "document_dates": self.document_dates}


@dataclass
class FileInfo:
    """A file found by :func:`walk`, with the stat values change detection uses."""

    path: str
    size: int
    mtime_ns: int
    format: str
    #: The path as reached from what :func:`walk` was given (resolved) through
    #: the links on the way: ``path`` of a file reached through a link is its
    #: target's, which may lie outside that root.
    via: str = ""


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
    #: Typed fields its documents use that the index had not recorded (or now with several values).
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    #: Record values that did not read as their field's type, kept as text: (document id, reason).
    kept_as_text: list[tuple[str, str]] = field(default_factory=list)


# -- walking ---------------------------------------------------------------

def _hidden(name: str) -> bool:
    return name.startswith(".")


def walk(paths: Iterable[str | os.PathLike[str]], *, skip: Iterable[str] = ()) -> Iterator[FileInfo | tuple[str, str]]:
    """Yield the indexable files under ``paths`` (files or folders), sorted.

    Hidden files and folders are skipped; symlinks are followed, but a folder
    is visited once (no loops). A path that does not exist is yielded as
    ``(path, reason)``. ``skip`` lists resolved paths to leave out.

    >>> [f.path for f in walk(["اسناد"])]                  # doctest: +SKIP
    ['/home/u/اسناد/خبر.txt']
    """
    skipped = _Skipped(str(p) for p in skip)
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            yield (str(path.absolute()), "not found")
            continue
        if resolved.is_dir():
            yield from _walk_dir(resolved, seen_dirs, seen_files, skipped)
        elif str(resolved) not in seen_files and not skipped(str(resolved)):
            seen_files.add(str(resolved))
            try:
                st = resolved.stat()
            except OSError as exc:
                yield (str(resolved), f"unreadable: {exc.strerror or exc}")
                continue
            fmt = FORMATS.get(resolved.suffix.lower(), "txt")
            yield FileInfo(str(resolved), st.st_size, st.st_mtime_ns, fmt, str(resolved))


class _Skipped:
    """Whether a resolved path is, or lies inside, one to leave out (a link
    can lead into an excluded folder, or into the index's own)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._paths = tuple(paths)
        self._inside = tuple(p.rstrip(os.sep) + os.sep for p in self._paths)

    def __call__(self, path: str) -> bool:
        return path in self._paths or path.startswith(self._inside)


def _walk_dir(root: Path, seen_dirs: set[tuple[int, int]], seen_files: set[str],
              skipped: "_Skipped") -> Iterator[FileInfo | tuple[str, str]]:
    # Each folder with the path it was reached by (links not followed).
    stack: list[tuple[Path, str]] = [(root, str(root))]
    while stack:
        folder, reached = stack.pop()
        try:
            st = folder.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs or skipped(str(folder)):
            continue  # a symlink loop or a second path to the same folder
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield (str(folder), f"unreadable folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            if _hidden(entry.name):
                continue
            try:
                if entry.is_dir():  # follows symlinks; loops are caught by seen_dirs
                    real = Path(entry.path).resolve() if entry.is_symlink() else Path(entry.path)
                    subdirs.append((real, os.path.join(reached, entry.name)))
                    continue
                fmt = FORMATS.get(os.path.splitext(entry.name)[1].lower())
                if fmt is None:
                    continue
                if not entry.is_file():
                    if entry.is_symlink() and not os.path.exists(entry.path):
                        yield (entry.path, "broken link")
                    continue
                target = str(Path(entry.path).resolve()) if entry.is_symlink() else entry.path
                if target in seen_files or skipped(target):
                    continue
                seen_files.add(target)
                est = entry.stat()
                yield FileInfo(target, est.st_size, est.st_mtime_ns, fmt, os.path.join(reached, entry.name))
            except OSError as exc:
                yield (entry.path, f"unreadable: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))


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

def first_line_title(text: str, limit: int = 200) -> str:
    """The first non-empty line, trimmed: ``first_line_title("\\n خبر \\nمتن") == "خبر"``."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:limit]
    return ""


class _VisibleText(HTMLParser):
    """Collects the visible text of an HTML page, its <title> and first heading."""

    _HIDDEN = frozenset({"script", "style", "noscript", "template", "head"})
    _BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
                        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt",
                        "nav", "aside", "main", "figure", "figcaption", "form", "td", "th"})
    _HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.heading_parts: list[str] = []
        self.heading_done = False
        self._hidden = 0
        self._in_title = False
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._HEADINGS and not self.heading_done:
            self._in_heading = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._HEADINGS and self._in_heading:
            self._in_heading = False
            self.heading_done = bool("".join(self.heading_parts).strip())
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)
            if self._in_heading:
                self.heading_parts.append(data)


_BLANK_LINES = re.compile(r"[ \t]*\n[ \t\n]*\n")
_SPACES = re.compile(r"\s+")


def html_text(source: str) -> tuple[str, str]:
    """``(title, visible text)`` of an HTML page: no scripts, styles or tags.

    >>> html_text("<title>خبر</title><p>متن <script>x()</script>خبر</p>")
    ('خبر', 'متن خبر')
    """
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    text = _BLANK_LINES.sub("\n\n", "".join(parser.parts)).strip()
    title = _SPACES.sub(" ", "".join(parser.title_parts)).strip()
    if not title:
        title = _SPACES.sub(" ", "".join(parser.heading_parts)).strip()
    return title or first_line_title(text), text


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
    if options.document_dates:
        from .values.docdate import document_date

        span = document_date(doc.text, text if fmt == "html" else None)
        if span is not None:  # stored as ISO text, zone included; typed like any record's date
            doc.metadata[DOCUMENT_DATE_FIELD] = span.isoformat()
    return [doc], []


def type_documents(documents: list[Document], known: Mapping[str, FieldSpec]
                   ) -> tuple[dict[str, FieldSpec], list[tuple[str, str]]]:
    """Give each document its typed values (``Document.typed``) from its metadata.

    Returns the specs to record (fields ``known`` lacks, or now with several
    values) and the values kept as text, ``(document id, reason)``: at most
    :data:`REPORTED_VALUES` one by one, then one line counting the rest.
    """
    if not any(doc.metadata for doc in documents):
        return {}, []
    from .values.records import type_records

    batch = type_records([doc.metadata for doc in documents], known, skip=RESERVED_FIELDS)
    kept: list[tuple[str, str]] = []
    for doc, typed, problems in zip(documents, batch.typed, batch.problems):
        doc.typed = typed
        kept.extend((doc.id, str(problem)) for problem in problems)
    if len(kept) > REPORTED_VALUES:
        where = documents[0].path or documents[0].id
        kept[REPORTED_VALUES:] = [(where, f"{len(kept) - REPORTED_VALUES} more values kept as text")]
    return batch.new, kept


def _with(base: Document, **changes: Any) -> Document:
    return Document(**{**base.__dict__, "metadata": dict(base.metadata), **changes})


def content_hash(data: bytes) -> str:
    """The content hash change detection confirms with (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_file(path: str, options: IngestOptions = IngestOptions(), *, fmt: str | None = None,
              known_hash: str | None = None, fields: Mapping[str, FieldSpec] | None = None) -> FileResult:
    """Read one file into documents; never raises for a bad file.

    When ``known_hash`` equals the content hash, the file is reported
    ``unchanged`` and not parsed or analyzed. ``fields``: the typed fields
    the index has recorded; the documents' values are typed by them (new
    fields are inferred and listed in ``result.fields``).
    """
    result = FileResult(path=path)
    try:
        st = os.stat(path)
        result.size, result.mtime_ns = st.st_size, st.st_mtime_ns
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read for ever, /dev/zero never end
            result.error = "not a regular file"
            return result
        if st.st_size > options.max_size:
            result.error = f"too large: {st.st_size:,} bytes > limit {options.max_size:,}"
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
        result.error = f"too large: more than {options.max_size:,} bytes (limit)"
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
        result.fields, result.kept_as_text = type_documents(result.documents, fields or {})
    except IngestError as exc:
        result.error = str(exc)
    except (RecursionError, ValueError) as exc:  # e.g. absurdly nested JSON
        result.error = f"unreadable {fmt}: {exc}"
    return result
