"""A new index folder: its first data folder, made by the engine, and its ``persearch.json``.

:meth:`Index.create` and :meth:`Index.recreate` call :func:`create_folder`
under the folder's write lock. A re-creation (``keep``) keeps what can still
be read of the index it replaces: roots, exclusions, field options, declared
types, analyzer options, the backend and its options (a sphinx index's
nodes); the replaced engine drops what it kept elsewhere (its rows on the
nodes: :func:`persearch.backends.discard`).

    >>> root, meta, analyzer = create_folder(Path("نمایه"), None, "tantivy", overwrite=False, keep=False,
    ...                                      lock_timeout=10.0, engine={})    # doctest: +SKIP
    >>> meta["data"]
    'data-1'
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..analysis import Analyzer
from ..backends import DEFAULT_BACKEND, backend_class, discard, engine_options
from ..errors import InvalidOption, PersearchError
from ..files import write_json
from .integrity import record_checksums
from .layout import (FORMAT_TAG, META_FILE, SCHEMA_VERSION, data_folders, kept_analyzer, kept_settings,
                     next_data_name, old_meta, recorded_options, remove_stale, with_options)
from .lock import file_lock
from .manifest import Manifest, now
from .typed import declared_fields


def create_folder(root: Path, analyzer: Analyzer | None, backend: str | None, *, overwrite: bool, keep: bool,
                  lock_timeout: float, engine: dict[str, Any]) -> tuple[dict[str, Any], Analyzer]:
    """Make an empty index in ``root`` (see :meth:`Index.create`): its ``persearch.json`` and analyzer."""
    if root.exists() and not root.is_dir():
        raise InvalidOption(f"{root} is a file: an index is a folder")
    planned = backend or (DEFAULT_BACKEND if not (root / META_FILE).exists() else None)
    if planned is not None:
        # An unknown backend, a missing extra or an option it does not take fails before the disk is touched.
        backend_class(planned)
        engine_options(planned, engine)
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root, lock_timeout):
        old = old_meta(root, overwrite)
        if old is not None and not overwrite:
            raise PersearchError(f"{root} already holds an index; open it, or create with overwrite=True")
        shared = kept_settings(root, old) if keep else {}
        if analyzer is None:
            analyzer = kept_analyzer(old) if keep else Analyzer()
        backend = backend or (old or {}).get("backend") or DEFAULT_BACKEND
        backend_cls = backend_class(backend)
        newest = old["data"] if old else next((folder.name for folder in data_folders(root)), None)
        data = next_data_name(newest)
        shutil.rmtree(root / data, ignore_errors=True)  # left by a crashed rebuild, or by an unreadable index
        created = backend_cls.create(root / data, analyzer, lock_timeout=lock_timeout,
                                     **engine_options(backend, engine, recorded_options(old, backend)))
        created.add_fields(declared_fields(shared))
        record_checksums(root / data, created)
        Manifest.from_json({k: v for k, v in shared.items() if k != "fields"}).write(root / data,
                                                                                   created.generation())
        created.close()
        meta = {"format": FORMAT_TAG, "schema_version": SCHEMA_VERSION, "backend": backend,
                "analyzer": analyzer.config(), "data": data, "created_at": now(), **shared,
                **with_options(created)}
        write_json(root / META_FILE, meta)
        if old is not None:
            discard(old.get("backend"), root / str(old.get("data")))
        remove_stale(root, data)
    return meta, analyzer


__all__ = ["create_folder"]
