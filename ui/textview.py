"""The document text: read-only, wrapped, CJK font, with layers of marks painted under the text.

Only the lines on screen are painted, so a 1 MB document with 10,000 spans costs what one screen costs.
Everything this widget says to the outside is in stored code points (ui.offsets converts); it never reads
text back from Qt, and it does not edit anything: keys and clicks become signals for the pane to act on.
"""

from __future__ import annotations

import atexit
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable

from PySide6.QtCore import QEvent, QLineF, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (QBrush, QClipboard, QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen,
                           QTextCursor, QTextLine, QTextOption)
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip, QWidget

from ui.layers import Layer, Mark, Style
from ui.offsets import DisplayText
from ui.style import text_font
from ui.tokens import Tokens

LANE_INSET = 2.0  # each nested or overlapping box is drawn this much inside the one it sits in
MAX_LANES = 4
CLICK_SLOP = 4  # pixels a press may move and still count as a click

# Keys the view itself understands (listed in the F1 cheat sheet).
VIEW_KEYS = (
    ("Drag", "select text; the selection snaps to whole tokens"),
    ("Alt+drag", "select exact characters (no snapping)"),
    ("Double-click", "select the token under the mouse"),
    ("Click a span", "select it (click again to reach a span nested underneath)"),
    ("Shift+←/→", "extend the selection by one character"),
    ("Ctrl+←/→", "move the caret to the previous/next token boundary"),
    ("Ctrl+Shift+←/→", "extend the selection by one token"),
    ("1–9 (label keys)", "label the selection, or relabel the selected span"),
    ("Tab / Shift+Tab", "select the next/previous span"),
    ("Delete", "remove the selected span"),
    ("Esc", "clear the selection"),
)


@dataclass(slots=True)
class _Line:
    start: int  # Qt positions of the line's first character and one past its last
    end: int
    block_position: int
    rect: QRectF  # in viewport coordinates
    origin: QPointF  # the block's top-left in viewport coordinates
    line: QTextLine


class DocumentView(QPlainTextEdit):
    labelKey = Signal(str)  # a printable key without modifiers: maybe a label shortcut
    deleteRequested = Signal()
    clickedAt = Signal(int)  # stored position clicked without dragging
    stepSpan = Signal(int)  # +1 / -1: Tab, Shift+Tab
    escapePressed = Signal()
    enterPressed = Signal(int)  # +1 Enter, -1 Shift+Enter, when nothing before the view took it (a suggestion)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.setFont(text_font())
        self.document().setDocumentMargin(14)
        self.setPlaceholderText("No document open.")
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            highlight = palette.color(group, QPalette.ColorRole.Highlight)
            highlight.setAlpha(80)  # spans stay visible under the selection
            palette.setColor(group, QPalette.ColorRole.Highlight, highlight)
            palette.setColor(group, QPalette.ColorRole.HighlightedText, palette.color(group, QPalette.ColorRole.Text))
        self.setPalette(palette)
        self.display = DisplayText("")
        self.tokens: Tokens | None = None
        self.snap_to_tokens = True
        self._layers: list[tuple[int, Layer]] = []
        self._press: tuple[QPoint, bool] | None = None  # where the mouse went down, and whether Alt was held

    # --- content ---------------------------------------------------------------------------------------
    def set_display(self, display: DisplayText) -> None:
        """Show a text. `setPlainText` receives the stored (or converted) text exactly as it is."""
        self.display = display
        self.setPlainText(display.text)

    def add_layer(self, layer: Layer, z: int) -> None:
        """Draw `layer` under the text; higher `z` paints later (on top)."""
        self._layers.append((z, layer))
        self._layers.sort(key=lambda item: item[0])
        layer.changed.connect(self.viewport().update)
        layer.changedRange.connect(self.update_range)

    def update_range(self, start: int, end: int) -> None:
        """Repaint only the lines on screen that show [start, end) (stored code points)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(self.display.to_qt(start), self.document().characterCount() - 1))
        top = self.cursorRect(cursor).top()
        cursor.setPosition(min(self.display.to_qt(end), self.document().characterCount() - 1))
        bottom = self.cursorRect(cursor).bottom()
        height = self.viewport().height()
        if bottom < 0 or top > height:
            return
        top, bottom = max(top, 0), min(bottom, height)
        self.viewport().update(QRect(0, top - 1, self.viewport().width(), bottom - top + 3))

    def layers(self) -> list[Layer]:
        return [layer for _, layer in self._layers]

    # --- positions in stored code points ---------------------------------------------------------------
    def selection(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = self.display.range_from_qt(cursor.selectionStart(), cursor.selectionEnd())
        return (start, end) if start < end else None

    def select(self, start: int, end: int, *, caret_at_start: bool = False) -> None:
        anchor, caret = (end, start) if caret_at_start else (start, end)
        cursor = self.textCursor()
        cursor.setPosition(self.display.to_qt(anchor))
        cursor.setPosition(self.display.to_qt(caret), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def caret(self) -> int:
        return self.display.from_qt(self.textCursor().position())

    def set_caret(self, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(self.display.to_qt(position))
        self.setTextCursor(cursor)

    def first_visible(self) -> int:
        """The stored position that starts the top line: what "scroll position" means across 繁/简 and fonts.
        Read from the scroll bar (a line number), the inverse of `scroll_to`; asking for the character at the
        viewport's corner found the line above, half hidden, so every close and reopen crept up a line."""
        block = self.firstVisibleBlock()
        if not block.isValid():
            return 0
        line_number = self.verticalScrollBar().value() - block.firstLineNumber()
        layout = block.layout()
        start = layout.lineAt(line_number).textStart() if 0 <= line_number < layout.lineCount() else 0
        return self.display.from_qt(block.position() + start)

    def scroll_to(self, position: int) -> None:
        """Scroll so the line holding `position` is the top line."""
        qt_position = self.display.to_qt(position)
        block = self.document().findBlock(qt_position)
        if not block.isValid():
            return
        self.document().documentLayout().blockBoundingRect(block)  # lays the block out so its lines are known
        layout = block.layout()
        line = layout.lineForTextPosition(qt_position - block.position()) if layout.lineCount() else None
        line_number = line.lineNumber() if line is not None and line.isValid() else 0
        self.verticalScrollBar().setValue(block.firstLineNumber() + line_number)

    def reveal(self, position: int) -> None:
        """Scroll just enough to show `position` (for find and span stepping)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.display.to_qt(position))
        rect = self.cursorRect(cursor)
        if rect.top() < 0 or rect.bottom() > self.viewport().height():
            self.scroll_to(position)
            self.verticalScrollBar().setValue(max(self.verticalScrollBar().value() - 3, 0))

    def char_at(self, point: QPoint) -> int | None:
        """The stored position of the character under a viewport point (None between or after lines)."""
        for line in self._visible_lines():
            if line.rect.top() <= point.y() < line.rect.bottom():
                x = point.x() - line.origin.x()
                if x > line.line.x() + line.line.naturalTextWidth():
                    return None
                index = line.line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
                qt_position = line.block_position + index
                if line.start <= qt_position < max(line.end, line.start + 1):
                    return self.display.from_qt(qt_position)
                return None
        return None

    # --- mouse -----------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        self._press = (event.position().toPoint(), alt) if event.button() == Qt.MouseButton.LeftButton else None
        if self._press is not None and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            # Pressing inside a selection would start dragging the text away; here it starts a new selection.
            self.setTextCursor(self.cursorForPosition(event.position().toPoint()))
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        point, alt = press
        moved = (event.position().toPoint() - point).manhattanLength() > CLICK_SLOP
        selection = self.selection()
        if selection is not None and moved:
            if self.snap_to_tokens and not alt:
                self._snap(selection)
        elif not moved:
            position = self.char_at(event.position().toPoint())
            if position is not None:
                self.clickedAt.emit(position)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        position = self.char_at(event.position().toPoint())
        if self.tokens is None or position is None:
            super().mouseDoubleClickEvent(event)
            return
        self.select(*self.tokens.snap(position, position + 1))
        self._press = None

    def _snap(self, selection: tuple[int, int]) -> None:
        start, end = self.tokens.snap(*selection) if self.tokens is not None else selection
        if (start, end) != selection:
            backwards = self.textCursor().position() < self.textCursor().anchor()
            self.select(start, end, caret_at_start=backwards)

    # --- keyboard --------------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        # Tab would move the focus away; here it steps through spans.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.stepSpan.emit(-1 if event.key() == Qt.Key.Key_Backtab else 1)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        if ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self.tokens is not None:
            self._move_by_token(1 if key == Qt.Key.Key_Right else -1, extend=shift)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not ctrl:
            self.deleteRequested.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.set_caret(self.caret())
            self.escapePressed.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not ctrl:
            self.enterPressed.emit(-1 if shift else 1)
            return
        text = event.text()
        if (len(text) == 1 and text.isprintable() and not text.isspace()
                and not modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                     | Qt.KeyboardModifier.MetaModifier)):
            self.labelKey.emit(text)
            return
        super().keyPressEvent(event)

    def _move_by_token(self, direction: int, *, extend: bool) -> None:
        caret = self.caret()
        target = (self.tokens.next_boundary(caret) if direction > 0 else self.tokens.previous_boundary(caret))
        if target is None:
            return
        cursor = self.textCursor()
        mode = QTextCursor.MoveMode.KeepAnchor if extend else QTextCursor.MoveMode.MoveAnchor
        cursor.setPosition(self.display.to_qt(target), mode)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    # --- copying ---------------------------------------------------------------------------------------
    def createMimeDataFromSelection(self) -> QMimeData:  # also feeds X11's selection clipboard
        """Copy what is shown, from our text, not Qt's (which turns U+2028 and U+00A0 into \\n and space)."""
        data = QMimeData()
        data.setProperty(_MADE_HERE, True)
        selection = self.selection()
        data.setText(self.display.view_slice(*selection) if selection else "")
        return data

    # --- hover -----------------------------------------------------------------------------------------
    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            position = self.char_at(event.pos())
            lines = []
            if position is not None:
                for layer in self.layers():
                    if layer.visible:
                        lines.extend(layer.describe(position))
            if lines:
                QToolTip.showText(event.globalPos(), "<br/>".join(lines), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    # --- painting --------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        lines = self._visible_lines()
        dirty = event.rect()
        painted = [line for line in lines if line.rect.bottom() >= dirty.top() and line.rect.top() <= dirty.bottom()]
        if painted and self._layers:
            # Marks of the whole screen decide how boxes stack, so a partial repaint stacks them the same way;
            # only the lines inside the dirty rectangle are drawn.
            start = self.display.from_qt(lines[0].start)
            end = self.display.from_qt(lines[-1].end, round_up=True) + 1
            painter = QPainter(self.viewport())
            painter.setClipRect(dirty)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            geometry = _Geometry(painted, self.display)
            first = self.display.from_qt(painted[0].start)
            last = self.display.from_qt(painted[-1].end, round_up=True) + 1
            for _, layer in self._layers:
                if layer.visible:
                    marks = layer.marks(start, end) if layer.stacks else layer.marks(first, last)
                    _paint_marks(painter, geometry, list(marks), first, last)
            painter.end()
        super().paintEvent(event)

    def _visible_lines(self) -> list[_Line]:
        lines: list[_Line] = []
        height = self.viewport().height()
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > height:
                break
            if block.isVisible():
                layout = block.layout()
                origin = geometry.topLeft()
                base = block.position()
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    rect = line.rect().translated(origin)
                    if rect.bottom() < 0 or rect.top() > height:
                        continue
                    start = base + line.textStart()
                    lines.append(_Line(start, start + line.textLength(), base, rect, origin, line))
            block = block.next()
        return lines


class _Geometry:
    """Rectangles of stored ranges on the visible lines (x positions cached for the length of one paint)."""

    def __init__(self, lines: list[_Line], display: DisplayText):
        self.lines = lines
        self.starts = [line.start for line in lines]
        self.display = display
        self._x: dict[tuple[int, int], float] = {}

    def x(self, line: _Line, qt_position: int) -> float:
        # Keyed by line too: where a line wraps, one position is both the end of a line and the next one's start.
        key = (line.start, qt_position)
        x = self._x.get(key)
        if x is None:
            x = self._x[key] = line.line.cursorToX(qt_position - line.block_position)[0] + line.origin.x()
        return x

    def rects(self, start: int, end: int) -> list[QRectF]:
        qt_start, qt_end = self.display.to_qt(start), self.display.to_qt(end)
        rects = []
        i = max(bisect_right(self.starts, qt_start) - 1, 0)
        while i < len(self.lines) and self.lines[i].start < qt_end:
            line = self.lines[i]
            a, b = max(qt_start, line.start), min(qt_end, line.end)
            if b > a:
                x1, x2 = self.x(line, a), self.x(line, b)
                rects.append(QRectF(min(x1, x2), line.rect.top(), abs(x2 - x1), line.rect.height()))
            i += 1
        return rects


def _lanes(marks: Iterable[Mark]) -> dict[int, int]:
    """Stack overlapping marks: each mark gets the lowest lane free over its range (outer ones first)."""
    lanes: dict[int, int] = {}
    active: list[tuple[int, int]] = []  # (end, lane)
    for index, mark in sorted(enumerate(marks), key=lambda item: (item[1].start, -item[1].end)):
        active = [(end, lane) for end, lane in active if end > mark.start]
        used = {lane for _, lane in active}
        lane = 0
        while lane in used:
            lane += 1
        active.append((mark.end, lane))
        lanes[index] = lane
    return lanes


def _paint_marks(painter: QPainter, geometry: _Geometry, marks: list[Mark], first: int, last: int) -> None:
    """Draw the marks that fall on the painted lines [first, last); `marks` may reach beyond them."""
    if not marks:
        return
    stacked = [mark for mark in marks if mark.style in _BOXES]
    if stacked:
        _paint_boxes(painter, geometry, stacked, first, last)
    marks = [mark for mark in marks if mark.start < last and mark.end > first]
    fills = [mark for mark in marks if mark.style is Style.FILL]
    for mark in fills:
        for rect in geometry.rects(mark.start, mark.end):
            painter.fillRect(rect, mark.color)
    underlined = [mark for mark in marks if mark.style is Style.UNDERLINE]
    if underlined:
        _paint_underlines(painter, geometry, underlined)


_BOXES = frozenset({Style.BOX, Style.DASHED, Style.CONFLICT, Style.GOLD, Style.DECIDED, Style.SUGGESTED})
CONFLICT_OUTLINE = QColor("#d62728")
UNDERLINE_LANE = 2.5  # pixels between stacked underlines


def _paint_boxes(painter: QPainter, geometry: _Geometry, marks: list[Mark], first: int, last: int) -> None:
    """Label-coloured boxes: a translucent fill, then a crisp outline; nested ones inset by their lane."""
    lanes = _lanes(marks)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    styles: dict[tuple, tuple[QPen, QColor | QBrush]] = {}
    boxes = []
    for index, mark in enumerate(marks):
        if mark.start >= last or mark.end <= first:
            continue
        key = (mark.color.rgba(), mark.style, mark.selected)
        if key not in styles:
            styles[key] = _box_style(mark)
        pen, fill = styles[key]
        lane = min(lanes[index], MAX_LANES - 1)
        inset = lane * LANE_INSET
        for rect in geometry.rects(mark.start, mark.end):
            box = QRectF(round(rect.left()) + lane * 0.5, round(rect.top() + inset),
                         max(round(rect.width()) - 1 - lane, 1), round(rect.height() - 1 - 2 * inset))
            painter.fillRect(box, fill)
            boxes.append((box, pen))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for box, pen in boxes:  # outlines after all fills, so a nested box's edge is never painted over
        painter.setPen(pen)
        painter.drawRect(box)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)


def _box_style(mark: Mark) -> tuple[QPen, QColor | QBrush]:
    fill = QColor(mark.color)
    outline = QColor(mark.color)
    width = 2 if mark.selected else 1
    if mark.style is Style.CONFLICT:
        fill.setAlpha(170 if mark.selected else 120)
        return QPen(CONFLICT_OUTLINE.darker(130) if mark.selected else CONFLICT_OUTLINE, width + 1), \
            QBrush(fill, Qt.BrushStyle.BDiagPattern)
    if mark.style is Style.GOLD:
        fill.setAlpha(130 if mark.selected else 105)
        return QPen(outline.darker(125), 1), fill
    if mark.style is Style.DECIDED:
        fill.setAlpha(0)
        return QPen(QColor(110, 110, 110, 200 if mark.selected else 150), width, Qt.PenStyle.DotLine), fill
    if mark.style is Style.DASHED:
        fill.setAlpha(60 if mark.selected else 22)
        return QPen(outline.darker(150 if mark.selected else 110), width, Qt.PenStyle.DashLine), fill
    if mark.style is Style.SUGGESTED:
        fill.setAlpha(70 if mark.selected else 24)
        pen = QPen(outline.darker(160 if mark.selected else 115), width)
        pen.setDashPattern([2.0, 2.0])
        return pen, fill
    fill.setAlpha(110 if mark.selected else 56)
    outline.setAlpha(235)
    return QPen(outline.darker(140) if mark.selected else outline, 2 if mark.selected else 1), fill


def _paint_underlines(painter: QPainter, geometry: _Geometry, marks: list[Mark]) -> None:
    """Thin lines under non-overlapping marks (tokens): one walk over lines and marks, one draw per colour."""
    lines = geometry.lines
    to_qt = geometry.display.to_qt
    qt = {position: to_qt(position) for mark in marks for position in (mark.start, mark.end)}
    by_color: dict[int, tuple[QColor, list[QLineF]]] = {}
    i = 0
    for mark in sorted(marks, key=lambda m: m.start):
        qt_start, qt_end = qt[mark.start], qt[mark.end]
        while i < len(lines) and lines[i].end <= qt_start:
            i += 1
        j = i
        while j < len(lines) and lines[j].start < qt_end:
            line = lines[j]
            a, b = max(qt_start, line.start), min(qt_end, line.end)
            if b > a:
                y = line.rect.bottom() - 1.0 - mark.lane * UNDERLINE_LANE
                x1, x2 = geometry.x(line, a), geometry.x(line, b)
                _, segments = by_color.setdefault(mark.color.rgba(), (mark.color, []))
                segments.append(QLineF(x1 + 1.5, y, x2 - 1.5, y))
            j += 1
    for color, segments in by_color.values():
        painter.setPen(QPen(color, 1.4))
        painter.drawLines(segments)


_MADE_HERE = "zhubi-made-in-python"


@atexit.register
def _hand_clipboard_to_qt() -> None:
    """Replace copied text made in Python with Qt's own copy before the interpreter goes away.

    The clipboard keeps the QMimeData of the last copy until the process exits; one constructed in
    Python would be destroyed after the interpreter is finalized, which crashes the process on quit.
    """
    app = QApplication.instance()
    if app is None:
        return
    clipboard = app.clipboard()
    for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
        data = clipboard.mimeData(mode)
        if data is not None and data.property(_MADE_HERE):
            clipboard.setText(data.text(), mode)
