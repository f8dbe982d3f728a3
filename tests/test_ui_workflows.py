"""Window workflows beyond labelling: import and export in the background, labels, notes, errors."""

from __future__ import annotations

import json
import sqlite3

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.exc import OperationalError

from annotate.edits import RemoveSpan
from annotate.spans import SpanError
from corpus.documents import store_text
from db import documents
from ui.errors import environment_reason, is_bug, refusal_reason
from ui.labeleditor import LabelEditor
from ui.mainwindow import MainWindow
from ui.settings import Settings
from ui.tasks import Task

TEXT = "坚决做到“两个维护”，推动京津冀协同发展走深走实。\n"


@pytest.fixture
def window(main_window, database):
    with database.transaction() as session:
        store_text(session, name="one.txt", text=TEXT)
    return main_window()


def wait_for_tasks(qtbot) -> None:
    qtbot.waitUntil(lambda: not Task._running, timeout=30_000)


def test_importing_a_folder_in_the_background_fills_the_list(window, qtbot, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("十项行动。\r\n第二行\n", encoding="utf-8")
    (folder / "b.txt").write_bytes("新聞發佈會".encode("big5"))
    (folder / "c.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe\x00" * 50)
    window.import_paths([str(folder)], ask=False)
    wait_for_tasks(qtbot)
    names = [window.documents.model.info(r).name for r in range(window.documents.model.rowCount())]
    assert {"a.txt", "b.txt"} <= set(names) and "c.txt" not in names
    assert window.counts_label.text().startswith("new 3")
    with window.workspace.database.session() as session:
        from db import fulltext

        assert fulltext.pending_count(session) == 0  # the full-text index caught up in the background


def test_export_writes_the_annotators_spans_as_jsonl(window, qtbot, tmp_path):
    view = window.pane.view
    start = TEXT.index("两个维护")
    view.select(start, start + 4)
    qtbot.keyClick(view, Qt.Key.Key_1)
    out = tmp_path / "out.jsonl"
    window.export_to(str(out), fmt="doccano", annotators=["tester"], statuses=list(documents.Status))
    wait_for_tasks(qtbot)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["label"] == [[start, start + 4, "SLOGAN"]]
    assert "Exported 1 spans" in window.statusBar().currentMessage()


def test_a_new_label_from_the_editor_reaches_the_palette_and_its_key_works(window, qtbot, db_path):
    editor = LabelEditor(window.workspace.labels, window)
    qtbot.addWidget(editor)
    editor.new_label()
    editor.name.setText("POLICY")
    editor.display.setText("政策")
    assert editor.shortcut.text() == "4"  # the first free key is proposed
    editor.save()
    assert editor.error.text() == ""
    assert any("政策" in button.text() for button in window.pane.palette_bar.buttons())
    editor.name.setText("bad name")
    editor.save()
    assert "one word" in editor.error.text()
    view = window.pane.view
    view.select(0, 2)
    qtbot.keyClick(view, Qt.Key.Key_4)
    (row,) = window.pane.span_layer.own_rows()
    assert window.pane.span_layer.label_text(row.label_id) == "政策 (POLICY)"
    editor.list.setCurrentRow(3)  # POLICY, which a span has now
    editor.ask_remove()
    assert "1 span has the label POLICY" in editor.error.text()
    window.workspace.push(RemoveSpan(row.id))  # the span goes: now the label may
    editor.remove()
    assert editor.error.text() == "" and not any("政策" in b.text() for b in window.pane.palette_bar.buttons())


def test_a_note_is_an_undoable_edit_and_shows_on_hover(window, qtbot, monkeypatch):
    view = window.pane.view
    view.select(0, 2)
    qtbot.keyClick(view, Qt.Key.Key_2)
    monkeypatch.setattr("ui.docpane.QInputDialog.getText", lambda *args, **kwargs: ("需要复核 \n", True))
    window.pane.edit_note()  # a one-line field (Enter saves); the stray line end is not kept
    (row,) = window.pane.span_layer.own_rows()
    assert row.note == "需要复核"
    assert any("需要复核" in line and "tester" in line for line in window.pane.span_layer.describe(1))
    window.undo_action.trigger()
    assert window.pane.span_layer.own_rows()[0].note == ""


def test_errors_are_sorted_into_environment_refusals_and_bugs():
    locked = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    assert "locked" in environment_reason(locked)
    full = OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full"))
    assert "disk is full" in environment_reason(full)
    assert refusal_reason(SpanError("span [1, 2) with this label is already there")).endswith("already there")
    assert not is_bug(locked) and not is_bug(SpanError("x"))
    assert is_bug(KeyError("x")) and is_bug(ZeroDivisionError())


def test_a_locked_database_during_an_edit_is_a_message_not_a_crash(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr("ui.mainwindow.show_error", lambda parent, what, error: shown.append((what, error)))

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(window.workspace.spans, "add", locked)
    view = window.pane.view
    view.select(0, 2)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert shown and "could not be saved" in shown[0][0] and environment_reason(shown[0][1])
    assert window.workspace.undo_stack.count() == 0
    assert window.pane.span_layer.own_rows() == []


def test_first_start_on_the_empty_default_database_imports_the_sample_corpus(qtbot, tmp_path):
    from corpus.sample import SAMPLE_DIR
    from ui.app import start_window

    window = start_window(Settings(tmp_path / "zhubi.ini"), "tester", None)
    qtbot.addWidget(window)
    expected = len(list(SAMPLE_DIR.glob("*.txt")))
    qtbot.waitUntil(lambda: window.documents.model.rowCount() == expected, timeout=60_000)
    qtbot.waitUntil(lambda: window.pane.document is not None, timeout=20_000)
    assert "zhubi.db" in window.windowTitle()
    wait_for_tasks(qtbot)


def test_switching_databases_starts_a_fresh_history_and_remembers_each_place(window, qtbot, tmp_path, db_path):
    view = window.pane.view
    view.select(0, 2)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert window.workspace.undo_stack.count() == 1
    other = tmp_path / "other.db"
    with qtbot.waitSignal(window.ready, timeout=20_000):
        window.open_database(str(other))
    assert window.documents.model.rowCount() == 0 and window.pane.document is None
    assert window.workspace.undo_stack.count() == 0
    assert "other.db" in window.windowTitle()
    with qtbot.waitSignal(window.ready, timeout=20_000):
        window.open_database(str(db_path))
    assert window.pane.document is not None and window.pane.document.name == "one.txt"


def test_the_cheat_sheet_lists_the_shortcuts_of_the_menus_and_the_label_keys(window, qtbot):
    from ui.dialogs import CheatSheet
    from ui.textview import VIEW_KEYS

    labels = [(label.shortcut, label.display) for label in window.pane.labels if label.shortcut]
    sheet = CheatSheet(window.menus, VIEW_KEYS, labels, window)
    qtbot.addWidget(sheet)
    text = sheet.text.toPlainText()
    for expected in ("Ctrl+Z", "Ctrl+F", "Ctrl+Return", "Ctrl+J", "口号/提法", "Alt+drag", "Tab / Shift+Tab"):
        assert expected in text


def test_the_scroll_position_comes_back(qtbot, tmp_path, db_path, database):
    long_text = "".join(f"第{i}段。推动京津冀协同发展走深走实，市委组织部召开会议。\n" for i in range(400))
    with database.transaction() as session:
        store_text(session, name="long.txt", text=long_text)
    settings_path = tmp_path / "zhubi.ini"
    window = MainWindow(Settings(settings_path), "tester")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=20_000):
        window.open_database(str(db_path))
    target = long_text.index("第200段")
    window.pane.view.scroll_to(target)
    assert window.pane.position() == target
    window.close()
    again = MainWindow(Settings(settings_path), "tester")
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.ready, timeout=20_000):
        again.open_database(str(db_path))
    assert again.pane.document.name == "long.txt"
    assert again.pane.position() == target
    Task.cancel_all_and_wait()


def test_annotations_imported_from_jsonl_show_in_the_open_document(window, qtbot, tmp_path):
    good = tmp_path / "labels.jsonl"
    start = TEXT.index("两个维护")
    good.write_text(json.dumps({"text": TEXT, "label": [[start, start + 4, "SLOGAN"]]}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    window.import_annotations_from(str(good), annotator="reviewer", offset_unit="codepoint")
    wait_for_tasks(qtbot)
    window.others_action.setChecked(True)
    assert [(m.start, m.end) for m in window.pane.span_layer.marks(0, len(TEXT))] == [(start, start + 4)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": [[0, 5, "SLOGAN"]]}\n', encoding="utf-8")
    window.import_annotations_from(str(bad), annotator="reviewer", offset_unit="codepoint")
    wait_for_tasks(qtbot)
    from PySide6.QtWidgets import QMessageBox

    (box,) = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert "refused" in box.text() and "bad.jsonl:1" in box.informativeText()
    assert len(window.pane.span_layer.marks(0, len(TEXT))) == 1  # nothing of the refused file
