"""The parallel build of the tantivy backend: what worker processes write, and how the parent adopts it.

A worker either writes finished segments in a folder of its own inside the
index folder (:class:`SegmentWriter`, for commits that only add documents) or
only analyzes (:class:`AnalyzedBatch`, when the same commit also deletes).
:func:`adopt` moves written segments into the index in one meta.json write.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Iterable

import tantivy

from ..analysis.analyzer import Analyzer
from ..files import fsync_folder, write_json
from .base import Document
from .base import FieldTable
from .tantivy_documents import HEAP_BYTES, THREADS, Analyzed, analyze_document, new_document, new_index, read_json
from .tantivy_store import PartWriter, part_files

#: Worker folders inside the index folder: ``.build-<random>``.
_BUILD_PREFIX = ".build-"


class WrittenSegments:
    """What a :class:`SegmentWriter` sends back: its folder and the segments in it (tantivy's meta
    entries), whose records are in the folder's part (tantivy_store.py)."""

    def __init__(self, folder: str, segments: list[dict[str, Any]]) -> None:
        self.folder = folder
        self.segments = segments

    def files(self) -> list[str]:
        """The names of the segments' files (``<segment id>.<part>``)."""
        ids = {segment["segment_id"].replace("-", "") for segment in self.segments}
        return sorted(name for name in os.listdir(self.folder) if name.split(".", 1)[0] in ids)

    def parts(self) -> list[str]:
        """The names of the parts holding the segments' records."""
        return part_files(self.folder)


class SegmentWriter:
    """A worker's own tantivy index, whose segments the parent's commit adopts.

    The worker does all of a document's work (analysis, tantivy's tokens,
    tantivy's indexing) in a folder of its own inside the index folder, and
    the parent none (turning every worker's tokens into tantivy's in the
    parent, holding the GIL, left two processes only 1.3× faster than one on
    news; this way about 1.5×). Nothing is visible until the parent moves the
    segment files in (:func:`adopt`); a crash leaves only a
    folder that the next commit deletes.
    """

    def __init__(self, path: str, analyzer: Analyzer, memory: int = HEAP_BYTES) -> None:
        self._analyzer = analyzer
        table = FieldTable(path)  # the parent records new typed fields before starting workers
        self._typing = (table.specs, table.slots)
        self._folder = tempfile.mkdtemp(prefix=_BUILD_PREFIX, dir=path)
        new_index(self._folder)
        self._writer: Any = tantivy.Index.open(self._folder).writer(memory, THREADS)
        self._part = PartWriter(self._folder)
        self._added = 0

    def append(self, documents: Iterable[Document]) -> None:
        """Index documents (new ones: the parent deleted nothing they replace)."""
        writer, analyzer, typing, part = self._writer, self._analyzer, self._typing, self._part
        for doc in documents:
            writer.add_document(new_document(analyzer, doc, part, typing))
            self._added += 1

    def finish(self) -> WrittenSegments | None:
        """Commit the worker's index; its segments, picklable, for ``commit(segments=...)``."""
        writer, self._writer = self._writer, None
        if not self._added:
            writer.rollback()
            del writer
            self._part.abandon()
            shutil.rmtree(self._folder, ignore_errors=True)
            return None
        self._part.finish()
        writer.commit()
        writer.wait_merging_threads()
        return WrittenSegments(self._folder, read_json(os.path.join(self._folder, "meta.json"))["segments"])


class AnalyzedBatch:
    """What a worker process sends back when its documents replace others: analyzed documents.

    Analysis is the expensive, pure-Python part; workers do it in parallel and
    the parent feeds the tokens to tantivy's writer in its commit
    (``TantivyBackend.commit``), with its deletes. Nothing touches the
    index until then.
    """

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._docs: list[Analyzed] = []

    def append(self, documents: Iterable[Document]) -> None:
        """Analyze documents (new ones: the parent deleted any old versions)."""
        self._docs.extend(analyze_document(self._analyzer, doc) for doc in documents)

    def finish(self) -> list[Analyzed] | None:
        """The analyzed documents, picklable, for ``commit(segments=...)``."""
        return self._docs or None


def adopt(path: str, written: list["WrittenSegments"]) -> None:
    """Make segments written by workers part of the index in folder ``path``, in one meta.json write.

    The caller holds tantivy's writer lock. The segment files are moved in
    and listed in ``.managed.json`` first, so if the process dies before
    meta.json lists them, the next writer's garbage collection deletes them;
    the parts, which tantivy does not manage, are deleted then by the next
    commit (tantivy_store.remove_unnamed). Readers see them only once the new
    meta.json replaces the old one.
    """
    meta_path, managed_path = os.path.join(path, "meta.json"), os.path.join(path, ".managed.json")
    meta, managed = read_json(meta_path), read_json(managed_path)
    moves = [(os.path.join(part.folder, name), os.path.join(path, name)) for part in written for name in part.files()]
    write_json(managed_path, managed + [os.path.basename(dst) for _, dst in moves])
    moves += [(os.path.join(part.folder, name), os.path.join(path, name)) for part in written for name in part.parts()]
    for src, dst in moves:
        os.replace(src, dst)
    fsync_folder(path)  # the files are in place before meta.json names them
    added = [segment for part in written for segment in part.segments]
    meta["segments"] = meta["segments"] + added
    # The opstamp is persearch's generation: every commit must advance it.
    meta["opstamp"] = int(meta.get("opstamp", 0)) + sum(int(seg["max_doc"]) for seg in added) + 1
    write_json(meta_path, meta)
    fsync_folder(path)


def remove_unfinished_builds(path: str) -> None:
    """Delete the worker folders failed builds left in index folder ``path`` (write lock held)."""
    for entry in os.listdir(path):
        if entry.startswith(_BUILD_PREFIX):
            shutil.rmtree(os.path.join(path, entry), ignore_errors=True)
