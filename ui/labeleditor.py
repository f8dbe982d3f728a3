"""Add and edit labels: name used in exports, display name (口号), colour (picker), shortcut key, description."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QColorDialog, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from annotate.labelset import PALETTE, LabelError, LabelSet, free_color, free_key
from db.labels import LabelInfo
from ui.style import swatch_icon



class LabelEditor(QDialog):
    def __init__(self, label_set: LabelSet, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Labels")
        self.label_set = label_set
        self.labels: list[LabelInfo] = []
        self.current: LabelInfo | None = None  # None: the form describes a new label
        self.color = PALETTE[0]

        self.list = QListWidget(self)
        self.list.setMinimumWidth(220)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("SLOGAN (used in exports)")
        self.display = QLineEdit(self)
        self.display.setPlaceholderText("口号/提法 (shown to annotators)")
        self.color_button = QPushButton(self)
        self.color_button.setToolTip("Choose the colour")
        self.shortcut = QLineEdit(self)
        self.shortcut.setMaxLength(1)
        self.shortcut.setMaximumWidth(48)
        self.shortcut.setPlaceholderText("1–9")
        self.description = QPlainTextEdit(self)
        self.description.setMaximumHeight(80)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Display name", self.display)
        form.addRow("Colour", self.color_button)
        form.addRow("Shortcut key", self.shortcut)
        form.addRow("Description", self.description)
        new, save = QPushButton("New label", self), QPushButton("Save label", self)
        self.remove_button = QPushButton("Delete label…", self)
        self.remove_button.setToolTip("Delete the chosen label (only when no span has it)")
        save.setDefault(True)
        actions = QHBoxLayout()
        actions.addWidget(new)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        actions.addWidget(save)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addStretch(1)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addLayout(right, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)

        self.list.currentRowChanged.connect(self._show_row)
        self.color_button.clicked.connect(self._pick_color)
        new.clicked.connect(self.new_label)
        save.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.ask_remove)
        self._reload()

    def _reload(self, select_id: int | None = None) -> None:
        self.labels = self.label_set.all()
        self.list.blockSignals(True)
        self.list.clear()
        for label in self.labels:
            key = f"[{label.shortcut}] " if label.shortcut else ""
            item = QListWidgetItem(swatch_icon(label.color), f"{key}{label.display or label.name}  ({label.name})")
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [label.id for label in self.labels]
        if select_id in ids:
            self.list.setCurrentRow(ids.index(select_id))
        elif self.labels:
            self.list.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        self.error.clear()
        if not 0 <= row < len(self.labels):
            return
        label = self.current = self.labels[row]
        self.name.setText(label.name)
        self.display.setText(label.display)
        self._set_color(label.color)
        self.shortcut.setText(label.shortcut or "")
        self.description.setPlainText(label.description)

    def new_label(self) -> None:
        self.current = None
        self.list.clearSelection()
        self.name.clear()
        self.display.clear()
        self._set_color(free_color(self.labels))
        self.shortcut.setText(free_key(self.labels) or "")
        self.description.clear()
        self.error.clear()
        self.name.setFocus()

    def _set_color(self, color: str) -> None:
        self.color = color
        self.color_button.setIcon(swatch_icon(color, 16))
        self.color_button.setText(color)

    def _pick_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Label colour")
        if chosen.isValid():
            self._set_color(chosen.name())

    def save(self) -> None:
        fields = dict(name=self.name.text().strip(), display=self.display.text().strip(), color=self.color,
                      shortcut=self.shortcut.text().strip() or None, description=self.description.toPlainText())
        try:
            if self.current is None:
                label = self.label_set.add(**fields)
            else:
                label = self.label_set.update(self.current.id, **fields)
        except LabelError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self._reload(label.id)

    def ask_remove(self) -> None:
        if self.current is None:
            return
        spans, entries, rules = self.label_set.uses(self.current.id)
        if spans:
            self.error.setText(f"{spans:,} span{'s have' if spans != 1 else ' has'} the label {self.current.name}: "
                               "relabel or remove them first.")
            return
        also = [f"{n} {what}" for n, what in ((entries, "lexicon entries"), (rules, "rules of your own")) if n]
        answer = QMessageBox.question(self, "Delete label", f"Delete the label {self.current.name}?"
                                      + (f" Its {' and '.join(also)} go with it." if also else ""))
        if answer == QMessageBox.StandardButton.Yes:
            self.remove()

    def remove(self) -> None:
        """Delete the chosen label (refused, with the reason, while spans have it)."""
        try:
            self.label_set.remove(self.current.id)
        except LabelError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.current = None
        self._reload()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.description.hasFocus():
            self.save()
            return
        super().keyPressEvent(event)
