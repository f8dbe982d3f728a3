"""Suggestions in the window, driven like a user: they show when a document opens, Enter accepts (a span with
origin `suggested`, one undo step), Backspace rejects (and it stays rejected), labelling a term once offers its
other occurrences, label-all-occurrences counts first and is one undo step, rules switch on and off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from annotate import lexicon
from annotate.suggest import LEXICON
from corpus.documents import store_text
from db import spans as span_rows
from db.engine import open_database
from db.models import Origin
from ui.layers import Style
from ui.mainwindow import MainWindow
from ui.tasks import Task

TEXT = ("坚决做到“两个维护”，推进“放管服”改革。\n"
        "市委组织部要求两个维护落到实处。各级党组织都要做到两个维护。\n")
OTHER = "第二篇：全市上下要做到两个维护，市委组织部牵头。\n"
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def corpus(database):
    with database.transaction() as session:
        return [store_text(session, name=name, text=text)[0] for name, text in (("one.txt", TEXT), ("two.txt", OTHER))]


@pytest.fixture
def open_window(main_window, qtbot, corpus):
    def make() -> MainWindow:
        window = main_window()
        wait_for_suggestions(qtbot, window)
        return window

    return make


def wait_for_suggestions(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.pane.document is not None and window.assist.is_idle()
                    and window.assist.controller.layer.document_id == window.pane.document.id, timeout=20_000)


def shown(window) -> list[tuple[str, int, str]]:
    return [(s.text, s.start, s.source) for s in window.assist.controller.layer.suggestions]


def stored(db_path, document_id: int) -> list[tuple[int, int, str, Origin]]:
    """Spans as another connection sees them (committed)."""
    other = open_database(str(db_path))
    try:
        with other.session() as session:
            return [(r.start, r.end, r.label_id, r.origin) for r in span_rows.for_document(session, document_id)]
    finally:
        other.close()


def test_opening_a_document_shows_suggestions_drawn_apart_from_labels(open_window, corpus, db_path):
    window = open_window()
    layer = window.assist.controller.layer
    assert ("两个维护", 5, "quoted_numbered") in shown(window)
    assert ("放管服", TEXT.index("放管服"), "quoted_phrase") in shown(window)
    assert ("市委组织部", TEXT.index("市委组织部"), "institution") in shown(window)
    assert {mark.style for mark in layer.marks(0, len(TEXT))} == {Style.SUGGESTED}
    assert stored(db_path, corpus[0]) == []  # nothing is a label until accepted
    tip = " ".join(layer.describe(TEXT.index("市委组织部") + 1))
    assert "institution" in tip and "INSTITUTION" in tip  # hover: source rule and label


def test_enter_accepts_the_current_suggestion_and_undo_takes_it_back(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, controller = window.pane.view, window.assist.controller
    view.set_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT)  # the first suggestion after the caret
    first = controller.layer.current
    assert (first.text, first.start) == ("两个维护", 5)
    assert view.selection() == (5, 9)
    assert "Enter accepts" in window.selection_label.text()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert stored(db_path, corpus[0]) == [(5, 9, first.label_id, Origin.SUGGESTED)]
    assert controller.layer.current.text == "放管服"  # on to the next one
    assert ("两个维护", 5, "quoted_numbered") not in shown(window)
    assert [(r.start, r.end) for r in window.pane.span_layer.own_rows()] == [(5, 9)]

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(db_path, corpus[0]) == []
    qtbot.waitUntil(lambda: ("两个维护", 5, "quoted_numbered") in shown(window), timeout=10_000)


def test_backspace_rejects_and_the_rejection_survives_reopening(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, controller = window.pane.view, window.assist.controller
    view.set_caret(12)
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT)
    assert controller.layer.current.text == "放管服"
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert "放管服" not in [text for text, _, _ in shown(window)]
    assert stored(db_path, corpus[0]) == []  # a rejection is no span
    wait_for_suggestions(qtbot, window)
    assert "放管服" not in [text for text, _, _ in shown(window)]  # nor does the recomputation bring it back
    window.close()

    again = open_window()
    assert again.pane.document.id == corpus[0]
    assert "放管服" not in [text for text, _, _ in shown(again)]
    assert "两个维护" in [text for text, _, _ in shown(again)]


def test_backspace_removes_a_selected_span_and_rejects_a_selected_suggestion(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, pane, controller = window.pane.view, window.pane, window.assist.controller
    start = TEXT.index("推进")
    view.select(start, start + 2)
    qtbot.keyClick(view, Qt.Key.Key_2)  # a span of yours: TASK 推进
    assert pane.span_layer.selected is not None and controller.layer.current is None
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert stored(db_path, corpus[0]) == []  # the span went; no suggestion was touched
    wait_for_suggestions(qtbot, window)
    count = len(controller.layer.suggestions)
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT)
    assert pane.span_layer.selected is None and controller.layer.current is not None
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert len(controller.layer.suggestions) == count - 1 and stored(db_path, corpus[0]) == []


def _click(qtbot, view, position: int) -> None:
    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    rect = view.cursorRect(cursor)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 6, rect.center().y()))


def test_a_click_selects_the_suggestion_first_then_the_span_under_it(open_window, qtbot, corpus):
    window = open_window()
    view, pane, controller = window.pane.view, window.pane, window.assist.controller
    start = TEXT.index("市委组织部要求")
    view.select(start, start + len("市委组织部要求两个维护落到实处"))
    qtbot.keyClick(view, Qt.Key.Key_2)  # a task around the institution suggestion
    wait_for_suggestions(qtbot, window)
    view.set_caret(0)
    _click(qtbot, view, start + 1)
    assert controller.layer.current.text == "市委组织部" and pane.span_layer.selected is None
    _click(qtbot, view, start + 1)
    assert controller.layer.current is None and pane.span_layer.selected is not None
    _click(qtbot, view, start + 1)
    assert controller.layer.current.text == "市委组织部"


def test_labelling_a_term_once_offers_every_other_occurrence(open_window, qtbot, corpus, db_path):
    window = open_window()
    view = window.pane.view
    second = TEXT.index("两个维护落到实处")
    assert ("两个维护", second, LEXICON) not in shown(window)  # unquoted: no rule finds it
    view.select(second, second + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert window.assist.note.isHidden()  # the offer waits until the new span has been painted
    wait_for_suggestions(qtbot, window)
    third = TEXT.rindex("两个维护")
    assert ("两个维护", third, LEXICON) in shown(window) and ("两个维护", 5, LEXICON) in shown(window)
    assert "两个维护" in window.assist.note.text() and not window.assist.note.isHidden()
    window.open_document(corpus[1])
    wait_for_suggestions(qtbot, window)
    assert ("两个维护", OTHER.index("两个维护"), LEXICON) in shown(window)  # in the other document too

    window.assist._note_link("undo")  # the note's "undo" link: out of the lexicon again
    wait_for_suggestions(qtbot, window)
    assert [text for text, _, source in shown(window) if source == LEXICON] == []
    assert stored(db_path, corpus[0]) == [(second, second + 4, 1, Origin.MANUAL)]  # the label itself stays


def test_the_lexicon_note_goes_when_undo_takes_the_term_back(open_window, qtbot, corpus, database):
    window = open_window()
    view = window.pane.view
    second = TEXT.index("两个维护落到实处")
    view.select(second, second + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: not window.assist.note.isHidden(), timeout=20_000)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: lexicon.all_entries(database) == [], timeout=20_000)
    # no "Added … undo / reject" left (the note would otherwise stay its full 12 s)
    qtbot.waitUntil(lambda: window.assist.note.isHidden(), timeout=3_000)


def test_a_span_labelled_just_before_closing_still_offers_its_text(open_window, qtbot, corpus, database):
    window = open_window()
    second = TEXT.index("两个维护落到实处")
    window.pane.view.select(second, second + 4)
    qtbot.keyClick(window.pane.view, Qt.Key.Key_1)
    window.close()  # before the pause the offer waits for
    assert [e.term for e in lexicon.all_entries(database)] == ["两个维护"]


def test_ask_mode_asks_with_one_click_and_off_mode_does_nothing(open_window, qtbot, corpus):
    window = open_window()
    view, assist = window.pane.view, window.assist
    assist.offer_actions[lexicon.OfferMode.ASK].trigger()
    assert lexicon.offer_mode(window.workspace.database) is lexicon.OfferMode.ASK
    second = TEXT.index("两个维护落到实处")
    view.select(second, second + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: "add" in assist.note.text(), timeout=20_000)
    assert lexicon.all_entries(window.workspace.database) == []
    assist._note_link("add")
    assert [e.term for e in lexicon.all_entries(window.workspace.database)] == ["两个维护"]
    assist.offer_actions[lexicon.OfferMode.OFF].trigger()
    start = TEXT.index("各级党组织")
    view.select(start, start + 5)
    qtbot.keyClick(view, Qt.Key.Key_3)
    wait_for_suggestions(qtbot, window)
    assert [e.term for e in lexicon.all_entries(window.workspace.database)] == ["两个维护"]


def test_accept_all_of_a_term_and_all_in_the_document_are_one_undo_step_each(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, controller, assist = window.pane.view, window.assist.controller, window.assist
    lexicon.add_entry(window.workspace.database, "两个维护", 1, events=window.workspace.events)
    wait_for_suggestions(qtbot, window)
    view.set_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT)
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert sorted(s for s, *_ in stored(db_path, corpus[0])) == [i for i in range(len(TEXT))
                                                                  if TEXT.startswith("两个维护", i)]
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(db_path, corpus[0]) == []
    wait_for_suggestions(qtbot, window)
    total = len(controller.layer.suggestions)
    assist.accept_all_action.trigger()
    assert len(stored(db_path, corpus[0])) == total and controller.layer.suggestions == []
    assert {origin for *_, origin in stored(db_path, corpus[0])} == {Origin.SUGGESTED}
    window.undo_action.trigger()
    assert stored(db_path, corpus[0]) == []


def test_hidden_suggestions_are_not_drawn_and_keys_leave_them_alone(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, controller = window.pane.view, window.assist.controller
    window.assist.show_action.trigger()
    assert not controller.layer.visible and window.settings.flag("suggestions", True) is False
    view.set_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Right, ALT)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert controller.layer.current is None and stored(db_path, corpus[0]) == []
    assert "hidden" in window.statusBar().currentMessage()


def test_label_all_occurrences_shows_the_counts_first_and_is_one_undo_step(open_window, qtbot, corpus, db_path):
    window = open_window()
    view, assist = window.pane.view, window.assist
    start = TEXT.index("两个维护落到实处")
    view.select(start, start + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert window.pane.span_layer.selected is not None
    assist.occurrences_action.trigger()
    qtbot.waitUntil(lambda: assist.occurrence_dialog is not None, timeout=10_000)
    dialog = assist.occurrence_dialog
    assert (dialog.here.count, dialog.corpus.count, dialog.corpus.documents) == (2, 3, 2)
    assert "<b>2</b> to label" in dialog.summary.text() and "<b>3</b> to label in 2" in dialog.summary.text()
    qtbot.mouseClick(dialog.corpus_button, Qt.MouseButton.LeftButton)
    assert len(stored(db_path, corpus[0])) == 3 and len(stored(db_path, corpus[1])) == 1
    assert window.undo_action.text() == "&Undo Label 3 occurrences of 两个维护"
    qtbot.waitUntil(lambda: window.isActiveWindow() and view.hasFocus(), timeout=20_000)  # back to the text
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(stored(db_path, corpus[0])) == 1 and stored(db_path, corpus[1]) == []


def test_rules_switch_off_change_label_and_user_patterns_with_errors_shown(open_window, qtbot, corpus):
    from ui.rulesdialog import RulesDialog

    window = open_window()
    dialog = RulesDialog(window.workspace, window)
    qtbot.addWidget(dialog)
    assert dialog.set_enabled("institution", False)
    wait_for_suggestions(qtbot, window)
    assert "市委组织部" not in [text for text, _, _ in shown(window)]
    assert not dialog.set_label("quoted_phrase", "NO_SUCH_LABEL") and "NO_SUCH_LABEL" in dialog.error.text()
    dialog.name.setText("bad")
    dialog.pattern.setText("(unclosed")
    assert not dialog.add_rule() and "not a valid regular expression" in dialog.error.text()
    dialog.name.setText("reform")
    dialog.pattern.setText("(改革)")
    dialog.new_label.setCurrentIndex(dialog.new_label.findData("TASK"))
    assert dialog.add_rule() and dialog.error.text() == ""
    wait_for_suggestions(qtbot, window)
    assert ("改革", TEXT.index("改革"), "reform") in shown(window)
    dialog.table.selectRow([info.name for info in dialog.infos].index("reform"))
    assert dialog.remove_selected()
    wait_for_suggestions(qtbot, window)
    assert "reform" not in [source for _, _, source in shown(window)]


@pytest.mark.seeds
def test_on_the_seeds_labelling_两个维护_once_offers_every_other_occurrence(seeds, qtbot, main_window, database):
    from corpus.importer import import_paths

    import_paths(database, [seeds])
    window = main_window()
    from ui.mainwindow import first_document_named

    def occurrences(name: str, term: str = "两个维护") -> list[int]:
        document = first_document_named(window, name)
        window.open_document(document)
        wait_for_suggestions(qtbot, window)
        text = window.pane.view.display.stored
        found = [i for i in range(len(text)) if text.startswith(term, i)]
        assert found, name
        return found

    first, *others = occurrences("002_7d61d7b1c701f164.txt")
    assert all(("两个维护", at, "quoted_numbered") in shown(window) for at in (first, *others))  # a rule, so far
    window.pane.view.select(first, first + 4)
    qtbot.keyClick(window.pane.view, Qt.Key.Key_1)
    wait_for_suggestions(qtbot, window)
    assert all(("两个维护", at, LEXICON) in shown(window) for at in others)
    for name, term in (("001_8025bb0daf4ccea9.txt", "两个维护"), ("003_a1aa3f8d02a72061.txt", "两个维护"),
                       ("004_d3cc0861f9f12531.txt", "兩個維護")):
        found = occurrences(name, term)
        assert all((term, at, LEXICON) in shown(window) for at in found), name
    Task.cancel_all_and_wait()
