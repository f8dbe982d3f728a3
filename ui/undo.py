"""Undo as QUndoCommands around annotate.edits: the command changes the domain, never the view.

The view repaints from the domain's events. An edit the domain refuses (a duplicate span, a span someone
else removed, a locked database) is reported and leaves no step on the stack.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

from annotate.edits import Edit
from annotate.spans import SpanStore

ErrorHandler = Callable[[Exception], None]


class EditCommand(QUndoCommand):
    def __init__(self, edit: Edit, store: SpanStore, on_error: ErrorHandler):
        super().__init__(edit.text)
        self.edit = edit
        self.store = store
        self.on_error = on_error
        self.failed = False

    def redo(self) -> None:
        self._run(self.edit.redo)

    def undo(self) -> None:
        self._run(self.edit.undo)

    def _run(self, step: Callable[[SpanStore], None]) -> None:
        try:
            step(self.store)
        except Exception as error:  # noqa: BLE001 - reported to the user; the step is dropped, not applied
            self.failed = True
            self.setObsolete(True)  # QUndoStack drops an obsolete command instead of keeping a broken step
            self.on_error(error)


def push(stack: QUndoStack, edit: Edit, store: SpanStore, on_error: ErrorHandler) -> bool:
    """Do `edit` as one undoable step; False when the domain refused it (already reported)."""
    command = EditCommand(edit, store, on_error)
    stack.push(command)
    return not command.failed
