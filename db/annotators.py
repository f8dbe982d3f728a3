"""Data access for annotators: every span belongs to one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annotator


def annotator_id(session: Session, name: str, *, create: bool = True) -> int | None:
    """The id of the annotator with this name, created on first use unless `create` is False."""
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None or not create:
        return found
    annotator = Annotator(name=name)
    session.add(annotator)
    session.flush()
    return annotator.id


def names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Annotator.id, Annotator.name).order_by(Annotator.name)).all())
