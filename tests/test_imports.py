"""``import persearch`` stays light: no hazm, parsivar, numpy or whoosh; core metadata without them."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

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
