"""Documents a program gives :meth:`Index.add_documents`: checked, and taken in bounded batches.

``add_documents`` accepts any iterable (a list, a generator reading a
database, ...) and never holds more than one batch of it: each batch is
checked, handed to the engine, and committed at the same bounded intervals
as a sync. A list is checked whole before anything is written.

    >>> as_document({"id": 7, "text": "کتاب تازه", "tags": ["کتاب"]}).id
    '7'
"""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from ..backends.base import Document
from ..errors import InvalidOption
from .typed import type_own_documents

if TYPE_CHECKING:
    from ..backends.base import Backend
    from .commit import Pace

#: Documents handed to the engine at a time.
BATCH_DOCUMENTS = 256


def as_document(item: Document | Mapping[str, Any]) -> Document:
    """A Document from what :meth:`Index.add_documents` was given, or one clear error."""
    if isinstance(item, Mapping):
        fields = dict(item)
        if "id" not in fields or "text" not in fields:
            given = ", ".join(str(key) for key in fields) or "nothing"
            raise InvalidOption(f"a document needs an 'id' and a 'text', not only {given}")
        item = Document(id=fields.pop("id"), text=fields.pop("text"), title=fields.pop("title", None) or "",
                        metadata=fields)
    elif not isinstance(item, Document):
        raise InvalidOption(f"a document is a persearch.Document or a dict with 'id' and 'text', "
                            f"not {type(item).__name__}")
    if isinstance(item.id, int) and not isinstance(item.id, bool):
        item.id = str(item.id)
    if item.title is None:
        item.title = ""
    for name in ("id", "text", "title"):
        if not isinstance(getattr(item, name), str):
            raise InvalidOption(f"document {item.id}: its {name} must be text, not {type(getattr(item, name)).__name__}")
    if not item.id:
        raise InvalidOption("a document id cannot be empty")
    if any(isinstance(v, _dt.date) for v in (item.metadata or {}).values()):
        # A Python date is kept as ISO text (what the metadata can store), typed as a date.
        item.metadata = {k: v.isoformat() if isinstance(v, _dt.date) else v for k, v in item.metadata.items()}
    return item


def batches(documents: Iterable[Document | Mapping[str, Any]], size: int = BATCH_DOCUMENTS
            ) -> Iterator[list[Document]]:
    """``documents`` checked, ``size`` at a time (a list or tuple is checked whole first)."""
    if isinstance(documents, (list, tuple)):
        for item in documents:
            as_document(item)  # a bad one fails before anything is written
    batch: list[Document] = []
    for item in documents:
        batch.append(as_document(item))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def add_in_batches(backend: Backend, documents: Iterable[Document | Mapping[str, Any]], pace: Pace,
                   save: Callable[[], None]) -> int:
    """Hand ``documents`` to ``backend`` a checked and typed batch at a time (new typed fields
    recorded first), committing and calling ``save`` whenever ``pace`` says one is due; how many."""
    count = 0
    for batch in batches(documents):
        type_own_documents(backend, batch)
        backend.add(batch)
        count += len(batch)
        pace.add(documents=len(batch), nbytes=sum(len(doc.text) + len(doc.title) for doc in batch))
        if pace.due():
            backend.commit(release=False)
            save()
            pace.reset()
    return count


__all__ = ["as_document", "batches", "add_in_batches", "BATCH_DOCUMENTS"]
