"""Whoosh imported without three modules it loads for code persearch never runs.

Importing this module imports Whoosh's core (``whoosh.reading``, ``whoosh.query``);
every persearch module that uses Whoosh imports it first. Whoosh-Reloaded 2.7
loads, when it is imported:

- ``urllib.request`` (and with it ``http.client`` and ``email``: ~25 ms), in
  ``whoosh.compat``, for ``urlretrieve``, which nothing in Whoosh calls;
- the ``cached_property`` package, which imports ``asyncio`` (~15 ms) for an
  async variant; Whoosh uses its plain decorator once, on a segment reader's
  deleted documents, where ``functools.cached_property`` does the same;
- ``whoosh.lang.morph_en`` (~6 ms of English suffix tables), in
  ``whoosh.query.terms``, for the ``Variations`` query, which persearch never builds.

That is about a third of opening a Whoosh index in a fresh process (a
``persearch search`` run). While Whoosh is first imported, those three
names resolve to stand-ins; then the stand-ins leave ``sys.modules``, so
any later import of them, by anyone, gets the real module, and the
stand-in functions import theirs when called.

    >>> import persearch.whoosh_import, whoosh.query  # doctest: +SKIP
    >>> "asyncio" in sys.modules  # doctest: +SKIP
    False
"""
from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any, Callable


def _deferred(module: str, name: str) -> Callable[..., Any]:
    """A function that imports ``module`` and calls its ``name`` (the real one, loaded when needed)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call


def _stand_in(name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name, "persearch's stand-in while Whoosh is imported (persearch.whoosh_import)")
    module.__dict__.update(attributes)
    return module


def _import_whoosh() -> None:
    if "whoosh.reading" in sys.modules:  # imported already (by persearch or by the program)
        return
    stand_ins = {
        "urllib.request": _stand_in("urllib.request", urlretrieve=_deferred("urllib.request", "urlretrieve")),
        "cached_property": _stand_in("cached_property", cached_property=functools.cached_property),
        "whoosh.lang.morph_en": _stand_in("whoosh.lang.morph_en",
                                          variations=_deferred("whoosh.lang.morph_en", "variations")),
    }
    stand_ins = {name: module for name, module in stand_ins.items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("whoosh.reading")  # whoosh.compat with it
        importlib.import_module("whoosh.query")
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


_import_whoosh()
