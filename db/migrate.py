"""Schema upgrades with Alembic, run when a database is opened.

The current head is a constant so that opening an up-to-date database costs one query and never
imports Alembic; a test keeps it equal to the migration scripts' head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy import Connection, Engine, inspect, text

from db.engine import take_turns

HEAD = "0005"
MIGRATION_LOCK = 0x7A68756D  # PostgreSQL advisory lock held while the schema is upgraded ("zhum")
SCRIPTS = Path(__file__).with_name("migrations")


class SchemaError(RuntimeError):
    """The database cannot be used by this version of Zhubi."""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


def upgrade(engine: Engine, *, backup: Callable[[], Path | None]) -> Path | None:
    """Bring the schema to HEAD. An existing database is copied first; returns the copy's path."""
    revision = current_revision(engine)
    if revision == HEAD:
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if revision is not None and revision not in known:
        raise SchemaError(f"{engine.url.database or engine.url}: schema version {revision} was written by a newer Zhubi")
    with engine.connect() as connection:
        has_tables = bool(inspect(connection).get_table_names())
    if revision is None and has_tables:
        raise SchemaError(f"{engine.url.database or engine.url}: not a Zhubi database (it has tables but no schema version)")
    saved = backup() if revision is not None else None
    with engine.begin() as connection:
        # Several windows may open a new (or older) team database at once: one upgrades, the others wait for it
        # and find the schema current.
        take_turns(connection, MIGRATION_LOCK)
        if _revision(connection) == HEAD:
            return saved
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return saved
