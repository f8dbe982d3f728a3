"""What the text view draws over the text, as layers of marks in stored code points.

The view asks each visible layer for the marks overlapping the lines on screen and paints only those, so
the cost of a repaint follows the screen, not the document. A panel adds its own layer (review
disagreements, suggestions with dashed outlines) with `DocumentView.add_layer` without touching the view.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from html import escape
from typing import Hashable, Iterable, NamedTuple, Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from db.labels import LabelInfo
from db.spans import SpanRow
from ui.style import FIND_COLOR, FIND_CURRENT_COLOR, TOKEN_COLORS, label_title
from ui.tokens import Tokens


class Style(enum.Enum):
    BOX = "box"  # label-coloured translucent fill and outline; nested and overlapping boxes stack inwards
    DASHED = "dashed"  # faint fill, dashed outline: not yours, or not accepted yet
    FILL = "fill"  # plain background (find matches)
    UNDERLINE = "underline"  # thin line along the bottom of the line (token boundaries)
    CONFLICT = "conflict"  # hatched in the label colour, red outline: annotators disagree here (review)
    GOLD = "gold"  # strong fill and outline: the adjudicated set (review)
    DECIDED = "decided"  # dotted grey outline, no fill: a proposal whose disagreement is decided (review)
    SUGGESTED = "suggested"  # short dashes in the label colour, almost no fill: a suggestion, not a label yet


@dataclass(frozen=True, slots=True)
class Mark:
    start: int  # stored code points
    end: int
    color: QColor
    style: Style = Style.BOX
    key: Hashable = None  # what clicking the mark selects (a span id)
    selected: bool = False
    lane: int = 0  # underlines: 0 at the bottom of the line, each lane a little higher (annotators in review)


class Layer(QObject):
    """Base layer: override `marks`, and `describe` for hover text. Emit `changed` to repaint everything,
    or `changedRange(start, end)` (stored code points) to repaint only the lines showing that range."""

    changed = Signal()
    changedRange = Signal(int, int)
    # True when a mark's look depends on its neighbours (stacked boxes): the view then asks for the marks
    # of the whole screen even when it repaints a few lines.
    stacks = False

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._visible = True

    @property
    def visible(self) -> bool:
        return self._visible

    def set_visible(self, visible: bool) -> None:
        if visible != self._visible:
            self._visible = visible
            self.changed.emit()

    def marks(self, start: int, end: int) -> Iterable[Mark]:
        return ()

    def describe(self, position: int) -> list[str]:
        """Lines of rich text for a tooltip at a stored position."""
        return []


class ShownSpan(NamedTuple):
    """A span as the view holds it: where, which label, whose, and its note."""

    id: int
    start: int
    end: int
    label_id: int
    annotator_id: int
    note: str = ""


def span_table(rows: Iterable[SpanRow]) -> np.ndarray:
    """Rows as the (n, 5) integer table db.review.span_table reads: start, end, label_id, annotator_id, id."""
    table = [(row.start, row.end, row.label_id, row.annotator_id, row.id) for row in rows]
    return np.array(table, dtype=np.int64).reshape(len(table), 5)


START, END, LABEL, OWNER, ID = range(5)


def chained_range(table: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """The range covered by every row of `table` (start and end in its first two columns) chained by overlap
    to [start, end): what a change there can restack, so what must be repainted."""
    for _ in range(100):
        found = table[(table[:, START] < end) & (table[:, END] > start)]
        wider = (min(start, int(found[:, START].min(initial=start))), max(end, int(found[:, END].max(initial=end))))
        if wider == (start, end):
            break
        start, end = wider
    return start, end


class SpanLayer(Layer):
    """The stored spans of the open document: yours as boxes, other annotators' dashed (when shown).

    Held as one integer table, not as objects: a document with 10,000 spans loads in one packed read and an
    overlap query is a vectorized comparison (tens of microseconds), so neither opening nor painting pays
    per span."""

    stacks = True

    def __init__(self, parent: QObject | None = None):
        super().__init__("spans", parent)
        self.document_id: int | None = None
        self.annotator_id: int | None = None
        self.show_others = False
        self.selected: int | None = None
        self._table = span_table(())
        self._notes: dict[int, str] = {}
        self._labels: dict[int, LabelInfo] = {}
        self._colors: dict[int, QColor] = {}
        self._annotators: dict[int, str] = {}

    # Loading and following the domain
    def set_labels(self, labels: Sequence[LabelInfo]) -> None:
        self._labels = {label.id: label for label in labels}
        self._colors = {label.id: QColor(label.color) for label in labels}
        self.changed.emit()

    def set_annotators(self, names: dict[int, str], own_id: int) -> None:
        self._annotators = dict(names)
        self.annotator_id = own_id

    def load(self, document_id: int | None, table: np.ndarray, notes: dict[int, str] | None = None) -> None:
        """Show a document's spans: `table` as db.review.span_table returns it, `notes` by span id."""
        self.document_id = document_id
        self.selected = None
        self._table = np.asarray(table, dtype=np.int64).reshape(-1, 5)
        self._notes = dict(notes or {})
        self.changed.emit()

    def apply(self, added: Iterable[SpanRow] = (), removed: Iterable[SpanRow] = (),
              updated: Iterable[tuple[SpanRow, SpanRow]] = ()) -> None:
        """Follow a SpansChanged event; repaints only the lines the change can affect."""
        updated = list(updated)
        touched = [*removed, *added, *(row for pair in updated for row in pair)]
        gone = [row.id for row in removed] + [old.id for old, _ in updated]
        if gone:
            self._table = self._table[~np.isin(self._table[:, ID], gone)]
            for span_id in gone:
                self._notes.pop(span_id, None)
            if self.selected in {row.id for row in removed}:
                self.selected = None
        arrived = [*added, *(new for _, new in updated)]
        if arrived:
            self._table = np.vstack([self._table, span_table(arrived)])
            self._notes.update({row.id: row.note for row in arrived if row.note})
        if touched:
            self.changedRange.emit(*self._cluster(min(r.start for r in touched), max(r.end for r in touched)))

    def _overlapping(self, start: int, end: int) -> np.ndarray:
        table = self._table
        return np.flatnonzero((table[:, START] < end) & (table[:, END] > start))

    def _cluster(self, start: int, end: int) -> tuple[int, int]:
        """The range of all spans chained by overlap to [start, end): their stacking may have changed."""
        return chained_range(self._table, start, end)

    def set_show_others(self, show: bool) -> None:
        self.show_others = show
        self.changed.emit()

    def select(self, span_id: int | None) -> None:
        if span_id != self.selected:
            for old_or_new in (self.selected, span_id):
                row = self.row(old_or_new) if old_or_new is not None else None
                if row is not None:
                    self.changedRange.emit(*self._cluster(row.start, row.end))
            self.selected = span_id

    # Queries
    def _shown(self, record: Sequence[int]) -> ShownSpan:
        start, end, label, owner, span_id = record
        return ShownSpan(span_id, start, end, label, owner, self._notes.get(span_id, ""))

    def row(self, span_id: int) -> ShownSpan | None:
        found = np.flatnonzero(self._table[:, ID] == span_id)
        return self._shown(self._table[found[0]].tolist()) if len(found) else None

    def rows(self, *, own_only: bool = False) -> list[ShownSpan]:
        """Spans in text order (all annotators', or only yours)."""
        table = self._table[self._table[:, OWNER] == self.annotator_id] if own_only else self._table
        order = np.lexsort((table[:, ID], table[:, END], table[:, START]))
        return [self._shown(record) for record in table[order].tolist()]

    def own_rows(self) -> list[ShownSpan]:
        return self.rows(own_only=True)

    def own_count(self) -> int:
        return int(np.count_nonzero(self._table[:, OWNER] == self.annotator_id))

    def step(self, reference: tuple[int, int, int], direction: int) -> ShownSpan | None:
        """Your next (+1) or previous (-1) span after `reference` = (start, end, id) in text order, wrapping."""
        own = self._table[self._table[:, OWNER] == self.annotator_id]
        if not len(own):
            return None
        order = np.lexsort((own[:, ID], own[:, END], own[:, START]))
        keys = [tuple(record) for record in own[order][:, [START, END, ID]].tolist()]
        position = bisect_right(keys, reference) if direction > 0 else bisect_left(keys, reference) - 1
        return self._shown(own[order][position % len(keys)].tolist())

    def spans_at(self, position: int, *, own_only: bool = True) -> list[ShownSpan]:
        """Spans covering a position, innermost (shortest) first."""
        rows = [self._shown(record) for record in self._table[self._overlapping(position, position + 1)].tolist()]
        if own_only:
            rows = [row for row in rows if row.annotator_id == self.annotator_id]
        elif not self.show_others:
            rows = [row for row in rows if row.annotator_id == self.annotator_id]
        return sorted(rows, key=lambda row: (row.end - row.start, row.start, row.id))

    def marks(self, start: int, end: int) -> list[Mark]:
        marks = []
        fallback = QColor("#888888")
        colors, own, others, selected = self._colors, self.annotator_id, self.show_others, self.selected
        for span_start, span_end, label, owner, span_id in self._table[self._overlapping(start, end)].tolist():
            mine = owner == own
            if mine or others:
                marks.append(Mark(span_start, span_end, colors.get(label, fallback),
                                  Style.BOX if mine else Style.DASHED, span_id, span_id == selected))
        return marks

    def label_text(self, label_id: int) -> str:
        return label_title(self._labels.get(label_id), label_id)

    def describe(self, position: int) -> list[str]:
        lines = []
        for row in self.spans_at(position, own_only=False):
            who = self._annotators.get(row.annotator_id, f"annotator {row.annotator_id}")
            line = f"<b>{escape(self.label_text(row.label_id))}</b> — {escape(who)}"
            if row.note:
                line += f"<br/>&nbsp;&nbsp;<i>{escape(row.note)}</i>"
            lines.append(line)
        return lines


class FindLayer(Layer):
    """All matches of the find bar; the current one stronger."""

    def __init__(self, parent: QObject | None = None):
        super().__init__("find", parent)
        self.matches: list[tuple[int, int]] = []
        self.current = -1
        self._starts: list[int] = []

    def set_matches(self, matches: list[tuple[int, int]], current: int = -1) -> None:
        self.matches = matches
        self._starts = [start for start, _ in matches]
        self.current = current
        self.changed.emit()

    def set_current(self, index: int) -> None:
        self.current = index
        self.changed.emit()

    def marks(self, start: int, end: int) -> list[Mark]:
        first = max(bisect_left(self._starts, start) - 1, 0)
        last = bisect_right(self._starts, end)
        return [Mark(s, e, FIND_CURRENT_COLOR if i == self.current else FIND_COLOR, Style.FILL)
                for i, (s, e) in enumerate(self.matches[first:last], first) if s < end and e > start]


class TokenLayer(Layer):
    """jieba's token boundaries as an alternating thin underline, so word lengths read at a glance."""

    def __init__(self, parent: QObject | None = None):
        super().__init__("tokens", parent)
        self.tokens: Tokens | None = None

    def set_tokens(self, tokens: Tokens | None) -> None:
        """Show new tokens. New ones for the same text (after a lexicon change) repaint only from the first
        boundary that moved: to the last one, or to the end when the alternating colours shift there."""
        old, self.tokens = self.tokens, tokens
        if old is None or tokens is None or not old.boundaries or old.boundaries[-1:] != tokens.boundaries[-1:]:
            self.changed.emit()
            return
        changed = _changed_stretch(old.boundaries, tokens.boundaries)
        if changed is not None:
            self.changedRange.emit(*changed)

    def marks(self, start: int, end: int) -> list[Mark]:
        if self.tokens is None:
            return []
        bounds = self.tokens.boundaries
        return [Mark(bounds[i], bounds[i + 1], TOKEN_COLORS[i % 2], Style.UNDERLINE)
                for i in self.tokens.overlapping(start, end)]


def _changed_stretch(old: list[int], new: list[int], chunk: int = 4096) -> tuple[int, int] | None:
    """Where two boundary lists of one text differ, in stored positions (None: nowhere). Compared a chunk at a
    time (C-speed slices), so 200,000 tokens cost about a millisecond."""
    if old == new:
        return None
    first = 0
    while old[first:first + chunk] == new[first:first + chunk]:
        first += chunk
    while old[first] == new[first]:
        first += 1
    tail = 0  # boundaries equal counted from the end
    shorter = min(len(old), len(new)) - first
    while tail + chunk <= shorter and (old[len(old) - tail - chunk:len(old) - tail]
                                       == new[len(new) - tail - chunk:len(new) - tail]):
        tail += chunk
    while tail < shorter and old[-tail - 1] == new[-tail - 1]:
        tail += 1
    start = min(old[max(first - 1, 0)], new[max(first - 1, 0)])
    if (len(new) - len(old)) % 2:  # the alternating colours shift from here on
        return start, new[-1]
    return start, max(old[len(old) - tail], new[len(new) - tail])  # the end of the token after the last change

