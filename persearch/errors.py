"""The exceptions persearch raises: one per failure a user can act on.

Each message is one line that says what is wrong and what to do; the CLI prints
it as is. This module imports nothing from persearch.
"""
from __future__ import annotations


class PersearchError(Exception):
    """Base class of every error persearch raises on purpose."""


class MissingExtra(PersearchError, ImportError):
    """An optional stage needs a package that is not installed."""


class InvalidOption(PersearchError, ValueError):
    """An analyzer or index option has a value persearch does not know."""


class IndexNotFound(PersearchError):
    """The path holds no persearch index."""


class IndexIncompatible(PersearchError):
    """The index was built with another schema version or analyzer configuration."""


class IndexLocked(PersearchError):
    """Another writer holds the index lock and did not release it in time."""


class IndexReadOnly(PersearchError, PermissionError):
    """The index folder cannot be written (permissions, a read-only disk): it can be searched, not changed."""


class QueryError(PersearchError, ValueError):
    """A query could not be understood even after repair."""
