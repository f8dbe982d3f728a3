"""Data access for the project lexicon: terms with a label, their variants, and rejected terms.

Every write changes `version(session)`, so caches built from the lexicon (the suggestion
automaton, the segmenter's user dictionary) know when to rebuild. Write through these functions.
"""

from __future__ import annotations

import uuid
from typing import Iterable, NamedTuple

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from db import settings
from db.engine import Executor, conflict_insert
from db.models import LexiconEntry

VERSION_KEY = "lexicon.version"
SEPARATOR = "|"


class LexiconRow(NamedTuple):
    id: int
    term: str
    label_id: int
    variants: tuple[str, ...]
    note: str
    rejected: bool

    @property
    def forms(self) -> tuple[str, ...]:
        """The term and its variants: every string that stands for this entry in a text."""
        return (self.term, *self.variants)


_COLUMNS = (LexiconEntry.id, LexiconEntry.term, LexiconEntry.label_id, LexiconEntry.variants, LexiconEntry.note,
            LexiconEntry.rejected)


def split_variants(value: str) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value.split(SEPARATOR) if v.strip()))


def join_variants(variants: Iterable[str]) -> str:
    return SEPARATOR.join(dict.fromkeys(v for v in variants if v))


def _row(row) -> LexiconRow:
    return LexiconRow(row[0], row[1], row[2], split_variants(row[3]), row[4], bool(row[5]))


def version(session: Executor) -> str:
    return settings.get(session, VERSION_KEY, "") or ""


def _touch(session: Session) -> None:
    # A fresh token rather than a counter: two writers can never leave the same value behind.
    settings.put(session, VERSION_KEY, uuid.uuid4().hex)


def entries(session: Executor, *, label_id: int | None = None, include_rejected: bool = True) -> list[LexiconRow]:
    """In term (code point) order, then label: sorted here, since a server's collation (pinyin on a Chinese
    PostgreSQL) would order them otherwise, and exports must not depend on the database."""
    query = select(*_COLUMNS)
    if label_id is not None:
        query = query.where(LexiconEntry.label_id == label_id)
    if not include_rejected:
        query = query.where(LexiconEntry.rejected.is_(False))
    return sorted((_row(row) for row in session.execute(query)), key=lambda row: (row.term, row.label_id))


def find(session: Executor, term: str, label_id: int | None = None) -> list[LexiconRow]:
    query = select(*_COLUMNS).where(LexiconEntry.term == term)
    if label_id is not None:
        query = query.where(LexiconEntry.label_id == label_id)
    return [_row(row) for row in session.execute(query.order_by(LexiconEntry.label_id))]


def with_form(session: Executor, form: str, label_id: int) -> list[LexiconRow]:
    """Entries of a label that have `form` as their term or as one of their variants."""
    query = select(*_COLUMNS).where(LexiconEntry.label_id == label_id, or_(
        LexiconEntry.term == form, LexiconEntry.variants.contains(form, autoescape=True)))
    return [row for row in map(_row, session.execute(query)) if form in row.forms]


def get(session: Executor, entry_id: int) -> LexiconRow | None:
    row = session.execute(select(*_COLUMNS).where(LexiconEntry.id == entry_id)).one_or_none()
    return _row(row) if row else None


def upsert(session: Session, *, term: str, label_id: int, variants: Iterable[str] = (), note: str = "",
           rejected: bool = False) -> LexiconRow:
    """Add (term, label) or replace what is stored for it; the entry keeps its id. One statement: teammates'
    windows adding the same term at once (lexicon offers) both succeed."""
    values = dict(variants=join_variants(v for v in variants if v != term), note=note, rejected=rejected)
    statement = conflict_insert(session, LexiconEntry).values(term=term, label_id=label_id, **values)
    entry_id = session.execute(statement.on_conflict_do_update(
        index_elements=["term", "label_id"], set_={name: statement.excluded[name] for name in values}
    ).returning(LexiconEntry.id)).scalar_one()
    _touch(session)
    return LexiconRow(entry_id, term, label_id, split_variants(values["variants"]), note, rejected)


def remove(session: Session, entry_id: int) -> None:
    session.execute(delete(LexiconEntry).where(LexiconEntry.id == entry_id))
    _touch(session)


def change(session: Session, entry_id: int, **values) -> None:
    """Change term, label_id, variants (an iterable), note or rejected of one entry."""
    if "variants" in values:
        values["variants"] = join_variants(values["variants"])
    session.execute(update(LexiconEntry).where(LexiconEntry.id == entry_id).values(**values))
    _touch(session)
