"""persearch over HTTP: a JSON API and a right-to-left search page (``persearch[web]``).

``persearch serve --index DIR`` runs it; a program can serve an index itself
with any ASGI server:

    >>> import uvicorn, persearch                                     # doctest: +SKIP
    >>> from persearch.web import app
    >>> uvicorn.run(app(persearch.Index.open("نمایه")), host="127.0.0.1", port=8000)

Starlette and uvicorn come with the ``web`` extra; without it, :func:`app`
and :func:`serve` raise :class:`~persearch.errors.MissingExtra` naming it.
Nothing here is imported by ``import persearch`` or by the other commands.
"""
from __future__ import annotations

import importlib
from typing import Any

from ..errors import MissingExtra

#: The packages of the web extra: a missing one is reported as the extra.
EXTRA_PACKAGES = ("starlette", "uvicorn", "anyio")


def _load(module: str) -> Any:
    """``persearch.web.<module>``, or MissingExtra naming the extra when a package of it is not installed."""
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in EXTRA_PACKAGES:
            raise MissingExtra("persearch serve needs the web extra (starlette, uvicorn): "
                               "pip install 'persearch[web]'") from None
        raise


def require() -> None:
    """Raise MissingExtra now if the web extra is missing (before an index is opened for nothing)."""
    _load("server")


def app(index: Any, **options: Any) -> Any:
    """The ASGI application serving ``index`` (see :func:`persearch.web.application.app`)."""
    return _load("application").app(index, **options)


def serve(index: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    """Serve ``index`` until Ctrl-C or SIGTERM (see :func:`persearch.web.server.serve`)."""
    _load("server").serve(index, host=host, port=port, **options)


__all__ = ["app", "serve", "require"]
