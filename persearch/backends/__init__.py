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
from typing import TYPE_CHECKING, Any, Mapping

from ..errors import InvalidOption, PersearchError

if TYPE_CHECKING:
    from .base import Backend

#: Engine name -> "module:class" of its :class:`~persearch.backends.base.Backend`.
REGISTRY = {
    "whoosh": "persearch.backends.whoosh_backend:WhooshBackend",
    "tantivy": "persearch.backends.tantivy_backend:TantivyBackend",
    "sphinx": "persearch.backends.sphinx.backend:SphinxBackend",
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


def engine_options(name: str, given: Mapping[str, Any], recorded: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The options backend ``name`` is created with: those ``given`` over those ``recorded`` for it
    (persearch.json's ``backend_options``). A backend lists the options it takes in its class's
    ``takes_options`` (the sphinx backend: ``nodes``); any other is an InvalidOption.

    >>> engine_options("whoosh", {})
    {}
    """
    if given:
        takes = tuple(getattr(backend_class(name), "takes_options", ()))
        unknown = [key for key in given if key not in takes]
        if unknown:
            what = f"it takes {', '.join(takes)}" if takes else "it takes none"
            raise InvalidOption(f"the {name} backend takes no option {unknown[0]} ({what})")
    return {**(recorded or {}), **given}


def discard(name: str | None, folder: Any) -> None:
    """Let an engine drop what it keeps outside a data folder that is going (the sphinx backend:
    its rows on the nodes). Best effort: an engine whose extra is gone or that does not answer
    keeps them (they are invisible to every index)."""
    if name not in REGISTRY:
        return
    try:
        drop = getattr(backend_class(name), "discard", None)
        if drop is not None:
            drop(folder)
    except PersearchError:
        pass


__all__ = ["REGISTRY", "BACKENDS", "DEFAULT_BACKEND", "backend_class", "engine_options", "discard"]
