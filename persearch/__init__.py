"""persearch: full-text Persian search that understands how Persian is really typed.

    >>> import persearch
    >>> [t.text for t in persearch.analyze("كتاب‌هاي رئيسجمهوری")]
    ['کتاب', 'رییسجمهوری', 'رییس', 'جمهوری']

The analyzer is imported eagerly (it is light); the index and search layer,
which need Whoosh, load on first use so that ``import persearch`` stays fast.
"""
from __future__ import annotations

from typing import Any

from .analysis import Analyzer, Token, analyze, normalize
from .errors import (IndexDamaged, IndexIncompatible, IndexLocked, IndexNotFound, IndexReadOnly, Interrupted,
                     InvalidOption, MissingExtra, PersearchError, QueryError)

__version__ = "0.1.0"

__all__ = [
    "Analyzer", "Token", "analyze", "normalize", "Index", "UpdateReport", "Document", "Results", "Hit",
    "PersearchError", "MissingExtra", "InvalidOption", "IndexNotFound", "IndexIncompatible",
    "IndexLocked", "IndexReadOnly", "IndexDamaged", "Interrupted", "QueryError", "__version__",
]

_LAZY = {"Index": "index", "UpdateReport": "index", "Document": "backends.base", "Results": "query", "Hit": "query"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'persearch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
