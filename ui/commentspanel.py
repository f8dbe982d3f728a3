"""Comments on the open document and its spans: listed, added (on the document or on a chosen span) and removed,
each an undoable edit (annotate.comments). The list is read from the database whenever comments change."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from annotate.comments import AddComment, RemoveComment
from annotate.events import CommentsChanged
from db import comments as comment_rows
from db.comments import CommentRow
from ui.dialogs import ok_cancel

Targets = Callable[[], list[tuple[int, str]]]      # (span id, description) the user may comment on right now
Describe = Callable[[int], str]                    # a span id → "amy's TASK “…”"


class CommentDialog(QDialog):
    """What to comment on (the document or one of the offered spans) and the text."""

    def __init__(self, targets: list[tuple[int, str]], preferred: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Comment")
        self.target = QComboBox(self)
        self.target.addItem("the document", None)
        for span_id, text in targets:
            self.target.addItem(text, span_id)
        if preferred is not None:
            self.target.setCurrentIndex(max(self.target.findData(preferred), 0))
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText("Why this decision, a question for the annotators, a guideline to fix…")
        self.text.setMinimumSize(420, 110)
        self.buttons = ok_cancel(self, "Add comment", self._accept)
        form = QFormLayout()
        form.addRow("On", self.target)
        form.addRow("Comment", self.text)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.text.setFocus()  # type at once; the target is usually right already

    def _accept(self) -> None:
        if self.text.toPlainText().strip():
            self.accept()

    def span_id(self) -> int | None:
        return self.target.currentData()


class CommentsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = None
        self.document_id: int | None = None
        self.targets: Targets = lambda: []
        self.describe: Describe = lambda span_id: f"span {span_id}"
        self.dialog: CommentDialog | None = None
        self.rows: list[CommentRow] = []
        self.title = QLabel(self)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.add_button = QPushButton("Comment…", self)
        self.add_button.setToolTip("Comment on the document, or on a span you chose (in the review: the "
                                   "current disagreement's spans) (Ctrl+M in the review view)")
        self.remove_button = QPushButton("Remove", self)
        self.add_button.clicked.connect(lambda: self.ask())
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.show_document(None, None)

    def set_workspace(self, workspace) -> None:
        self.workspace = workspace
        if workspace is not None:
            workspace.bridge.event.connect(self._on_event)
        self.show_document(None, None)

    def show_document(self, document_id: int | None, name: str | None) -> None:
        self.document_id = document_id
        self.title.setText(f"Comments on {name}" if name else "No document open")
        self.reload()

    def _on_event(self, event: object) -> None:
        if isinstance(event, CommentsChanged) and event.document_id == self.document_id:
            self.reload()

    def reload(self) -> None:
        self.list.clear()
        self.rows = []
        if self.workspace is None or self.document_id is None:
            self._enable()
            return
        with self.workspace.database.session() as session:
            self.rows = comment_rows.for_document(session, self.document_id)
        for row in self.rows:
            target = "the document" if row.span_id is None else self.describe(row.span_id)
            when = row.created_at.strftime("%Y-%m-%d %H:%M")
            item = QListWidgetItem(f"{row.author} on {target} · {when}\n{row.text}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.list.addItem(item)
        self._enable()

    def _enable(self) -> None:
        self.add_button.setEnabled(self.workspace is not None and self.document_id is not None)
        self.remove_button.setEnabled(bool(self.rows))

    # --- adding and removing -----------------------------------------------------------------------------
    def ask(self, preferred: int | None = None) -> CommentDialog | None:
        """Open the comment dialog (not blocking: the edit is pushed when it is accepted)."""
        if self.workspace is None or self.document_id is None:
            return None
        targets = self.targets()
        if preferred is None and targets:
            preferred = targets[0][0]
        dialog = self.dialog = CommentDialog(targets, preferred, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        document_id = self.document_id
        dialog.accepted.connect(lambda: self.add(document_id, dialog.text.toPlainText().strip(), dialog.span_id()))
        dialog.finished.connect(self._forget_dialog)
        dialog.open()
        return dialog

    def _forget_dialog(self, *_) -> None:
        self.dialog = None

    def add(self, document_id: int, text: str, span_id: int | None = None) -> bool:
        return self.workspace.push(AddComment(document_id, self.workspace.annotator, text, span_id=span_id))

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or self.workspace is None:
            return
        self.workspace.push(RemoveComment(item.data(Qt.ItemDataRole.UserRole)))
