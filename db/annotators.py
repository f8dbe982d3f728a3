"""Data access for annotators: every span belongs to one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import conflict_insert
from db.models import Annotator, Span


def annotator_id(session: Session, name: str, *, create: bool = True) -> int | None:
    """The id of the annotator with this name, created on first use unless `create` is False."""
    query = select(Annotator.id).where(Annotator.name == name)
    found = session.scalar(query)
    if found is not None or not create:
        return found
    # Another program may be creating the same name right now (a shared database): whoever is first wins.
    session.execute(conflict_insert(session, Annotator).values(name=name).on_conflict_do_nothing())
    return session.scalar(query)


def names(session: Session) -> dict[int, str]:
    """{id: name} in name (code point) order, sorted here so that no server's collation changes it."""
    return dict(sorted(session.execute(select(Annotator.id, Annotator.name)).all(), key=lambda row: row[1]))


def names_with_spans(session: Session) -> dict[int, str]:
    """`names`, only of annotators who have labelled something (a reviewer who has not is nobody to compare)."""
    labelled = select(Span.id).where(Span.annotator_id == Annotator.id).exists()
    rows = session.execute(select(Annotator.id, Annotator.name).where(labelled)).all()
    return dict(sorted(rows, key=lambda row: row[1]))
