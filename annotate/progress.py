"""Where an annotator is in the corpus: document status, "done → next unfinished", and the counts.

A document becomes in-progress when its first span is labelled (by hand, or by accepting a suggestion), new again
when its last span goes (that first label undone), and done only when somebody says so.
"""

from __future__ import annotations

from annotate.events import DocumentsChanged, Event, EventBus, SpansChanged
from db import documents
from db.engine import Database
from db.models import Origin, Status


BY_THE_ANNOTATOR = (Origin.MANUAL, Origin.SUGGESTED)  # spans the annotator made (not imported)


class DocumentProgress:
    """Sets document statuses (each change committed and announced) and finds the next document to do."""

    def __init__(self, database: Database, events: EventBus):
        self.database = database
        self.events = events
        self._started: set[int] = set()  # documents known not to be new: spares a query per labelled span
        self.unsubscribe = events.subscribe(self._on_event)

    def status(self, document_id: int) -> Status:
        with self.database.session() as session:
            return documents.info(session, document_id).status

    def set_status(self, document_id: int, status: Status) -> None:
        with self.database.transaction() as session:
            documents.set_status(session, document_id, status)
        if status is Status.NEW:
            self._started.discard(document_id)
        else:
            self._started.add(document_id)
        self.events.emit(DocumentsChanged((document_id,)))

    def mark_done(self, document_id: int) -> int | None:
        """Mark the document done; returns the next unfinished document (None when everything is done)."""
        self.set_status(document_id, Status.DONE)
        return self.next_unfinished(document_id)

    def next_unfinished(self, after_id: int | None = None) -> int | None:
        with self.database.session() as session:
            return documents.next_unfinished(session, after_id)

    def counts(self) -> dict[Status, int]:
        with self.database.session() as session:
            found = documents.status_counts(session)
        return {status: found.get(status, 0) for status in Status}

    def _on_event(self, event: Event) -> None:
        if not isinstance(event, SpansChanged):
            return
        if event.removed and not event.added:
            self._restart_if_unlabelled(event.document_id)
            return
        if event.document_id in self._started:
            return
        if not any(row.origin in BY_THE_ANNOTATOR for row in event.added):
            return  # an import, or a removal: says nothing about this annotator's progress
        # Only a new document is started: if a teammate has just marked it done, it stays done.
        with self.database.transaction() as session:
            started = documents.set_status(session, event.document_id, Status.IN_PROGRESS, only_from=Status.NEW)
        self._started.add(event.document_id)
        if started:
            self.events.emit(DocumentsChanged((event.document_id,)))

    def _restart_if_unlabelled(self, document_id: int) -> None:
        with self.database.transaction() as session:
            restarted = documents.restart_if_unlabelled(session, document_id)
        if restarted:
            self._started.discard(document_id)
            self.events.emit(DocumentsChanged((document_id,)))
