"""Opening a database: where it lives, how each connection is set up, and bringing its schema up to date.

A `Database` owns the engine and hands out sessions. Sessions belong to one user action and one
thread; the caller opens them (`with database.session() as s`) and the data functions only use them.
"""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

# What data functions run statements on: an ORM session or, for hot single edits, a Core connection.
Executor = Session | Connection

APP_NAME = "zhubi"
DB_ENV = "ZHUBI_DB"
BUSY_TIMEOUT_MS = 10_000


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_location() -> str:
    return str(data_dir() / "zhubi.db")


def resolve_url(location: str | None = None) -> URL:
    """`--db` value, else $ZHUBI_DB, else the default file; a path or a SQLAlchemy URL."""
    location = location or os.environ.get(DB_ENV) or default_location()
    if "://" in location:
        return _with_driver(make_url(location))
    path = Path(location).expanduser().resolve()
    return URL.create("sqlite", database=str(path))


def _with_driver(url: URL) -> URL:
    """`postgresql://` (or `postgres://`) without a driver means psycopg2 to SQLAlchemy; Zhubi ships and is
    tested with psycopg 3, so such a URL uses it whenever it is installed. A driver named in the URL is kept."""
    if url.drivername in ("postgresql", "postgres") and importlib.util.find_spec("psycopg") is not None:
        return url.set(drivername="postgresql+psycopg")
    return url


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _is_uri(url: URL) -> bool:
    """sqlite:///file:PATH?mode=ro&uri=true: SQLite reads the path out of a URI itself (not a folder to make)."""
    return url.query.get("uri") in ("true", "1") or url.database.startswith("file:")


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not _is_uri(url):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # a new database's folder
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=_server_options(url))


def _server_options(url: URL) -> dict:
    """PostgreSQL: a statement waiting for another session's lock gives up after BUSY_TIMEOUT_MS, as SQLite's
    busy timeout does, instead of leaving the window waiting forever; `options` given in the URL are kept."""
    if url.get_backend_name() != "postgresql":
        return {}
    options = " ".join(filter(None, (url.query.get("options"), f"-c lock_timeout={BUSY_TIMEOUT_MS}")))
    return {"options": options}


# Imports take this PostgreSQL advisory lock (serialize_imports); a number no other program is likely to use.
IMPORT_LOCK = 0x7A687562  # "zhub"


def take_turns(executor: Executor, lock: int) -> None:
    """PostgreSQL: wait for the advisory lock `lock` and hold it until the transaction ends (waiting is bounded
    by the lock timeout). SQLite needs nothing: its single writer already makes writers take turns."""
    connection = executor.connection() if isinstance(executor, Session) else executor
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(lock)})")


def serialize_imports(executor: Executor) -> None:
    """Make imports take turns; call first in an import's write transaction (the lock ends with it).

    An import looks up which documents, labels and annotators exist and creates the others. SQLite's single
    write lock keeps two imports apart; on PostgreSQL, where writers do not block each other, two imports of
    the same texts would both create them and one would fail. This lock keeps them apart there; edits do not
    take it, so labelling never waits for an import."""
    take_turns(executor, IMPORT_LOCK)


def dialect_name(executor: Executor) -> str:
    return (executor.get_bind() if isinstance(executor, Session) else executor).dialect.name


def conflict_insert(executor: Executor | str, table):
    """An INSERT into `table` that can say what a unique conflict does (`.on_conflict_do_nothing()`,
    `.on_conflict_do_update(...)`), for the database of `executor` (or a dialect name). Get-or-create and
    replace written this way are one statement, so two programs doing it at once on PostgreSQL do not collide
    (SQLite's single writer never let them)."""
    name = executor if isinstance(executor, str) else dialect_name(executor)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise NotImplementedError(f"Zhubi does not support {name} databases (SQLite and PostgreSQL only)")
    return insert(table)


def is_busy(error: BaseException) -> bool:
    """Whether a database error means another program held a lock for longer than we waited (SQLite: "database
    is locked"; PostgreSQL: lock timeout), rather than a bug or a broken database."""
    orig = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(orig) or "database table is locked" in str(orig)


class Database:
    """An open, migrated database. Thread-safe to share; its sessions are not."""

    def __init__(self, url: URL, engine: Engine):
        self.url = url
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def display_name(self) -> str:
        if self.is_sqlite and self.url.database:
            return Path(self.url.database).name
        return self.url.render_as_string(hide_password=True)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One committed unit of work: when the block exits without error, it is on disk."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def edit(self) -> Iterator[Connection]:
        """A Core connection in one committed transaction: the cheap path for a single edit (~0.2 ms
        against ~1 ms through an ORM session). Data functions accept either."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()


def open_database(location: str | None = None, *, upgrade: bool = True) -> Database:
    """Open (creating if needed) and migrate to the current schema; older files are backed up first."""
    from db import migrate  # local: alembic is only needed when opening

    url = resolve_url(location)
    engine = make_engine(url)
    if upgrade:
        migrate.upgrade(engine, backup=lambda: backup_file(url))
    database = Database(url, engine)
    from db.seed import ensure_default_labels

    with database.transaction() as session:
        ensure_default_labels(session)
    return database


def backup_file(url: URL) -> Path | None:
    """Copy an SQLite file beside itself before a schema upgrade; returns the copy's path."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    source = Path(url.database)
    if not source.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.name}.backup-{stamp}")
    # sqlite3's backup API copies a consistent snapshot even with a WAL file beside the database.
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


