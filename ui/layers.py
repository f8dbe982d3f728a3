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
from typing import Hashable, Iterable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from db.labels import LabelInfo
from db.spans import SpanRow
from ui.style import FIND_COLOR, FIND_CURRENT_COLOR, TOKEN_COLORS
from ui.tokens import Tokens


class Style(enum.Enum):
    BOX = "box"  # label-coloured translucent fill and outline; nested and overlapping boxes stack inwards
    DASHED = "dashed"  # faint fill, dashed outline: not yours, or not accepted yet
    FILL = "fill"  # plain background (find matches)
    UNDERLINE = "underline"  # thin line along the bottom of the line (token boundaries)


@dataclass(frozen=True, slots=True)
class Mark:
    start: int  # stored code points
    end: int
    color: QColor
    style: Style = Style.BOX
    key: Hashable = None  # what clicking the mark selects (a span id)
    selected: bool = False


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


class IntervalIndex:
    """Keys with [start, end) ranges, bucketed by position: overlap queries cost what is on screen."""

    SHIFT = 11  # 2,048 code points per bucket

    def __init__(self) -> None:
        self._buckets: dict[int, list[Hashable]] = {}
        self._ranges: dict[Hashable, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self._ranges)

    def _bucket_range(self, start: int, end: int) -> range:
        return range(start >> self.SHIFT, (max(end, start + 1) - 1 >> self.SHIFT) + 1)

    def add(self, key: Hashable, start: int, end: int) -> None:
        if key in self._ranges:
            self.remove(key)
        self.extend([(key, start, end)])

    def extend(self, items: Iterable[tuple[Hashable, int, int]]) -> None:
        """Add many (key, start, end) at once: the loop a document's 10,000 spans go through on opening."""
        buckets, ranges, shift = self._buckets, self._ranges, self.SHIFT
        for key, start, end in items:
            ranges[key] = (start, end)
            first, last = start >> shift, (max(end, start + 1) - 1) >> shift
            for bucket in range(first, last + 1):
                found = buckets.get(bucket)
                if found is None:
                    buckets[bucket] = [key]
                else:
                    found.append(key)

    def remove(self, key: Hashable) -> None:
        start, end = self._ranges.pop(key)
        for bucket in self._bucket_range(start, end):
            self._buckets[bucket].remove(key)

    def overlapping(self, start: int, end: int) -> list[Hashable]:
        found: list[Hashable] = []
        seen: set[Hashable] = set()
        ranges = self._ranges
        for bucket in self._bucket_range(start, end):
            for key in self._buckets.get(bucket, ()):
                key_start, key_end = ranges[key]
                if key_start < end and key_end > start and key not in seen:
                    seen.add(key)
                    found.append(key)
        return found

    def at(self, position: int) -> list[Hashable]:
        return self.overlapping(position, position + 1)


class SpanLayer(Layer):
    """The stored spans of the open document: yours as boxes, other annotators' dashed (when shown)."""

    stacks = True

    def __init__(self, parent: QObject | None = None):
        super().__init__("spans", parent)
        self.document_id: int | None = None
        self.annotator_id: int | None = None
        self.show_others = False
        self.selected: int | None = None
        self._rows: dict[int, SpanRow] = {}
        self._own = 0  # how many rows are the annotator's own
        self._index = IntervalIndex()
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

    def load(self, document_id: int | None, rows: Iterable[SpanRow]) -> None:
        self.document_id = document_id
        self.selected = None
        self._rows = {row.id: row for row in rows}
        own = self.annotator_id
        self._own = sum(1 for row in self._rows.values() if row.annotator_id == own)
        self._index = IntervalIndex()
        self._index.extend((row.id, row.start, row.end) for row in self._rows.values())
        self.changed.emit()

    def apply(self, added: Iterable[SpanRow] = (), removed: Iterable[SpanRow] = (),
              updated: Iterable[tuple[SpanRow, SpanRow]] = ()) -> None:
        for row in removed:
            if row.id in self._rows:
                del self._rows[row.id]
                self._index.remove(row.id)
                self._own -= row.annotator_id == self.annotator_id
            if row.id == self.selected:
                self.selected = None
        touched = [*removed, *added, *(row for pair in updated for row in pair)]
        for row in added:
            self._put(row)
        for _, new in updated:
            self._put(new)
        if touched:
            self.changedRange.emit(*self._cluster(min(r.start for r in touched), max(r.end for r in touched)))

    def _cluster(self, start: int, end: int) -> tuple[int, int]:
        """The range of all spans chained by overlap to [start, end): their stacking may have changed."""
        for _ in range(100):
            ranges = [self._rows[i] for i in self._index.overlapping(start, end)]
            wider = (min([start, *(r.start for r in ranges)]), max([end, *(r.end for r in ranges)]))
            if wider == (start, end):
                break
            start, end = wider
        return start, end

    def _put(self, row: SpanRow) -> None:
        previous = self._rows.get(row.id)
        self._own += (row.annotator_id == self.annotator_id) - (previous is not None
                                                                and previous.annotator_id == self.annotator_id)
        self._rows[row.id] = row
        self._index.add(row.id, row.start, row.end)

    def set_show_others(self, show: bool) -> None:
        self.show_others = show
        self.changed.emit()

    def select(self, span_id: int | None) -> None:
        if span_id != self.selected:
            for old_or_new in (self.selected, span_id):
                row = self._rows.get(old_or_new) if old_or_new is not None else None
                if row is not None:
                    self.changedRange.emit(*self._cluster(row.start, row.end))
            self.selected = span_id

    # Queries
    def row(self, span_id: int) -> SpanRow | None:
        return self._rows.get(span_id)

    def rows(self) -> list[SpanRow]:
        return sorted(self._rows.values(), key=lambda row: (row.start, row.end, row.id))

    def own_rows(self) -> list[SpanRow]:
        return [row for row in self.rows() if row.annotator_id == self.annotator_id]

    def own_count(self) -> int:
        return self._own

    def _shown(self, span_id: int) -> bool:
        return self.show_others or self._rows[span_id].annotator_id == self.annotator_id

    def spans_at(self, position: int, *, own_only: bool = True) -> list[SpanRow]:
        """Spans covering a position, innermost (shortest) first."""
        rows = [self._rows[i] for i in self._index.at(position) if self._shown(i)]
        if own_only:
            rows = [row for row in rows if row.annotator_id == self.annotator_id]
        return sorted(rows, key=lambda row: (row.end - row.start, row.start, row.id))

    def marks(self, start: int, end: int) -> list[Mark]:
        marks = []
        fallback = QColor("#888888")
        for span_id in self._index.overlapping(start, end):
            row = self._rows[span_id]
            own = row.annotator_id == self.annotator_id
            if not own and not self.show_others:
                continue
            marks.append(Mark(row.start, row.end, self._colors.get(row.label_id, fallback),
                              Style.BOX if own else Style.DASHED, span_id, span_id == self.selected))
        return marks

    def label_text(self, label_id: int) -> str:
        label = self._labels.get(label_id)
        if label is None:
            return f"label {label_id}"
        return f"{label.display} ({label.name})" if label.display else label.name

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
        self.tokens = tokens
        self.changed.emit()

    def marks(self, start: int, end: int) -> list[Mark]:
        if self.tokens is None:
            return []
        bounds = self.tokens.boundaries
        return [Mark(bounds[i], bounds[i + 1], TOKEN_COLORS[i % 2], Style.UNDERLINE)
                for i in self.tokens.overlapping(start, end)]
