"""One open database worked on by one annotator: domain services, undo stack and the event bridge.

Widgets get a Workspace and act through it; replacing the database replaces the Workspace, so no edit
of one database can be undone into another.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotate.edits import Edit
from annotate.events import EventBus
from annotate.labelset import LabelSet
from annotate.progress import DocumentProgress
from annotate.spans import SpanGone, SpanStore
from db import annotators
from db.engine import Database
from ui import undo
from ui.errors import is_bug, refusal_reason
from ui.events import EventBridge


class Workspace(QObject):
    refused = Signal(str)  # the domain said no (duplicate span, ...): shown briefly in the status bar
    failed = Signal(str, object)  # (what, exception): the environment or a bug; shown as a dialog
    stale = Signal()  # an edit met a span another window or program removed: show the database as it is now

    def __init__(self, database: Database, annotator: str, parent: QObject | None = None):
        super().__init__(parent)
        self.database = database
        self.annotator = annotator
        self.events = EventBus()
        self.bridge = EventBridge(self.events, self)
        self.spans = SpanStore(database, self.events)
        self.labels = LabelSet(database, self.events)
        self.progress = DocumentProgress(database, self.events)
        with database.transaction() as session:
            self.annotator_id = annotators.annotator_id(session, annotator)
        self.undo_stack = QUndoStack(self)

    def push(self, edit: Edit) -> bool:
        """Do one edit as an undoable step, committed at once; False (and reported) when it failed."""
        return undo.push(self.undo_stack, edit, self.spans, self._report)

    def _report(self, error: Exception) -> None:
        if isinstance(error, SpanGone):
            self.stale.emit()
        if not is_bug(error) and refusal_reason(error) is not None:
            self.refused.emit(refusal_reason(error))
        else:
            self.failed.emit("The edit could not be saved.", error)

    def annotator_names(self) -> dict[int, str]:
        with self.database.session() as session:
            return annotators.names(session)

    def close(self, *, close_database: bool = True) -> None:
        self.bridge.detach()
        self.progress.unsubscribe()
        self.undo_stack.clear()
        if close_database:
            self.database.close()
