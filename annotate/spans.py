"""Span edits on the domain: each call is one committed transaction, then one event.

This is the only way spans change during annotation; undo (annotate.edits) is built from these calls.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from annotate.events import EventBus, SpansChanged
from db import spans as span_rows
from db.documents import length_of
from db.engine import Database
from db.models import Origin
from db.spans import SpanRow


class SpanError(ValueError):
    """An edit that cannot be made (bad range, exact duplicate, unknown span)."""


def check_range(start: int, end: int, length: int) -> None:
    if not (0 <= start < end <= length):
        raise SpanError(f"span [{start}, {end}) is outside the text (0..{length}) or empty")


class SpanStore:
    """Adds, removes and changes spans, committing each edit and announcing it on `events`."""

    def __init__(self, database: Database, events: EventBus | None = None):
        self.database = database
        self.events = events or EventBus()

    def add(self, *, document_id: int, label_id: int, annotator_id: int, start: int, end: int,
            origin: Origin = Origin.MANUAL, note: str = "", provenance: str | None = None,
            span_id: int | None = None) -> SpanRow:
        try:
            with self.database.edit() as connection:
                check_range(start, end, length_of(connection, document_id))
                row = span_rows.insert_span(connection, document_id=document_id, label_id=label_id,
                                            annotator_id=annotator_id, start=start, end=end, origin=origin,
                                            note=note, provenance=provenance, span_id=span_id)
        except IntegrityError as error:
            raise SpanError(f"span [{start}, {end}) with this label is already there") from error
        self.events.emit(SpansChanged(document_id, added=(row,)))
        return row

    def restore(self, row: SpanRow) -> SpanRow:
        """Put a removed span back exactly as it was, under its old id."""
        return self.add(document_id=row.document_id, label_id=row.label_id, annotator_id=row.annotator_id,
                        start=row.start, end=row.end, origin=row.origin, note=row.note,
                        provenance=row.provenance, span_id=row.id)

    def remove(self, span_id: int) -> SpanRow:
        with self.database.edit() as connection:
            row = self._get(connection, span_id)
            span_rows.delete_span(connection, span_id)
        self.events.emit(SpansChanged(row.document_id, removed=(row,)))
        return row

    def update(self, span_id: int, **values) -> tuple[SpanRow, SpanRow]:
        """Change label_id, note, start/end or origin of one span; returns (old, new)."""
        try:
            with self.database.edit() as connection:
                old = self._get(connection, span_id)
                new = old._replace(**values)
                if (new.start, new.end) != (old.start, old.end):
                    check_range(new.start, new.end, length_of(connection, old.document_id))
                span_rows.update_span(connection, span_id, **values)
        except IntegrityError as error:
            raise SpanError("an identical span is already there") from error
        self.events.emit(SpansChanged(old.document_id, updated=((old, new),)))
        return old, new

    def for_document(self, document_id: int, annotator_ids: list[int] | None = None) -> list[SpanRow]:
        with self.database.session() as session:
            return span_rows.for_document(session, document_id, annotator_ids)

    @staticmethod
    def _get(connection, span_id: int) -> SpanRow:
        row = span_rows.get(connection, span_id)
        if row is None:
            raise SpanError(f"span {span_id} no longer exists")
        return row
