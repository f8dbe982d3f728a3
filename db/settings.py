"""Per-database project settings as text key/value pairs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Setting


def get(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def put(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))
