"""Small files rewritten whole (persearch's own JSON, tantivy's meta.json): atomically and durably."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON: a temp file, fsync, then rename over the old one.

    A reader sees the old file or the new one, never a part; a crash leaves at
    most a temp file beside it.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fsync_folder(path: str | os.PathLike[str]) -> None:
    """Make renames and new names in folder ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
