"""What the command modules share: exit codes, the ``--index``/``--json``
options, opening the index with hints for the command line in its errors,
sizes as options, and the list of commands app.py registers.

A command module (indexing.py, searching.py) marks each command with
:func:`command`; app.py, which holds the typer app and its error handling,
imports the modules and registers what they marked, so that no module
imports app.py back.

    $ persearch index docs --max-size 100M
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Iterator, List, NamedTuple, Optional

import typer

from ..errors import IndexDamaged, IndexIncompatible, IndexNotFound, InvalidOption, PersearchError
from .args import index_location

#: Exit codes (documented in docs/cli.md).
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Command(NamedTuple):
    """A command a module marked for app.py to register."""

    name: str
    help: str
    settings: dict[str, Any]
    function: Callable[..., Any]


#: Every command marked so far, in the order of their modules and definitions.
COMMANDS: list[Command] = []


def command(name: str, help_text: str, **settings: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as the command ``name`` (app.py registers it; ``settings``: click's context settings)."""

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        COMMANDS.append(Command(name, help_text, settings, function))
        return function

    return mark


def completer(*values: str) -> Callable[[str], List[str]]:
    """Shell completion of an option's values."""
    return lambda incomplete: [value for value in values if value.startswith(incomplete)]


INDEX_HELP = "Index folder [default: $PERSEARCH_INDEX, else ./.persearch]."
IndexOption = typer.Option(None, "--index", "-i", help=INDEX_HELP, metavar="DIR")
JsonOption = typer.Option(False, "--json", help="Print JSON (format in docs/cli.md).")


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def size_option(value: Optional[str]) -> Optional[int]:
    """``--max-size 100M``, ``--memory 64M`` in bytes, which the command then receives (a usage
    error when it is not a size)."""
    if value is None:
        return None
    from ..sizes import parse_size

    try:
        return parse_size(value)
    except InvalidOption as error:
        raise typer.BadParameter(str(error)) from None


@contextlib.contextmanager
def opened(option: Optional[Path], *, create: bool = False, fresh: bool = False,
           backend: Optional[str] = None, nodes: Optional[str] = None) -> Iterator[Any]:
    """The index ``--index`` names (or the one found: :func:`index_location`), with CLI hints in its errors.

    ``fresh``: an index this persearch cannot read (another version, damaged
    files) is replaced by an empty one that keeps its roots (``index
    --rebuild``, :meth:`Index.recreate`) instead of failing. ``backend``: the
    engine of a new index (None: whoosh); ``nodes``: a new sphinx index's
    nodes. A damaged index found later, while searching or writing, is
    reported the same way.
    """
    from ..index import Index

    location = index_location(option, creating=create)
    flag = "" if option is None else f" --index {option}"
    try:
        index = Index.open(location, create=create, backend=backend or "whoosh", **engine_options(nodes))
    except IndexNotFound:
        raise IndexNotFound(f"no index at {location}; run: persearch index PATH{flag}") from None
    except (IndexIncompatible, IndexDamaged) as error:
        if not fresh:
            raise with_location(error, location, flag) from None
        # Keeps its roots (--rebuild indexes them again), and its engine's options unless given.
        index = Index.recreate(location, backend=backend, **engine_options(nodes))
    with index:
        try:
            yield index
        except IndexDamaged as error:  # found while searching or writing
            raise with_location(error, location, flag) from None


def engine_options(nodes: Optional[str]) -> dict[str, str]:
    """The engine options of ``--nodes`` (the library's ``nodes=``), none when not given."""
    return {"nodes": nodes} if nodes else {}


def with_location(error: PersearchError, location: Path, flag: str) -> PersearchError:
    """An unreadable index's error as one line with the folder as typed and the command that rebuilds it."""
    if isinstance(error, IndexDamaged):
        root = shown_path(error.roots[0]) if error.roots else "PATH"
        return IndexDamaged(error.root, error.detail, error.roots,
                            message=f"the index at {location} is damaged: {error.detail}; rebuild it from its "
                                    f"files: persearch index {root}{flag} --rebuild")
    reason = str(error).split(";")[0]
    return IndexIncompatible(f"{reason}; rebuild it: persearch index PATH{flag} --rebuild")


def shown_path(path: str) -> str:
    """A recorded (absolute) path, relative to the current folder when it lies inside it."""
    here = os.getcwd()
    if path.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, here)
    return path


__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "EXIT_INTERRUPTED", "Command", "COMMANDS", "command",
           "completer", "IndexOption", "JsonOption", "is_terminal", "size_option", "opened", "engine_options",
           "with_location",
           "shown_path"]
