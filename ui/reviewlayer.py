"""The review view's marks: the compared annotators' spans grouped by agreement, and the gold set.

- one box per distinct proposal (start, end, label) of a group, in the label's colour: agreed ones solid,
  conflicts (label, boundary, mixed) hatched with a red outline, missing ones dashed; once a group is decided
  its proposals fade to a dotted grey outline;
- gold spans as strong boxes on top of what they came from;
- who proposed what as an underline per annotator, each in the annotator's colour on its own lane, so two
  annotators on the same characters show two lines.

Held as integer tables built once per load (like SpanLayer), so a document with 3 × 10,000 spans costs a few
vectorized comparisons per paint.
"""

from __future__ import annotations

from html import escape
from itertools import chain
from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from annotate.review import Group, Kind, Member, ReviewState
from db.labels import LabelInfo
from ui.layers import Layer, Mark, Style, chained_range
from ui.style import label_title

ANNOTATOR_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                    "#7f7f7f")
KIND_CODES = {Kind.AGREED: 0, Kind.MISSING: 1, Kind.LABEL: 2, Kind.BOUNDARY: 3, Kind.MIXED: 4}
KIND_TEXT = {Kind.AGREED: "agreed", Kind.LABEL: "label conflict", Kind.BOUNDARY: "boundary conflict",
             Kind.MIXED: "mixed conflict", Kind.MISSING: "missing"}
_STYLE_OF_KIND = (Style.BOX, Style.DASHED, Style.CONFLICT, Style.CONFLICT, Style.CONFLICT)
CURRENT_COLOR = QColor(255, 200, 0, 64)   # behind the current group, like the current find match
# Columns of the tables.
START, END, LABEL, WHO, GROUP, ID = range(6)   # spans: WHO is the annotator's index among those compared


def decided_flags(state: ReviewState) -> np.ndarray:
    """For each of state.groups: is it decided? (One set lookup per group; nothing to look up before the first
    decision.)"""
    if not state.decisions:
        return np.zeros(len(state.groups), dtype=bool)
    open_groups = {id(group) for group in state.undecided(list(Kind))}
    return np.fromiter((id(group) not in open_groups for group in state.groups), dtype=bool,
                       count=len(state.groups))


def annotator_color(index: int) -> QColor:
    return QColor(ANNOTATOR_COLORS[index % len(ANNOTATOR_COLORS)])


class ReviewLayer(Layer):
    stacks = True

    def __init__(self, parent: QObject | None = None):
        super().__init__("review", parent)
        self.state: ReviewState | None = None
        self.current: int | None = None            # index in state.groups of the group shown as selected
        self._spans = np.zeros((0, 6), dtype=np.int64)
        self._proposals = np.zeros((0, 6), dtype=np.int64)    # start, end, label, -, group, -
        self._gold = np.zeros((0, 6), dtype=np.int64)         # start, end, label, -, -, id
        self._kinds = np.zeros(0, dtype=np.int64)             # per group
        self._decided = np.zeros(0, dtype=bool)               # per group
        self._labels: dict[int, LabelInfo] = {}
        self._colors: dict[int, QColor] = {}
        self._who: dict[int, int] = {}                         # annotator id → index among those compared
        self._index: dict[int, int] | None = None              # id(group) → index in state.groups

    # --- loading ---------------------------------------------------------------------------------------
    def set_labels(self, labels: Sequence[LabelInfo]) -> None:
        self._labels = {label.id: label for label in labels}
        self._colors = {label.id: QColor(label.color) for label in labels}
        self.changed.emit()

    def load(self, state: ReviewState | None) -> None:
        self.state = state
        self.current = None
        self._index = None
        if state is None:
            self._spans = self._proposals = self._gold = np.zeros((0, 6), dtype=np.int64)
            self._kinds, self._decided = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
            self.changed.emit()
            return
        self._who = {annotator_id: i for i, annotator_id in enumerate(state.annotator_ids)}
        groups = state.groups
        sizes = np.fromiter(map(len, (group.spans for group in groups)), dtype=np.int64, count=len(groups))
        fields = chain.from_iterable(chain.from_iterable(group.spans for group in groups))
        table = np.fromiter(fields, dtype=np.int64, count=5 * int(sizes.sum())).reshape(-1, 5)
        lookup = np.zeros(max(state.annotator_ids) + 1, dtype=np.int64)
        lookup[list(state.annotator_ids)] = np.arange(len(state.annotator_ids))
        who = lookup[table[:, 3]]
        group_of = np.repeat(np.arange(len(groups)), sizes)
        self._spans = np.column_stack([table[:, 0], table[:, 1], table[:, 2], who, group_of, table[:, 4]])
        # Members of a group come in text order, so equal proposals are neighbours.
        keys = self._spans[:, [GROUP, START, END, LABEL]]
        first = np.concatenate(([True], np.any(keys[1:] != keys[:-1], axis=1))) if len(keys) else np.zeros(0, bool)
        self._proposals = self._spans[first]
        self._kinds = np.fromiter((KIND_CODES[group.kind] for group in groups), dtype=np.int64, count=len(groups))
        self.refresh_decisions(emit=False)
        self.refresh_gold(emit=False)
        self.changed.emit()

    def refresh_decisions(self, *, emit: bool = True) -> None:
        """Follow the state's decisions (after DecisionsChanged was applied to it)."""
        state = self.state
        if state is None:
            return
        self._decided = decided_flags(state)
        if emit:
            self.changed.emit()

    def refresh_gold(self, *, emit: bool = True) -> None:
        """Follow the state's gold spans (after SpansChanged was applied to it)."""
        gold = sorted(self.state.gold.values()) if self.state is not None else []
        self._gold = np.array([(m.start, m.end, m.label_id, 0, 0, m.id) for m in gold],
                              dtype=np.int64).reshape(-1, 6)
        if emit:
            self.changed.emit()

    def set_current(self, group_index: int | None) -> None:
        if group_index == self.current:
            return
        for index in (self.current, group_index):
            if index is not None and self.state is not None and index < len(self.state.groups):
                group = self.state.groups[index]
                self.changedRange.emit(*self._cluster(group.start, group.end))
        self.current = group_index

    def _cluster(self, start: int, end: int) -> tuple[int, int]:
        """The range of every box chained by overlap to [start, end) (their stacking may change)."""
        return chained_range(np.concatenate([self._proposals[:, :2], self._gold[:, :2]]), start, end)

    # --- queries ---------------------------------------------------------------------------------------
    @staticmethod
    def _overlapping(table: np.ndarray, start: int, end: int) -> np.ndarray:
        return table[(table[:, START] < end) & (table[:, END] > start)]

    def counts(self) -> dict[str, int]:
        """What ReviewState.counts() says, from the tables (no loop over groups), plus `agreed_open`: agreed
        groups not yet accepted."""
        by_kind = np.bincount(self._kinds, minlength=len(KIND_CODES))
        found = {kind.value: int(by_kind[code]) for kind, code in KIND_CODES.items()}
        agreed = self._kinds == KIND_CODES[Kind.AGREED]
        found["decided"] = int(np.count_nonzero(self._decided & ~agreed))
        found["agreed_open"] = int(np.count_nonzero(agreed & ~self._decided))
        return found

    def index_of(self, group: Group) -> int | None:
        """The index of a group of the state (built on first use: most loads never need it)."""
        if self.state is None:
            return None
        if self._index is None:
            self._index = {id(g): i for i, g in enumerate(self.state.groups)}
        return self._index.get(id(group))

    def groups_at(self, position: int) -> list[int]:
        """Indices of the groups with a proposal covering a position, innermost (shortest) first."""
        found = self._overlapping(self._proposals, position, position + 1)
        order = np.lexsort((found[:, START], found[:, END] - found[:, START]))
        indices = []
        for group in found[order][:, GROUP].tolist():
            if group not in indices:
                indices.append(group)
        return indices

    def groups_overlapping(self, start: int, end: int) -> list[int]:
        found = self._overlapping(self._proposals, start, end)
        return sorted(set(found[:, GROUP].tolist()))

    def gold_at(self, position: int) -> list[Member]:
        if self.state is None:
            return []
        found = self._overlapping(self._gold, position, position + 1)
        return [self.state.gold[i] for i in found[:, ID].tolist() if i in self.state.gold]

    # --- drawing ---------------------------------------------------------------------------------------
    def marks(self, start: int, end: int) -> list[Mark]:
        if self.state is None:
            return []
        fallback = QColor("#888888")
        colors, decided, kinds, current = self._colors, self._decided, self._kinds, self.current
        marks = []
        if current is not None:
            group = self.state.groups[current]
            if group.start < end and group.end > start:
                marks.append(Mark(group.start, group.end, CURRENT_COLOR, Style.FILL))
        for s, e, label, _, group, _ in self._overlapping(self._proposals, start, end).tolist():
            style = Style.DECIDED if decided[group] else _STYLE_OF_KIND[kinds[group]]
            marks.append(Mark(s, e, colors.get(label, fallback), style, ("group", group), group == current))
        for s, e, label, _, _, span_id in self._overlapping(self._gold, start, end).tolist():
            marks.append(Mark(s, e, colors.get(label, fallback), Style.GOLD, ("gold", span_id)))
        faded: dict[int, QColor] = {}
        for s, e, _, who, group, _ in self._overlapping(self._spans, start, end).tolist():
            color = annotator_color(who)
            if decided[group]:
                color = faded.get(who) or faded.setdefault(who, QColor(color.red(), color.green(), color.blue(), 90))
            marks.append(Mark(s, e, color, Style.UNDERLINE, lane=1 + who))
        return marks

    # --- hover -----------------------------------------------------------------------------------------
    def label_name(self, label_id: int) -> str:
        return label_title(self._labels.get(label_id), label_id)

    def describe_group(self, group: Group) -> list[str]:
        """Rich-text lines: the kind, the decision, then each annotator's side."""
        state = self.state
        decision = state.decision(group)
        head = f"<b>{KIND_TEXT[group.kind]}</b> [{group.start}, {group.end})"
        if decision is not None:
            head += f" — decided: {escape(decision.action.replace('_', ' '))}"
        lines = [head]
        for index, (name, annotator_id) in enumerate(zip(state.annotators, state.annotator_ids)):
            side = group.side(annotator_id)
            color = annotator_color(index).name()
            parts = [f"{escape(self.label_name(m.label_id))} “{escape(_clip(state.text[m.start:m.end]))}” "
                     f"[{m.start}, {m.end})" for m in side] or ["—"]
            lines.append(f"&nbsp;&nbsp;<span style='color:{color}'>■</span> {escape(name)}: " + "; ".join(parts))
        return lines

    def describe(self, position: int) -> list[str]:
        if self.state is None:
            return []
        lines = []
        for index in self.groups_at(position):
            lines.extend(self.describe_group(self.state.groups[index]))
        for member in self.gold_at(position):
            lines.append(f"<b>gold</b>: {escape(self.label_name(member.label_id))} [{member.start}, {member.end})")
        return lines


def _clip(text: str, length: int = 24) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= length else text[:length - 1] + "…"
