"""The ``persearch`` command line: the typer app, its error handling, and the
commands of indexing.py (index, update, remove, stats, doctor) and
searching.py (search, get, analyze, serve) registered on it, and the
``cluster`` group of cluster.py. Each command opens the index, calls one
library method and shows the result (output.py decides how); what they share
is in shared.py.

Errors never show a traceback (unless ``--debug``): each becomes one line on
stderr; exit code 2 for a usage error, a bad option value or a malformed query
(InvalidOption, QueryError), 1 for any other PersearchError or OS error, 130
for Ctrl-C only (an engine's EOFError is an error, not an interrupt: see
:class:`PersearchGroup`). The library (whoosh) and
rich are imported inside the commands that need them, so ``persearch search
--json`` never loads rich and ``persearch analyze`` never loads whoosh.

    $ persearch index seeds
    $ persearch search "رئیس جمهوری"
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import InvalidOption, PersearchError, QueryError
from . import indexing, output, searching  # noqa: F401 - their commands are registered below
from .args import BadValue, PersearchCommand
from .shared import COMMANDS, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Command


class PipeClosed(Exception):
    """The reader of stdout went away (``persearch search … | head``)."""


class PersearchGroup(TyperGroup):
    """Runs a command and turns every failure into one line on stderr.

    Both the console script and typer's CliRunner call :meth:`main`, so tests
    see exactly what users see.
    """

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        prog_name = prog_name or "persearch"
        complete_var = complete_var or f"_{prog_name.replace('-', '_').upper()}_COMPLETE"
        if os.environ.get(complete_var):  # the shell asking for completions (persearch --install-completion)
            return super().main(args, prog_name, complete_var, standalone_mode=standalone_mode, **extra)
        debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
        debug = debug or bool(os.environ.get("PERSEARCH_DEBUG"))
        output.ensure_utf8(sys.stdout, sys.stderr)
        if not args and self.no_args_is_help:  # `persearch` alone: the help, on stderr, as a usage error
            print(self.get_help(self.make_context(prog_name, [], resilient_parsing=True)),
                  file=sys.stderr)
            if standalone_mode:
                sys.exit(EXIT_USAGE)
            return EXIT_USAGE
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else EXIT_OK
        except PipeClosed:
            _silence_stdout()
            code = EXIT_OK
        except typer.Abort as abort:
            # click turns an EOFError into an abort; only Ctrl-C is an interrupt.
            cause = abort.__cause__ or abort.__context__
            code = _report(cause, debug) if isinstance(cause, EOFError) else EXIT_INTERRUPTED
        except Exception as error:  # every failure ends here: one line, or a traceback with --debug
            code = _report(error, debug)
        if standalone_mode:
            sys.exit(code)
        return code


def _report(error: Exception, debug: bool) -> int:
    """Print ``error`` as one line on stderr; return the exit code."""
    if debug:
        import traceback

        traceback.print_exception(error)
    if isinstance(error, typer.TyperException):  # the command line's own: bad option, missing argument, ...
        # A usage error (click's UsageError and its kinds) exits 2 and knows its command.
        usage = getattr(error, "exit_code", EXIT_FAILURE) == EXIT_USAGE
        context = getattr(error, "ctx", None)
        where = context.command_path if context is not None else "persearch"
        message = error.message if isinstance(error, BadValue) else error.format_message()
        message = " ".join(message.split()).rstrip(".")
        hint = f"; see: {where} --help" if usage else ""
        _error_line(f"{message}{hint}", where)
        return EXIT_USAGE if usage else error.exit_code or EXIT_FAILURE
    if isinstance(error, PersearchError):
        _error_line(str(error))
        return EXIT_USAGE if isinstance(error, (InvalidOption, QueryError)) else EXIT_FAILURE
    if isinstance(error, OSError):
        what = error.strerror or str(error)
        _error_line(f"{what}: {error.filename}" if error.filename else what)
        return EXIT_FAILURE
    _error_line(f"unexpected {type(error).__name__}: {error} (run with --debug for the traceback)")
    return EXIT_FAILURE


def _error_line(message: str, where: str = "persearch") -> None:
    print(f"{where}: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (CliRunner)
        pass


app = typer.Typer(
    cls=PersearchGroup,
    name="persearch",
    help="Full-text Persian search: index folders of documents, search them with highlighted snippets.",
    add_completion=True,  # --install-completion / --show-completion (typer loads its completion code only then)
    no_args_is_help=True,
    rich_markup_mode=None,  # plain click help: no rich import, and tests see stable text
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register(command: Command) -> None:
    """Register a command whose broken pipe ends the run quietly."""
    function = command.function

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BrokenPipeError:
            raise PipeClosed() from None

    app.command(command.name, help=command.help, cls=PersearchCommand,
                context_settings=command.settings or None)(run)


def _show_version(value: bool) -> None:
    if value:
        print(f"persearch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_show_version,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback when something fails."),
) -> None:
    """Full-text Persian search: index folders of documents, search them with highlighted snippets."""


for _marked in COMMANDS:
    _register(_marked)

from .cluster import cluster_app  # noqa: E402 - its commands come after the index's own in --help

app.add_typer(cluster_app)


__all__ = ["app", "PersearchGroup"]
