"""The commands that read an index or a text: ``search``, ``get``, ``analyze`` and ``serve``.

Hits go to stdout (highlights in colour on a terminal, ``[[word]]``
otherwise, or JSON, JSONL or CSV); the suggestion, messages, total and time
go to stderr, so ``persearch search … | head`` shows hits only.

    $ persearch search "رئیس جمهوری" --filter 'تاریخ>=۱۴۰۲/۰۵/۰۱' --facet منبع
"""
from __future__ import annotations

import functools
import shutil
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer

from ..errors import InvalidOption, PersearchError
from . import output
from .args import Count, query_words
from .shared import EXIT_FAILURE, IndexOption, JsonOption, command, completer, is_terminal, opened


# Unknown options pass through as query words, so `persearch search -دولت` is a
# NOT query rather than "No such option: -د" (long --words are still refused).
@command("search", "Search the index; ranked hits with highlighted snippets.", ignore_unknown_options=True)
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
                                              autocompletion=completer("title", "body"),
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
        _show_results(results, color=output.color_enabled(sys.stdout, no_color=no_color),
                      bidi=output.bidi_default() if bidi is None else bidi)
    if results.partial:  # part of the index did not answer (a Sphinx node down): said, and exit 1
        if count or export is not None:  # the terminal's hits show it with the message, JSON in "partial"
            print(f"persearch: {results.partial['message']}", file=sys.stderr, flush=True)
        raise typer.Exit(EXIT_FAILURE)


@command("get", "Print a stored document: its title, id, fields and text.")
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


@command("analyze", "Show the tokens of TEXT: terms, offsets and positions.", ignore_unknown_options=True)
def analyze_command(
    ctx: typer.Context,
    words: List[str] = typer.Argument(..., metavar="TEXT...",
                                      help="Persian text to analyze; several arguments are joined with spaces, "
                                           "- reads it from stdin."),
    as_json: bool = JsonOption,
    no_stem: bool = typer.Option(False, "--no-stem", help="Do not stem (same as --stemmer none)."),
    stemmer: str = typer.Option("builtin", "--stemmer", metavar="NAME", help="builtin, hazm, parsivar or none.",
                                autocompletion=completer("builtin", "hazm", "parsivar", "none")),
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
    _show_tokens(text, tokens, color=output.color_enabled(sys.stdout, no_color=no_color),
                 bidi=output.bidi_default() if bidi is None else bidi)



@command("serve", "Serve a search page and a JSON API over HTTP (needs persearch[web]).")
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



# -- helpers --------------------------------------------------------------
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
        _show_facets(results.facets, color=color)


def _show_facets(facets: dict[str, Any], *, color: bool) -> None:
    """Each facet as a small table: value and count (the first ten values, then the rest in one row)."""
    con = output.console(sys.stdout) if color else None
    for name, counts in facets.items():
        rows = output.facet_rows(counts)
        if con is None:
            sys.stdout.write(f"\n{name}\tcount\n" + "".join(f"{value}\t{n}\n" for value, n in rows))
            continue
        from rich.table import Table

        table = Table(name, "count", box=None, header_style="bold")
        for value, n in rows:
            table.add_row(value, n)
        con.print()
        con.print(table)
    sys.stdout.flush()


def _show_results(results: Any, *, color: bool, bidi: bool) -> None:
    """Hits on stdout; the suggestion, message, total and time on stderr."""
    if results.suggestion:
        print(output.suggestion_line(results.query, results.suggestion, getattr(results, "corrected", False),
                                     bidi=bidi), file=sys.stderr)
    if getattr(results, "message", None):
        print(output.show_text(results.message, bidi=bidi), file=sys.stderr)
    sys.stderr.flush()
    columns = shutil.get_terminal_size().columns - 3 if is_terminal(sys.stdout) else None
    con = output.console(sys.stdout) if color else None
    for hit in results.hits:
        (title, title_spans), = output.marked_lines(hit.title or Path(str(hit.path)).name,
                                                    getattr(hit, "title_highlights", ()), bidi=bidi)
        lines = output.marked_lines(hit.snippet or "", hit.highlights, columns=columns, bidi=bidi)
        where = f"{hit.id}  [{hit.score:.2f}]"
        about = output.fields_line(hit.values, hit.field_types) if getattr(hit, "field_types", None) else ""
        about = output.show_text(about, bidi=bidi) if about else ""
        if con is None:
            sys.stdout.write(f"{hit.rank}. {output.plain(title, title_spans)}\n   {where}\n")
            sys.stdout.write(f"   {about}\n" if about else "")
            sys.stdout.write("".join(f"   {output.plain(line, spans)}\n" for line, spans in lines) + "\n")
        else:
            con.print(output.rich_line(title, title_spans, "bold", indent=f"{hit.rank}. "))
            con.print(output.rich_line(where, [], "cyan", indent="   "))
            if about:
                con.print(output.rich_line(about, [], "dim", indent="   "))
            for line, spans in lines:
                con.print(output.rich_line(line, spans, indent="   "))
            con.print()
    if getattr(results, "facet_specs", None):
        _show_facets(results.facets, color=con is not None)
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


__all__ = ["search_command", "get_command", "analyze_command", "serve_command"]
