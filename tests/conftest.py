"""Shared fixtures: a fresh database per test, the seed corpus when present, headless Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Keep user data, cache and settings of every test out of the real home directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("ZHUBI_DB", raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def database(db_path):
    from db.engine import open_database

    db = open_database(str(db_path))
    yield db
    db.close()


@pytest.fixture
def seeds() -> Path:
    """The real documents beside the project; CI has them, a user's clone does not."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed corpus not found at {SEEDS} (it sits beside the project in CI only)")
    return SEEDS
