"""Data access for suggestion rules: the switches of built-in rules and the user's own regex rules.

A built-in rule has a row only once it is switched or given another label (pattern NULL); a user
rule always has one, with its pattern and label. `version(session)` changes with every write.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db import settings
from db.engine import Executor
from db.models import Rule

VERSION_KEY = "rules.version"


class RuleRow(NamedTuple):
    id: int
    name: str
    pattern: str | None
    label_id: int | None
    enabled: bool


_COLUMNS = (Rule.id, Rule.name, Rule.pattern, Rule.label_id, Rule.enabled)


def version(session: Executor) -> str:
    return settings.get(session, VERSION_KEY, "") or ""


def all_rules(session: Executor) -> list[RuleRow]:
    return [RuleRow(*row) for row in session.execute(select(*_COLUMNS).order_by(Rule.id))]


def get(session: Executor, name: str) -> RuleRow | None:
    row = session.execute(select(*_COLUMNS).where(Rule.name == name)).one_or_none()
    return RuleRow(*row) if row else None


def put(session: Session, *, name: str, pattern: str | None = None, label_id: int | None = None,
        enabled: bool = True) -> RuleRow:
    """Create or replace the rule called `name`."""
    found = get(session, name)
    if found:
        session.execute(update(Rule).where(Rule.id == found.id).values(
            pattern=pattern, label_id=label_id, enabled=enabled))
        rule_id = found.id
    else:
        rule = Rule(name=name, pattern=pattern, label_id=label_id, enabled=enabled)
        session.add(rule)
        session.flush()
        rule_id = rule.id
    settings.put(session, VERSION_KEY, uuid.uuid4().hex)
    return RuleRow(rule_id, name, pattern, label_id, enabled)


def remove(session: Session, name: str) -> None:
    session.execute(delete(Rule).where(Rule.name == name))
    settings.put(session, VERSION_KEY, uuid.uuid4().hex)
