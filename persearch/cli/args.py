"""How the command line reads what it is given: query words, stdin, counts, the index folder.

* Query words: several arguments are one query; ``--`` ends the options (so
  ``persearch search -- --نسخه`` searches ``--نسخه``); a ``-`` reads the
  query from stdin; an unknown ``--option`` or a ripgrep habit such as ``-l``
  is a usage error, not a query word.
* Counts (``--limit N``) take Latin or Persian digits and say in words what
  they accept.
* The index: ``--index DIR``, else ``$PERSEARCH_INDEX``, else the nearest
  ``.persearch`` in the current folder or a folder above it, as git finds
  its repository.

    $ echo "رئیس جمهوری" | persearch search -
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer
from typer.core import TyperCommand

from ..errors import IndexNotFound, InvalidOption

DEFAULT_INDEX = ".persearch"
#: Where ``--`` ended the options: how many of the command's last arguments came after it.
LITERAL_TAIL = "persearch.literal_tail"
#: A short option persearch does not have (ripgrep's -l, -w, -C2 ...): refused, not read as "NOT l".
_SHORT_OPTION = re.compile(r"-[A-Za-z][0-9]*")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class PersearchCommand(TyperCommand):
    """A command whose usage line reads ``QUERY...``, and which remembers where ``--`` ended the options."""

    def parse_args(self, ctx: Any, args: List[str]) -> List[str]:
        if "--" in args:
            ctx.meta[LITERAL_TAIL] = len(args) - args.index("--") - 1
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> List[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def query_words(ctx: Any, words: List[str], *, options_in_words: bool) -> str:
    """The command's words as one text: joined with spaces, ``-`` read from stdin.

    Words after ``--`` are taken as they are. Before it, a ``--word`` is an
    unknown option; with ``options_in_words`` (search, where ``-word``
    excludes a word) so is a short option such as ``-l``.
    """
    literal = ctx.meta.get(LITERAL_TAIL, 0)
    free = words[: len(words) - literal]
    for word in free:
        if word.startswith("--") and len(word) > 2:
            ctx.fail(f"No such option: {word.split('=', 1)[0]}")
        if options_in_words and _SHORT_OPTION.fullmatch(word):
            ctx.fail(f"No such option: {word} (to search for it, put it after --: "
                     f"{ctx.command_path} -- {word})")
    if "-" in free:
        stdin = _read_stdin(ctx)
        free = [stdin if word == "-" else word for word in free]
    return " ".join([*free, *words[len(free):]]).strip()


def _read_stdin(ctx: Any) -> str:
    stream = sys.stdin
    if stream is None or (hasattr(stream, "isatty") and stream.isatty()):
        ctx.fail("- reads the query from stdin, but stdin is a terminal: pipe the text in "
                 f"(echo … | {ctx.command_path} -)")
    return " ".join(stream.read().split())


class BadValue(typer.BadParameter):
    """An option value that is not what the option takes; its message is the whole line."""


class Count:
    """The parser of an option taking a whole number in a range, in Latin or Persian digits:
    ``Count("--limit", 1, 10_000)("۲۰") == 20``."""

    def __init__(self, option: str, low: int = 1, high: Optional[int] = None) -> None:
        self.option, self.low, self.high = option, low, high

    def __call__(self, value: Any) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip().translate(_DIGITS)
            number = int(text) if text.isascii() and text.isdigit() else -1
        if number < self.low or (self.high is not None and number > self.high):
            allowed = f"from {self.low} to {self.high}" if self.high is not None else f"of {self.low} or more"
            raise BadValue(f"{self.option} takes a whole number {allowed}, not {value}")
        return number


def index_location(option: Optional[Path], *, creating: bool = False) -> Path:
    """``--index DIR``, else ``$PERSEARCH_INDEX``, else the nearest ``.persearch`` here or above.

    Without one, ``creating`` (the index command) gets ``./.persearch``;
    anything else gets :class:`IndexNotFound` saying where it looked.
    """
    if option is not None:
        return _not_inside_an_index(option)
    named = os.environ.get("PERSEARCH_INDEX")
    if named:
        return _not_inside_an_index(Path(named))
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_INDEX).is_dir():
            return folder / DEFAULT_INDEX if folder != here else Path(DEFAULT_INDEX)
    if creating:
        return Path(DEFAULT_INDEX)
    where = f"{here} or any folder above it" if here.parent != here else str(here)
    raise IndexNotFound(f"no index found: looked for {DEFAULT_INDEX} in {where}; run: persearch index PATH "
                        f"(or give --index DIR, or set PERSEARCH_INDEX)")


def _not_inside_an_index(location: Path) -> Path:
    """``location``, unless it is no index but lies inside one (its data folder, where the engine's
    files are): that index is the one meant, and a second index must not be made among its files."""
    from ..index.layout import FORMAT_TAG, META_FILE

    if (location / META_FILE).exists():
        return location
    for folder in location.absolute().parents:
        try:
            with open(folder / META_FILE, encoding="utf-8") as fh:
                tag = json.load(fh).get("format")
        except (OSError, ValueError, AttributeError):
            continue
        if tag == FORMAT_TAG:
            shown = folder if location.is_absolute() else Path(os.path.relpath(folder))
            raise InvalidOption(f"{location} is inside the index at {shown}: give --index {shown}")
    return location


__all__ = ["PersearchCommand", "query_words", "Count", "BadValue", "index_location", "DEFAULT_INDEX"]
