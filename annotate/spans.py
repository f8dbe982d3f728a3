"""Span edits on the domain: each call is one committed transaction, then one event.

This is the only way spans change during annotation; undo (annotate.edits) is built from these calls.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from sqlalchemy.exc import IntegrityError

from annotate.events import CommentsChanged, EventBus, SpansChanged
from db import comments as comment_rows
from db import spans as span_rows
from db.documents import length_of
from db.engine import Database
from db.models import Origin
from db.spans import SpanRow


class NewSpan(NamedTuple):
    """A span to add: where, with which label, by whom."""

    document_id: int
    label_id: int
    annotator_id: int
    start: int
    end: int


def _by_document(rows: Sequence[SpanRow]) -> dict[int, list[SpanRow]]:
    groups: dict[int, list[SpanRow]] = {}
    for row in rows:
        groups.setdefault(row.document_id, []).append(row)
    return groups


class SpanError(ValueError):
    """An edit that cannot be made (bad range, exact duplicate, unknown span)."""


class SpanGone(SpanError):
    """The span is not in the database any more: another window or program removed it."""


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
            span_id: int | None = None, comments: Sequence[dict] = ()) -> SpanRow:
        """Add one span (`span_id` and `comments`: put back a removed one, see `remove_with_comments`)."""
        try:
            with self.database.edit() as connection:
                check_range(start, end, length_of(connection, document_id))
                row = span_rows.insert_span(connection, document_id=document_id, label_id=label_id,
                                            annotator_id=annotator_id, start=start, end=end, origin=origin,
                                            note=note, provenance=provenance, span_id=span_id)
                comment_rows.put_back(connection, comments)
        except IntegrityError as error:
            raise SpanError(f"span [{start}, {end}) with this label is already there") from error
        self.events.emit(SpansChanged(document_id, added=(row,)))
        if comments:
            self.events.emit(CommentsChanged(document_id))
        return row

    def restore(self, row: SpanRow, comments: Sequence[dict] = ()) -> SpanRow:
        """Put a removed span back exactly as it was, under its old id, with the comments it had."""
        return self.add(document_id=row.document_id, label_id=row.label_id, annotator_id=row.annotator_id,
                        start=row.start, end=row.end, origin=row.origin, note=row.note,
                        provenance=row.provenance, span_id=row.id, comments=comments)

    def remove(self, span_id: int) -> SpanRow:
        return self.remove_with_comments(span_id)[0]

    def remove_with_comments(self, span_id: int) -> tuple[SpanRow, list[dict]]:
        """Remove a span; returns it and the comments on it, which go with it (for `restore`)."""
        with self.database.edit() as connection:
            row = self._get(connection, span_id)
            comments = comment_rows.on_spans(connection, [span_id])
            span_rows.delete_span(connection, span_id)
        self.events.emit(SpansChanged(row.document_id, removed=(row,)))
        if comments:
            self.events.emit(CommentsChanged(row.document_id))
        return row, comments

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

    def add_many(self, spans: Sequence[NewSpan], *, origin: Origin = Origin.MANUAL) -> list[SpanRow]:
        """Add many spans in one committed transaction (all or none), then one event per document."""
        rows = [SpanRow(0, s.document_id, s.label_id, s.annotator_id, s.start, s.end, origin, "") for s in spans]
        return self.restore_many(rows, keep_ids=False)

    def restore_many(self, rows: Sequence[SpanRow], *, keep_ids: bool = True) -> list[SpanRow]:
        """Put removed spans back exactly as they were (under their old ids), in one transaction."""
        values = []
        for row in rows:
            value = row._asdict()
            if not keep_ids:
                del value["id"]
            values.append(value)
        try:
            with self.database.edit() as connection:
                lengths = {d: length_of(connection, d) for d in {row.document_id for row in rows}}
                for row in rows:
                    check_range(row.start, row.end, lengths[row.document_id])
                ids = span_rows.insert_many(connection, values)
        except IntegrityError as error:
            raise SpanError("some of these spans are already there; nothing was added") from error
        added = [row._replace(id=new_id) for row, new_id in zip(rows, ids)]
        for document_id, group in _by_document(added).items():
            self.events.emit(SpansChanged(document_id, added=tuple(group)))
        return added

    def remove_many(self, span_ids: Sequence[int]) -> list[SpanRow]:
        """Remove many spans in one committed transaction, then one event per document."""
        with self.database.edit() as connection:
            rows = span_rows.get_many(connection, span_ids)
            if len(rows) != len(set(span_ids)):
                raise SpanGone(f"{len(set(span_ids)) - len(rows)} of these spans are gone: another window or "
                               "program removed them")
            span_rows.delete_many(connection, span_ids)
        for document_id, group in _by_document(rows).items():
            self.events.emit(SpansChanged(document_id, removed=tuple(group)))
        return rows

    def for_document(self, document_id: int, annotator_ids: list[int] | None = None) -> list[SpanRow]:
        with self.database.session() as session:
            return span_rows.for_document(session, document_id, annotator_ids)

    @staticmethod
    def _get(connection, span_id: int) -> SpanRow:
        row = span_rows.get(connection, span_id)
        if row is None:
            raise SpanGone("that span is gone: another window or program removed it")
        return row
