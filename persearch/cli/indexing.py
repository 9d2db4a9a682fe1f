"""The commands that build and look after an index: ``index``, ``update``,
``remove``, ``stats`` and ``doctor``.

A write shows a progress bar on a terminal (bytes, documents, files, ETA),
ends with one summary line (files, then documents) and a line per file it
skipped, paths as the user typed them. Ctrl-C or SIGTERM commits what is
complete and says how far it got (exit 130).

    $ persearch index اخبار --max-size 100M
    files: added 12 · updated 0 · removed 0 · unchanged 0 · failed 0; documents: added 4108 · ...
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import typer

from ..errors import IndexDamaged, IndexNotFound, InvalidOption
from . import output
from .args import Count, index_location
from .shared import (EXIT_FAILURE, EXIT_INTERRUPTED, IndexOption, JsonOption, command, engine_options, is_terminal,
                     opened, shown_path, size_option)

MEMORY_HELP = "Memory the engine may buffer per process before writing out [default: 96M Whoosh, 128M tantivy]."


@command("index", "Create or update the index from files and folders.")
def index_command(
    ctx: typer.Context,
    paths: Optional[List[Path]] = typer.Argument(None, exists=True, readable=False, metavar="PATH...",
                                                 help="Files and folders to index (none: with --rebuild, "
                                                      "the recorded ones)."),
    index: Optional[Path] = IndexOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="Build a fresh index from the recorded folders "
                                 "and files (and PATH...) and swap it in; also the way out of a damaged index."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", parser=Count("--workers"), metavar="N",
                                          help="Analysis processes [default: auto]."),
    text_field: Optional[str] = typer.Option(None, "--text-field", metavar="F",
                                             help="JSON/JSONL/CSV field with the text [default: text]."),
    title_field: Optional[str] = typer.Option(None, "--title-field", metavar="F",
                                              help="JSON/JSONL/CSV field with the title [default: title]."),
    id_field: Optional[str] = typer.Option(None, "--id-field", metavar="F",
                                           help="JSON/JSONL/CSV field with the record id [default: id]."),
    max_size: Optional[str] = typer.Option(None, "--max-size", metavar="SIZE", callback=size_option,
                                           help="Skip files larger than SIZE (100M, 1.5G, 512K) [default: 64M]."),
    memory: Optional[str] = typer.Option(None, "--memory", metavar="SIZE", callback=size_option,
                                         help=MEMORY_HELP),
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
    options = dict(text_field=text_field, title_field=title_field, id_field=id_field, max_size=max_size,
                   fields=declare or None, document_dates=document_dates)
    if declare:
        from ..values.fields import parse_field_declarations

        parse_field_declarations(declare)  # a malformed one fails before the index is touched
    with _progress(enabled=is_terminal(sys.stderr)) as progress, _stop_on_sigterm():
        try:
            with opened(index, create=True, fresh=rebuild, backend=backend, nodes=nodes) as ix:
                ix.writer_memory = memory
                if backend is not None and backend != ix.backend_name and not rebuild:
                    raise InvalidOption(f"the index at {ix.root} uses the {ix.backend_name} backend; --backend "
                                        f"chooses the engine of a new index (add --rebuild to move it to {backend})")
                _check_nodes(ix, nodes, backend, rebuild)
                if rebuild:
                    report = ix.rebuild(paths, workers=workers, progress=progress, backend=backend, **options,
                                        **engine_options(nodes))
                else:
                    report = ix.add_paths(paths, workers=workers, progress=progress, **options)
                if optimize:
                    ix.optimize()
        except KeyboardInterrupt as interrupt:
            _interrupted(interrupt, "run the same command again to finish")
    _show_report(report, as_json, {str(p.absolute().resolve()): str(p) for p in paths})
    _exit_if_named_path_failed(report, paths)


@command("update", "Re-scan the folders and files recorded in the index.")
def update_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption,
                   memory: Optional[str] = typer.Option(None, "--memory", metavar="SIZE", callback=size_option,
                                                        help=MEMORY_HELP)) -> None:
    """Re-scan the folders and files recorded in the index."""
    with _progress(enabled=is_terminal(sys.stderr)) as progress, _stop_on_sigterm():
        try:
            with opened(index) as ix:
                ix.writer_memory = memory
                report = ix.update(progress=progress)
                roots = [Path(root) for root in ix.roots]
        except KeyboardInterrupt as interrupt:
            _interrupted(interrupt, "run persearch update again to finish")
    _show_report(report, as_json, {})
    _exit_if_named_path_failed(report, roots)  # a recorded root that is gone (its documents are kept)


@command("remove", "Remove documents by path (a file or folder) or by id.")
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


@command("stats", "Show what the index holds.")
def stats_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Show what the index holds."""
    with opened(index) as ix:
        stats = ix.stats()
    if as_json:
        output.write_json(output.stats_json(stats))
        return
    sys.stdout.write("".join(f"{key}\t{value}\n" for key, value in output.stats_lines(stats)))


@command("doctor", "Check the index without changing it: its files, segments, documents and manifest.")
def doctor_command(index: Optional[Path] = IndexOption, as_json: bool = JsonOption) -> None:
    """Check the index without changing it: its files, segments, documents and manifest."""
    from ..index import Index

    location = index_location(index)
    flag = "" if index is None else f" --index {index}"
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
            root = shown_path(roots[0]) if roots else "PATH"
            sys.stdout.write(f"rebuild it from its files: persearch index {root}{flag} --rebuild\n")
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)


def _unopened(error: IndexDamaged) -> Any:
    """The check of an index whose engine does not even open: that one problem."""
    from ..index.integrity import CheckReport

    return CheckReport(problems=[error.detail])


# -- helpers --------------------------------------------------------------
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


def _check_readable(paths: List[Path]) -> None:
    """A PATH named on the command line that cannot be read is an error, not a skipped file."""
    for path in paths:
        if not os.access(path, os.R_OK) or (path.is_dir() and not os.access(path, os.X_OK)):
            raise PermissionError(13, "cannot read this path (permission denied)", str(path))


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Optional[Callable[..., None]]]:
    """A rich progress bar on stderr (bytes, documents, files, ETA), or nothing when not a terminal."""
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
    """The report: JSON, or a line per failure and per value kept as text on stderr (paths as typed),
    and the summary line."""
    data = output.report_json(report)
    if as_json:
        output.write_json(data)
        return
    for failure in data["failed"]:
        print(f"persearch: skipped {output.as_typed(failure['path'], named)}: {failure['error']}", file=sys.stderr)
    for kept in data["kept_as_text"]:
        print(f"persearch: {output.as_typed(kept['where'], named)}: {kept['reason']}", file=sys.stderr)
    sys.stdout.write(output.summary_line(data) + "\n")


def _exit_if_named_path_failed(report: Any, paths: List[Path]) -> None:
    """Exit 1 if a path named on the command line (or a recorded root) itself
    could not be read: a file, or a folder that is gone; not a file inside one."""
    named = {str(p.absolute().resolve()) for p in paths}
    failed = {str(Path(f["path"]).absolute().resolve()) for f in output.report_json(report)["failed"]}
    if named & failed:
        raise typer.Exit(EXIT_FAILURE)


__all__ = ["index_command", "update_command", "remove_command", "stats_command", "doctor_command"]
