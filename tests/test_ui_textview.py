"""Where the text view draws marks: only under the characters they cover, also across wrapped lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor

from ui.layers import Layer, Mark, Style
from ui.offsets import DisplayText
from ui.textview import DocumentView, _Geometry

TEXT = "推动京津冀协同发展走深走实" * 12 + "\n第二段𠀀😀两个确立。\n"


class Fixed(Layer):
    """A layer with given marks, as a review or suggestion panel would add."""

    def __init__(self, marks):
        super().__init__("fixed")
        self.fixed = marks

    def marks(self, start, end):
        return [m for m in self.fixed if m.start < end and m.end > start]


def test_a_span_across_a_line_wrap_covers_only_its_characters(qtbot):
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(420, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_display(DisplayText(TEXT))
    lines = view._visible_lines()
    wrap = lines[1].start  # the first wrapped line starts here
    geometry = _Geometry(lines, view.display)
    first, second = geometry.rects(wrap - 2, wrap + 2)  # two characters on each side of the wrap
    glyph = geometry.rects(0, 1)[0].width()
    assert abs(first.width() - 2 * glyph) < 2 and abs(second.width() - 2 * glyph) < 2
    assert second.left() < first.left() and second.top() > first.top()


def test_layers_are_painted_and_astral_characters_keep_their_place(qtbot):
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_display(DisplayText(TEXT))
    start = TEXT.index("两个确立")
    view.add_layer(Fixed([Mark(start, start + 4, QColor("#ff0000"), Style.BOX)]), 5)
    geometry = _Geometry(view._visible_lines(), view.display)
    (rect,) = geometry.rects(start, start + 4)
    (before,) = geometry.rects(start - 2, start)  # 𠀀😀: two characters, four UTF-16 units
    assert abs(before.right() - rect.left()) < 1
    image = view.viewport().grab().toImage()
    center = rect.center().toPoint()
    colour = image.pixelColor(int(rect.left()) + 2, int(rect.top()) + 3)
    assert colour.red() > colour.blue() + 30  # the box's translucent red fill is there
    assert image.pixelColor(center.x(), int(rect.top()) - 20) != colour


def test_copy_gives_the_stored_characters_not_qts_rewritten_ones(qtbot, qapp):
    view = DocumentView()
    qtbot.addWidget(view)
    text = "第一行\u2028第二\u00a0行𠀀\n"
    view.set_display(DisplayText(text))
    view.select(0, len(text) - 1)
    view.copy()
    assert qapp.clipboard().text() == text[:-1]  # U+2028 and U+00A0 survive, 𠀀 whole


def test_the_process_exits_cleanly_after_copying(tmp_path):
    """The clipboard outlives the interpreter; what the view put there must not crash the exit."""
    script = (
        "from PySide6.QtWidgets import QApplication\n"
        "from ui.textview import DocumentView\n"
        "from ui.offsets import DisplayText\n"
        "app = QApplication([])\n"
        "view = DocumentView()\n"
        "view.set_display(DisplayText('两个确立'))\n"
        "view.select(0, 4)\n"
        "view.copy()\n"
        "assert app.clipboard().text() == '两个确立'\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr[-2000:]
