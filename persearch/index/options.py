"""Field options per path: how the JSON/JSONL/CSV files under a path are read.

Options are recorded by the path they were given for: a later ``persearch
index other/`` must not change how ``records.jsonl`` is read. A file takes
the options of the most specific recorded path holding it (or, for a file
reached through a link from outside every root, holding the link), else the
defaults. Changing the options that apply to a file marks it to be read again.

    >>> by_path = {"/اسناد": {"text_field": "متن"}}
    >>> OptionsLookup(by_path)("/اسناد/شعر/حافظ.jsonl").text_field   # doctest: +SKIP
    'متن'
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping

from .paths import under

if TYPE_CHECKING:
    from ..ingest import IngestOptions
    from .manifest import Manifest


def given(**options: Any) -> dict[str, Any]:
    """The options a call named (those left as None keep what was recorded)."""
    return {k: v for k, v in options.items() if v is not None}


def options_by_path(recorded: Mapping[str, Any] | None, roots: list[str]) -> dict[str, dict[str, Any]]:
    """``{path: IngestOptions dict}``; older indexes kept one set, which applied to every root."""
    from ..ingest import IngestOptions

    recorded = recorded or {}
    if "text_field" in recorded:
        if IngestOptions(**recorded) == IngestOptions():
            return {}
        return {root: dict(recorded) for root in roots}
    return dict(recorded)


def record_options(manifest: Manifest, paths: list[str], options: dict[str, Any]) -> None:
    """Apply ``options`` to ``paths`` and everything under them; the files
    they change are read again by the next sync, however unchanged."""
    if not options:
        return
    by_path = manifest.options
    before = OptionsLookup(by_path)
    merged = {path: {**before(path).to_dict(), **options} for path in paths}
    for path in paths:  # a path inside keeps its own options, but for the ones given now
        for inner in [p for p in by_path if under(p, [path])]:
            by_path[inner] = {**by_path[inner], **options}
    by_path.update(merged)
    after = OptionsLookup(by_path)
    for file, entry in manifest.files.items():
        # Reached through a link from outside every root (a root may just have come to hold it).
        via = entry.link if not under(file, manifest.roots) else None
        if (under(file, paths) or under(via or file, paths)) and before(file, via) != after(file, via):
            entry.read_again()


class OptionsLookup:
    """The options of the most specific recorded path holding a file, else the defaults.

    Looked up by walking up the file's folders (a few dict probes, whatever
    the number of recorded paths), remembered per folder.
    """

    def __init__(self, by_path: Mapping[str, Mapping[str, Any]]) -> None:
        from ..ingest import IngestOptions

        self._options = {p: IngestOptions(**by_path[p]) for p in by_path}
        self._default = IngestOptions()
        self._folders: dict[str, IngestOptions | None] = {}

    def __call__(self, path: str, via: str | None = None) -> IngestOptions:
        """``via``: where the link is, for a file reached through a link from outside every root."""
        if path in self._options:  # a file named with options of its own
            return self._options[path]
        found = self._folder(os.path.dirname(via or path))
        return self._default if found is None else found

    def _folder(self, folder: str) -> IngestOptions | None:
        if folder in self._folders:
            return self._folders[folder]
        if folder in self._options:
            found: IngestOptions | None = self._options[folder]
        else:
            parent = os.path.dirname(folder)
            found = None if parent == folder else self._folder(parent)
        self._folders[folder] = found
        return found


__all__ = ["given", "options_by_path", "record_options", "OptionsLookup"]
