"""Shared fixtures: the seed documents and the shared data folder.

The shared data (real Persian corpora that may not be redistributed) lives
outside the repository. :func:`shared_data_file` finds it through
``$PERSEARCH_SHARED_DATA``, else ``../shared/data`` beside the checkout, and
skips the test, saying why, when it is not there: a clone elsewhere still
runs every other test.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def shared_data_dir() -> Path:
    """Where the shared data is looked for: ``$PERSEARCH_SHARED_DATA``, else ``../shared/data``."""
    configured = os.environ.get("PERSEARCH_SHARED_DATA")
    return Path(configured) if configured else ROOT.parent / "shared" / "data"


def shared_data_file(name: str) -> Path:
    """A file of the shared data (``news.jsonl.gz``), or a skip naming where it was looked for."""
    path = shared_data_dir() / name
    if not path.is_file():
        pytest.skip(f"shared data file {name} not found in {path.parent} (set PERSEARCH_SHARED_DATA to its folder)")
    return path


@pytest.fixture
def news_corpus() -> Path:
    """The news corpus (4,108 JSONL records, gzipped) from the shared data."""
    return shared_data_file("news.jsonl.gz")


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
