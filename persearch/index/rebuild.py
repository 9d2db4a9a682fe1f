"""A rebuild: every root indexed again into a fresh data folder, swapped in atomically.

Readers see the old index until the swap (one atomic rename of
persearch.json); the old folder is deleted after it. A rebuild also works on
an index whose engine files are damaged: roots, exclusions and options come
from the manifest or persearch.json, documents added by a program are copied
over as far as they can still be read. Interrupted, it deletes its
half-built folder: the index is as it was. An index with no documents at
all (just re-created, say) is rebuilt in place instead, so that an
interrupted rebuild keeps what it did and the next run goes on from there.

    >>> index.rebuild(backend="tantivy")          # doctest: +SKIP
"""
from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Protocol

from ..backends import backend_class, discard, engine_options
from ..backends.base import Document
from ..errors import IndexDamaged, Interrupted
from ..files import write_json
from .commit import Progress
from .integrity import IndexCore, engine_failure
from .layout import META_FILE, SCHEMA_VERSION, next_data_name, recorded_options, remove_stale, with_options
from .manifest import Manifest, now
from .options import given, record_options
from .paths import resolved
from .sync import UpdateReport, refuse_unreachable_roots
from .typed import declare_fields, declared_fields, declared_fields_map, type_own_documents

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

    from ..backends.base import Backend
    from .sync import Sync


class Index(IndexCore, Protocol):
    """What a rebuild uses of :class:`persearch.index.Index` (typed here, not imported: no circle)."""

    def _writing(self, lenient: bool = False) -> AbstractContextManager[Manifest]: ...

    def _save(self, manifest: Manifest, backend: Backend | None = None, data_dir: Path | None = None, *,
              final: bool = True) -> None: ...

    def _remember(self, manifest: Manifest) -> None: ...

    def _update_meta(self, changes: Mapping[str, Any]) -> None: ...

    def _sync(self, manifest: Manifest, backend: Backend | None = None, data_dir: Path | None = None) -> Sync: ...

    def _reload_meta(self) -> None: ...

#: Documents a program added, copied into the fresh index this many at a time.
_COPY_BATCH = 256


def rebuild(index: Index, paths: list[str], options: dict[str, Any],
            fields: Mapping[str, str] | Iterable[str] | None, workers: int | None, progress: Progress | None,
            backend: str, engine: Mapping[str, Any]) -> UpdateReport:
    """:meth:`Index.rebuild` (see there); ``engine``: the engine's options given (sphinx: ``nodes``)."""
    backend_cls = backend_class(backend)
    recorded = recorded_options(index._meta, backend)
    engine_opts = engine_options(backend, engine, recorded)  # a bad option fails before the lock is taken
    with index._writing(lenient=True) as manifest:
        # Declared types replace earlier declarations of the same fields; the others are typed again from their values.
        declared = {**declared_fields_map(index._meta), **declare_fields(fields, {})}
        named = [resolved(p) for p in paths]
        existing = [root for root in named if os.path.exists(root)]
        refuse_unreachable_roots(manifest)  # a fresh build would lose their documents
        manifest.add_roots(existing)
        record_options(manifest, named or list(manifest.roots), given(**options))
        if (backend == index.backend_name and engine_opts == recorded and _empty(index._backend)
                and _types_kept(index._backend, declared)):
            manifest.files = {}  # nothing is indexed, whatever the manifest said
            index._backend.add_fields(declared_fields({"fields": declared}))
            index._update_meta({"fields": declared})
            index._save(manifest)
            index._remember(manifest)
            return index._sync(manifest).run(list(manifest.roots), workers, progress, named=existing)
        old_data = index._meta["data"]
        remove_stale(index.root, old_data)
        new_data = next_data_name(old_data)
        new_dir = index.root / new_data
        new_backend = backend_cls.create(new_dir, index.analyzer, lock_timeout=index.lock_timeout, **engine_opts)
        new_backend.add_fields(declared_fields({"fields": declared}))
        fresh = Manifest(roots=list(manifest.roots), excluded=list(manifest.excluded), options=dict(manifest.options))
        lost: list[tuple[str, str]] = []
        try:
            copied = _copy_own_documents(index._backend, new_backend, manifest, lost)
            report = index._sync(fresh, new_backend, new_dir).run(list(fresh.roots), workers, progress,
                                                                  named=existing)
            if copied and not fresh.roots:
                new_backend.commit()
                index._save(fresh, new_backend, new_dir)
        except Interrupted as stop:
            new_backend.close()
            _remove(backend, new_dir)
            raise Interrupted(stop.report, stop.files_done, stop.files_total, _count(index._backend) or 0,
                              abandoned=True) from None
        except BaseException:
            new_backend.close()
            _remove(backend, new_dir)
            raise
        new_backend.close()
        old_backend = index.backend_name
        kept = {k: v for k, v in index._meta.items() if k != "backend_options"}
        meta = {**kept, **fresh.shared(), "data": new_data, "backend": backend, "schema_version": SCHEMA_VERSION,
                "rebuilt_at": now(), "fields": declared, **with_options(new_backend)}
        write_json(index.root / META_FILE, meta)  # the atomic swap
        index._reload_meta()
        _remove(old_backend, index.root / old_data)
    report.failed.extend(lost)
    return report


def _remove(backend: str, folder: Path) -> None:
    """Delete a data folder, and what its engine keeps elsewhere (a sphinx index's rows on its nodes)."""
    discard(backend, folder)
    shutil.rmtree(folder, ignore_errors=True)


def _types_kept(backend: Backend, declared: dict[str, str]) -> bool:
    """Whether every typed field the engine recorded is declared with that type (else a fresh
    folder: a recorded type is never changed in place, and undeclared ones are typed anew)."""
    try:
        recorded = {name: spec.type for name, spec in backend.fields().items()}
    except BaseException as exc:  # a damaged engine folder: a fresh one is made
        if isinstance(exc, IndexDamaged) or engine_failure(exc):
            return False
        raise
    return recorded.items() <= declared.items()


def _count(backend: Backend) -> int | None:
    """The documents the index holds, or None when a damaged engine cannot say."""
    try:
        return backend.doc_count()
    except BaseException as exc:  # a Rust panic is a BaseException
        if isinstance(exc, IndexDamaged) or engine_failure(exc):
            return None
        raise


def _empty(backend: Backend) -> bool:
    """Whether the index holds no document (False when a damaged engine cannot say)."""
    return _count(backend) == 0


def _copy_own_documents(old: Backend, new: Backend, manifest: Manifest, lost: list[tuple[str, str]]) -> int:
    """Copy the documents a program added (no file behind them) into the fresh index, a batch at a time.

    A damaged index may not give them all: a line says so when it can still
    count more documents than its files account for.
    """
    copied = 0
    batch: list[Document] = []
    try:
        for document in _own_documents(old):
            batch.append(document)
            if len(batch) >= _COPY_BATCH:
                type_own_documents(new, batch)
                new.append(batch)
                copied += len(batch)
                batch = []
    except BaseException as exc:  # a damaged engine keeps what it cannot give (a Rust panic too)
        if not engine_failure(exc):
            raise
        held = _count(old)  # None: the engine cannot even count (then nobody can tell)
        own = None if held is None else held - sum(entry.documents for entry in manifest.files.values())
        if own is not None and own > copied + len(batch):
            lost.append(("(documents added by a program)", f"the damaged index gave {copied + len(batch)} of "
                                                           f"its {own}; add the others again"))
    if batch:
        type_own_documents(new, batch)
        new.append(batch)
        copied += len(batch)
    return copied


def _own_documents(backend: Backend) -> Iterator[Document]:
    for stored in backend.iter_stored():
        if not stored.get("path"):
            yield Document(id=stored["id"], text=stored["text"], title=stored.get("title", ""),
                           metadata=stored.get("metadata") or {})


__all__ = ["rebuild"]
