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

Record fields become typed values (:func:`type_documents`: keyword, number
or date, persearch.values.records); a plain-text, Markdown or HTML document
gets the metadata field ``date`` when it declares or opens with a date
(persearch.values.docdate).
"""
from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from functools import partial
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, Mapping

from .backends.base import Document
from .record_formats import RECORD_FORMATS, RecordError, records
from .sizes import format_size, size_above
from .text_formats import first_line_title, html_text
from .typed_documents import KeptAsText, type_documents
from .walk import FORMATS, FileInfo, walk

if TYPE_CHECKING:
    from .values.records import FieldSpec

#: Default size limit for one file.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024
#: The metadata field a plain-text, Markdown or HTML document's own date goes in.
DOCUMENT_DATE_FIELD = "date"
_SNIFF = 8192
#: Record files are hashed and checked in blocks of this many bytes, never held whole.
_BLOCK = 256 * 1024


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


# -- decoding --------------------------------------------------------------

# Bytes that never appear in text other than as these whitespace controls.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff\u200c\u200d\u200e\u200f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_UNDECODABLE = "undecodable: not UTF-8, UTF-16 with BOM or Windows-1256 Persian text"


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
    text = data.decode("cp1256")
    if _is_persian_1256(*_persian_1256(text)):
        return text, "windows-1256"
    raise IngestError(_UNDECODABLE)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"undecodable: invalid {encoding} at byte {exc.start}") from None


def _persian_1256(text: str) -> tuple[int, int]:
    """``(non-ASCII characters, Arabic-script ones)`` of text decoded as Windows-1256."""
    return len(_NON_ASCII.findall(text)), len(_ARABIC_SCRIPT.findall(text))


def _is_persian_1256(non_ascii: int, arabic: int) -> bool:
    # Windows-1256 maps every byte, so it "decodes" anything: accept it only
    # when the non-ASCII characters it produces are Persian/Arabic script.
    return non_ascii > 0 and arabic / non_ascii >= 0.85


def scan(fh: BinaryIO, limit: int) -> tuple[str, int, str]:
    """Read an open file once, a block at a time: ``(content hash, size, encoding)``.

    The encoding is the one :func:`decode` would choose for the whole file,
    found without holding it; :class:`IngestError` says why a file cannot be
    read (binary, undecodable, over ``limit`` bytes).
    """
    hasher = hashlib.blake2b(digest_size=16)
    block = fh.read(_BLOCK)
    if block.startswith(codecs.BOM_UTF8):
        encoding, check, skip = "utf-8-sig", "utf-8", 3
    elif block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, check, skip = "utf-16", "utf-16", 0
    elif looks_binary(block):
        raise IngestError("binary content")
    else:
        encoding, check, skip = "utf-8", "utf-8", 0
    decoder = codecs.getincrementaldecoder(check)("strict")
    size, valid = 0, True
    while block:
        if size + len(block) > limit:
            raise IngestError(too_large(size + len(block), limit))
        hasher.update(block)
        if valid:
            try:
                decoder.decode(block[skip:] if size == 0 else block)
            except UnicodeDecodeError as exc:
                if encoding != "utf-8":
                    raise IngestError(f"undecodable: invalid {check} at byte {size + exc.start}") from None
                valid = False
        size += len(block)
        block = fh.read(_BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise IngestError(f"undecodable: invalid {check} at byte {size - skip + exc.start}") from None
        valid = False
    if not valid:
        fh.seek(0)
        non_ascii = arabic = 0
        for chunk in iter(partial(fh.read, _BLOCK), b""):
            counts = _persian_1256(chunk.decode("cp1256"))
            non_ascii, arabic = non_ascii + counts[0], arabic + counts[1]
        if not _is_persian_1256(non_ascii, arabic):
            raise IngestError(_UNDECODABLE)
        encoding = "windows-1256"
    return hasher.hexdigest(), size, encoding


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


class _MissingFields(IngestError):
    """A record with neither the text nor the title field (reported once per file, with the fields it has)."""

    def __init__(self, number: int, options: IngestOptions, fields: list[str]) -> None:
        super().__init__(f"record {number} has no '{options.text_field}' or '{options.title_field}' field")
        self.fields = fields


def _record_doc(record: Any, number: int, base: Document, options: IngestOptions,
                seen: set[str]) -> Document:
    if not isinstance(record, dict):
        raise IngestError(f"record {number} is not an object")
    text = record.get(options.text_field)
    title = record.get(options.title_field)
    if text is None and title is None:
        raise _MissingFields(number, options, [str(key) for key in record])
    text = "" if text is None else text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    title = "" if title is None else title if isinstance(title, str) else json.dumps(title, ensure_ascii=False)
    raw_id = record.get(options.id_field)
    if raw_id is not None and not isinstance(raw_id, (str, int, float)):
        raise IngestError(f"record {number}: '{options.id_field}' must be text or a number, "
                          f"not {type(raw_id).__name__}")
    rid = str(number) if raw_id is None or raw_id == "" else str(raw_id)
    if rid in seen:  # a duplicate id inside one file would silently replace a record
        rid = f"{rid}~{number}"
    seen.add(rid)
    meta = _scalar_metadata(record, {options.text_field, options.title_field, options.id_field})
    return Document(id=f"{base.path}#{rid}", text=text, title=title, path=base.path, size=base.size,
                    mtime=base.mtime, hash=base.hash, format=base.format, encoding=base.encoding, metadata=meta)


def _record_hash(options_key: bytes, source: str | None, record: Any) -> str:
    """The content hash of one record (and the options that read it): what a record-level update compares."""
    if source is None:
        source = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(options_key + source.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class _Problems:
    """The records of one file that could not be read, one line per kind of problem.

    A file of 100,000 records that all lack the text field gives one line
    (and, when nothing at all could be read, one file error), not 100,000.
    """

    _UNIT = {"jsonl": "line", "json": "item", "csv": "row", "tsv": "row"}

    def __init__(self, path: str, fmt: str, options: IngestOptions) -> None:
        self.path, self.options = path, options
        self.unit = self._UNIT.get(fmt, "record")
        #: kind -> [count, first record's number, its message, a few numbers]; and the fields records lacking both had.
        self.kinds: dict[str, list[Any]] = {}
        self.fields: dict[str, None] = {}

    def add(self, number: int, error: Exception) -> None:
        message = str(error)
        kind = "missing" if isinstance(error, _MissingFields) else re.sub(r"\d+", "#", message)
        if isinstance(error, _MissingFields):
            self.fields.update(dict.fromkeys(error.fields))
        seen = self.kinds.setdefault(kind, [0, number, message, []])
        seen[0] += 1
        if len(seen[3]) < 5:
            seen[3].append(number)

    def lines(self) -> list[tuple[str, str]]:
        """``(where, reason)`` per kind: ``PATH:N`` for a single record, else ``PATH``."""
        out = []
        for kind, (count, number, message, numbers) in self.kinds.items():
            if kind == "missing":
                message = self._missing(count, numbers)
            elif count > 1:
                message += f"; and {count - 1} more {self.unit}s like it"
            out.append((f"{self.path}:{number}" if count == 1 else self.path, message))
        return out

    def file_error(self) -> str | None:
        """For a file that gave no document: the reason, when it is that no record has the fields
        (the file is then skipped, not indexed empty); else None, and :meth:`lines` tell what went wrong."""
        if set(self.kinds) != {"missing"}:
            return None
        return (f"its records have no '{self.options.text_field}' or '{self.options.title_field}' field "
                f"({self._fields()}); name the field that holds the text: --text-field NAME")

    def _missing(self, count: int, numbers: list[int]) -> str:
        fields = f"'{self.options.text_field}' or '{self.options.title_field}' field"
        if count == 1:
            return f"record {numbers[0]} has no {fields} ({self._fields()}); it is skipped"
        shown = ", ".join(map(str, numbers)) + (", …" if count > len(numbers) else "")
        return (f"{count} records have no {fields} ({self.unit}s {shown}; {self._fields()}); they are skipped; "
                f"--text-field NAME names another field")

    def _fields(self) -> str:
        names = list(self.fields)
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        return f"their fields: {shown}" if names else "they have no fields"


def _record_documents(stream: IO[str], reopen: Callable[[], IO[str]], base: Document, options: IngestOptions,
                      problems: _Problems, counter: list[int]) -> Iterator[Document]:
    """The documents of a record file's text, each with its own record's hash; bad records go to ``problems``.

    ``counter[0]`` counts the records read (documents or not), for progress.
    """
    seen: set[str] = set()
    options_key = "\x00".join((options.text_field, options.title_field, options.id_field, "")).encode()
    for number, record, source in records(stream, base.format, reopen):
        counter[0] += 1
        if isinstance(record, RecordError):
            problems.add(number, record)
            continue
        try:
            doc = _record_doc(record, number, base, options, seen)
        except IngestError as exc:
            problems.add(number, exc)
            continue
        doc.hash = _record_hash(options_key, source, record)
        yield doc


def documents_from_text(text: str, base: Document, options: IngestOptions = IngestOptions()
                        ) -> tuple[list[Document], list[tuple[str, str]]]:
    """Split decoded file content into documents according to ``base.format``.

    Record files raise :class:`IngestError` when nothing at all can be read from them.
    """
    fmt = base.format
    if fmt in RECORD_FORMATS:
        problems = _Problems(base.path, fmt, options)
        reopen = partial(io.StringIO, text, newline="")
        try:
            docs = list(_record_documents(reopen(), reopen, base, options, problems, [0]))
        except RecordError as exc:
            raise IngestError(str(exc)) from None
        except (RecursionError, ValueError) as exc:  # e.g. absurdly nested JSON
            raise IngestError(f"unreadable {fmt}: {exc}") from None
        error = problems.file_error() if not docs else None
        if error is not None:
            raise IngestError(error)
        return docs, problems.lines()
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


def _with(base: Document, **changes: Any) -> Document:
    return Document(**{**base.__dict__, "metadata": dict(base.metadata), **changes})


def too_large(size: int, limit: int) -> str:
    """The reason a file over the size limit is skipped, with the option that lets it in."""
    return (f"too large: {format_size(size)}, over the {format_size(limit)} limit; "
            f"raise the limit with --max-size {size_above(size)}")


def content_hash(data: bytes) -> str:
    """The content hash change detection confirms with (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stat(path: str, options: IngestOptions, result: FileResult) -> bool:
    """Fill ``result``'s size and mtime; False (with ``result.error``) for what cannot be read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        result.error = "not found (deleted while indexing)"
        return False
    except OSError as exc:
        result.error = f"unreadable: {exc.strerror or exc}"
        return False
    result.size, result.mtime_ns = st.st_size, st.st_mtime_ns
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read for ever, /dev/zero never end
        result.error = "not a regular file"
    elif st.st_size > options.max_size:
        result.error = too_large(st.st_size, options.max_size)
    return result.error is None


def read_file(path: str, options: IngestOptions = IngestOptions(), *, fmt: str | None = None,
              known_hash: str | None = None, fields: Mapping[str, FieldSpec] | None = None) -> FileResult:
    """Read one file into documents; never raises for a bad file.

    When ``known_hash`` equals the content hash, the file is reported
    ``unchanged`` and not parsed or analyzed. A record file's documents are
    collected into a list here; :func:`open_records` reads them one at a time.
    ``fields``: the typed fields the index has recorded; the documents'
    values are typed by them (new fields are inferred, over the whole file,
    and listed in ``result.fields``).
    """
    fmt = fmt or FORMATS.get(os.path.splitext(path)[1].lower(), "txt")
    if fmt in RECORD_FORMATS:
        opened = open_records(path, options, fmt=fmt, known_hash=known_hash)
        result = opened.result
        if result.error is None and not result.unchanged:
            result.documents = list(opened)
            result.fields, result.kept_as_text = type_documents(result.documents, fields or {})
        return result
    result = FileResult(path=path)
    if not _stat(path, options, result):
        return result
    try:
        with open(path, "rb") as fh:
            # Sized by the file, not the limit: read(n) allocates n bytes first,
            # and 64 MiB for every small file costs more than reading it.
            data = fh.read(result.size + 1)
            if len(data) > result.size:  # it grew since the stat
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
    try:
        text, encoding = decode(data)
        base = Document(id=path, text="", path=path, size=result.size, mtime=result.mtime_ns / 1e9,
                        hash=result.hash, format=fmt, encoding=encoding)
        result.documents, result.problems = documents_from_text(text, base, options)
        result.doc_count = len(result.documents)
        result.fields, result.kept_as_text = type_documents(result.documents, fields or {})
    except IngestError as exc:
        result.error = str(exc)
    return result


class RecordFile:
    """A JSON, JSONL, CSV or TSV file, read one record at a time.

    :func:`open_records` has read it once already, a block at a time, for its
    hash and encoding: :attr:`result` says its size and hash, or why it
    cannot be read, or that it is unchanged. Iterating then yields its
    documents, each with the content hash of its own record in ``hash``
    (what a record-level update compares), never holding the file. When
    iteration ends, ``result.problems`` has one line per kind of bad record,
    ``result.doc_count`` the documents, and ``result.error`` is set if
    nothing could be read or reading failed half-way (the documents yielded
    before are good). :attr:`records_read` and :attr:`bytes_read` tell how
    far it has got.

    >>> opened = open_records("/tmp/اخبار.jsonl")                     # doctest: +SKIP
    >>> sum(1 for _ in opened), opened.result.problems
    (4108, [])
    """

    def __init__(self, result: FileResult, fmt: str, encoding: str, options: IngestOptions) -> None:
        self.result, self.format, self.encoding, self.options = result, fmt, encoding, options
        self._counter = [0]
        self.bytes_read = 0

    @property
    def records_read(self) -> int:
        """Records read so far, documents or not."""
        return self._counter[0]

    def _reopen(self) -> IO[str]:
        return open(self.result.path, encoding=self.encoding, newline="")

    def __iter__(self) -> Iterator[Document]:
        result = self.result
        if result.error is not None or result.unchanged:
            return
        base = Document(id=result.path, text="", path=result.path, size=result.size,
                        mtime=result.mtime_ns / 1e9, format=self.format, encoding=self.encoding)
        problems = _Problems(result.path, self.format, self.options)
        produced = 0
        try:
            with open(result.path, "rb") as raw:
                # Universal newlines for JSONL; CSV reads its own line ends.
                stream = io.TextIOWrapper(raw, encoding=self.encoding,
                                          newline="" if self.format in ("csv", "tsv") else None)
                for doc in _record_documents(stream, self._reopen, base, self.options, problems, self._counter):
                    produced += 1
                    self.bytes_read = raw.tell()  # buffered: where the text read so far ends, give or take a block
                    yield doc
        except RecordError as exc:
            result.error = str(exc)
        except UnicodeDecodeError:  # it changed since it was hashed
            result.error = "changed while being read; the next update reads it again"
        except OSError as exc:
            result.error = f"unreadable: {exc.strerror or exc}"
        except (RecursionError, ValueError) as exc:  # e.g. absurdly nested JSON
            result.error = f"unreadable {self.format}: {exc}"
        self.bytes_read = result.size
        result.doc_count = produced
        result.problems = problems.lines()
        if not produced and result.error is None:
            result.error = problems.file_error()
        if not produced and result.error is not None:
            result.problems = []


def open_records(path: str, options: IngestOptions = IngestOptions(), *, fmt: str | None = None,
                 known_hash: str | None = None) -> RecordFile:
    """A record file read once for its hash and encoding, ready to yield its documents (:class:`RecordFile`).

    When ``known_hash`` equals the content hash, ``result.unchanged`` is set
    and iterating yields nothing.
    """
    fmt = fmt or FORMATS.get(os.path.splitext(path)[1].lower(), "txt")
    result = FileResult(path=path)
    encoding = ""
    if _stat(path, options, result):
        try:
            with open(path, "rb") as fh:
                result.hash, result.size, encoding = scan(fh, options.max_size)
            result.unchanged = known_hash is not None and known_hash == result.hash
        except IngestError as exc:
            result.error = str(exc)
        except FileNotFoundError:
            result.error = "not found (deleted while indexing)"
        except OSError as exc:
            result.error = f"unreadable: {exc.strerror or exc}"
    return RecordFile(result, fmt, encoding, options)


__all__ = ["FORMATS", "RECORD_FORMATS", "DEFAULT_MAX_SIZE", "DOCUMENT_DATE_FIELD", "IngestError", "IngestOptions",
           "FileInfo", "FileResult", "RecordFile", "KeptAsText", "walk", "looks_binary", "decode", "scan",
           "first_line_title", "html_text", "documents_from_text", "type_documents", "content_hash", "read_file",
           "open_records"]
