"""Optional stages backed by hazm or parsivar (extras ``persearch[hazm]``, ``persearch[parsivar]``).

Imported only when an Analyzer asks for them: the default path never imports
hazm (≈1.3 s, pulls numpy) or parsivar. Each loader returns a plain
``str -> str`` function.
"""
from __future__ import annotations

import functools
from typing import Callable

from ..errors import InvalidOption, MissingExtra
from .chars import ZWNJ

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
    raise InvalidOption(f"unknown stemmer {name!r}: use 'hazm' or 'parsivar' (the extras' stemmers)")


#: Verb prefixes and perfect endings the analyzer glues (می + روم → میروم,
#: رفته + اند → رفتهاند) but hazm's lemmatizer only knows with a ZWNJ.
_VERB_PREFIXES = ("نمی", "می")
_PERFECT_ENDINGS = ("اند", "ایم", "اید", "ای", "ام", "است")


def _zwnj_spellings(word: str) -> list[str]:
    """The ZWNJ spellings of a glued verb: ``"میرفتهاند"`` → ``["می\u200cرفته\u200cاند", ...]``."""
    heads = [word]
    for prefix in _VERB_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            heads.insert(0, prefix + ZWNJ + word[len(prefix):])
            break
    spellings = []
    for head in heads:
        for ending in _PERFECT_ENDINGS:
            # Perfect endings follow the participle's final ه: رفته‌اند.
            if head.endswith("ه" + ending):
                spellings.append(head[: -len(ending)] + ZWNJ + ending)
                break
        if head != word:
            spellings.append(head)
    return spellings


@functools.lru_cache(maxsize=None)
def lemmatizer() -> WordFunction:
    """hazm's verb lemmatizer on glued terms: ``lemmatizer()("میروم") == "رفت"``.

    Only verbs are lemmatized: hazm answers ``past#present`` for a verb
    (رفت#رو) and the past stem becomes the term, so می‌روم, رفتم, رفته‌اند and
    برود all give رفت, and می‌گوییم (گفت#گوی) meets گفتند (گفت#گو). Any other
    answer is ignored (hazm turns خانه‌ام into خان), leaving nouns to the stemmer.
    The analyzer removes ZWNJ before its stages run, but hazm recognises
    می‌روم and رفته‌اند only with their ZWNJ, so ZWNJ is put back after a verb
    prefix and before a perfect ending first.
    """
    lemmatize = _require("hazm", "lemmatizer").Lemmatizer().lemmatize

    @functools.lru_cache(maxsize=100_000)
    def lemma(word: str) -> str:
        for spelling in (*_zwnj_spellings(word), word):
            past, hash_, present = lemmatize(spelling).partition("#")
            if hash_:
                return past or present
        return word

    return lemma
