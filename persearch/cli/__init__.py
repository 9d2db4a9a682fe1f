"""The ``persearch`` command line (typer + rich), a thin layer over the library.

``main`` is the console script. Nothing heavy is imported here: typer loads
when a command runs, whoosh when a command opens an index, rich only when
something is drawn in colour, so ``persearch --version`` answers at once.

    $ persearch search "کتاب" --json
"""
from __future__ import annotations

import sys
from typing import Optional, Sequence

__all__ = ["main"]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run the command line: ``main(["analyze", "کتاب‌ها"])``; exits with its code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):  # the fast path: no typer, no index
        from .. import __version__

        print(f"persearch {__version__}")
        sys.exit(0)
    from .app import app
    from typer.main import get_command

    get_command(app).main(args, prog_name="persearch")
