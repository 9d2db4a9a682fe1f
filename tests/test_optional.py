"""Optional stages: a one-line MissingExtra without the extra, real behaviour with it (optional.py)."""
from __future__ import annotations

import importlib.util

import pytest

from persearch import Analyzer, MissingExtra
from persearch.analysis.optional import _zwnj_spellings

HAS_HAZM = importlib.util.find_spec("hazm") is not None
HAS_PARSIVAR = importlib.util.find_spec("parsivar") is not None
ZWNJ = "\u200c"


@pytest.mark.skipif(HAS_HAZM, reason="hazm is installed here; the error needs an environment without it")
@pytest.mark.parametrize("options", [{"stemmer": "hazm"}, {"normalizer": "hazm"}, {"lemmatize": True}])
def test_missing_hazm_is_one_line_naming_the_extra(options: dict) -> None:
    with pytest.raises(MissingExtra) as info:
        Analyzer(**options)
    message = str(info.value)
    assert "\n" not in message
    assert "persearch[hazm]" in message


@pytest.mark.skipif(HAS_PARSIVAR, reason="parsivar is installed here; the error needs an environment without it")
@pytest.mark.parametrize("options", [{"stemmer": "parsivar"}, {"normalizer": "parsivar"}])
def test_missing_parsivar_is_one_line_naming_the_extra(options: dict) -> None:
    with pytest.raises(MissingExtra) as info:
        Analyzer(**options)
    assert "\n" not in str(info.value)
    assert "persearch[parsivar]" in str(info.value)


def test_zwnj_spellings_of_glued_verbs() -> None:
    assert _zwnj_spellings("میروم") == [f"می{ZWNJ}روم"]
    assert _zwnj_spellings("رفتهاند") == [f"رفته{ZWNJ}اند"]
    assert _zwnj_spellings("نمیرفتهاند") == [f"نمی{ZWNJ}رفته{ZWNJ}اند", f"نمی{ZWNJ}رفتهاند", f"نمیرفته{ZWNJ}اند"]
    assert _zwnj_spellings("کتاب") == []


def test_hazm_lemmatizer_makes_conjugations_meet() -> None:
    pytest.importorskip("hazm")
    analyzer = Analyzer(lemmatize=True)
    for form in ("می‌روم", "میروم", "می روم", "رفتم", "رفته‌اند", "رفته اند", "رفتهاند", "برود", "نمی‌روم"):
        assert analyzer.terms(form) == ["رفت"], form
    # Nouns are left to the stemmer: hazm's own answer for خانه‌ام is خان.
    assert analyzer.terms("خانه‌ام") == ["خانه"]
    assert analyzer.terms("میز میدان") == ["میز", "میدان"]


def test_hazm_stemmer_and_normalizer() -> None:
    pytest.importorskip("hazm")
    assert Analyzer(stemmer="hazm").terms("کتاب‌ها") == ["کتاب"]
    assert Analyzer(normalizer="hazm").terms("علي") == ["علی"]


def test_parsivar_stemmer() -> None:
    pytest.importorskip("parsivar")
    assert Analyzer(stemmer="parsivar").terms("کتاب‌ها") == ["کتاب"]
