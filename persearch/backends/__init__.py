"""Search engines behind persearch's small Backend interface (see base.py).

:data:`REGISTRY` is the one list of engines: adding a backend is one entry
here (its name, as recorded in persearch.json, and where its class lives)
plus its module. Classes load on first use, so ``import persearch.backends``
costs nothing and an engine whose extra is not installed fails only when
chosen, with :class:`~persearch.errors.MissingExtra`.

    >>> backend_class("whoosh").name
    'whoosh'
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import InvalidOption

if TYPE_CHECKING:
    from .base import Backend

#: Engine name -> "module:class" of its :class:`~persearch.backends.base.Backend`.
REGISTRY = {
    "whoosh": "persearch.backends.whoosh_backend:WhooshBackend",
    "tantivy": "persearch.backends.tantivy_backend:TantivyBackend",
}
#: The engines' names, the default first.
BACKENDS = tuple(REGISTRY)
DEFAULT_BACKEND = "whoosh"


def backend_class(name: str) -> type[Backend]:
    """The backend class recorded as ``name`` (its module is imported now).

    Raises InvalidOption for an unknown name, MissingExtra when the engine's
    extra is not installed.
    """
    where = REGISTRY.get(name)
    if where is None:
        raise InvalidOption(f"unknown backend {name!r}: use {', '.join(BACKENDS)}")
    module, _, cls = where.partition(":")
    found: type[Backend] = getattr(importlib.import_module(module), cls)
    return found


__all__ = ["REGISTRY", "BACKENDS", "DEFAULT_BACKEND", "backend_class"]
