"""The concordance panel: every occurrence of a term (or of every text labelled with a label) across the
corpus, in context (KWIC), with how each one is labelled — the consistency check reviewers need.

The search runs off the GUI thread (annotate.concordance); a new search or Cancel drops the running one.
Each line is coloured by its status (labelled the same, inside a span of that label, overlapping one, with
another label, not at all); "only inconsistent" keeps the last three. A frequent term lists its
first MAX_LINES lines and then its inconsistent occurrences, so the filter misses none of those.
Activating a line opens its document with the occurrence selected, so a label key labels it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Sequence

from PySide6.QtCore import (QItemSelectionModel, QModelIndex, QObject, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt, QTimer, Signal)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget)

from annotate.events import SpansChanged
from db.labels import LabelInfo
from ui.rowmodel import RowTableModel
from ui.style import label_title
from ui.tasks import Task

if TYPE_CHECKING:  # annotate.concordance loads the suggestion engine: only when a search runs, not at start-up
    from annotate.concordance import Concordance, Line

Index = QModelIndex | QPersistentModelIndex
MAX_LINES = 2000  # lines shown for a term, and inconsistent lines after them; counts and statuses cover all
# By annotate.concordance.Status (a str enum: its members are these strings), in the order shown.
STATUS_COLORS = {"same": QColor("#2a9d8f"), "inside": QColor("#52b788"), "overlap": QColor("#f4a261"),
                 "other": QColor("#d62828"), "none": QColor("#c9a227")}
STATUS_WORDS = {"same": "same", "inside": "inside", "overlap": "overlaps", "other": "other label",
                "none": "not labelled"}


class ConcordanceModel(RowTableModel):
    DOCUMENT, LEFT, MATCH, RIGHT, STATUS = range(5)
    HEADERS = ("Document", "Left", "Occurrence", "Right", "Labelled")
    TOOLTIPS = ("Document (occurrences in it)", "Text before", "The occurrence", "Text after",
                "How it is labelled, compared with the reference label")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.result: Concordance | None = None
        self._rows: list[Line] = []
        self._labels: dict[int, LabelInfo] = {}

    def set_result(self, result: Concordance | None, labels: Sequence[LabelInfo] = ()) -> None:
        self.beginResetModel()
        self.result = result
        self._rows = list(result.lines) if result is not None else []
        self._labels = {label.id: label for label in labels}
        self.endResetModel()

    def line(self, row: int) -> Line | None:
        return self.row_at(row)

    def label_name(self, label_id: int | None) -> str:
        if label_id is None:
            return "—"
        label = self._labels.get(label_id)
        return label.name if label is not None else f"label {label_id}"

    def status_text(self, line: Line) -> str:
        reference = self.label_name(self.result.label_id if self.result else None)
        if line.status == "same":
            return f"✓ {reference}"
        if line.status == "inside":
            return f"✓ inside {reference}"
        if line.status == "overlap":
            return f"≠ overlaps {reference}"
        if line.status == "other":
            here = (line.start, line.end)
            exact = sorted({self.label_name(r.label_id) for r in line.spans if (r.start, r.end) == here})
            return f"≠ {', '.join(exact)}"
        return "✗ not labelled"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        line, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DOCUMENT:
                count = self.result.per_document.get(line.document_id, 0) if self.result else 0
                return f"{line.document} ({count})"
            if column == self.LEFT:
                return line.left.replace("\n", " ⏎ ")
            if column == self.MATCH:
                return line.match
            if column == self.RIGHT:
                return line.right.replace("\n", " ⏎ ")
            if column == self.STATUS:
                return self.status_text(line)
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            if column == self.LEFT:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            if column == self.MATCH:
                return Qt.AlignmentFlag.AlignCenter
        elif role == Qt.ItemDataRole.BackgroundRole and column in (self.MATCH, self.STATUS):
            color = QColor(STATUS_COLORS[line.status])
            color.setAlpha(70 if column == self.MATCH else 45)
            return color
        elif role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return STATUS_COLORS[line.status].darker(150)
        elif role == Qt.ItemDataRole.ToolTipRole:
            spans = "".join(f"<br/>{escape(self.label_name(r.label_id))} [{r.start}, {r.end})" for r in line.spans)
            return (f"<b>{escape(line.document)}</b> [{line.start}, {line.end}): "
                    f"{escape(STATUS_WORDS[line.status])}{spans or '<br/>no span here'}")
        elif role == Qt.ItemDataRole.UserRole:
            return line.status.value
        return None



class InconsistentFilter(QSortFilterProxyModel):
    """Keeps every line, or only the inconsistent ones (overlapping, other label, not labelled)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.only_inconsistent = False

    def set_only_inconsistent(self, on: bool) -> None:
        self.beginFilterChange()
        self.only_inconsistent = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.only_inconsistent:
            return True
        line = self.sourceModel().line(source_row)
        return line is not None and not line.status.consistent


class _Elided(QStyledItemDelegate):
    """Cuts a cell's text on one side: the left context loses its far (left) end, the right context its right
    end, so the words next to the occurrence always show."""

    def __init__(self, mode: Qt.TextElideMode, parent: QObject | None = None):
        super().__init__(parent)
        self.mode = mode

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode


class ConcordancePanel(QWidget):
    jump = Signal(int, int, int)  # document id, start, end: show this occurrence
    finished = Signal()  # a search delivered its result (or failed)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = None
        self.model = ConcordanceModel(self)
        self.proxy = InconsistentFilter(self)
        self.proxy.setSourceModel(self.model)
        self._task: Task | None = None

        self.term = QLineEdit(self)
        self.term.setPlaceholderText("Term to look for in every document (Enter)")
        self.term.setClearButtonEnabled(True)
        self.term.returnPressed.connect(self.search)
        search = QPushButton("Search", self)
        search.clicked.connect(self.search)
        self.label = QComboBox(self)
        self.label.setToolTip("Every text labelled with this label, and every other occurrence of it")
        every = QPushButton("Every span of label", self)
        every.clicked.connect(self.search_label)
        self.everyone = QCheckBox("Everyone's labels", self)
        self.everyone.setToolTip("Compare with every annotator's spans, not only yours")
        self.only_inconsistent = QCheckBox("Only inconsistent", self)
        self.only_inconsistent.setToolTip("Only occurrences that overlap a span, carry another label, or none")
        self.only_inconsistent.toggled.connect(self._filter)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((ConcordanceModel.DOCUMENT, 110), (ConcordanceModel.LEFT, 130),
                              (ConcordanceModel.MATCH, 76), (ConcordanceModel.RIGHT, 130)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # names differ at both ends
        self.table.setItemDelegateForColumn(ConcordanceModel.LEFT, _Elided(Qt.TextElideMode.ElideLeft, self))
        self.table.setItemDelegateForColumn(ConcordanceModel.RIGHT, _Elided(Qt.TextElideMode.ElideRight, self))
        self._again = QTimer(self, singleShot=True, interval=400)  # labels changed under a term's lines
        self._again.timeout.connect(self._search_again)
        self._searched = ""  # the term of the lines shown
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)

        first = QHBoxLayout()
        first.addWidget(self.term, 1)
        first.addWidget(search)
        second = QHBoxLayout()
        second.addWidget(self.label, 1)
        second.addWidget(every)
        third = QHBoxLayout()
        third.addWidget(self.everyone)
        third.addWidget(self.only_inconsistent)
        third.addStretch(1)
        third.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addLayout(third)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    # --- workspace -------------------------------------------------------------------------------------
    def set_workspace(self, workspace) -> None:
        self.cancel()
        self.workspace = workspace
        self.model.set_result(None)
        self.summary.clear()
        if workspace is not None:
            workspace.bridge.labelsChanged.connect(self._reload_labels)
            workspace.bridge.spansChanged.connect(self._spans_changed)
        self._reload_labels()

    def _spans_changed(self, event: SpansChanged) -> None:
        """A term's lines follow the labels (labelling from a line shows at once); a label's list, which reads
        the whole corpus, is searched again only when asked."""
        result = self.model.result
        if self._searched and result is not None and event.document_id in result.per_document:
            self._again.start()

    def _search_again(self) -> None:
        if self._task is None and self._searched and self.term.text().strip() == self._searched:
            self.search(keep_place=True)

    def _reload_labels(self, *_) -> None:
        current = self.label.currentData()
        self.label.clear()
        if self.workspace is None:
            return
        for label in self.workspace.labels.all():
            self.label.addItem(label_title(label), label.id)
        if current is not None and self.label.findData(current) >= 0:
            self.label.setCurrentIndex(self.label.findData(current))

    # --- searching -------------------------------------------------------------------------------------
    def search_term(self, term: str) -> Task | None:
        self.term.setText(term)
        return self.search()

    def search(self, *, keep_place: bool = False) -> Task | None:
        term = self.term.text().strip()
        if self.workspace is None or not term:
            return None
        database, annotators = self.workspace.database, self._annotators()

        def work(task: Task) -> Concordance:
            from annotate.concordance import concordance

            return concordance(database, term, annotator_ids=annotators, limit=MAX_LINES,
                               more_inconsistent=MAX_LINES)

        return self._run(work, f"Looking for “{term}”…", term, keep_place)

    def search_label(self, label_id: int | None = None) -> Task | None:
        if label_id is not None:
            self.label.setCurrentIndex(max(self.label.findData(label_id), 0))
        label_id = self.label.currentData()
        if self.workspace is None or label_id is None:
            return None
        database, annotators = self.workspace.database, self._annotators()

        def work(task: Task) -> Concordance:
            from annotate.concordance import label_concordance

            return label_concordance(database, label_id, annotator_ids=annotators, progress=task.report,
                                     cancel=task.cancelled)

        return self._run(work, f"Reading the corpus for every text labelled {self.label.currentText()}…", "")

    def _annotators(self) -> list[int] | None:
        return None if self.everyone.isChecked() else [self.workspace.annotator_id]

    def _run(self, work, what: str, term: str, keep_place: bool = False) -> Task:
        self.cancel()
        self._again.stop()
        workspace = self.workspace
        place = self._current_place() if keep_place else None
        task = Task(work)
        task.progressed.connect(lambda done, total: self.summary.setText(f"{what} {done:,}/{total:,} documents"))
        task.succeeded.connect(lambda result: self._found(task, workspace, result, term, place))
        task.failed.connect(lambda error: self._failed(task, error))
        self._task = task.start()
        keep = getattr(self.window(), "keep_until_closed", None)
        if keep is not None:
            keep(task)
        if not keep_place:
            self.summary.setText(what)
        self.cancel_button.show()
        return task

    def _current_place(self) -> tuple[tuple[int, int], int] | None:
        """The selected line (document, start) and the scroll position, to come back to after a refresh."""
        line = self.model.line(self.proxy.mapToSource(self.table.currentIndex()).row())
        return ((line.document_id, line.start) if line else None), self.table.verticalScrollBar().value()

    def cancel(self) -> None:
        """Drop the running search (a label search stops reading the corpus)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
            self.summary.setText("Cancelled.")
        self.cancel_button.hide()

    def _found(self, task: Task, workspace, result: Concordance, term: str, place) -> None:
        if task is not self._task or workspace is not self.workspace:
            return  # cancelled, or overtaken by another search
        self._task = None
        self._searched = term
        self.cancel_button.hide()
        self.model.set_result(result, workspace.labels.all())
        if result.label_id is not None and self.label.findData(result.label_id) >= 0:
            self.label.setCurrentIndex(self.label.findData(result.label_id))  # the label compared with, shown
        if place is not None:
            self._restore(*place)
        self.summary.setText(self.describe(result) + (" (cancelled: what was read so far)" if task.cancelled() else ""))
        self.finished.emit()

    def _restore(self, line: tuple[int, int] | None, scrolled: int) -> None:
        row = next((row for row in range(self.model.rowCount())
                    if (self.model.line(row).document_id, self.model.line(row).start) == line), None)
        if row is not None:
            index = self.proxy.mapFromSource(self.model.index(row, ConcordanceModel.MATCH))
            if index.isValid():
                flags = QItemSelectionModel.SelectionFlag
                self.table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.table.verticalScrollBar().setValue(scrolled)

    def _failed(self, task: Task, error: BaseException) -> None:
        if task is not self._task:
            return
        self._task = None
        self.cancel_button.hide()
        self.summary.setText(f"The search failed: {error}")
        self.finished.emit()

    def describe(self, result: Concordance) -> str:
        if not result.total:
            return f"“{result.terms[0]}” occurs nowhere." if result.terms else "Nothing found."
        counts = " · ".join(f"{word} {result.by_status.get(status, 0):,}" for status, word in STATUS_WORDS.items()
                            if result.by_status.get(status))
        shown = "" if result.complete else f"; the first {len(result.lines) - result.beyond:,} lines are listed"
        if result.beyond:
            shown += f", and {result.beyond:,} inconsistent one{'s' if result.beyond != 1 else ''} after them"
        inconsistent = sum(count for status, count in result.by_status.items() if not status.consistent)
        return (f"{result.total:,} occurrence{'s' if result.total != 1 else ''} in {len(result.per_document):,} "
                f"document{'s' if len(result.per_document) != 1 else ''}, compared with "
                f"{self.model.label_name(result.label_id)}: {counts}{shown}. "
                + (f"{inconsistent:,} inconsistent." if inconsistent else "All consistent."))

    def _filter(self, on: bool) -> None:
        self.proxy.set_only_inconsistent(on)

    def _activated(self, index: QModelIndex) -> None:
        line = self.model.line(self.proxy.mapToSource(index).row())
        if line is not None:
            self.jump.emit(line.document_id, line.start, line.end)
