"""The annotation window driven like a user: mouse and keys in, committed code-point spans out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from corpus.documents import store_text
from db import documents
from db import spans as span_rows
from db.engine import open_database
from db.models import Status

ASTRAL = "A𠀀B😀两个确立。推动京津冀协同发展走深走实，市委组织部召开会议。\u2028第二行\u00a0end\n"
TRADITIONAL = "堅定擁護“兩個確立”，堅決做到“兩個維護”。市發展改革委員會召開會議。\n" + "".join(
    f"第{i}段：新聞發佈會介紹全市經濟運行情況，黨組書記答記者問。\n" for i in range(150))
SLOGAN_AT = ASTRAL.index("两个确立")  # 4 in code points, 6 in UTF-16 units


@pytest.fixture
def corpus(database):
    with database.transaction() as session:
        ids = [store_text(session, name=name, text=text)[0] for name, text in
               (("astral.txt", ASTRAL), ("traditional.txt", TRADITIONAL), ("third.txt", "第三篇。十项行动。\n"))]
    return ids


@pytest.fixture
def open_window(main_window, corpus):
    """Open the window on the test database (with the corpus), as the annotator 'tester'."""
    return main_window


def utf16(text: str, cp: int) -> int:
    """Qt's position of a code point, computed independently of ui.offsets."""
    return len(text[:cp].encode("utf-16-le")) // 2


def point_at(view, qt_position: int) -> QPoint:
    cursor = QTextCursor(view.document())
    cursor.setPosition(qt_position)
    rect = view.cursorRect(cursor)
    return QPoint(rect.left() + 1, rect.center().y())


def drag(qtbot, view, text: str, start: int, end: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    begin, finish = point_at(view, utf16(text, start)), point_at(view, utf16(text, end))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, modifier, begin)
    qtbot.mouseMove(view.viewport(), finish)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, modifier, finish)


def stored(db_path, document_id: int) -> list[tuple[int, int, str]]:
    """Spans as a second connection sees them: committed, not just in this window's memory."""
    other = open_database(str(db_path))
    try:
        with other.session() as session:
            from db.labels import all_labels

            names = {label.id: label.name for label in all_labels(session)}
            return [(row.start, row.end, names[row.label_id]) for row in span_rows.for_document(session, document_id)]
    finally:
        other.close()


def wait_for_tokens(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.pane.view.tokens is not None, timeout=30_000)


def test_select_after_astral_characters_press_1_undo_redo_and_reopen(open_window, qtbot, db_path, corpus):
    window = open_window()
    view = window.pane.view
    assert window.pane.document.id == corpus[0]
    drag(qtbot, view, ASTRAL, SLOGAN_AT, SLOGAN_AT + 4, Qt.KeyboardModifier.AltModifier)
    assert view.textCursor().selectedText() == "两个确立"
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert stored(db_path, corpus[0]) == [(4, 8, "SLOGAN")]
    assert ASTRAL[4:8] == "两个确立"
    assert window.documents.model.data(window.documents.model.index(0, 3)) == "1"

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(db_path, corpus[0]) == []
    assert window.pane.span_layer.own_rows() == []
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(db_path, corpus[0]) == [(4, 8, "SLOGAN")]
    assert [(r.start, r.end) for r in window.pane.span_layer.own_rows()] == [(4, 8)]

    window.close()
    again = open_window()
    assert again.pane.document.id == corpus[0]  # the last document comes back
    assert [(r.start, r.end) for r in again.pane.span_layer.own_rows()] == [(4, 8)]
    assert again.windowTitle().endswith("test.db — tester — Zhubi")


def test_click_selects_a_span_then_a_key_relabels_and_delete_removes(open_window, qtbot, db_path, corpus):
    window = open_window()
    view = window.pane.view
    view.select(SLOGAN_AT, SLOGAN_AT + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    view.set_caret(0)
    inside = point_at(view, utf16(ASTRAL, SLOGAN_AT + 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=inside + QPoint(4, 0))
    assert window.pane.span_layer.selected is not None
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert stored(db_path, corpus[0]) == [(4, 8, "TASK")]
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert stored(db_path, corpus[0]) == []
    window.undo_action.trigger()
    assert stored(db_path, corpus[0]) == [(4, 8, "TASK")]
    window.undo_action.trigger()
    assert stored(db_path, corpus[0]) == [(4, 8, "SLOGAN")]


def test_a_nested_span_and_a_refused_duplicate(open_window, qtbot, db_path, corpus):
    window = open_window()
    view = window.pane.view
    task_start = ASTRAL.index("推动")
    task_end = ASTRAL.index("，市委")
    view.select(task_start, task_end)
    qtbot.keyClick(view, Qt.Key.Key_2)
    view.select(task_start + 2, task_start + 5)  # 京津冀 inside the task
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert stored(db_path, corpus[0]) == [(task_start, task_end, "TASK"), (task_start + 2, task_start + 5, "INSTITUTION")]
    steps = window.workspace.undo_stack.count()
    view.select(task_start, task_end)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert "already" in window.statusBar().currentMessage()
    assert window.workspace.undo_stack.count() == steps  # a refused edit leaves no undo step
    assert len(stored(db_path, corpus[0])) == 2


def test_keyboard_only_labelling_moves_and_extends_by_token(open_window, qtbot, db_path, corpus):
    window = open_window()
    view = window.pane.view
    wait_for_tokens(qtbot, window)
    start = ASTRAL.index("推动")
    view.set_caret(start)
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    selection = view.selection()
    assert selection is not None and selection[0] == start
    assert selection[1] in view.tokens.boundaries and selection[1] > start + 1
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert stored(db_path, corpus[0]) == [(start, selection[1], "INSTITUTION")]


def test_a_drag_snaps_to_tokens_unless_alt_is_held(open_window, qtbot, corpus):
    window = open_window()
    view = window.pane.view
    wait_for_tokens(qtbot, window)
    start = ASTRAL.index("市委组织部")
    drag(qtbot, view, ASTRAL, start + 1, start + 3)  # from inside one token into another
    snapped = view.selection()
    assert snapped[0] <= start + 1 and snapped[1] >= start + 3
    assert snapped[0] in view.tokens.boundaries and snapped[1] in view.tokens.boundaries
    assert snapped != (start + 1, start + 3)
    drag(qtbot, view, ASTRAL, start + 1, start + 3, Qt.KeyboardModifier.AltModifier)
    assert view.selection() == (start + 1, start + 3)


def test_traditional_shown_simplified_keeps_spans_selection_and_scroll(open_window, qtbot, corpus):
    window = open_window()
    window.open_document(corpus[1])
    view = window.pane.view
    slogan = TRADITIONAL.index("兩個確立")
    view.select(slogan, slogan + 4)
    qtbot.mouseClick(window.pane.palette_bar.buttons()[0], Qt.MouseButton.LeftButton)  # 口号/提法
    other = TRADITIONAL.index("市發展改革委")
    view.select(other, other + 6)
    top = TRADITIONAL.index("第80段")
    view.scroll_to(top)
    assert view.first_visible() == top
    window.simplified_action.trigger()
    assert view.display.text.startswith("坚定拥护“两个确立”")
    assert window.script_label.isVisible()
    assert view.selection() == (other, other + 6)
    assert view.textCursor().selectedText() == "市发展改革委"
    (span,) = window.pane.span_layer.own_rows()
    assert (span.start, span.end) == (slogan, slogan + 4)
    assert view.display.view_slice(span.start, span.end) == "两个确立"
    assert view.first_visible() == top
    window.simplified_action.trigger()
    assert view.display.text == TRADITIONAL
    assert view.selection() == (other, other + 6)
    assert view.first_visible() == top
    window.simplified_action.trigger()
    window.pane.open_find()
    window.pane.find_bar.field.setText("兩個確立")  # typed as the document writes it, while it shows in 简
    window.pane._search("兩個確立")
    assert window.pane.find_layer.matches == [(slogan, slogan + 4)]


def test_the_scroll_position_read_and_restored_stays_put_inside_a_wrapped_paragraph(open_window, database):
    """Closing and reopening the window must not creep up a line each time (it read the half-hidden line
    above the top)."""
    with database.transaction() as session:
        long_id = store_text(session, name="long.txt", text="第一段。\n" + "推动京津冀协同发展走深走实，" * 300 + "\n")[0]
    window = open_window()
    window.open_document(long_id)
    view = window.pane.view
    bar = view.verticalScrollBar()
    assert bar.maximum() > 20  # the paragraph wraps into many lines
    bar.setValue(15)
    top = view.first_visible()
    assert top > 5  # inside the long paragraph, not at its start
    for _ in range(3):
        view.scroll_to(top)
        assert (bar.value(), view.first_visible()) == (15, top)


def test_mark_done_opens_the_next_unfinished_document(open_window, qtbot, corpus, database):
    window = open_window()
    with database.transaction() as session:
        documents.set_status(session, corpus[1], Status.DONE)
    qtbot.keyClick(window.pane.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.pane.document.id == corpus[2]
    with database.session() as session:
        assert documents.info(session, corpus[0]).status is Status.DONE
    assert "done 2" in window.counts_label.text()
    assert window.documents.model.data(window.documents.model.index(0, 4)) == "done"


def test_find_highlights_every_match_and_enter_selects_them_in_turn(open_window, qtbot, corpus):
    window = open_window()
    window.pane.view.setFocus()
    qtbot.keyClick(window.pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pane.find_bar.isVisible()
    window.pane.find_bar.field.insert("会")  # QTest can only type ASCII
    qtbot.keyClick(window.pane.find_bar.field, Qt.Key.Key_Return)
    first = ASTRAL.index("会")
    assert window.pane.find_layer.matches == [(first, first + 1)]
    assert window.pane.view.selection() == (first, first + 1)
    assert window.pane.find_bar.count.text() == "1 of 1"


def test_after_find_a_label_key_labels_the_match_and_enter_goes_on(open_window, qtbot, corpus, database):
    """The label key must not be typed into the find field (it was: 新质生产力2, no matches)."""
    window = open_window()
    window.pane.view.setFocus()
    qtbot.keyClick(window.pane.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    window.pane.find_bar.field.insert("走")  # 走深走实: two matches
    qtbot.keyClick(window.pane.find_bar.field, Qt.Key.Key_Return)
    first, second = ASTRAL.index("走"), ASTRAL.rindex("走")
    assert window.pane.view.selection() == (first, first + 1) and window.pane.view.hasFocus()
    qtbot.keyClick(window.pane.view, Qt.Key.Key_1)
    assert window.pane.find_bar.field.text() == "走"
    with database.session() as session:
        assert [(r.start, r.end) for r in span_rows.for_document(session, corpus[0])] == [(first, first + 1)]
    qtbot.keyClick(window.pane.view, Qt.Key.Key_Return)  # on to the next match
    assert window.pane.view.selection() == (second, second + 1)
    assert window.pane.find_bar.count.text() == "2 of 2"
    qtbot.keyClick(window.pane.view, Qt.Key.Key_Escape)
    assert not window.pane.find_bar.isVisible() and window.pane.find_layer.matches == []


def test_the_document_list_filters_by_name_and_full_text(open_window, qtbot, corpus):
    window = open_window()
    panel = window.documents
    panel.filter.insert("十项行动")
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert [panel.model.document_id(r) for r in range(panel.model.rowCount())] == [corpus[2]]
    assert panel.count.text() == "1 document match"
    assert panel.table.hasFocus() and panel.table.currentIndex().row() == 0  # Enter: on to the first match
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # and Enter again opens it
    assert window.pane.document.id == corpus[2]
    panel.filter.clear()
    panel.filter.insert("两个确立")  # in the simplified text, and as 兩個確立 in the traditional one
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert [panel.model.document_id(r) for r in range(panel.model.rowCount())] == corpus[:2]
    assert panel.count.text() == "2 documents match"
    panel.filter.clear()
    panel.status.setCurrentIndex(2)  # New
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=20_000)


def test_tab_steps_through_your_spans_and_other_annotators_show_only_when_asked(open_window, qtbot, db_path, corpus):
    from annotate.spans import SpanStore
    from db import annotators

    other = open_database(str(db_path))
    with other.transaction() as session:
        someone = annotators.annotator_id(session, "someone")
    SpanStore(other).add(document_id=corpus[0], label_id=3, annotator_id=someone, start=0, end=1)
    other.close()
    window = open_window()
    view, layer = window.pane.view, window.pane.span_layer
    for start, end in ((SLOGAN_AT, SLOGAN_AT + 4), (10, 12), (2, 3)):
        view.select(start, end)
        qtbot.keyClick(view, Qt.Key.Key_1)
    view.set_caret(0)
    layer.select(None)
    visits = []
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        visits.append(layer.row(layer.selected).start)
    assert visits == [2, SLOGAN_AT, 10, 2]  # in text order, wrapping; never the other annotator's span
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert layer.row(layer.selected).start == 10
    assert layer.describe(0) == []
    window.others_action.trigger()
    assert any("someone" in line for line in layer.describe(0))
    assert [m.style.value for m in layer.marks(0, 1)] == ["dashed"]


def test_a_new_lexicon_word_resegments_the_open_document(open_window, qtbot, corpus):
    from annotate.lexicon import add_entry

    window = open_window()
    wait_for_tokens(qtbot, window)
    term = "召开会议"  # two tokens (召开, 会议) until the lexicon makes it one word
    start = ASTRAL.index(term)
    word = (start, start + len(term))
    assert window.pane.view.tokens.snap(start + 1, start + 2) != word
    add_entry(window.workspace.database, term, 2, events=window.workspace.events)
    qtbot.waitUntil(lambda: window.pane.view.tokens.snap(start + 1, start + 2) == word, timeout=30_000)


def test_on_first_start_the_document_list_shows_whole_names(open_window, database):
    """A sample name beside the five other columns was cut to 01_市…txt by a dock at its minimum width."""
    from ui.doclist import DocumentListModel

    with database.transaction() as session:
        store_text(session, name="01_市委常委会会议.txt", text="市委常委会召开会议。\n")
    window = open_window()
    table = window.documents.table
    needed = table.fontMetrics().horizontalAdvance("01_市委常委会会议.txt") + 12  # the cell's margins
    assert table.columnWidth(DocumentListModel.NAME) >= needed


def test_an_empty_database_says_how_to_import_instead_of_a_busy_bar(main_window, tmp_path):
    window = main_window(location=tmp_path / "empty.db")
    assert window.corpus_progress.maximum() == 1  # 0 would animate as "busy" for ever
    assert window.corpus_progress.text() == "no documents"
    assert "File ▸ Import" in window.pane.view.placeholderText()


def test_toolbar_buttons_keep_their_short_names_when_toggled(open_window):
    from PySide6.QtWidgets import QToolButton

    window = open_window()
    names = lambda: [b.text() for b in window.findChildren(QToolButton) if b.defaultAction() is not None
                     and b.defaultAction() in (window.simplified_action, window.tokens_action)]
    before = names()
    assert "繁→简" in before and "Tokens" in before
    window.simplified_action.trigger()
    window.tokens_action.trigger()
    window.simplified_action.trigger()
    assert names() == before


def test_undo_of_a_span_another_window_removed_shows_the_document_as_it_is(open_window, qtbot, corpus, db_path):
    """No ghost span drawn where the database has none, and no −1 in the document list."""
    window = open_window()
    view = window.pane.view
    view.select(SLOGAN_AT, SLOGAN_AT + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    (row,) = window.pane.span_layer.own_rows()
    other = open_database(str(db_path))  # another window removes it
    with other.transaction() as session:
        span_rows.delete_span(session, row.id)
    other.close()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "gone" in window.statusBar().currentMessage()
    assert window.pane.span_layer.own_rows() == []
    model = window.documents.model
    assert model.data(model.index(model.row_of(corpus[0]), model.SPANS)) == "0"


def test_coming_back_to_the_window_shows_what_other_programs_changed(open_window, qtbot, corpus, db_path):
    """A teammate on the same database, or an import from the command line, while the user was elsewhere."""
    from annotate.events import EventBus
    from annotate.labelset import LabelSet

    window = open_window()
    model = window.documents.model
    other = open_database(str(db_path))
    with other.transaction() as session:
        added, _ = store_text(session, name="new.txt", text="新来的文件。\n")
        documents.set_status(session, corpus[1], Status.DONE)
    LabelSet(other, EventBus()).add(name="POLICY", display="政策")
    other.close()
    assert model.row_of(added, fetch=False) is None  # not seen yet
    window._application_state(Qt.ApplicationState.ApplicationInactive)
    window._application_state(Qt.ApplicationState.ApplicationActive)
    assert model.row_of(added) is not None
    assert model.info(model.row_of(corpus[1])).status is Status.DONE
    assert any("政策" in button.text() for button in window.pane.palette_bar.buttons())
