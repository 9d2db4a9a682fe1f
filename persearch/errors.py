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


class IndexDamaged(PersearchError):
    """The engine's files of an index are missing, truncated or corrupt.

    ``root`` is the index folder, ``detail`` what was found (one line),
    ``roots`` the folders and files the index was built from (to rebuild it).
    """

    def __init__(self, root: str, detail: str, roots: "list[str] | None" = None, *,
                 message: "str | None" = None) -> None:
        self.root, self.detail, self.roots = str(root), detail, list(roots or [])
        super().__init__(message or f"the index at {self.root} is damaged: {detail}; rebuild it from its files: "
                                    f"persearch index {self.roots[0] if self.roots else 'PATH'} --index {self.root} "
                                    f"--rebuild")


class Interrupted(KeyboardInterrupt):
    """A write stopped by Ctrl-C or SIGTERM after committing everything done before it.

    ``report`` is the sync's report so far (its documents committed),
    ``files_done``/``files_total`` how far it got, ``documents`` the
    documents the index holds now, ``abandoned`` whether it was a rebuild
    (whose fresh folder is then deleted: the index is as it was).
    """

    def __init__(self, report: object, files_done: int, files_total: int, documents: int, *,
                 abandoned: bool = False) -> None:
        super().__init__(f"interrupted after {files_done} of {files_total} files; the index holds "
                         f"{documents} documents")
        self.report, self.files_done, self.files_total, self.documents = report, files_done, files_total, documents
        #: A rebuild stopped: its fresh folder is deleted and the index is as it was.
        self.abandoned = abandoned
