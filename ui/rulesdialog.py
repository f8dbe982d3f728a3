"""The suggestion rules of the database: switch built-in ones on and off, give any rule another label, add and
remove your own regular-expression rules. Each change is saved at once and the suggestions follow it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from annotate import rules
from annotate.events import SuggestionsChanged
from ui.errors import environment_reason, refusal_reason
from ui.style import swatch_icon

NO_LABEL = "(no such label)"


class RulesDialog(QDialog):
    ON, NAME, LABEL, FINDS = range(4)

    def __init__(self, workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Suggestion rules")
        self.resize(940, 600)
        self.workspace = workspace
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["On", "Rule (the suggestion's source)", "Label", "What it finds"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.ON, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(self.LABEL, 150)
        header.setSectionResizeMode(self.FINDS, QHeaderView.ResizeMode.Stretch)
        self.remove_button = QPushButton("Remove rule", self)
        self.remove_button.setToolTip("Remove the selected rule of your own (built-in rules can be switched off)")
        self.remove_button.clicked.connect(self.remove_selected)

        adding = QGroupBox("Your own rule: a regular expression (Python syntax); group 1, if any, is the span", self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("packages")
        self.pattern = QLineEdit(self)
        self.pattern.setPlaceholderText("“?(\\w{2,6}\\d+条)")
        self.new_label = QComboBox(self)
        add = QPushButton("Add rule", self)
        add.clicked.connect(self.add_rule)
        self.pattern.returnPressed.connect(self.add_rule)
        form = QFormLayout(adding)
        form.addRow("Name", self.name)
        form.addRow("Pattern", self.pattern)
        row = QHBoxLayout()
        row.addWidget(self.new_label, 1)
        row.addWidget(add)
        form.addRow("Label", row)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(top)
        layout.addWidget(adding)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.reload()

    def _labels(self):
        return self.workspace.labels.all()

    def reload(self) -> None:
        with self.workspace.database.session() as session:
            self.infos = rules.rule_infos(session)
        labels = self._labels()
        self.new_label.clear()
        for label in labels:
            self.new_label.addItem(swatch_icon(label.color), label.name, label.name)
        self.table.setRowCount(len(self.infos))
        for row, info in enumerate(self.infos):
            switch = QCheckBox(self.table)
            switch.setChecked(info.enabled)
            switch.setToolTip("Suggest what this rule finds")
            switch.toggled.connect(lambda on, name=info.name: self.set_enabled(name, on))
            holder = QWidget(self.table)
            box = QHBoxLayout(holder)
            box.setContentsMargins(6, 0, 6, 0)
            box.addWidget(switch)
            self.table.setCellWidget(row, self.ON, holder)
            name = QTableWidgetItem(info.name + ("" if info.builtin else "  (yours)"))
            name.setData(Qt.ItemDataRole.UserRole, info.name)
            self.table.setItem(row, self.NAME, name)
            choice = QComboBox(self.table)
            if info.label is None:
                choice.addItem(NO_LABEL, None)
            for label in labels:
                choice.addItem(swatch_icon(label.color), label.name, label.name)
            choice.setCurrentIndex(max(choice.findData(info.label), 0))
            choice.currentIndexChanged.connect(lambda _i, name=info.name, choice=choice:
                                               self.set_label(name, choice.currentData()))
            self.table.setCellWidget(row, self.LABEL, choice)
            finds = QTableWidgetItem(info.description)
            finds.setToolTip(info.description)
            self.table.setItem(row, self.FINDS, finds)

    # --- changes, each saved at once -------------------------------------------------------------------
    def _change(self, change) -> bool:
        try:
            with self.workspace.database.transaction() as session:
                change(session)
        except Exception as error:  # noqa: BLE001 - shown in the dialog: a bad pattern, a locked database
            self.error.setText(refusal_reason(error) or environment_reason(error) or f"{type(error).__name__}: {error}")
            return False
        self.error.clear()
        self.workspace.events.emit(SuggestionsChanged(None))
        return True

    def set_enabled(self, name: str, on: bool) -> bool:
        return self._change(lambda session: rules.set_enabled(session, name, on))

    def set_label(self, name: str, label: str | None) -> bool:
        if label is None:
            return False
        return self._change(lambda session: rules.set_label(session, name, label))

    def add_rule(self) -> bool:
        name, pattern, label = self.name.text().strip(), self.pattern.text(), self.new_label.currentData()
        if not pattern:
            self.error.setText("Type a pattern first.")
            return False
        if label is None:
            self.error.setText("There is no label yet: add one with Edit ▸ Labels….")
            return False
        if any(info.name == name for info in self.infos):
            self.error.setText(f"There is a rule named {name!r} already; choose another name.")
            return False
        if not self._change(lambda session: rules.add_pattern_rule(session, name, pattern, label)):
            return False
        self.name.clear()
        self.pattern.clear()
        self.reload()
        return True

    def remove_selected(self) -> bool:
        row = self.table.currentRow()
        if row < 0:
            self.error.setText("Select a rule of your own first.")
            return False
        name = self.table.item(row, self.NAME).data(Qt.ItemDataRole.UserRole)
        if not self._change(lambda session: rules.remove_pattern_rule(session, name)):
            return False
        self.reload()
        return True
