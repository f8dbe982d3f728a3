"""Find in the document (Ctrl+F): every match highlighted, Enter/Shift+Enter for next/previous."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

MAX_MATCHES = 100_000


def find_all(text: str, needle: str, limit: int = MAX_MATCHES) -> list[tuple[int, int]]:
    """Code-point ranges of `needle` in `text` (ASCII letters ignore case; offsets stay the text's own)."""
    if not needle:
        return []
    matches = []
    for match in re.finditer(re.escape(needle), text, re.IGNORECASE):
        matches.append(match.span())
        if len(matches) >= limit:
            break
    return matches


class _SearchField(QLineEdit):
    stepped = Signal(int)
    closed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.stepped.emit(-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
        elif event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        else:
            super().keyPressEvent(event)


class FindBar(QWidget):
    searched = Signal(str)  # the text to find changed
    stepped = Signal(int)  # +1 next, -1 previous
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = _SearchField(self)
        self.field.setPlaceholderText("Find in document")
        self.field.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setMinimumWidth(90)
        previous, following, close = QToolButton(self), QToolButton(self), QToolButton(self)
        previous.setArrowType(Qt.ArrowType.UpArrow)
        previous.setToolTip("Previous match (Shift+Enter, Shift+F3)")
        following.setArrowType(Qt.ArrowType.DownArrow)
        following.setToolTip("Next match (Enter, F3)")
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.field, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.count)
        layout.addWidget(close)
        self._debounce = QTimer(self, singleShot=True, interval=120)
        self._debounce.timeout.connect(lambda: self.searched.emit(self.field.text()))
        self.field.textChanged.connect(lambda _: self._debounce.start())
        self.field.stepped.connect(self._step)
        self.field.closed.connect(self.closed)
        previous.clicked.connect(lambda: self._step(-1))
        following.clicked.connect(lambda: self._step(1))
        close.clicked.connect(self.closed)

    def _step(self, direction: int) -> None:
        if self._debounce.isActive():  # Enter right after typing: search first
            self._debounce.stop()
            self.searched.emit(self.field.text())
        self.stepped.emit(direction)

    def open(self, text: str | None = None) -> None:
        if text:
            self.field.setText(text)
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def show_count(self, current: int, total: int) -> None:
        if not self.field.text():
            self.count.setText("")
        elif total == 0:
            self.count.setText("no matches")
        else:
            self.count.setText(f"{current + 1 if current >= 0 else 0} of {total}"
                               + ("+" if total >= MAX_MATCHES else ""))
