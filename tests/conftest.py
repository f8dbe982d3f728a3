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


# A PostgreSQL server the database tests run against as well, e.g.
# postgresql://zhubi:secret@localhost/zhubi_test (a role that may create databases; see README).
POSTGRES_ENV = "ZHUBI_TEST_POSTGRES_URL"


def pytest_generate_tests(metafunc):
    """Every test that uses the test database (`database`, `db_path`) runs on SQLite and on PostgreSQL, each on a
    fresh database; the PostgreSQL run is skipped without a server. The window's tests (test_ui_*) and tests
    marked sqlite_only run on SQLite alone."""
    if "db_path" not in metafunc.fixturenames or metafunc.module.__name__.startswith("test_ui_") \
            or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def backend() -> str:
    return "sqlite"


# How a Chinese team's server sorts text (pinyin, Han before Latin), where the server has ICU (PostgreSQL 15+):
# nothing Zhubi writes may depend on the database's collation.
POSTGRES_COLLATION = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans-CN' LOCALE 'C.UTF-8'"


@pytest.fixture(scope="session")
def postgres_template():
    """A database migrated to the current schema, copied for each test (~60 ms instead of ~500 ms of
    migrations). Yields (connection to the server, its URL, template name)."""
    location = os.environ.get(POSTGRES_ENV)
    if not location:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to run this test on")
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from db.engine import open_database, resolve_url

    url = resolve_url(location)
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    template = f"zhubi_test_{os.getpid()}"
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {template}"))
        try:
            connection.execute(text(f"CREATE DATABASE {template} {POSTGRES_COLLATION}"))
        except DBAPIError:  # no ICU, or an older server: its default collation
            connection.execute(text(f"CREATE DATABASE {template}"))
    open_database(url.set(database=template).render_as_string(hide_password=False)).close()
    yield server, url, template
    _drop_database(server, template)
    server.dispose()


_postgres_databases = iter(range(1, 10**9))


@pytest.fixture
def postgres_location(postgres_template) -> str:
    """The URL of a fresh PostgreSQL database with the current schema and the default labels, dropped after."""
    from sqlalchemy import text

    server, url, template = postgres_template
    name = f"{template}_{next(_postgres_databases)}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield url.set(database=name).render_as_string(hide_password=False)
    _drop_database(server, name)


def _drop_database(server, name: str) -> None:
    """Drop it, ending connections a test left open. The server's own autovacuum may be visiting a new
    database for a moment, and only a superuser may end that: then try again shortly."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(50):
        try:
            with server.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            return
        except ProgrammingError:
            if attempt == 49:
                raise
            time.sleep(0.1)


@pytest.fixture
def db_path(backend, tmp_path, request) -> Path | str:
    """Where the test database is: an SQLite file, or the URL of a PostgreSQL database (backend postgresql).
    Tests hand it to the CLI as `--db str(db_path)`."""
    if backend == "postgresql":
        return request.getfixturevalue("postgres_location")
    return tmp_path / "test.db"


@pytest.fixture
def database(db_path):
    from db.engine import open_database

    db = open_database(str(db_path))
    yield db
    db.close()


@pytest.fixture
def stored(database):
    """The usual set-up of a domain test, as a function: `ids = stored(annotators=["amy"], documents={"a":
    "两个维护…"})` stores each text as a document named after its key and returns one dict of ids: the default
    labels by name (SLOGAN, TASK, INSTITUTION), the annotators by name and the documents by key."""
    from corpus.documents import store_text
    from db import annotators as annotator_rows
    from db import labels

    def store(*, annotators: tuple[str, ...] | list[str] = (), documents: dict[str, str] | None = None) -> dict:
        with database.transaction() as session:
            ids = {label.name: label.id for label in labels.all_labels(session)}
            ids.update((name, annotator_rows.annotator_id(session, name)) for name in annotators)
            for key, text in (documents or {}).items():
                ids[key] = store_text(session, name=key, text=text)[0]
        return ids

    return store


@pytest.fixture
def main_window(qtbot, tmp_path, db_path):
    """The window as a user opens it, as a function: `window = main_window("amy")` shows it on the test database
    (or on `location`) and returns once the database is open; background work is cancelled after the test."""
    from ui.mainwindow import MainWindow
    from ui.settings import Settings
    from ui.tasks import Task

    def make(annotator: str = "tester", location: str | Path | None = None):
        window = MainWindow(Settings(tmp_path / "zhubi.ini"), annotator)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.ready, timeout=20_000):
            window.open_database(str(location or db_path))
        window.activateWindow()
        return window

    yield make
    Task.cancel_all_and_wait()


@pytest.fixture
def seeds() -> Path:
    """The real documents beside the project; CI has them, a user's clone does not."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed corpus not found at {SEEDS} (it sits beside the project in CI only)")
    return SEEDS
