"""A persearch index on disk: create/open, add files, keep it in step with them.

    >>> from persearch.index import Index
    >>> with Index.open("نمایه", create=True) as index:       # doctest: +SKIP
    ...     index.add_paths(["اخبار/"])

Its rooms: facade.py (the :class:`Index` a program uses), layout.py (the
folder, its files and versions), lock.py (the write lock), manifest.py (which
files are indexed: :class:`~persearch.index.manifest.FileEntry`), options.py
(field options per path), sync.py (a sync with the disk: :class:`UpdateReport`)
and workers.py (the worker processes of a big sync).
"""
from __future__ import annotations

from .facade import Index
from .layout import META_FILE, SCHEMA_VERSION
from .manifest import MANIFEST_FILE
from .sync import UpdateReport

__all__ = ["Index", "UpdateReport", "SCHEMA_VERSION", "META_FILE", "MANIFEST_FILE"]
