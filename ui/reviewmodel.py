"""The disagreements of a review as a table: a thin model over ReviewState.disagreements, and a proxy that
filters by kind and by "still undecided"."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from annotate.review import Group, Kind, ReviewState
from db.labels import LabelInfo
from db.review import DecisionRow
from ui.reviewlayer import KIND_TEXT, annotator_color
from ui.rowmodel import RowTableModel
from ui.style import swatch_icon

Index = QModelIndex | QPersistentModelIndex
KIND_COLORS = {Kind.AGREED: "#2e9d5b", Kind.LABEL: "#d62728", Kind.BOUNDARY: "#f28e2b", Kind.MIXED: "#8c1c13",
               Kind.MISSING: "#9aa0a6"}
KIND_SHORT = {Kind.AGREED: "agreed", Kind.LABEL: "label", Kind.BOUNDARY: "boundary", Kind.MIXED: "mixed",
              Kind.MISSING: "missing"}
DECIDED_COLOR = QColor("#8a8f94")
EXCERPT = 18


def decision_text(decision: DecisionRow | None) -> str:
    """How a group was decided, in a few words ("accept amy", "reject", …); empty when undecided."""
    if decision is None:
        return ""
    if decision.action == "accept":
        side = json.loads(decision.detail).get("side")
        return f"✓ accept {side}" if side else "✓ accept"
    return "✓ " + decision.action.replace("_", " ")


class DisagreementModel(RowTableModel):
    NUMBER, KIND, WHERE, TEXT = range(4)  # then one column per annotator, then the decision

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.state: ReviewState | None = None
        self._rows: list[Group] = []
        self._row_of: dict[int, int] = {}
        self._decisions: list[str] = []
        self._labels: dict[int, LabelInfo] = {}

    # --- source ----------------------------------------------------------------------------------------
    def set_state(self, state: ReviewState | None) -> None:
        self.beginResetModel()
        self.state = state
        self._rows = list(state.disagreements) if state is not None else []
        self._row_of = {id(group): row for row, group in enumerate(self._rows)}
        self._decisions = self._decision_texts()
        self.endResetModel()

    def set_labels(self, labels: list[LabelInfo]) -> None:
        self._labels = {label.id: label for label in labels}
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))

    def refresh_decisions(self) -> None:
        """Follow the state's decisions: rows whose decision changed are announced, nothing else."""
        if self.state is None:
            return
        fresh = self._decision_texts()
        last = self.columnCount() - 1
        changed = [row for row, (old, new) in enumerate(zip(self._decisions, fresh)) if old != new]
        self._decisions = fresh
        for row in changed:
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _decision_texts(self) -> list[str]:
        state = self.state
        if state is None or not state.decisions:
            return [""] * len(self._rows)    # nothing decided yet: no lookups
        return [decision_text(state.decision(group)) for group in self._rows]

    # --- queries ---------------------------------------------------------------------------------------
    def group(self, row: int) -> Group | None:
        return self.row_at(row)

    def row_of(self, group: Group) -> int | None:
        """The row of a group (None for agreed groups, which are not listed)."""
        return self._row_of.get(id(group))

    def is_decided(self, row: int) -> bool:
        return bool(self._decisions[row])

    @property
    def decision_column(self) -> int:
        return self.TEXT + 1 + (len(self.state.annotators) if self.state else 0)

    # --- Qt model --------------------------------------------------------------------------------------
    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.decision_column + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = index.row(), index.column()
        group = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column, group)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == self.KIND:
                return swatch_icon(KIND_COLORS[group.kind], 10)
            if self.TEXT < column < self.decision_column:
                return swatch_icon(annotator_color(column - self.TEXT - 1).name(), 10)
        elif role == Qt.ItemDataRole.ForegroundRole and self._decisions[row]:
            return DECIDED_COLOR
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == self.NUMBER:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        elif role == Qt.ItemDataRole.ToolTipRole and column == self.TEXT:
            return self.state.text[group.start:group.end]
        elif role == Qt.ItemDataRole.ToolTipRole and column == self.KIND:
            return KIND_TEXT[group.kind]
        elif role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def _display(self, row: int, column: int, group: Group) -> str:
        if column == self.NUMBER:
            return str(row + 1)
        if column == self.KIND:
            return KIND_SHORT[group.kind]
        if column == self.WHERE:
            return f"{group.start}–{group.end}"
        if column == self.TEXT:
            text = self.state.text[group.start:group.end].replace("\n", "⏎")
            return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
        if column == self.decision_column:
            return self._decisions[row]
        annotator_id = self.state.annotator_ids[column - self.TEXT - 1]
        parts = []
        for member in group.side(annotator_id):
            label = self._labels.get(member.label_id)
            name = (label.display or label.name) if label is not None else str(member.label_id)
            same_extent = (member.start, member.end) == (group.start, group.end)
            parts.append(name if same_extent else f"{name} {member.start}–{member.end}")
        return ", ".join(parts) or "—"

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        fixed = {self.NUMBER: "#", self.KIND: "Kind", self.WHERE: "Where", self.TEXT: "Text"}
        if section in fixed:
            return fixed[section]
        if section == self.decision_column:
            return "Decision"
        if self.state is not None and self.TEXT < section < self.decision_column:
            return self.state.annotators[section - self.TEXT - 1]
        return None


class DisagreementFilter(QSortFilterProxyModel):
    """Rows of some kinds only, and optionally only the undecided ones; text order is kept."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.kinds: frozenset[Kind] | None = None
        self.undecided_only = False

    def set_filter(self, kinds: frozenset[Kind] | None, undecided_only: bool) -> None:
        self.beginFilterChange()
        self.kinds, self.undecided_only = kinds, undecided_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model: DisagreementModel = self.sourceModel()
        group = model.group(source_row)
        if group is None:
            return False
        if self.kinds is not None and group.kind not in self.kinds:
            return False
        return not (self.undecided_only and model.is_decided(source_row))
