"""Data access for labels."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import Label, LexiconEntry, Rule, Span


class LabelInfo(NamedTuple):
    id: int
    name: str
    display: str
    color: str
    shortcut: str | None
    description: str


def _info(label: Label) -> LabelInfo:
    return LabelInfo(label.id, label.name, label.display, label.color, label.shortcut, label.description)


def all_labels(session: Session) -> list[LabelInfo]:
    return [_info(label) for label in session.scalars(select(Label).order_by(Label.position, Label.id))]


def by_id(session: Session, label_id: int) -> LabelInfo | None:
    label = session.get(Label, label_id)
    return _info(label) if label else None


def by_name(session: Session, name: str) -> LabelInfo | None:
    label = session.scalar(select(Label).where(Label.name == name))
    return _info(label) if label else None


def add_label(session: Session, *, name: str, display: str = "", color: str = "#f4a261",
              shortcut: str | None = None, description: str = "") -> LabelInfo:
    position = (session.scalar(select(func.max(Label.position))) or 0) + 1
    label = Label(name=name, display=display, color=color, shortcut=shortcut, description=description,
                  position=position)
    session.add(label)
    session.flush()
    return _info(label)


def update_label(session: Session, label_id: int, **fields) -> LabelInfo:
    label = session.get(Label, label_id)
    if label is None:
        raise LookupError(f"no label with id {label_id}")
    for key, value in fields.items():
        if key not in {"name", "display", "color", "shortcut", "description"}:
            raise TypeError(f"unknown label field {key!r}")
        setattr(label, key, value)
    session.flush()
    return _info(label)


def uses(session: Session, label_id: int) -> tuple[int, int, int]:
    """(spans, lexicon entries, own rules) with this label: what removing it would have to take along."""
    spans = session.scalar(select(func.count()).select_from(Span).where(Span.label_id == label_id)) or 0
    entries = session.scalar(select(func.count()).select_from(LexiconEntry).where(LexiconEntry.label_id == label_id))
    rules = session.scalar(select(func.count()).select_from(Rule).where(Rule.label_id == label_id,
                                                                       Rule.pattern.is_not(None)))
    return spans, entries or 0, rules or 0


def delete_label(session: Session, label_id: int) -> None:
    """Delete a label; its lexicon entries, rules and rejected suggestions go with it (the schema cascades), a
    label that spans still have is refused by the schema."""
    session.execute(delete(Label).where(Label.id == label_id))
