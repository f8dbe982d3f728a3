"""The status bar's selection description ends in "…" when it does not fit, instead of being cut mid-word."""

from __future__ import annotations

from ui.elidedlabel import ElidedLabel


def test_a_long_description_is_elided_and_whole_in_its_tooltip(qtbot):
    label = ElidedLabel()
    qtbot.addWidget(label)
    text = "Span 任务 (TASK) “推动京津冀协同发展走深走实” [0, 13) · label key relabels · Delete removes · Ctrl+M note"
    label.setText(text)
    label.resize(200, 24)
    label.show()
    qtbot.waitExposed(label)
    assert label.text() == text and label.toolTip() == text
    assert label.shown().endswith("…") and len(label.shown()) < len(text)
    assert label.minimumSizeHint().width() <= 10  # the status bar may give it any width
    label.resize(2000, 24)
    assert label.shown() == text
    label.setText("Selected “a<b>c</b>” [0, 8)")  # selected text is never read as markup
    assert label.shown() == "Selected “a<b>c</b>” [0, 8)"
