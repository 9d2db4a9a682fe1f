"""Optional stages backed by hazm or parsivar (extras ``persearch[hazm]``, ``persearch[parsivar]``).

Imported only when an Analyzer asks for them: the default path never imports
hazm (≈1.3 s, pulls numpy) or parsivar. Each loader returns a plain
``str -> str`` function.
"""
from __future__ import annotations

import functools
from typing import Callable

from ..errors import InvalidOption, MissingExtra

WordFunction = Callable[[str], str]


def _require(package: str, what: str):
    try:
        return __import__(package)
    except ImportError as exc:
        raise MissingExtra(f"the {what} needs the {package} extra: pip install 'persearch[{package}]'") from exc


@functools.lru_cache(maxsize=None)
def normalizer(name: str) -> WordFunction:
    """A per-word normalizer from an extra: ``normalizer("hazm")("علي") == "علی"``."""
    if name == "hazm":
        return _require("hazm", "hazm normalizer").Normalizer().normalize
    if name == "parsivar":
        return _require("parsivar", "parsivar normalizer").Normalizer().normalize
    raise InvalidOption(f"unknown normalizer {name!r}: use 'builtin', 'hazm' or 'parsivar'")


@functools.lru_cache(maxsize=None)
def stemmer(name: str) -> WordFunction:
    """A stemmer from an extra: ``stemmer("hazm")("کتاب‌ها") == "کتاب"``."""
    if name == "hazm":
        return _require("hazm", "hazm stemmer").Stemmer().stem
    if name == "parsivar":
        find = _require("parsivar", "parsivar stemmer").FindStems()
        # parsivar answers "past&present" for verbs; the first form is the stem.
        return lambda word: find.convert_to_stem(word).split("&")[0]
    raise InvalidOption(f"unknown stemmer {name!r}: use 'builtin', 'hazm', 'parsivar' or None")


@functools.lru_cache(maxsize=None)
def lemmatizer() -> WordFunction:
    """hazm's verb lemmatizer: ``lemmatizer()("می‌روم") == "رفت#رو"``."""
    return _require("hazm", "lemmatizer").Lemmatizer().lemmatize
