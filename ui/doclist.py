"""The document list: a lazy table model over document ids, with a filter box and a status filter.

Rows arrive a page at a time (canFetchMore/fetchMore) from db.documents.page, which filters in the database
by name and full text, so 100,000 documents scroll smoothly and no text is ever loaded into Qt.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from annotate.events import DocumentsChanged, SpansChanged
from db import documents
from db.documents import DocumentInfo
from db.engine import Database
from db.models import ReviewStatus, Status
from ui.rowmodel import RowTableModel
from ui.style import REVIEW_TEXT, SCRIPT_TEXT, STATUS_TEXT, review_icon, status_icon

Index = QModelIndex | QPersistentModelIndex

STATUS_FILTERS = (("All documents", None), ("Not done", (Status.NEW, Status.IN_PROGRESS)),
                  ("New", (Status.NEW,)), ("In progress", (Status.IN_PROGRESS,)), ("Done", (Status.DONE,)))
REVIEW_FILTERS = (("Any review", None), ("Not adjudicated", (ReviewStatus.UNREVIEWED, ReviewStatus.IN_REVIEW)),
                  ("Unreviewed", (ReviewStatus.UNREVIEWED,)), ("In review", (ReviewStatus.IN_REVIEW,)),
                  ("Adjudicated", (ReviewStatus.ADJUDICATED,)))


class DocumentListModel(RowTableModel):
    NAME, SCRIPT, LENGTH, SPANS, STATUS, REVIEW = range(6)
    HEADERS = ("Name", "简/繁", "Characters", "Spans", "Status", "Review")
    TOOLTIPS = ("Document name", "Simplified (简) or traditional (繁) characters", "Length in characters",
                "Your spans in this document", "new, in progress or done",
                "Review of teammates' labels: unreviewed, in review or adjudicated")
    PAGE = 400

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._database: Database | None = None
        self._annotator_id: int | None = None
        self._rows: list[DocumentInfo] = []
        self._row_of: dict[int, int] = {}
        self._spans: dict[int, int] = {}
        self._exhausted = True
        self.text = ""
        self.forms: tuple[str, ...] = ()  # the filter text in both scripts
        self.statuses: tuple[Status, ...] | None = None
        self.review_statuses: tuple[ReviewStatus, ...] | None = None

    # --- source and filter -----------------------------------------------------------------------------
    def set_source(self, database: Database | None, annotator_id: int | None) -> None:
        self._database, self._annotator_id = database, annotator_id
        self.reload()

    def set_filter(self, text: str, statuses: tuple[Status, ...] | None,
                   review_statuses: tuple[ReviewStatus, ...] | None = None) -> None:
        self.text, self.statuses, self.review_statuses = text.strip(), statuses, review_statuses
        self.forms = ()
        if self.text:
            from corpus.script import both_scripts  # OpenCC loads at the first filter, not at start-up

            self.forms = both_scripts(self.text)  # 十项行动 finds 十項行動 too
        self.reload()

    def reload(self) -> None:
        """Start again with the first page, read inside the reset: when it holds every match, the count (asked
        for on the reset) is its length instead of a second scan of the corpus."""
        self.beginResetModel()
        self._rows, self._row_of, self._spans = [], {}, {}
        self._exhausted = self._database is None
        if not self._exhausted:
            self._add(*self._next_page())
        self.endResetModel()

    def matching_count(self) -> int:
        if self._database is None:
            return 0
        if self._exhausted:  # every match is loaded already: no second scan of the corpus to count them
            return len(self._rows)
        with self._database.session() as session:
            return documents.count_matching(session, text=self.forms, statuses=self.statuses,
                                            review_statuses=self.review_statuses)

    # --- lazy fetching ---------------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        page, counts = self._next_page()
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._add(page, counts)
        self.endInsertRows()

    def _next_page(self) -> tuple[list[DocumentInfo], dict[int, int]]:
        """The next page of matches and their span counts; the last page marks the model exhausted."""
        after = self._rows[-1].id if self._rows else None
        with self._database.session() as session:
            page = documents.page(session, after_id=after, limit=self.PAGE, text=self.forms,
                                  statuses=self.statuses, review_statuses=self.review_statuses)
            counts = documents.span_counts(session, [row.id for row in page], [self._annotator_id]) if page else {}
        if len(page) < self.PAGE:
            self._exhausted = True
        return page, counts

    def _add(self, page: list[DocumentInfo], counts: dict[int, int]) -> None:
        first = len(self._rows)
        for offset, row in enumerate(page):
            self._row_of[row.id] = first + offset
        self._rows.extend(page)
        self._spans.update(counts)

    def loaded_ids(self) -> tuple[int, ...]:
        return tuple(row.id for row in self._rows)

    def row_of(self, document_id: int, *, fetch: bool = True) -> int | None:
        """The row of a document, fetching pages until it appears (None if the filter hides it)."""
        while document_id not in self._row_of and fetch and self.canFetchMore():
            self.fetchMore()
        return self._row_of.get(document_id)

    def document_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def info(self, row: int) -> DocumentInfo | None:
        return self.row_at(row)

    # --- following the domain --------------------------------------------------------------------------
    def on_spans_changed(self, event: SpansChanged) -> None:
        row = self._row_of.get(event.document_id)
        if row is None:
            return
        own = self._annotator_id
        delta = sum(r.annotator_id == own for r in event.added) - sum(r.annotator_id == own for r in event.removed)
        if delta:
            # Adjusted, not counted again (a query per key press cost 3 ms of the 16 ms frame); never below 0,
            # which a span another window added and this one removed would give. Counted afresh on catch_up.
            self._spans[event.document_id] = max(0, self._spans.get(event.document_id, 0) + delta)
            index = self.index(row, self.SPANS)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    def on_documents_changed(self, event: DocumentsChanged) -> None:
        """Refresh changed rows in place (rows do not jump away under the user); new documents append."""
        if self._database is None:
            return
        if not event.ids:
            if self._exhausted:
                self._exhausted = False  # documents were added after the last row: let the view fetch them
                self.fetchMore()
            return
        loaded = [i for i in event.ids if i in self._row_of]
        if not loaded:
            if self._exhausted and max(event.ids) > (self._rows[-1].id if self._rows else -1):
                self._exhausted = False
                self.fetchMore()
            return
        with self._database.session() as session:
            fresh = documents.infos(session, loaded)
            counts = documents.span_counts(session, loaded, [self._annotator_id])
        self._spans.update({document_id: counts.get(document_id, 0) for document_id in loaded})
        for info in fresh:
            row = self._row_of[info.id]
            self._rows[row] = info
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.REVIEW))

    # --- Qt model --------------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        info, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return info.name
            if column == self.SCRIPT:
                return SCRIPT_TEXT.get(info.script, "")
            if column == self.LENGTH:
                return f"{info.length:,}"
            if column == self.SPANS:
                return str(self._spans.get(info.id, 0))
            if column == self.STATUS:
                return STATUS_TEXT[info.status]
        elif role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return status_icon(info.status)
        elif role == Qt.ItemDataRole.DecorationRole and column == self.REVIEW:
            return review_icon(info.review_status)
        elif role == Qt.ItemDataRole.ToolTipRole and column == self.REVIEW:
            return REVIEW_TEXT[info.review_status]
        elif role == Qt.ItemDataRole.TextAlignmentRole and column in (self.LENGTH, self.SPANS):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.SCRIPT:
            return Qt.AlignmentFlag.AlignCenter
        elif role == Qt.ItemDataRole.ToolTipRole and column == self.NAME:
            return f"{info.name}\nid {info.id} · {info.length:,} characters · {STATUS_TEXT[info.status]}"
        elif role == Qt.ItemDataRole.UserRole:
            return info.id
        return None



class _Table(QTableView):
    activatedByKey = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activatedByKey.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class _FilterField(QLineEdit):
    downPressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.downPressed.emit()
            return
        super().keyPressEvent(event)


class DocumentListPanel(QWidget):
    """Filter box, status filter, the table and a count; Enter or double-click opens a document."""

    documentActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = DocumentListModel(self)
        self.filter = _FilterField(self)
        self.filter.setPlaceholderText("Filter: name or text (Ctrl+L)")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        for text, _ in STATUS_FILTERS:
            self.status.addItem(text)
        self.review = QComboBox(self)
        self.review.setToolTip("Filter by review status")
        for text, _ in REVIEW_FILTERS:
            self.review.addItem(text)
        self.table = _Table(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # names differ at both ends (01_…会议.txt)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DocumentListModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((DocumentListModel.SCRIPT, 40), (DocumentListModel.LENGTH, 74),
                              (DocumentListModel.SPANS, 50), (DocumentListModel.STATUS, 100),
                              (DocumentListModel.REVIEW, 52)):
            header.resizeSection(column, width)
        self.count = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.status)
        top.addWidget(self.review)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _: self._debounce.start())
        self.filter.returnPressed.connect(self._to_the_list)  # Enter or ↓: to the first match; Enter there opens it
        self.filter.downPressed.connect(self._to_the_list)
        self.status.currentIndexChanged.connect(self._apply_filter)
        self.review.currentIndexChanged.connect(self._apply_filter)
        self.table.doubleClicked.connect(self._activate)
        self.table.activatedByKey.connect(self._activate)
        self.model.modelReset.connect(self.update_count)

    def set_source(self, database: Database | None, annotator_id: int | None) -> None:
        self.model.set_source(database, annotator_id)

    def _apply_filter(self) -> None:
        self._debounce.stop()
        statuses = STATUS_FILTERS[self.status.currentIndex()][1]
        review_statuses = REVIEW_FILTERS[self.review.currentIndex()][1]
        if (self.filter.text().strip(), statuses, review_statuses) != \
                (self.model.text, self.model.statuses, self.model.review_statuses):
            self.model.set_filter(self.filter.text(), statuses, review_statuses)

    def _to_the_list(self) -> None:
        self._apply_filter()
        if self.model.rowCount():
            current = self.table.currentIndex()
            self.table.setCurrentIndex(current if current.isValid() else self.model.index(0, 0))
            self.table.setFocus()

    def update_count(self, *_) -> None:
        total = self.model.matching_count()
        filtered = bool(self.model.text or self.model.statuses or self.model.review_statuses)
        self.count.setText(f"{total:,} document{'s' if total != 1 else ''}" + (" match" if filtered else ""))

    def _activate(self, index: QModelIndex) -> None:
        document_id = self.model.document_id(index.row())
        if document_id is not None:
            self.documentActivated.emit(document_id)

    def show_document(self, document_id: int) -> None:
        """Select the row of the open document (when the filter shows it) and scroll it into view."""
        row = self.model.row_of(document_id)
        if row is None:
            self.table.clearSelection()
            return
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def neighbour(self, document_id: int, step: int) -> int | None:
        row = self.model.row_of(document_id)
        if row is None:
            return self.model.document_id(0)
        target = row + step
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        return self.model.document_id(target)

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()
