"""Documents' record values typed: keyword, number or date, by what the index has recorded.

A document's metadata (a record's fields, a text's own date) is typed by
:func:`persearch.values.records.type_records` against the specs the index
has recorded; fields seen for the first time are inferred over the batch
given (a whole file, or one batch of a file read a record at a time). A
value that does not read as its field's type stays text and is reported.

    >>> doc = Document(id="a.jsonl#1", text="", metadata={"تاریخ": "۱۴۰۲/۰۵/۱۲"})
    >>> type_documents([doc], {})[0]
    {'تاریخ': FieldSpec(type='date', multi=False)}
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .backends.base import RESERVED_FIELDS, Document

if TYPE_CHECKING:
    from .values.records import FieldSpec

#: Values kept as text that one file reports one by one (the rest are counted in one line).
REPORTED_VALUES = 20


class KeptAsText:
    """The record values of one file kept as text: :data:`REPORTED_VALUES` one by one,
    then one line counting the rest (a file may be typed a batch at a time)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.more = 0
        self.where = ""

    def add(self, kept: list[tuple[str, str]], where: str) -> None:
        room = REPORTED_VALUES - len(self.shown)
        self.shown.extend(kept[:max(0, room)])
        self.more += max(0, len(kept) - max(0, room))
        self.where = self.where or where

    def lines(self) -> list[tuple[str, str]]:
        """``(document id or file, reason)``, the count of the others last."""
        return self.shown + ([(self.where, f"{self.more} more values kept as text")] if self.more else [])


def type_documents(documents: list[Document], known: Mapping[str, FieldSpec], kept: KeptAsText | None = None
                   ) -> tuple[dict[str, FieldSpec], list[tuple[str, str]]]:
    """Give each document its typed values (``Document.typed``) from its metadata.

    Returns the specs to record (fields ``known`` lacks, or now with several
    values) and the values kept as text, ``(document id, reason)``: at most
    :data:`REPORTED_VALUES` one by one, then one line counting the rest.
    A file typed a batch at a time passes the same ``kept`` for each batch
    (its lines then say what the batches so far kept).
    """
    if not any(doc.metadata for doc in documents):
        return {}, kept.lines() if kept is not None else []
    from .values.records import type_records

    batch = type_records([doc.metadata for doc in documents], known, skip=RESERVED_FIELDS)
    found: list[tuple[str, str]] = []
    for doc, typed, problems in zip(documents, batch.typed, batch.problems):
        doc.typed = typed
        found.extend((doc.id, str(problem)) for problem in problems)
    kept = kept if kept is not None else KeptAsText()
    kept.add(found, documents[0].path or documents[0].id)
    return batch.new, kept.lines()


__all__ = ["REPORTED_VALUES", "KeptAsText", "type_documents"]
