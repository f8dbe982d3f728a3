"""Per-database project settings as text key/value pairs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import conflict_insert
from db.models import Setting


def get(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def put(session: Session, key: str, value: str) -> None:
    """Set or replace, in one statement (two programs setting a new key at once do not collide)."""
    statement = conflict_insert(session, Setting).values(key=key, value=value)
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}))
