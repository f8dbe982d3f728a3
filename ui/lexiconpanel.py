"""The lexicon panel: the project's terms (label, variants, note, rejected or not) in a filterable table,
with add, edit, remove, reject, and TSV import and export.

A thin table model over annotate.lexicon.all_entries; every change goes through annotate.lexicon with the
workspace's event bus, so the suggestions, the segmentation and this table follow the LexiconChanged event
like any other change (labelling a span that adds its text, an import).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import (QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from annotate import lexicon
from annotate.events import LabelsChanged, LexiconChanged
from db.labels import LabelInfo
from db.lexicon import LexiconRow, join_variants, split_variants
from ui import filedialogs
from ui.errors import environment_reason, refusal_reason, show_error
from ui.rowmodel import RowTableModel
from ui.style import swatch_icon

Index = QModelIndex | QPersistentModelIndex
REJECTED_COLOR = QColor("#8a8a8a")


class LexiconModel(RowTableModel):
    TERM, LABEL, VARIANTS, NOTE, STATE = range(5)
    HEADERS = ("Term", "Label", "Variants", "Note", "State")
    TOOLTIPS = ("The term as it is written (simplified for traditional documents)",
                "The label its suggestions get", "Other ways of writing it: abbreviations, traditional form",
                "A note", "accepted terms are suggested; rejected ones are never suggested nor offered again")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[LexiconRow] = []
        self._labels: dict[int, LabelInfo] = {}

    def set_entries(self, rows: Sequence[LexiconRow], labels: Sequence[LabelInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._labels = {label.id: label for label in labels}
        self.endResetModel()

    def entry(self, row: int) -> LexiconRow | None:
        return self.row_at(row)

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.id == entry_id), None)

    def counts(self) -> tuple[int, int]:
        """(entries, rejected ones)."""
        return len(self._rows), sum(row.rejected for row in self._rows)

    def _label_name(self, label_id: int) -> str:
        label = self._labels.get(label_id)
        return label.name if label is not None else f"label {label_id}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == self.TERM:
                return entry.term
            if column == self.LABEL:
                return self._label_name(entry.label_id)
            if column == self.VARIANTS:
                return join_variants(entry.variants)
            if column == self.NOTE:
                return entry.note
            if column == self.STATE:
                return "rejected" if entry.rejected else "accepted"
        elif role == Qt.ItemDataRole.DecorationRole and column == self.LABEL:
            label = self._labels.get(entry.label_id)
            return swatch_icon(label.color) if label is not None else None
        elif role == Qt.ItemDataRole.ForegroundRole and entry.rejected:
            return REJECTED_COLOR
        elif role == Qt.ItemDataRole.FontRole and entry.rejected and column == self.TERM:
            font = QFont()
            font.setStrikeOut(True)
            return font
        elif role == Qt.ItemDataRole.UserRole:
            return entry.id
        return None



class EntryDialog(QDialog):
    """Add or edit one entry; `save(term, label_id, variants, note)` stores it or raises with the reason."""

    def __init__(self, labels: Sequence[LabelInfo], save: Callable[[str, int, tuple[str, ...], str], None],
                 entry: LexiconRow | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit lexicon entry" if entry else "New lexicon entry")
        self._save = save
        self.term = QLineEdit(entry.term if entry else "", self)
        self.term.setPlaceholderText("两个维护")
        self.label = QComboBox(self)
        for label in labels:
            self.label.addItem(swatch_icon(label.color), label.name, label.id)
        if entry is not None:
            self.label.setCurrentIndex(max(self.label.findData(entry.label_id), 0))
        self.variants = QLineEdit(join_variants(entry.variants) if entry else "", self)
        self.variants.setPlaceholderText("兩個維護|“两个维护” (separated by |)")
        self.note = QLineEdit(entry.note if entry else "", self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Term", self.term)
        form.addRow("Label", self.label)
        form.addRow("Variants", self.variants)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def try_save(self) -> None:
        if self.label.currentData() is None:
            self.error.setText("There is no label yet: add one with Edit ▸ Labels….")
            return
        try:
            self._save(self.term.text(), self.label.currentData(), split_variants(self.variants.text()),
                       self.note.text().strip())
        except Exception as error:  # noqa: BLE001 - shown in the dialog, which stays open to correct it
            if type(error).__name__ == "IntegrityError":  # the unique (term, label) of the lexicon
                self.error.setText("This term is in the lexicon with this label already.")
            else:
                self.error.setText(refusal_reason(error) or environment_reason(error)
                                   or f"{type(error).__name__}: {error}")
            return
        self.accept()


class LexiconPanel(QWidget):
    """The lexicon of the open database; follows LexiconChanged and LabelsChanged."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = None
        self.model = LexiconModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter terms, labels, variants, notes")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LexiconModel.TERM, QHeaderView.ResizeMode.Stretch)
        for column, width in ((LexiconModel.LABEL, 110), (LexiconModel.VARIANTS, 110), (LexiconModel.NOTE, 90),
                              (LexiconModel.STATE, 70)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        remove = QAction("Remove", self.table)
        remove.setShortcut(Qt.Key.Key_Delete)
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.remove_selected)
        self.table.addAction(remove)
        self.count = QLabel(self)

        buttons = QHBoxLayout()
        for text, slot, tip in (("Add…", self.add, "A new term with its label"),
                                ("Edit…", self.edit_selected, "Change the selected entry (double-click)"),
                                ("Remove", self.remove_selected, "Delete the selected entries (Del); the term may be "
                                                                 "offered again when you label it"),
                                ("Reject", self.reject_selected, "Never suggest nor offer the selected terms again"),
                                ("Accept", self.accept_selected, "Suggest the selected rejected terms again"),
                                ("Import…", self.import_dialog, "Add or update entries from a TSV file "
                                                                "(term<TAB>label[<TAB>variants[<TAB>note]])"),
                                ("Export…", self.export_dialog, "Write the accepted entries to a TSV file")):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, slot=slot: slot())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.count)
        self._reload_timer = QTimer(self, singleShot=True, interval=150)  # an import is one reload, not many
        self._reload_timer.timeout.connect(self.reload)
        self._stale = False
        self.last_problem = ""  # the reason the last import was refused

    # --- following the workspace -----------------------------------------------------------------------
    def set_workspace(self, workspace) -> None:
        self.workspace = workspace
        if workspace is not None:
            workspace.bridge.event.connect(self._on_event)
        self.reload()

    def _on_event(self, event: object) -> None:
        if isinstance(event, (LexiconChanged, LabelsChanged)):
            self._reload_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the entries again (a hidden panel waits until it is shown)."""
        self._reload_timer.stop()
        if not self.isVisible() and self.workspace is not None:
            self._stale = True
            return
        self._stale = False
        if self.workspace is None:
            self.model.set_entries([], [])
        else:
            self.model.set_entries(lexicon.all_entries(self.workspace.database), self.workspace.labels.all())
        entries, rejected = self.model.counts()
        self.count.setText(f"{entries:,} entr{'y' if entries == 1 else 'ies'}"
                           + (f", {rejected:,} rejected" if rejected else ""))

    # --- editing ---------------------------------------------------------------------------------------
    def selected_entries(self) -> list[LexiconRow]:
        rows = sorted({self.proxy.mapToSource(index).row() for index in self.table.selectionModel().selectedRows()})
        return [entry for entry in map(self.model.entry, rows) if entry is not None]

    def _events(self):
        return self.workspace.events

    def add(self) -> EntryDialog | None:
        if self.workspace is None:
            return None
        database = self.workspace.database

        def save(term: str, label_id: int, variants: tuple[str, ...], note: str) -> None:
            if any(e.term == term.strip() for e in lexicon.all_entries(database, label_id=label_id)):
                raise lexicon.LexiconError(f"“{term.strip()}” is in the lexicon with this label already")
            lexicon.add_entry(database, term, label_id, variants=variants, note=note, events=self._events())

        return self._open(EntryDialog(self.workspace.labels.all(), save, None, self))

    def edit_selected(self) -> EntryDialog | None:
        selected = self.selected_entries()
        if self.workspace is None or not selected:
            return None
        entry, database = selected[0], self.workspace.database

        def save(term: str, label_id: int, variants: tuple[str, ...], note: str) -> None:
            lexicon.change_entry(database, entry.id, term=term, label_id=label_id, variants=variants, note=note,
                                 events=self._events())

        return self._open(EntryDialog(self.workspace.labels.all(), save, entry, self))

    def _open(self, dialog: EntryDialog) -> EntryDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def remove_selected(self) -> None:
        for entry in self.selected_entries():
            self._guarded(lambda entry=entry: lexicon.remove_entry(self.workspace.database, entry.id,
                                                                    events=self._events()))

    def reject_selected(self) -> None:
        self._set_rejected(True)

    def accept_selected(self) -> None:
        """Take back a rejection (made here, or by declining the term's offer or its suggestions)."""
        self._set_rejected(False)

    def _set_rejected(self, rejected: bool) -> None:
        for entry in self.selected_entries():
            if entry.rejected != rejected:
                self._guarded(lambda entry=entry: lexicon.change_entry(self.workspace.database, entry.id,
                                                                        rejected=rejected, events=self._events()))

    def _guarded(self, change: Callable[[], object]) -> bool:
        try:
            change()
        except Exception as error:  # noqa: BLE001 - the domain's reason (a unique clash, a locked database)
            show_error(self, "The lexicon was not changed.", error)
            return False
        return True

    # --- TSV -------------------------------------------------------------------------------------------
    def import_dialog(self) -> None:
        path = filedialogs.open_file(self, "Import lexicon", "Tab-separated (*.tsv *.txt);;All files (*)")
        if path:
            self.import_from(path)

    def import_from(self, path: str) -> lexicon.ImportReport | None:
        """Import a TSV file (all or nothing); a bad line is shown with its file and line number."""
        try:
            report = lexicon.import_tsv(self.workspace.database, path, events=self._events())
        except lexicon.LexiconError as error:
            box = QMessageBox(QMessageBox.Icon.Warning, "Import lexicon",
                              "Nothing was imported: the file has problems.", QMessageBox.StandardButton.Ok, self)
            box.setInformativeText(str(error))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.last_problem = str(error)
            return None
        self.message.emit(f"Lexicon import: {report.added} added, {report.updated} updated, "
                          f"{report.unchanged} unchanged.")
        return report

    def export_dialog(self) -> None:
        path = filedialogs.save_file(self, "Export lexicon", "lexicon.tsv", "Tab-separated (*.tsv);;All files (*)")
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> int | None:
        """Write the accepted entries to `path` (beside it first, then renamed: a failure leaves the old file)."""
        target = Path(path).expanduser()
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "w", encoding="utf-8", newline="\n") as out:
                count = lexicon.export_tsv(self.workspace.database, out)
            os.replace(partial, target)
        except OSError as error:
            partial.unlink(missing_ok=True)
            show_error(self, f"The lexicon could not be written to {target}.", error)
            return None
        self.message.emit(f"Exported {count} lexicon entries to {target}.")
        return count
