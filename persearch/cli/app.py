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
from ..errors import (IndexIncompatible, IndexNotFound, InvalidOption, PersearchError,
                      QueryError)
from . import output
from .args import BadValue, Count, PersearchCommand, index_location, query_words

#: Exit codes (documented in docs/cli.md).
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
        except typer.Abort:
            code = EXIT_INTERRUPTED
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


def _command(name: str, help_text: str, **settings: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command whose broken pipe ends the run quietly."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except BrokenPipeError:
                raise PipeClosed() from None

        return app.command(name, help=help_text, cls=PersearchCommand, context_settings=settings or None)(run)

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
def _completer(*values: str) -> Callable[[str], List[str]]:
    """Shell completion of an option's values."""
    return lambda incomplete: [value for value in values if value.startswith(incomplete)]



INDEX_HELP = "Index folder [default: $PERSEARCH_INDEX, else ./.persearch]."
IndexOption = typer.Option(None, "--index", "-i", help=INDEX_HELP, metavar="DIR")
JsonOption = typer.Option(False, "--json", help="Print JSON (format in docs/cli.md).")


@contextlib.contextmanager
def opened(option: Optional[Path], *, create: bool = False, fresh: bool = False,
           backend: Optional[str] = None, nodes: Optional[str] = None) -> Iterator[Any]:
    """The index ``--index`` names (or the one found: :func:`index_location`), with CLI hints in its errors.

    ``fresh``: an index this persearch cannot read is replaced by an empty
    one that keeps its roots (``index --rebuild``, :meth:`Index.recreate`)
    instead of failing. ``backend``: the engine of a
    new index (None: whoosh); ``nodes``: a new sphinx index's nodes.
    """
    from ..index import Index

    location = index_location(option, creating=create)
    flag = "" if option is None else f" --index {option}"
    try:
        index = Index.open(location, create=create, backend=backend or "whoosh", **_engine(nodes))
    except IndexNotFound:
        raise IndexNotFound(f"no index at {location}; run: persearch index PATH{flag}") from None
    except IndexIncompatible as error:
        if not fresh:
            reason = str(error).split(";")[0]
            raise IndexIncompatible(f"{reason}; rebuild it: persearch index PATH{flag} --rebuild") from None
        # Keeps its roots (--rebuild indexes them again), and its engine's options unless given.
        index = Index.recreate(location, backend=backend, **_engine(nodes))
    with index:
        yield index


# -- commands -------------------------------------------------------------
@_command("index", "Create or update the index from files and folders.")
def index_command(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(None, exists=True, readable=False, metavar="PATH...",
                                                 help="Files and folders to index (none: with --rebuild, "
                                                      "the recorded ones)."),
    index: Optional[Path] = IndexOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh index from the recorded folders "
                                 "and files (and PATH...) and swap it in."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", parser=Count("--workers"), metavar="N",
                                          help="Analysis processes [default: auto]."),
    text_field: Optional[str] = typer.Option(None, "--text-field", metavar="F",
                                             help="JSON/JSONL/CSV field with the text [default: text]."),
    title_field: Optional[str] = typer.Option(None, "--title-field", metavar="F",
                                              help="JSON/JSONL/CSV field with the title [default: title]."),
    id_field: Optional[str] = typer.Option(None, "--id-field", metavar="F",
                                           help="JSON/JSONL/CSV field with the record id [default: id]."),
    optimize: bool = typer.Option(False, "--optimize", help="Merge the index into one segment afterwards "
                                  "(faster searches; rewrites the index)."),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="NAME",
                                          help="Engine of a new index: whoosh (default), tantivy "
                                          "(faster; needs persearch[tantivy]) or sphinx (Sphinx/Manticore "
                                          "nodes; needs persearch[sphinx] and --nodes)."),
    nodes: Optional[str] = typer.Option(None, "--nodes", metavar="HOST:PORT,...",
                                        help="The Sphinx nodes of a new sphinx index or of its rebuild "
                                        "(SphinxQL addresses) [default: $PERSEARCH_SPHINX_NODES]."),
    as_json: bool = JsonOption,
    # -- typed record fields (docs/indexing.md, "Typed fields") --
    declare: Optional[List[str]] = typer.Option(None, "--field", metavar="NAME=TYPE",
                                                help="Declare a record field's type: keyword, number or date "
                                                     "(e.g. date=date); repeatable [default: from its values]."),
    document_dates: Optional[bool] = typer.Option(None, "--document-dates/--no-document-dates",
                                                  help="Give text, Markdown and HTML documents their date "
                                                       "(field date) [default: on]."),
) -> None:
    """Create or update the index from files and folders."""
    paths = list(paths or [])
    if not paths and not rebuild:
        ctx.fail("Missing argument 'PATH...': name the files and folders to index "
                 "(or give --rebuild to index the recorded ones again)")
    if backend is not None:
        from ..backends import BACKENDS

        if backend not in BACKENDS:
            raise InvalidOption(f"unknown backend {backend}: use {' or '.join(BACKENDS)}")
    _check_readable(paths)
    options = dict(text_field=text_field, title_field=title_field, id_field=id_field, fields=declare or None)
    if declare:
        from ..values.fields import parse_field_declarations

        parse_field_declarations(declare)  # a malformed one fails before the index is touched
    with _progress(enabled=_is_terminal(sys.stderr)) as progress:
        try:
            with opened(index, create=True, fresh=rebuild, backend=backend, nodes=nodes) as ix:
                if backend is not None and backend != ix.backend_name and not rebuild:
                    raise InvalidOption(f"the index at {ix.root} uses the {ix.backend_name} backend; --backend "
                                        f"chooses the engine of a new index (add --rebuild to move it to {backend})")
                _check_nodes(ix, nodes, backend, rebuild)
                if rebuild:
                    report = ix.rebuild(paths, workers=workers, progress=progress, backend=backend,
                                        document_dates=document_dates, **options, **_engine(nodes))
                else:
                    report = ix.add_paths(paths, workers=workers, progress=progress, document_dates=document_dates,
                                          **options)
                if optimize:
                    ix.optimize()
        except KeyboardInterrupt:
            print("persearch: interrupted; the index keeps every chunk committed before the interruption; "
                  "run the same command again to finish", file=sys.stderr, flush=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
    _show_report(report, as_json)
    _exit_if_named_path_failed(report, paths)


@_command("update", "Re-scan the folders and files recorded in the index.")
def update_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Re-scan the folders and files recorded in the index."""
    with _progress(enabled=_is_terminal(sys.stderr)) as progress:
        try:
            with opened(index) as ix:
                report = ix.update(progress=progress)
                roots = [Path(root) for root in ix.roots]
        except KeyboardInterrupt:
            print("persearch: interrupted; the index keeps every chunk committed before the interruption",
                  file=sys.stderr, flush=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
    _show_report(report, as_json)
    _exit_if_named_path_failed(report, roots)  # a recorded root that is gone (its documents are kept)


# Unknown options pass through as query words, so `persearch search -دولت` is a
# NOT query rather than "No such option: -د" (long --words are still refused).
@_command("search", "Search the index; ranked hits with highlighted snippets.", ignore_unknown_options=True)
def search_command(
    ctx: typer.Context,
    words: Optional[List[str]] = typer.Argument(None, metavar="QUERY...",
                                                help="The query (docs/query.md): words, \"phrase\", OR, -word, "
                                                     "title:word, word*, word~, word^2, date:1402/05. Several "
                                                     "arguments are joined with spaces; - reads the query from "
                                                     "stdin; -- ends the options; optional with --filter."),
    index: Optional[Path] = IndexOption,
    limit: int = typer.Option(10, "--limit", "-n", parser=Count("--limit", 1, 10_000), metavar="N",
                              help="Hits per page (1 to 10000)."),
    page: int = typer.Option(1, "--page", "-p", parser=Count("--page"), metavar="N",
                             help="Page number (1 = best hits)."),
    field: Optional[List[str]] = typer.Option(None, "--field", "-f", metavar="F",
                                              autocompletion=_completer("title", "body"),
                                              help="Search only this field (title or body); repeatable."),
    as_json: bool = JsonOption,
    no_color: bool = typer.Option(False, "--no-color", help="No colour; mark highlights as [[word]]."),
    bidi: Optional[bool] = typer.Option(None, "--bidi/--no-bidi",
                                        help="Reorder Persian for terminals without bidi support "
                                             "[default: $PERSEARCH_BIDI, else off]."),
    # -- structured search (docs/query.md, "Filters, sorting and facets"), kept together --
    filters: Optional[List[str]] = typer.Option(None, "--filter", metavar="EXPR",
                                                help="Only documents matching EXPR: source=farsnews, source=a,b, "
                                                     "'date>=1402/05/01', date=1402/05, year=1390..1400; "
                                                     "repeatable (all must match)."),
    sort: Optional[str] = typer.Option(None, "--sort", metavar="FIELD",
                                       help="Order by FIELD (ascending), -FIELD (descending) or score; "
                                            "ties by score [default: score]."),
    facets: Optional[List[str]] = typer.Option(None, "--facet", metavar="FIELD",
                                               help="Count the matches per value of FIELD (a date field by day, "
                                                    "or FIELD:month, FIELD:year); repeatable."),
    count: bool = typer.Option(False, "--count", help="Print only how many documents match."),
    out_format: Optional[str] = typer.Option(None, "--format", metavar="FORMAT",
                                             help="Export the page as json, jsonl (a hit a line) or csv "
                                                  "(--json is --format json)."),
) -> None:
    """Search the index; ranked hits with highlighted snippets."""
    query = query_words(ctx, words or [], options_in_words=True)
    if not query and not filters:
        ctx.fail("Missing argument 'QUERY...' (or give --filter)")
    if field:
        from ..query.run import search_fields

        search_fields(field)  # an unknown field is a usage error, before any index is looked for
    export = _export_format(as_json, out_format)
    with opened(index) as ix:
        results = ix.search(query, limit=limit, page=page, fields=field or None, filters=filters or None,
                            sort=sort, facets=facets or None, snippets=not count)
        results.total, results.facets  # noqa: B018 - counted while the index is open
    if results.past_last_page and not count:
        noun = "hit makes" if results.total == 1 else "hits make"
        print(f"persearch: page {results.page} is past the last one: {results.total} {noun} "
              f"{results.pages} page{'s' if results.pages > 1 else ''} of {results.limit}", file=sys.stderr)
    if count:
        _show_count(query, results, export, color=output.color_enabled(sys.stdout, no_color=no_color))
    elif export == "json":
        output.write_json(output.results_json(query, results))
    elif export == "jsonl":
        output.write_jsonl(results)
    elif export == "csv":
        output.write_csv(results)
    else:
        columns = shutil.get_terminal_size().columns - 3 if _is_terminal(sys.stdout) else None
        output.show_results(results, color=output.color_enabled(sys.stdout, no_color=no_color),
                            bidi=output.bidi_default() if bidi is None else bidi, columns=columns)
    if results.partial:  # part of the index did not answer (a Sphinx node down): said, and exit 1
        if count or export is not None:  # the terminal's hits show it with the message, JSON in "partial"
            print(f"persearch: {results.partial['message']}", file=sys.stderr, flush=True)
        raise typer.Exit(EXIT_FAILURE)


@_command("get", "Print a stored document: its title, id, fields and text.")
def get_command(
    doc_id: str = typer.Argument(..., metavar="ID", help="A document id: a file's path, or PATH#ID for a record."),
    index: Optional[Path] = IndexOption,
    as_json: bool = JsonOption,
    bidi: Optional[bool] = typer.Option(None, "--bidi/--no-bidi", help="Reorder Persian for display."),
) -> None:
    """Print a stored document: its title, id, fields and text."""
    from ..query.structured import field_values

    with opened(index) as ix:
        document = ix.document(doc_id)
        types, location = ix.fields, ix.root
    if document is None:
        raise PersearchError(f"no document {doc_id} in the index at {location}; "
                             f"ids are file paths, or PATH#ID for records (see persearch search)")
    values = field_values(document.get("metadata") or {}, types)
    if as_json:
        output.write_json(output.document_json(document, values))
        return
    bidi = output.bidi_default() if bidi is None else bidi
    show = functools.partial(output.show_text, bidi=bidi)
    lines = [show(document.get("title") or ""), str(document["id"])]
    about = [f"{k}: {document[k]}" for k in ("path", "format", "encoding") if document.get(k)]
    lines += [" · ".join(about)] if about else []
    lines += [show(f"{name}: {output.shown_value(value)}") for name, value in values.items()]
    body = document.get("text") or ""
    lines += ["", *(show(line) if bidi else line for line in body.splitlines())]
    sys.stdout.write("\n".join(lines) + "\n")


@_command("analyze", "Show the tokens of TEXT: terms, offsets and positions.", ignore_unknown_options=True)
def analyze_command(
    ctx: typer.Context,
    words: List[str] = typer.Argument(..., metavar="TEXT...",
                                      help="Persian text to analyze; several arguments are joined with spaces, "
                                           "- reads it from stdin."),
    as_json: bool = JsonOption,
    no_stem: bool = typer.Option(False, "--no-stem", help="Do not stem (same as --stemmer none)."),
    stemmer: str = typer.Option("builtin", "--stemmer", metavar="NAME", help="builtin, hazm, parsivar or none.",
                                autocompletion=_completer("builtin", "hazm", "parsivar", "none")),
    keep_stopwords: bool = typer.Option(False, "--keep-stopwords", help="Show stopwords too."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour."),
    bidi: Optional[bool] = typer.Option(None, "--bidi/--no-bidi", help="Reorder Persian for display."),
) -> None:
    """Show the tokens of TEXT: terms, offsets and positions."""
    from .. import analyze
    from ..analysis.analyzer import STEMMERS

    text = query_words(ctx, words, options_in_words=False)
    name: Optional[str] = None if no_stem or stemmer.lower() in ("none", "off", "") else stemmer
    if name is not None and name not in STEMMERS:
        raise InvalidOption(f"unknown stemmer {name}: use {', '.join(STEMMERS)} or none")
    tokens = analyze(text, stemmer=name, stopwords=not keep_stopwords)
    if as_json:
        output.write_json(output.tokens_json(text, tokens))
        return
    output.show_tokens(text, tokens, color=output.color_enabled(sys.stdout, no_color=no_color),
                       bidi=output.bidi_default() if bidi is None else bidi)


@_command("stats", "Show what the index holds.")
def stats_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Show what the index holds."""
    with opened(index) as ix:
        stats = ix.stats()
    if as_json:
        output.write_json(output.stats_json(stats))
        return
    sys.stdout.write("".join(f"{key}\t{value}\n" for key, value in output.stats_lines(stats)))


@_command("remove", "Remove documents by path (a file or folder) or by id.")
def remove_command(
    targets: List[str] = typer.Argument(..., help="Paths or document ids.", metavar="PATH_OR_ID..."),
    index: Optional[Path] = IndexOption,
    as_json: bool = JsonOption,
) -> None:
    """Remove documents by path (a file or folder) or by id."""
    with opened(index) as ix:
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


@_command("serve", "Serve a search page and a JSON API over HTTP (needs persearch[web]).")
def serve_command(
    index: Optional[Path] = IndexOption,
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS",
                             help="Address to listen on; anything but loopback makes the index readable "
                                  "by whoever can reach this machine."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port (0: any free one)."),
) -> None:
    """Serve a search page and a JSON API over HTTP (docs/cli.md); Ctrl-C stops."""
    from .. import web

    web.require()  # a missing extra is one line, before the index is opened
    with opened(index) as ix:
        web.serve(ix, host=host, port=port)


from .cluster import cluster_app  # noqa: E402 - its commands come after the index's own in --help

app.add_typer(cluster_app)


# -- helpers --------------------------------------------------------------
def _engine(nodes: Optional[str]) -> dict[str, str]:
    """The engine options of ``--nodes`` (the library's ``nodes=``), none when not given."""
    return {"nodes": nodes} if nodes else {}


def _check_nodes(ix: Any, nodes: Optional[str], backend: Optional[str], rebuild: bool) -> None:
    """``--nodes`` names the Sphinx nodes of a new sphinx index or of its rebuild, nothing else."""
    if nodes is None:
        return
    target = backend or ix.backend_name
    if target != "sphinx":
        raise InvalidOption(f"--nodes is for the sphinx backend, not {target}")
    recorded = ix.backend_options.get("nodes") if ix.backend_name == "sphinx" else None
    if not rebuild and recorded is not None:
        from ..backends.sphinx.config import parse_nodes

        if [n.address for n in parse_nodes(nodes)] != [n.address for n in parse_nodes(recorded)]:
            raise InvalidOption(f"the index at {ix.root} is on the nodes {recorded}; --nodes chooses the nodes "
                                f"of a new index (add --rebuild to move it to {nodes})")


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


def _show_report(report: Any, as_json: bool) -> None:
    data = output.report_json(report)
    if as_json:
        output.write_json(data)
        return
    for failure in data["failed"]:
        print(f"persearch: skipped {failure['path']}: {failure['error']}", file=sys.stderr)
    for kept in data["kept_as_text"]:
        print(f"persearch: {kept['where']}: {kept['reason']}", file=sys.stderr)
    counts = " · ".join(f"{key} {data[key]}" for key in ("added", "updated", "removed", "unchanged"))
    sys.stdout.write(f"{counts} · failed {len(data['failed'])}\n")


def _exit_if_named_path_failed(report: Any, paths: List[Path]) -> None:
    """Exit 1 if a path named on the command line (or a recorded root) itself
    could not be read: a file, or a folder that is gone; not a file inside one."""
    named = {str(p.absolute().resolve()) for p in paths}
    failed = {str(Path(f["path"]).absolute().resolve()) for f in output.report_json(report)["failed"]}
    if named & failed:
        raise typer.Exit(EXIT_FAILURE)


def _export_format(as_json: bool, out_format: Optional[str]) -> Optional[str]:
    """``--format`` (or ``--json``) as one of output.EXPORT_FORMATS, None for the terminal."""
    chosen = out_format.strip().lower() if out_format else None
    if chosen is not None and chosen not in output.EXPORT_FORMATS:
        raise InvalidOption(f"unknown --format {out_format}: use {', '.join(output.EXPORT_FORMATS)}")
    if as_json and chosen not in (None, "json"):
        raise InvalidOption(f"--json and --format {chosen} ask for two formats: give one")
    return "json" if as_json else chosen


def _show_count(query: str, results: Any, export: Optional[str], *, color: bool) -> None:
    """``--count``: the total on stdout (as JSON with --json or --format json; facets after it when asked for)."""
    if export in ("json", "jsonl"):
        output.write_json(output.count_json(query, results))
        return
    sys.stdout.write(f"{results.total}\n")
    if results.facet_specs:
        output.show_facets(results.facets, color=color)





