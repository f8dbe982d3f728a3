"""The label palette: one button per label (colour, shortcut, name); clicking one labels the selection."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QWidget

from db.labels import LabelInfo
from ui.flowlayout import FlowLayout
from ui.style import swatch_icon


class LabelPalette(QWidget):
    labelChosen = Signal(int)  # label id
    editRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = FlowLayout(self)  # many labels wrap onto more rows instead of widening the window
        self._layout.setContentsMargins(6, 2, 6, 2)
        # Height follows width (the rows the labels need): the layout's heightForWidth decides.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._layout.addWidget(QLabel("Labels:", self))
        self._buttons: list[QToolButton] = []
        edit = QToolButton(self)
        edit.setText("Edit labels…")
        edit.setToolTip("Add labels, change colours, names and shortcut keys")
        edit.clicked.connect(self.editRequested)
        self._layout.addWidget(edit)

    def set_labels(self, labels: Sequence[LabelInfo]) -> None:
        for button in self._buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self._buttons = []
        for position, label in enumerate(labels, start=1):
            button = QToolButton(self)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIcon(swatch_icon(label.color))
            key = f"{label.shortcut}  " if label.shortcut else ""
            button.setText(f"{key}{label.display or label.name}")
            button.setToolTip(f"{label.name}: {label.description}" + (f"\nKey: {label.shortcut}" if key else ""))
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, label_id=label.id: self.labelChosen.emit(label_id))
            self._layout.insert_widget(position, button)
            self._buttons.append(button)

    def buttons(self) -> list[QToolButton]:
        return list(self._buttons)
