"""The agreement window (Review ▸ Agreement…): the same figures as `main.py agree`, computed in the background
with progress and Cancel, as a pairwise table, a per-label bar chart and the per-document table (double-click
opens that document in the review view with the same annotators), exportable as CSV."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from annotate.agreement import AgreementError, AgreementResult, Cancelled, measure
from db import annotators as annotator_rows
from db import labels as label_rows
from ui import filedialogs
from ui.barchart import BarChart
from ui.reviewlayer import annotator_color
from ui.style import label_title
from ui.tasks import Task

Index = QModelIndex | QPersistentModelIndex
MEASURES = (("F1 exact", "f1_exact"), ("F1 overlap", "f1_overlap"), ("Cohen's κ", "kappa"))
ALL = "(all)"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class PairsModel(QAbstractTableModel):
    """One row per pair and label (the pair's overall row first)."""

    HEADERS = ("Pair", "Label", "Spans a", "Spans b", "F1 exact", "F1 overlap", "κ")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, str, Any]] = []

    def set_result(self, result: AgreementResult | None) -> None:
        self.beginResetModel()
        self._rows = [] if result is None else [
            (f"{pair.a} / {pair.b}", label, scores) for pair in result.pairs
            for label, scores in [(ALL, pair.overall), *pair.per_label.items()]]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        pair, label, scores = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (pair if label == ALL else "", label, str(scores.spans_a), str(scores.spans_b),
                    number(scores.f1_exact), number(scores.f1_overlap), number(scores.kappa))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and label == ALL:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


class DocumentsModel(QAbstractTableModel):
    """The per-document table, most disagreeing first."""

    HEADERS = ("Document", "Characters", "Disagreeing", "Share", "F1 exact", "α", "Spans")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.result: AgreementResult | None = None

    def set_result(self, result: AgreementResult | None) -> None:
        self.beginResetModel()
        self.result = result
        self.endResetModel()

    def document_id(self, row: int) -> int | None:
        rows = self.result.per_document if self.result is not None else ()
        return rows[row].document_id if 0 <= row < len(rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.result is None else len(self.result.per_document)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.result is None or not 0 <= index.row() < len(self.result.per_document):
            return None
        row = self.result.per_document[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.name, f"{row.characters:,}", f"{row.disagreeing_characters:,}", f"{row.disagreement:.1%}",
                    number(row.f1_exact), number(row.alpha), " / ".join(map(str, row.spans)))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 1:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{row.name} (id {row.document_id}): double-click to review it"
        if role == Qt.ItemDataRole.UserRole:
            return row.document_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == len(self.HEADERS) - 1 and self.result is not None:
            return "Spans " + " / ".join(self.result.annotators)
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None


def _table(model: QAbstractTableModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class AgreementWindow(QDialog):
    documentChosen = Signal(int, list)   # document id, the annotators compared: open it in the review view
    computed = Signal()                  # a result is shown, or the computation failed or was cancelled

    def __init__(self, workspace, names: Sequence[str], chosen: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Agreement — Zhubi")
        self.setWindowFlag(Qt.WindowType.Window)
        self.resize(860, 640)
        self.workspace = workspace
        self.result: AgreementResult | None = None
        self.task: Task | None = None

        self.annotators = QListWidget(self)
        self.annotators.setMaximumHeight(100)
        with workspace.database.session() as session:
            everyone = sorted(set(annotator_rows.names_with_spans(session).values()) | set(chosen))
        for name in everyone:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        self.label = QComboBox(self)
        self.label.addItem("All labels", None)
        with workspace.database.session() as session:
            for label in label_rows.all_labels(session):
                self.label.addItem(label_title(label), label.name)
        self.compute_button = QPushButton("Compute", self)
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.summary = QLabel("Tick two or more annotators and press Compute.", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.pairs = PairsModel(self)
        self.pairs_table = _table(self.pairs, self)
        self.pairs_table.horizontalHeader().setStretchLastSection(False)
        self.chart = BarChart(self)
        self.measure = QComboBox(self)
        for text, key in MEASURES:
            self.measure.addItem(text, key)
        self.measure.currentIndexChanged.connect(self._draw_chart)
        chart_page = QWidget(self)
        chart_layout = QVBoxLayout(chart_page)
        chart_top = QHBoxLayout()
        chart_top.addWidget(QLabel("Measure:", chart_page))
        chart_top.addWidget(self.measure)
        chart_top.addStretch(1)
        chart_layout.addLayout(chart_top)
        chart_layout.addWidget(self.chart, 1)
        self.documents = DocumentsModel(self)
        self.documents_table = _table(self.documents, self)
        self.documents_table.setToolTip("Double-click a document to review it with these annotators")
        self.documents_table.doubleClicked.connect(self._open_document)
        for column, width in enumerate((260, 84, 84, 64, 70, 64)):
            self.documents_table.horizontalHeader().resizeSection(column, width)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.pairs_table, "Pairs")
        self.tabs.addTab(chart_page, "By label")
        self.tabs.addTab(self.documents_table, "Documents")

        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.setToolTip("Every figure with the counts behind it, one per line (as agree --csv)")
        self.csv_button.clicked.connect(lambda: self._ask_csv(documents=False))
        self.documents_csv_button = QPushButton("Export Documents CSV…", self)
        self.documents_csv_button.clicked.connect(lambda: self._ask_csv(documents=True))
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)

        choose = QHBoxLayout()
        choose.addWidget(self.annotators, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel("Label:", self))
        side.addWidget(self.label)
        side.addStretch(1)
        run = QHBoxLayout()
        run.addWidget(self.compute_button)
        run.addWidget(self.cancel_button)
        side.addLayout(run)
        side.addWidget(self.progress)
        choose.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.documents_csv_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Annotators to compare:", self))
        layout.addLayout(choose)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self._enable()

    def chosen(self) -> list[str]:
        items = (self.annotators.item(i) for i in range(self.annotators.count()))
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def _enable(self) -> None:
        running = self.task is not None
        self.compute_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        for button in (self.csv_button, self.documents_csv_button):
            button.setEnabled(self.result is not None and not running)

    # --- computing in the background -------------------------------------------------------------------
    def compute(self) -> Task | None:
        names = self.chosen()
        if len(names) < 2:
            self.summary.setText("Tick two or more annotators.")
            return None
        database, label = self.workspace.database, self.label.currentData()

        def work(task: Task) -> AgreementResult:
            return measure(database, names, label=label, progress=task.report, cancel=task.cancelled)

        self.progress.setRange(0, 0)
        self.summary.setText(f"Comparing {', '.join(names)}…")
        task = self.task = Task(work)  # no parent: it may outlive a closed window
        task.progressed.connect(self._progressed)
        task.finished.connect(self._finished)
        self._enable()
        return task.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.summary.setText("Cancelling…")

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self) -> None:
        task, self.task = self.task, None
        if task is None:
            return
        if task.error is None:
            self.show_result(task.result)
        elif isinstance(task.error, Cancelled):
            self.summary.setText("Cancelled; nothing was computed.")
        elif isinstance(task.error, AgreementError):
            self.summary.setText(f"Cannot compute: {task.error}")
        else:
            from ui.errors import show_error

            self.summary.setText("The computation failed.")
            show_error(self, "Agreement could not be computed.", task.error)
        self._enable()
        self.computed.emit()

    def show_result(self, result: AgreementResult) -> None:
        self.result = result
        label = self.label.currentData()
        self.summary.setText(
            f"<b>{', '.join(result.annotators)}</b>{f' · label {label}' if label else ''} · "
            f"{result.documents:,} documents · {result.characters:,} characters · "
            f"Fleiss' κ <b>{number(result.fleiss_kappa)}</b> · Krippendorff's α <b>{number(result.krippendorff_alpha)}</b>"
            + ("" if result.documents else "<br/>No document has spans of every one of them (or is marked done)."))
        self.pairs.set_result(result)
        self.documents.set_result(result)
        self.pairs_table.resizeColumnsToContents()
        self._draw_chart()

    def _draw_chart(self, *_) -> None:
        result = self.result
        if result is None:
            self.chart.set_data("", [], [], [])
            return
        key = self.measure.currentData()
        categories = [ALL, *result.labels] if len(result.labels) > 1 else list(result.labels) or [ALL]
        series = [(f"{pair.a} / {pair.b}", annotator_color(i)) for i, pair in enumerate(result.pairs)]
        values = []
        for category in categories:
            row = []
            for pair in result.pairs:
                scores = pair.overall if category == ALL else pair.per_label.get(category)
                row.append(getattr(scores, key) if scores is not None else None)
            values.append(row)
        self.chart.set_data(f"{self.measure.currentText()} per label", categories, series, values)

    # --- out -------------------------------------------------------------------------------------------
    def _open_document(self, index: QModelIndex) -> None:
        document_id = self.documents.document_id(index.row())
        if document_id is not None and self.result is not None:
            self.documentChosen.emit(document_id, list(self.result.annotators))

    def _ask_csv(self, *, documents: bool) -> None:
        suffix = "agreement-documents" if documents else "agreement"
        path = filedialogs.save_file(self, "Export CSV", f"{suffix}.csv", "CSV (*.csv);;All files (*)")
        if path:
            self.export_csv(path, documents=documents)

    def export_csv(self, path: str, *, documents: bool = False) -> bool:
        if self.result is None:
            return False
        try:
            with open(path, "w", encoding="utf-8", newline="") as out:
                (self.result.write_documents_csv if documents else self.result.write_csv)(out)
        except OSError as error:
            from ui.errors import show_error

            show_error(self, f"Cannot write {path}.", error)
            return False
        self.summary.setText(self.summary.text() + f"<br/>Written to {path}.")
        return True

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)
