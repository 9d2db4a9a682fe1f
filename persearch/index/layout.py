"""An index folder on disk: its files, their format and schema versions.

Layout of an index folder::

    DIR/persearch.json     format, schema version, analyzer, backend (and its options), current data folder
    DIR/write.lock         held (flock) by the one process writing (persearch.index.lock)
    DIR/data-N/            the engine's files + manifest.json (persearch.index.manifest)

``persearch.json`` also keeps a copy of the roots, exclusions and field
options, so that a lost manifest loses none of them. ``rebuild()`` builds
``data-N+1`` beside the old folder and switches ``persearch.json`` to it with
one atomic rename; the folders a crash leaves behind are removed by the next
writer.

    >>> next_data_name("data-3")
    'data-4'
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ..analysis import Analyzer
from ..analysis.analyzer import ANALYZER_VERSION
from ..errors import IndexIncompatible, IndexNotFound, InvalidOption, MissingExtra, PersearchError
from .manifest import MANIFEST_FILE, SHARED_KEYS
from .options import options_by_path

#: Bumped whenever fields or their analysis change incompatibly.
#: 2: body tokens stored for the highlighter; 3: stored in one byte a letter;
#: 4: typed record fields (keyword, number, date) for filters, sorting and facets.
SCHEMA_VERSION = 4
#: Older schema versions still read, by backend (none: version 3 has no typed fields).
_READABLE_VERSIONS: dict[str, set[int]] = {}
META_FILE = "persearch.json"
FORMAT_TAG = "persearch-index"


def read_meta(root: Path, any_version: bool = False) -> dict[str, Any]:
    """The ``persearch.json`` of the index in ``root``, checked: a persearch index of a readable version."""
    try:
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(f"no index at {root}; run: persearch index PATH --index {root}") from None
    except (OSError, ValueError) as exc:
        raise IndexIncompatible(f"{root / META_FILE} is unreadable ({exc}); rebuild the index") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_TAG:
        # Some other program's file: never overwritten, nor the folders beside it.
        raise PersearchError(f"{root / META_FILE} is not a persearch index's file; "
                             f"choose another folder for the index")
    version = meta.get("schema_version")
    readable = version == SCHEMA_VERSION or version in _READABLE_VERSIONS.get(str(meta.get("backend")), ())
    if not any_version and not readable:
        raise IndexIncompatible(f"index at {root} has schema version {meta.get('schema_version')}, this persearch "
                                f"needs {SCHEMA_VERSION}; re-create it: persearch index PATH --index NEWDIR")
    return meta


def old_meta(root: Path, overwrite: bool) -> dict[str, Any] | None:
    """The persearch.json an index being created would replace; one that
    cannot be read counts as none when overwriting."""
    if not (root / META_FILE).exists():
        return None
    try:
        return read_meta(root, any_version=True)
    except (IndexIncompatible, IndexNotFound):
        if not overwrite:
            raise
        return None


def next_data_name(current: str | None) -> str:
    """The data folder after ``current`` (``data-1`` for a new index)."""
    number = int(current.rsplit("-", 1)[1]) + 1 if current else 1
    return f"data-{number}"


def data_folders(root: Path) -> list[Path]:
    """The ``data-N`` folders in an index folder, newest first (``data-raw`` is not one)."""
    found = [entry for entry in root.glob("data-*")
             if entry.is_dir() and entry.name[5:].isascii() and entry.name[5:].isdigit()]
    return sorted(found, key=lambda entry: int(entry.name[5:]), reverse=True)


def remove_stale(root: Path, keep: str) -> None:
    """Delete data folders a crashed rebuild or create left behind (write lock held)."""
    for entry in data_folders(root):
        if entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


def kept_settings(root: Path, old: dict[str, Any] | None) -> dict[str, Any]:
    """Roots, exclusions and field options of an index being recreated: from its
    persearch.json, else (damaged) from the newest readable manifest."""
    sources = [old] if old else []
    for folder in data_folders(root):
        try:
            sources.append(json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("roots"), list):
            kept = {k: source[k] for k in SHARED_KEYS if isinstance(source.get(k), (list, dict))}
            kept["options"] = options_by_path(kept.get("options"), kept["roots"])
            if old and isinstance(old.get("fields"), dict):  # declared field types (--field NAME=TYPE)
                kept["fields"] = old["fields"]
            return kept
    return {}


def kept_analyzer(old: dict[str, Any] | None) -> Analyzer:
    """The analyzer options of an index being recreated, at this persearch's version.

    A missing extra (hazm, parsivar) is an error rather than a silent change
    of analyzer; options this persearch no longer has fall back to the defaults.
    """
    try:
        return Analyzer(**{**(old or {}).get("analyzer", {}), "version": ANALYZER_VERSION})
    except MissingExtra:
        raise
    except (TypeError, InvalidOption):
        return Analyzer()


def recorded_options(meta: dict[str, Any] | None, backend: str) -> dict[str, Any]:
    """The engine options ``persearch.json`` records (``backend_options``: a sphinx index's
    nodes), if they are ``backend``'s: what a rebuild or a re-creation on it starts from."""
    if not meta or meta.get("backend") != backend or not isinstance(meta.get("backend_options"), dict):
        return {}
    return dict(meta["backend_options"])


def with_options(backend: Any) -> dict[str, Any]:
    """``{"backend_options": ...}`` for ``persearch.json`` when an engine has options to record."""
    options = getattr(backend, "options", None)
    return {"backend_options": dict(options)} if options else {}


def describe(analyzer: Analyzer) -> str:
    """An analyzer's options in one line, for messages: ``stemmer=builtin, stopwords=True, ...``."""
    return ", ".join(f"{k}={v}" for k, v in analyzer.config().items())


__all__ = ["SCHEMA_VERSION", "META_FILE", "FORMAT_TAG", "read_meta", "old_meta", "next_data_name", "data_folders",
           "remove_stale", "kept_settings", "kept_analyzer", "recorded_options", "with_options", "describe"]
