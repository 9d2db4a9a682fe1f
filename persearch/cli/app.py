"""The ``persearch`` commands: each opens the index, calls one library method
and shows the result (output.py decides how).

Errors never show a traceback (unless ``--debug``): each becomes one line on
stderr; exit code 2 for a usage error, a bad option value or a malformed query
(InvalidOption, QueryError), 1 for any other PersearchError or OS error (see
:class:`PersearchGroup`). The library (whoosh) and
rich are imported inside the commands that need them, so ``persearch search
--json`` never loads rich and ``persearch analyze`` never loads whoosh.

    $ persearch index seeds
    $ persearch search "رئیس جمهوری"
"""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import (IndexDamaged, IndexIncompatible, IndexNotFound, InvalidOption, PersearchError,
                      QueryError)
from . import output

#: Exit codes (documented in docs/cli.md).
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_INDEX = ".persearch"


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
        debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
        debug = debug or bool(os.environ.get("PERSEARCH_DEBUG"))
        output.ensure_utf8(sys.stdout, sys.stderr)
        if not args and self.no_args_is_help:  # `persearch` alone: the help, on stderr, as a usage error
            print(self.get_help(self.make_context(prog_name or "persearch", [], resilient_parsing=True)),
                  file=sys.stderr)
            if standalone_mode:
                sys.exit(EXIT_USAGE)
            return EXIT_USAGE
        try:
            code = super().main(args, prog_name or "persearch", complete_var, standalone_mode=False, **extra)
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
        message = " ".join(error.format_message().split()).rstrip(".")
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
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain click help: no rich import, and tests see stable text
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _command(name: str, help_text: str, **settings: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command whose broken pipe ends the run quietly."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except BrokenPipeError:
                raise PipeClosed() from None

        return app.command(name, help=help_text, context_settings=settings or None)(run)

    return register


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


# -- shared options -------------------------------------------------------
INDEX_HELP = "Index folder [default: $PERSEARCH_INDEX, else ./.persearch]."
IndexOption = typer.Option(None, "--index", "-i", help=INDEX_HELP, metavar="DIR")
JsonOption = typer.Option(False, "--json", help="Print JSON (format in docs/cli.md).")


def index_location(option: Optional[Path]) -> Path:
    """``--index DIR``, else ``$PERSEARCH_INDEX``, else ``./.persearch``."""
    if option is not None:
        return option
    return Path(os.environ.get("PERSEARCH_INDEX") or DEFAULT_INDEX)


@contextlib.contextmanager
def opened(location: Path, *, create: bool = False, fresh: bool = False,
           backend: Optional[str] = None) -> Iterator[Any]:
    """The index at ``location``, with CLI hints in its errors.

    ``fresh``: an index this persearch cannot read is replaced by an empty
    one that keeps its roots (``index --rebuild``, :meth:`Index.recreate`)
    instead of failing. ``backend``: the engine of a
    new index (None: whoosh).
    """
    from ..index import Index

    flag = "" if str(location) == DEFAULT_INDEX else f" --index {location}"
    try:
        index = Index.open(location, create=create, backend=backend or "whoosh")
    except IndexNotFound:
        raise IndexNotFound(f"no index at {location}; run: persearch index PATH{flag}") from None
    except (IndexIncompatible, IndexDamaged) as error:
        if not fresh:
            raise _with_location(error, flag) from None
        index = Index.recreate(location, backend=backend)  # keeps its roots: --rebuild indexes them again
    with index:
        try:
            yield index
        except IndexDamaged as error:  # found while searching or writing
            raise _with_location(error, flag) from None


def _with_location(error: PersearchError, flag: str) -> PersearchError:
    """An unreadable index's error as one line with the folder as typed and the command that rebuilds it."""
    if isinstance(error, IndexDamaged):
        root = _shown_path(error.roots[0]) if error.roots else "PATH"
        where = flag.replace(" --index", " at")
        return IndexDamaged(error.root, error.detail, error.roots,
                            message=f"the index{where} is damaged: {error.detail}; rebuild it from its files: "
                                    f"persearch index {root}{flag} --rebuild")
    reason = str(error).split(";")[0]
    return IndexIncompatible(f"{reason}; rebuild it: persearch index PATH{flag} --rebuild")


def _shown_path(path: str) -> str:
    """A recorded (absolute) path, relative to the current folder when it lies inside it."""
    here = os.getcwd()
    if path.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, here)
    return path


def _size_option(value: Optional[str]) -> Optional[int]:
    """``--max-size 100M``, ``--memory 64M`` in bytes, which the command then receives (a usage
    error when it is not a size)."""
    if value is None:
        return None
    from ..sizes import parse_size

    try:
        return parse_size(value)
    except InvalidOption as error:
        raise typer.BadParameter(str(error)) from None


# -- commands -------------------------------------------------------------
@_command("index", "Create or update the index from files and folders.")
def index_command(
    paths: List[Path] = typer.Argument(..., exists=True, readable=False, help="Files and folders to index.", metavar="PATH"),
    index: Optional[Path] = IndexOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh index from PATH... and swap it in."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Analysis processes [default: auto]."),
    text_field: Optional[str] = typer.Option(None, "--text-field", metavar="F",
                                             help="JSON/JSONL/CSV field with the text [default: text]."),
    title_field: Optional[str] = typer.Option(None, "--title-field", metavar="F",
                                              help="JSON/JSONL/CSV field with the title [default: title]."),
    id_field: Optional[str] = typer.Option(None, "--id-field", metavar="F",
                                           help="JSON/JSONL/CSV field with the record id [default: id]."),
    max_size: Optional[str] = typer.Option(None, "--max-size", metavar="SIZE", callback=_size_option,
                                           help="Skip files larger than SIZE (100M, 1.5G, 512K) [default: 64M]."),
    memory: Optional[str] = typer.Option(None, "--memory", metavar="SIZE", callback=_size_option,
                                         help="Memory the engine may buffer per process before writing out "
                                              "[default: 96M Whoosh, 128M tantivy]."),
    optimize: bool = typer.Option(False, "--optimize", help="Merge the index into one segment afterwards "
                                  "(faster searches; rewrites the index)."),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="NAME",
                                          help="Engine of a new index: whoosh (default) or tantivy "
                                          "(faster; needs persearch[tantivy])."),
    as_json: bool = JsonOption,
) -> None:
    """Create or update the index from files and folders."""
    location = index_location(index)
    if backend is not None:
        from ..backends import BACKENDS

        if backend not in BACKENDS:
            raise InvalidOption(f"unknown backend {backend!r}: use {' or '.join(BACKENDS)}")
    _check_readable(paths)
    options = dict(text_field=text_field, title_field=title_field, id_field=id_field, max_size=max_size)
    with _progress(enabled=_is_terminal(sys.stderr)) as progress, _stop_on_sigterm():
        try:
            with opened(location, create=True, fresh=rebuild, backend=backend) as ix:
                ix.writer_memory = memory
                if backend is not None and backend != ix.backend_name and not rebuild:
                    raise InvalidOption(f"the index at {location} uses the {ix.backend_name} backend; --backend "
                                        f"chooses the engine of a new index (add --rebuild to move it to {backend})")
                if rebuild:
                    report = ix.rebuild(paths, workers=workers, progress=progress, backend=backend, **options)
                else:
                    report = ix.add_paths(paths, workers=workers, progress=progress, **options)
                if optimize:
                    ix.optimize()
        except KeyboardInterrupt as interrupt:
            _interrupted(interrupt, "run the same command again to finish")
    _show_report(report, as_json, {str(p.absolute().resolve()): str(p) for p in paths})
    _exit_if_named_path_failed(report, paths)


@_command("update", "Re-scan the folders and files recorded in the index.")
def update_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption,
                   memory: Optional[str] = typer.Option(None, "--memory", metavar="SIZE", callback=_size_option,
                                                        help="Memory the engine may buffer per process before "
                                                             "writing out [default: 96M Whoosh, 128M tantivy].")
                   ) -> None:
    """Re-scan the folders and files recorded in the index."""
    with _progress(enabled=_is_terminal(sys.stderr)) as progress, _stop_on_sigterm():
        try:
            with opened(index_location(index)) as ix:
                ix.writer_memory = memory
                report = ix.update(progress=progress)
                roots = [Path(root) for root in ix.roots]
        except KeyboardInterrupt as interrupt:
            _interrupted(interrupt, "run persearch update again to finish")
    _show_report(report, as_json, {})
    _exit_if_named_path_failed(report, roots)  # a recorded root that is gone (its documents are kept)


# Unknown options pass through as query words, so `persearch search -دولت` is a
# NOT query rather than "No such option: -د" (long --words are still refused).
@_command("search", "Search the index; ranked hits with highlighted snippets.", ignore_unknown_options=True)
def search_command(
    ctx: typer.Context,
    words: List[str] = typer.Argument(..., metavar="QUERY",
                                      help="The query (docs/query.md): words, \"phrase\", OR, -word, title:word, "
                                           "word*, word~. Several arguments are joined with spaces."),
    index: Optional[Path] = IndexOption,
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=10_000, help="Hits per page."),
    page: int = typer.Option(1, "--page", "-p", min=1, help="Page number (1 = best hits)."),
    field: Optional[List[str]] = typer.Option(None, "--field", "-f", metavar="F",
                                              help="Search only this field (title or body); repeatable."),
    as_json: bool = JsonOption,
    no_color: bool = typer.Option(False, "--no-color", help="No colour; mark highlights as [[word]]."),
    bidi: Optional[bool] = typer.Option(None, "--bidi/--no-bidi",
                                        help="Reorder Persian for terminals without bidi support "
                                             "[default: $PERSEARCH_BIDI, else off]."),
) -> None:
    """Search the index; ranked hits with highlighted snippets."""
    query = " ".join(words)
    for word in words:
        if word.startswith("--") and len(word) > 2:
            ctx.fail(f"No such option: {word.split('=', 1)[0]}")
    with opened(index_location(index)) as ix:
        results = ix.search(query, limit=limit, page=page, fields=field or None)
    if as_json:
        output.write_json(output.results_json(query, results))
        return
    _show_results(results, color=output.color_enabled(sys.stdout, no_color=no_color),
                  bidi=output.bidi_default() if bidi is None else bidi)


@_command("analyze", "Show the tokens of TEXT: terms, offsets and positions.")
def analyze_command(
    text: str = typer.Argument(..., help="Persian text to analyze."),
    as_json: bool = JsonOption,
    no_stem: bool = typer.Option(False, "--no-stem", help="Do not stem (same as --stemmer none)."),
    stemmer: str = typer.Option("builtin", "--stemmer", metavar="NAME", help="builtin, hazm, parsivar or none."),
    keep_stopwords: bool = typer.Option(False, "--keep-stopwords", help="Show stopwords too."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour."),
    bidi: Optional[bool] = typer.Option(None, "--bidi/--no-bidi", help="Reorder Persian for display."),
) -> None:
    """Show the tokens of TEXT: terms, offsets and positions."""
    from .. import analyze

    name: Optional[str] = None if no_stem or stemmer.lower() in ("none", "off", "") else stemmer
    tokens = analyze(text, stemmer=name, stopwords=not keep_stopwords)
    if as_json:
        output.write_json(output.tokens_json(text, tokens))
        return
    _show_tokens(text, tokens, color=output.color_enabled(sys.stdout, no_color=no_color),
                 bidi=output.bidi_default() if bidi is None else bidi)


@_command("stats", "Show what the index holds.")
def stats_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Show what the index holds."""
    with opened(index_location(index)) as ix:
        stats = ix.stats()
    if as_json:
        output.write_json(output.stats_json(stats))
        return
    for key, value in stats.items():
        shown = output.dumps(value) if isinstance(value, (dict, list, tuple)) else str(value)
        sys.stdout.write(f"{key}\t{shown}\n")


@_command("doctor", "Check the index without changing it: its files, segments, documents and manifest.")
def doctor_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Check the index without changing it: its files, segments, documents and manifest."""
    from ..index import Index

    location = index_location(index)
    flag = "" if str(location) == DEFAULT_INDEX else f" --index {location}"
    try:
        with Index.open(location, verify=False) as ix:
            report = ix.check()
            roots = ix.roots
    except IndexNotFound:
        raise IndexNotFound(f"no index at {location}; run: persearch index PATH{flag}") from None
    except IndexDamaged as error:  # not even its engine opens
        report, roots = _unopened(error), error.roots
    if as_json:
        output.write_json(report.to_dict())
    else:
        for fact in report.facts:
            sys.stdout.write(f"ok: {fact}\n")
        for note in report.notes:
            sys.stdout.write(f"note: {note}\n")
        for problem in report.problems:
            sys.stdout.write(f"damaged: {problem}\n")
        if report.ok:
            sys.stdout.write("the index is sound\n")
        else:
            root = _shown_path(roots[0]) if roots else "PATH"
            sys.stdout.write(f"rebuild it from its files: persearch index {root}{flag} --rebuild\n")
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)


def _unopened(error: IndexDamaged) -> Any:
    """The check of an index whose engine does not even open: that one problem."""
    from ..index.integrity import CheckReport

    return CheckReport(problems=[error.detail])


@_command("remove", "Remove documents by path (a file or folder) or by id.")
def remove_command(
    targets: List[str] = typer.Argument(..., help="Paths or document ids.", metavar="PATH_OR_ID"),
    index: Optional[Path] = IndexOption,
    as_json: bool = JsonOption,
) -> None:
    """Remove documents by path (a file or folder) or by id."""
    with opened(index_location(index)) as ix:
        report = ix.remove(targets)
    data = output.report_json(report)
    if as_json:
        output.write_json(data)
    else:
        for failure in data["failed"]:
            print(f"persearch: not removed {failure['path']}: {failure['error']}", file=sys.stderr)
        sys.stdout.write(f"removed {data['removed']}\n")
    if data["failed"]:
        raise typer.Exit(EXIT_FAILURE)


# -- helpers --------------------------------------------------------------
def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _check_readable(paths: List[Path]) -> None:
    """A PATH named on the command line that cannot be read is an error, not a skipped file."""
    for path in paths:
        if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
            raise PermissionError(13, "cannot read this path (permission denied)", str(path))


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Optional[Callable[..., None]]]:
    """A rich progress bar on stderr (files, MB, rate, ETA), or nothing when not a terminal."""
    if not enabled:
        yield None
        return
    with output.ProgressBar(sys.stderr) as bar:
        yield bar.update


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """While indexing, SIGTERM stops like Ctrl-C: what is done is committed, and a line says how far it got."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


def _interrupted(interrupt: KeyboardInterrupt, again: str) -> None:
    """One line on how far an interrupted write got; exit 130."""
    from ..errors import Interrupted

    if isinstance(interrupt, Interrupted) and interrupt.abandoned:
        line = (f"interrupted: the rebuild was abandoned and the index is as it was "
                f"({interrupt.documents} documents); {again}")
    elif isinstance(interrupt, Interrupted) and interrupt.files_total and \
            interrupt.files_done == interrupt.files_total:
        line = (f"interrupted at the end: every file was read and every document committed "
                f"({interrupt.documents} documents)")
    elif isinstance(interrupt, Interrupted):
        line = (f"interrupted after {interrupt.files_done} of {interrupt.files_total} files to read; the index "
                f"keeps every document committed before it ({interrupt.documents} documents now); {again}")
    else:
        line = f"interrupted; the index keeps every document committed before the interruption; {again}"
    print(f"persearch: {line}", file=sys.stderr, flush=True)
    raise typer.Exit(EXIT_INTERRUPTED) from None


def _show_report(report: Any, as_json: bool, named: dict[str, str]) -> None:
    """The report: JSON, or a line per failure on stderr (paths as typed) and the summary line."""
    data = output.report_json(report)
    if as_json:
        output.write_json(data)
        return
    for failure in data["failed"]:
        print(f"persearch: skipped {output.as_typed(failure['path'], named)}: {failure['error']}", file=sys.stderr)
    sys.stdout.write(output.summary_line(data) + "\n")


def _exit_if_named_path_failed(report: Any, paths: List[Path]) -> None:
    """Exit 1 if a path named on the command line (or a recorded root) itself
    could not be read: a file, or a folder that is gone; not a file inside one."""
    named = {str(p.absolute().resolve()) for p in paths}
    failed = {str(Path(f["path"]).absolute().resolve()) for f in output.report_json(report)["failed"]}
    if named & failed:
        raise typer.Exit(EXIT_FAILURE)


def _show_results(results: Any, *, color: bool, bidi: bool) -> None:
    """Hits on stdout; the suggestion, message, total and time on stderr."""
    if results.suggestion:
        print(f"did you mean: {output.show_text(results.suggestion, bidi=bidi)}", file=sys.stderr)
    if getattr(results, "message", None):
        print(output.show_text(results.message, bidi=bidi), file=sys.stderr)
    sys.stderr.flush()
    columns = shutil.get_terminal_size().columns - 3 if _is_terminal(sys.stdout) else None
    con = output.console(sys.stdout) if color else None
    for hit in results.hits:
        (title, title_spans), = output.marked_lines(hit.title or Path(str(hit.path)).name,
                                                    getattr(hit, "title_highlights", ()), bidi=bidi)
        lines = output.marked_lines(hit.snippet or "", hit.highlights, columns=columns, bidi=bidi)
        where = f"{hit.id}  [{hit.score:.2f}]"
        if con is None:
            sys.stdout.write(f"{hit.rank}. {output.plain(title, title_spans)}\n   {where}\n")
            sys.stdout.write("".join(f"   {output.plain(line, spans)}\n" for line, spans in lines) + "\n")
        else:
            con.print(output.rich_line(title, title_spans, "bold", indent=f"{hit.rank}. "))
            con.print(output.rich_line(where, [], "cyan", indent="   "))
            for line, spans in lines:
                con.print(output.rich_line(line, spans, indent="   "))
            con.print()
    sys.stdout.flush()
    elapsed = getattr(results, "elapsed", None)
    took = f" · {elapsed * 1000:.0f} ms" if isinstance(elapsed, (int, float)) else ""
    noun = "hit" if results.total == 1 else "hits"
    print(f"{results.total} {noun} · page {results.page}{took}", file=sys.stderr, flush=True)


def _show_tokens(text: str, tokens: List[Any], *, color: bool, bidi: bool) -> None:
    """A table: position, term, start, end, and the surface text the term came from."""
    rows = [(str(t.position), output.show_text(t.text, bidi=bidi), str(t.start), str(t.end),
             output.show_text(text[t.start:t.end], bidi=bidi)) for t in tokens]
    header = ("position", "term", "start", "end", "surface")
    if not color:
        sys.stdout.write("".join("\t".join(row) + "\n" for row in [header, *rows]))
        return
    from rich.table import Table

    table = Table(*header, box=None, header_style="bold")
    for row in rows:
        table.add_row(*row)
    output.console(sys.stdout).print(table)
