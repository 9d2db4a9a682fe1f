"""``import persearch`` stays light: no hazm, parsivar, numpy or whoosh; core metadata without them."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("hazm", "parsivar", "numpy", "whoosh", "typer", "rich")


def test_import_persearch_does_not_import_heavy_packages() -> None:
    code = ("import sys, persearch; persearch.analyze('کتاب‌ها'); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_core_dependencies_exclude_optional_stages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    for name in ("hazm", "parsivar", "numpy"):
        assert name not in core
    assert any(dep.lower().startswith("whoosh-reloaded>=2.7.5,<2.8") for dep in project["dependencies"])
    assert set(project["optional-dependencies"]) >= {"hazm", "parsivar", "dev"}


def test_a_plain_search_loads_neither_the_writer_nor_the_suggestions(tmp_path: Path) -> None:
    """What a one-shot ``persearch search`` does not use, it does not import (CLI start-up)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(["کتاب تازه‌ای درباره تاریخ ایران", "تاریخ ادبیات فارسی و کتاب‌های کهن"] * 6):
        (docs / f"{i}.txt").write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-c", "import sys; from persearch import Index; "
                    "Index.create(sys.argv[1]).add_paths([sys.argv[2]])", str(tmp_path / "ix"), str(docs)],
                   check=True, cwd=ROOT)
    lazy = ("persearch.backends.whoosh_writer", "persearch.query.suggest", "persearch.spelling",
            "persearch.query.finglish", "tantivy")
    code = ("import sys; from persearch import Index; ix = Index.open(sys.argv[1]); "
            "assert ix.search(sys.argv[2]).hits; "
            f"print(sorted(m for m in {lazy!r} if m in sys.modules))")
    plain = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ix"), "کتاب"], capture_output=True,
                           text=True, check=True, cwd=ROOT)
    assert plain.stdout.strip() == "[]"
    # A misspelled Persian word needs the suggestions and the stored spelling table, not the Finglish reader.
    typo = subprocess.run([sys.executable, "-c", code.replace("assert ix.search(sys.argv[2]).hits; ",
                                                              "ix.search(sys.argv[2]); "),
                           str(tmp_path / "ix"), "تاریخخ"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert typo.stdout.strip() == "['persearch.query.suggest', 'persearch.spelling']"


def test_whoosh_comes_without_the_modules_it_loads_for_nothing(tmp_path: Path) -> None:
    """Opening and searching a Whoosh index loads neither urllib.request (http, email), asyncio
    (by way of the cached_property package) nor Whoosh's English morphology; each still imports
    for real afterwards, and Whoosh's own uses of them work."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(["کتاب تازه‌ای درباره تاریخ ایران", "تاریخ ادبیات فارسی و کتاب‌های کهن"] * 3):
        (docs / f"{i}.txt").write_text(text, encoding="utf-8")
    skipped = ("urllib.request", "http.client", "email", "asyncio", "cached_property", "whoosh.lang.morph_en")
    code = f"""
import sys
from persearch import Index
ix = Index.create(sys.argv[1]); ix.add_paths([sys.argv[2]]); ix.remove([sys.argv[2] + "/0.txt"])
assert ix.search("تاریخ").total == 5  # a deleted document: Whoosh's segment reader caches their set
print(sorted(m for m in {skipped!r} if m in sys.modules))
import urllib.request, cached_property, whoosh.lang.morph_en, whoosh.query.terms
print(urllib.request.urlretrieve.__module__, cached_property.cached_property.__module__,
      whoosh.query.terms.variations("rendering") == whoosh.lang.morph_en.variations("rendering") > {{"render"}})
"""
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ix"), str(docs)], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "urllib.request cached_property True"]


def test_a_tantivy_search_does_not_load_openssl(tmp_path: Path) -> None:
    """The tantivy backend names its stored-record parts with os.urandom: the secrets module would
    bring hmac and OpenSSL's hashlib into every search's start (~6 ms)."""
    pytest.importorskip("tantivy")
    build = ("import sys; from persearch import Index; ix = Index.create(sys.argv[1], backend='tantivy'); "
             "ix.add_documents([{'id': 'a', 'text': 'کتاب تازه‌ای درباره تاریخ ایران'}])")
    subprocess.run([sys.executable, "-c", build, str(tmp_path / "ix")], check=True, cwd=ROOT)
    search = ("import sys; from persearch import Index; assert Index.open(sys.argv[1]).search('تاریخ').hits; "
              "print(sorted(m for m in ('secrets', 'hmac', '_hashlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", search, str(tmp_path / "ix")], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
