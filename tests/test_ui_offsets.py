"""Qt positions ↔ stored code points, checked against Python's own indexing and against QTextDocument."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.offsets import DisplayText, Utf16Map

SPECIAL = ["A", "两", "确", "𠀀", "😀", "\U0002A6A5", "\n", "\u2028", "\u2029", "\u00a0", " ", "\t", "\ufdd0", "é"]
# Stored text never holds \r (normalized at import); anything else may occur in scraped documents.
texts = st.text(alphabet=st.one_of(st.sampled_from(SPECIAL),
                                   st.characters(blacklist_categories=("Cs",), blacklist_characters="\r")),
                max_size=60)


def utf16_index(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@given(texts, st.data())
def test_code_points_and_utf16_positions_round_trip(text, data):
    offsets = Utf16Map(text)
    assert offsets.utf16_length == len(text.encode("utf-16-le")) // 2
    cp = data.draw(st.integers(0, len(text)))
    assert offsets.to_utf16(cp) == utf16_index(text, cp)
    assert offsets.to_codepoint(offsets.to_utf16(cp)) == cp


@given(texts)
def test_a_position_inside_a_surrogate_pair_never_splits_the_character(text):
    offsets = Utf16Map(text)
    for cp, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            inside = utf16_index(text, cp) + 1
            assert offsets.to_codepoint(inside) == cp
            assert offsets.to_codepoint(inside, round_up=True) == cp + 1


def test_the_issue_example():
    text = "A𠀀B😀两个确立"
    offsets = Utf16Map(text)
    assert offsets.to_utf16(4) == 6  # Qt says 6 where Python says 4
    assert offsets.to_codepoint(6) == 4


class Shift:
    """A stand-in 繁简 conversion that changes lengths, to prove DisplayText composes both maps."""

    def __init__(self, text: str):
        self.text = "XX" + text

    def to_view(self, source: int) -> int:
        return source + 2

    def to_source(self, view: int) -> int:
        return max(view - 2, 0)


def test_display_text_composes_the_script_map_with_utf16():
    display = DisplayText("𠀀两个", Shift("𠀀两个"))
    assert display.to_qt(1) == 2 + 2  # two inserted chars, then one surrogate pair
    assert display.from_qt(4) == 1
    assert display.range_from_qt(5, 4) == (1, 2)  # reversed Qt selection (anchor after caret)
    assert display.range_from_qt(3, 5) == (0, 2)  # starting inside 𠀀's surrogate pair takes all of 𠀀
    assert display.view_slice(1, 3) == "两个"


@pytest.fixture(scope="module")
def editor(qapp):
    from PySide6.QtWidgets import QPlainTextEdit

    widget = QPlainTextEdit()
    yield widget
    widget.deleteLater()


@settings(max_examples=60, deadline=None)
@given(texts, st.data())
def test_qt_selects_exactly_the_stored_characters(editor, text, data):
    from PySide6.QtGui import QTextCursor

    editor.setPlainText(text)
    document = editor.document()
    offsets = Utf16Map(text)
    assert document.characterCount() - 1 == offsets.utf16_length  # one position per UTF-16 unit, nothing merged
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    cursor = QTextCursor(document)
    cursor.setPosition(offsets.to_utf16(start))
    cursor.setPosition(offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
    # Qt reports block breaks (\n, U+2029, U+FDD0/1) as U+2029 in a selection; every other character is kept.
    expected = "".join("\u2029" if ch in "\n\u2029\ufdd0\ufdd1" else ch for ch in text[start:end])
    assert cursor.selectedText() == expected
    assert offsets.to_codepoint(cursor.selectionStart()) == start
    assert offsets.to_codepoint(cursor.selectionEnd()) == end
