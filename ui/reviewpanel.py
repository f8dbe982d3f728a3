"""The review panel: which annotators to compare, the counts, the decision buttons, the current disagreement
and the list of disagreements. A view only: the controller (ui.review) owns the state and the actions."""

from __future__ import annotations

from html import escape
from typing import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QTableView, QVBoxLayout, QWidget)

from annotate.review import Group, Kind
from db.models import ReviewStatus
from ui.reviewlayer import annotator_color
from ui.reviewmodel import DisagreementFilter, DisagreementModel
from ui.style import REVIEW_TEXT, review_icon, swatch_icon

KIND_FILTERS = (("All disagreements", None), ("Label conflicts", frozenset({Kind.LABEL})),
                ("Boundary conflicts", frozenset({Kind.BOUNDARY})), ("Mixed conflicts", frozenset({Kind.MIXED})),
                ("Missing", frozenset({Kind.MISSING})))


def _button(action: QAction, parent: QWidget, text: str | None = None) -> QPushButton:
    """A button that triggers an action and follows its enabled state, with its own (shorter) text."""
    button = QPushButton(text or action.text().replace("&", ""), parent)
    shortcut = action.shortcut().toString()
    button.setToolTip(action.text().replace("&", "") + (f" ({shortcut})" if shortcut else ""))
    button.setCheckable(action.isCheckable())
    button.clicked.connect(lambda _=False: action.trigger())

    def follow() -> None:
        button.setEnabled(action.isEnabled())
        if action.isCheckable():
            button.setChecked(action.isChecked())
        button.setIcon(action.icon())

    action.changed.connect(follow)
    follow()
    return button


class ReviewPanel(QWidget):
    annotatorsChosen = Signal(list)   # names checked, in list order
    rowActivated = Signal(int)        # a row of the disagreement model (source row) was chosen in the table

    def __init__(self, model: DisagreementModel, proxy: DisagreementFilter, actions: dict[str, QAction],
                 side_actions: Sequence[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.proxy = model, proxy
        self.side_actions = list(side_actions)
        self._syncing = False

        self.annotators = QListWidget(self)
        self.annotators.setMaximumHeight(96)
        self.annotators.setToolTip("Tick two or more annotators to compare; gold is what the review builds")
        self.annotators.itemChanged.connect(self._checks_changed)
        self.mode_button = _button(actions["mode"], self, "Review view")
        self.agreement_button = _button(actions["agreement"], self, "Agreement…")
        self.status_icon = QLabel(self)
        self.status = QLabel(self)
        self.adjudicate_button = _button(actions["adjudicated"], self, "Mark adjudicated")
        self.counts = QLabel(self)
        self.counts.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #666")

        self.side_buttons = [_button(action, self, f"Accept side {i + 1}") for i, action in enumerate(self.side_actions)]
        decide = QGridLayout()
        decide.setSpacing(2)
        for column, button in enumerate(self.side_buttons):
            decide.addWidget(button, column // 3, column % 3)
        row = (len(self.side_buttons) + 2) // 3
        for column, (name, text) in enumerate((("accept_all", "Accept all"), ("reject", "Reject"),
                                               ("clear", "Withdraw"))):
            decide.addWidget(_button(actions[name], self, text), row, column)
        steps = QHBoxLayout()
        steps.addWidget(_button(actions["previous"], self, "◀ Previous"))
        steps.addWidget(_button(actions["next"], self, "Next ▶"))
        steps.addStretch(1)
        self.agreed_button = _button(actions["agreed"], self, "Accept agreed")
        steps.addWidget(self.agreed_button)

        self.current = QLabel(self)
        self.current.setWordWrap(True)
        self.current.setTextFormat(Qt.TextFormat.RichText)
        self.current.setMinimumHeight(64)
        self.current.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.kind = QComboBox(self)
        for text, _ in KIND_FILTERS:
            self.kind.addItem(text)
        self.undecided = QCheckBox("Undecided only", self)
        self.kind.currentIndexChanged.connect(self._filter_changed)
        self.undecided.toggled.connect(self._filter_changed)
        self.table = QTableView(self)
        self._shown_model = None
        self._show_model(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        model.modelReset.connect(self._size_columns)
        # Delete rejects here too, as in the text (a row of the list is a disagreement chosen).
        reject_here = QAction(self.table)
        reject_here.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        reject_here.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        reject_here.triggered.connect(actions["reject"].trigger)
        self.table.addAction(reject_here)

        top = QHBoxLayout()
        top.addWidget(self.mode_button)
        top.addStretch(1)
        top.addWidget(self.agreement_button)
        status = QHBoxLayout()
        status.addWidget(self.status_icon)
        status.addWidget(self.status, 1)
        status.addWidget(self.adjudicate_button)
        filters = QHBoxLayout()
        filters.addWidget(self.kind, 1)
        filters.addWidget(self.undecided)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.annotators)
        layout.addLayout(status)
        layout.addWidget(self.counts)
        layout.addWidget(self.message)
        layout.addLayout(steps)
        layout.addLayout(decide)
        layout.addWidget(self.current)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.show_status(None)
        self.show_current(None, [])

    # --- annotators ------------------------------------------------------------------------------------
    def set_annotators(self, names: Sequence[str], chosen: Sequence[str], counts: dict[str, int]) -> None:
        """The annotators to choose from (with their spans in the open document) and which are ticked."""
        self._syncing = True
        self.annotators.clear()
        for name in names:
            count = counts.get(name, 0)
            item = QListWidgetItem(f"{name}  ({count} here)" if count else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
            if name in chosen:
                item.setIcon(swatch_icon(annotator_color(list(chosen).index(name)).name()))
            self.annotators.addItem(item)
        self._syncing = False

    def chosen(self) -> list[str]:
        items = (self.annotators.item(i) for i in range(self.annotators.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    def _checks_changed(self, _item: QListWidgetItem) -> None:
        if not self._syncing:
            self.annotatorsChosen.emit(self.chosen())

    # --- state -----------------------------------------------------------------------------------------
    def show_status(self, status: ReviewStatus | None) -> None:
        if status is None:
            self.status_icon.clear()
            self.status.setText("No document open")
            return
        self.status_icon.setPixmap(review_icon(status).pixmap(14, 14))
        self.status.setText(f"Review status: {REVIEW_TEXT[status]}")

    def show_counts(self, counts: dict[str, int] | None, undecided_agreed: int = 0) -> None:
        if counts is None:
            self.counts.clear()
            self.agreed_button.setText("Accept agreed")
            return
        disagreements = sum(counts[kind.value] for kind in Kind if kind is not Kind.AGREED)
        self.counts.setText(
            f"<b>{counts['decided']} of {disagreements}</b> disagreements decided · agreed {counts['agreed']} · "
            f"label {counts['label']} · boundary {counts['boundary']} · mixed {counts['mixed']} · "
            f"missing {counts['missing']}")
        self.agreed_button.setText(f"Accept {undecided_agreed} agreed")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_sides(self, annotators: Sequence[str]) -> None:
        """One accept button per annotator compared, in their colours."""
        for index, (action, button) in enumerate(zip(self.side_actions, self.side_buttons)):
            button.setVisible(index < len(annotators))
            action.setIcon(swatch_icon(annotator_color(index).name()))
            if index < len(annotators):
                button.setText(f"Accept {annotators[index]}")
                button.setToolTip(f"Gold gets what {annotators[index]} has here (Alt+{index + 1})")

    def show_current(self, group: Group | None, lines: list[str], decided: str = "") -> None:
        if group is None:
            self.current.setText("<i>No disagreement chosen: F8 goes to the next undecided one, a click on the "
                                 "text picks the one under the mouse.</i>")
            return
        where = "" if group.kind is Kind.AGREED else self._position_text(group)
        self.current.setText("<br/>".join(lines) + (f"<br/><b>{escape(decided)}</b>" if decided else "")
                             + (f"<br/><span style='color:#666'>{where}</span>" if where else ""))
        self.select_group(group)

    def _position_text(self, group: Group) -> str:
        row = self.model.row_of(group)
        return f"disagreement {row + 1} of {self.model.rowCount()}" if row is not None else ""

    def select_group(self, group: Group | None) -> None:
        """Show the group's row as current (when the filter lists it) without announcing it back."""
        row = self.model.row_of(group) if group is not None else None
        index = self._to_shown(self.model.index(row, 0)) if row is not None else QModelIndex()
        self._syncing = True
        try:
            if index.isValid():
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(index)
            else:
                self.table.clearSelection()
        finally:
            self._syncing = False

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        source = self.proxy.mapToSource(current) if self._shown_model is self.proxy else current
        self.rowActivated.emit(source.row())

    def _to_shown(self, index: QModelIndex) -> QModelIndex:
        return self.proxy.mapFromSource(index) if self._shown_model is self.proxy else index

    def _show_model(self, model) -> None:
        """The table shows the model itself when nothing is filtered (a proxy that passes every row would ask
        Python about each of thousands of rows on every reset), the filtering proxy otherwise."""
        if model is self._shown_model:
            return
        self._shown_model = model
        self.table.setModel(model)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self._size_columns()

    def _filter_changed(self, *_) -> None:
        kinds, undecided = KIND_FILTERS[self.kind.currentIndex()][1], self.undecided.isChecked()
        self.proxy.set_filter(kinds, undecided)
        self._show_model(self.model if kinds is None and not undecided else self.proxy)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        widths = {DisagreementModel.NUMBER: 30, DisagreementModel.KIND: 82, DisagreementModel.WHERE: 68,
                  DisagreementModel.TEXT: 112}
        for column in range(self.model.columnCount()):
            header.resizeSection(column, widths.get(column, 76))
