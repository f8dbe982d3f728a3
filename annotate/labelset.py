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


# Colours offered to new labels in turn, the default labels' first; then the keys 1–9 not taken yet.
PALETTE = ("#e76f51", "#2a9d8f", "#457b9d", "#e9c46a", "#8e44ad", "#d62828", "#52b788", "#f4a261", "#6c757d")


def free_color(existing: list[LabelInfo]) -> str:
    used = {label.color.lower() for label in existing}
    return next((color for color in PALETTE if color not in used), PALETTE[len(existing) % len(PALETTE)])


def free_key(existing: list[LabelInfo]) -> str | None:
    used = {label.shortcut for label in existing}
    return next((str(n) for n in range(1, 10) if str(n) not in used), None)


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

    def add(self, *, name: str, display: str = "", color: str | None = None, shortcut: str | None = None,
            description: str = "") -> LabelInfo:
        """A new label; without a colour it gets the first one of PALETTE no label has."""
        shortcut = shortcut or None
        check(name=name, display=display, color=color, shortcut=shortcut)
        try:
            with self.database.transaction() as session:
                label = labels.add_label(session, name=name, display=display,
                                         color=color or free_color(labels.all_labels(session)), shortcut=shortcut,
                                         description=description)
        except IntegrityError:
            raise LabelError(self._taken(None, name, shortcut)) from None
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
                old = labels.by_id(session, label_id)
                label = labels.update_label(session, label_id, **fields)
                if old is not None and label.name != old.name:
                    from annotate import rules  # (not at start-up: the rules load with the suggestions)

                    rules.keep_label(session, old.name, label_id)  # built-in rules find their label by name
        except IntegrityError:
            raise LabelError(self._taken(label_id, fields.get("name"), fields.get("shortcut"))) from None
        self.events.emit(LabelsChanged())
        return label

    def _taken(self, label_id: int | None, name: str | None, shortcut: str | None) -> str:
        """Which of the name and the key another label has (for the refusal)."""
        others = [label for label in self.all() if label.id != label_id]
        for label in others:
            if name is not None and label.name == name:
                return f"a label named {name!r} exists already"
        for label in others:
            if shortcut and label.shortcut == shortcut:
                return f"the key {shortcut!r} is {label.name}'s already: give {label.name} another key (or none) first"
        return "another label has this name or key"

    def uses(self, label_id: int) -> tuple[int, int, int]:
        """(spans, lexicon entries, own rules) with this label."""
        with self.database.session() as session:
            return labels.uses(session, label_id)

    def remove(self, label_id: int) -> None:
        """Delete a label no span has (a label with spans is refused: relabel or remove them first); its lexicon
        entries and own rules go with it."""
        with self.database.transaction() as session:
            label = labels.by_id(session, label_id)
            if label is None:
                raise LabelError("that label is gone already")
            spans, _, _ = labels.uses(session, label_id)
            if spans:
                raise LabelError(f"{spans:,} span{'s have' if spans != 1 else ' has'} the label {label.name}: "
                                 "relabel or remove them first (nothing was changed)")
            labels.delete_label(session, label_id)
        self.events.emit(LabelsChanged())
