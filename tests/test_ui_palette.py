"""The label palette wraps onto more rows in a narrow window instead of making the window as wide as its labels."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from db.labels import LabelInfo
from ui.palette import LabelPalette

NINE = [LabelInfo(i, f"LABEL{i}", f"标签名称第{i}类", "#2a9d8f", str(i), "") for i in range(1, 10)]


def test_nine_labels_wrap_in_a_narrow_window_and_every_button_shows_whole(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    palette = LabelPalette(window)
    palette.set_labels(NINE)
    layout = QVBoxLayout(window)
    layout.addWidget(palette)
    layout.addStretch(1)
    one_row = sum(button.sizeHint().width() for button in palette.buttons())
    assert palette.minimumSizeHint().width() < one_row / 3  # it no longer asks for the width of all of them
    window.resize(360, 400)
    window.show()
    qtbot.waitExposed(window)
    buttons = palette.buttons()
    rows = sorted({button.geometry().top() for button in buttons})
    assert len(rows) >= 3  # wrapped
    for button in buttons:
        assert palette.rect().contains(button.geometry())  # inside the palette, which grew to hold the rows
    for a, b in zip(buttons, buttons[1:]):
        assert not a.geometry().intersects(b.geometry())
