"""The label set every new database starts with; a project adds its own on top."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import serialize_imports
from db.models import Label

DEFAULT_LABELS = (
    # name, display, colour, shortcut, description
    ("SLOGAN", "口号/提法", "#e76f51", "1", "Slogans and political formulations: 两个确立, 十项行动, 稳经济33条"),
    ("TASK", "任务", "#2a9d8f", "2", "Tasks and goals: 推动京津冀协同发展走深走实"),
    ("INSTITUTION", "机构", "#457b9d", "3", "Institutions and bodies: 市委组织部, 市工业和信息化局"),
)


def ensure_default_labels(session: Session) -> None:
    """Create the default labels in a database that has no labels at all (once, even when two programs open a
    new team database at the same moment)."""
    has_labels = select(func.count()).select_from(Label)
    if session.scalar(has_labels):
        return
    serialize_imports(session)
    if session.scalar(has_labels):
        return
    for position, (name, display, color, key, description) in enumerate(DEFAULT_LABELS):
        session.add(Label(name=name, display=display, color=color, shortcut=key,
                          description=description, position=position))
