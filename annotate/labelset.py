"""The project's labels as the window edits them: checked, committed, announced.

Checks live here so every front end refuses the same things with the same reasons.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from annotate.events import EventBus, LabelsChanged
from db import labels
from db.engine import Database
from db.labels import LabelInfo
from db.models import Label

NAME_MAX = Label.__table__.c.name.type.length
DISPLAY_MAX = Label.__table__.c.display.type.length
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME = re.compile(rf"\S{{1,{NAME_MAX}}}")  # one word: label names are keys in every export


class LabelError(ValueError):
    """A label that cannot be saved, with the reason."""


def check(*, name: str | None = None, display: str | None = None, color: str | None = None,
          shortcut: str | None = None) -> None:
    if name is not None and not NAME.fullmatch(name):
        raise LabelError(f"label name {name!r} must be one word without spaces, at most {NAME_MAX} characters "
                         "(it is used in exports)")
    if display is not None and len(display) > DISPLAY_MAX:
        raise LabelError(f"display name {display!r} is longer than {DISPLAY_MAX} characters")
    if color is not None and not COLOR.match(color):
        raise LabelError(f"colour {color!r} is not #rrggbb")
    if shortcut is not None and (len(shortcut) != 1 or shortcut.isspace()):
        raise LabelError(f"shortcut {shortcut!r} must be a single key such as 1-9")


class LabelSet:
    def __init__(self, database: Database, events: EventBus):
        self.database = database
        self.events = events

    def all(self) -> list[LabelInfo]:
        with self.database.session() as session:
            return labels.all_labels(session)

    def add(self, *, name: str, display: str = "", color: str = "#f4a261", shortcut: str | None = None,
            description: str = "") -> LabelInfo:
        shortcut = shortcut or None
        check(name=name, display=display, color=color, shortcut=shortcut)
        try:
            with self.database.transaction() as session:
                label = labels.add_label(session, name=name, display=display, color=color, shortcut=shortcut,
                                         description=description)
        except IntegrityError:
            what = f"label {name!r}" + (f" or shortcut {shortcut!r}" if shortcut else "")
            raise LabelError(f"{what} is already in use") from None
        self.events.emit(LabelsChanged())
        return label

    def update(self, label_id: int, **fields) -> LabelInfo:
        """Change name, display, color, shortcut (None or "" to clear) or description."""
        if "shortcut" in fields:
            fields["shortcut"] = fields["shortcut"] or None
        check(name=fields.get("name"), display=fields.get("display"), color=fields.get("color"),
              shortcut=fields.get("shortcut"))
        try:
            with self.database.transaction() as session:
                label = labels.update_label(session, label_id, **fields)
        except IntegrityError:
            raise LabelError(f"name {fields.get('name')!r} or shortcut {fields.get('shortcut')!r} "
                             "is already used by another label") from None
        self.events.emit(LabelsChanged())
        return label
