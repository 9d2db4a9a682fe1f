"""Shared fixtures: the seed documents and the shared data folder."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds_dir() -> Path:
    """The repository's seed documents (real Persian news pages)."""
    return SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """Seed file name → its text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn; tantivy only when its extra is installed (CI installs it)."""
    if request.param == "tantivy":
        pytest.importorskip("tantivy", reason="the tantivy extra is not installed")
    return request.param
