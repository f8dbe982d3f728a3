"""The review view driven like a reviewer: two annotators' spans in, decisions by key, gold spans out."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from annotate.spans import SpanStore
from corpus.documents import store_text
from db import annotators, comments, documents, labels
from db import review as review_rows
from db import spans as span_rows
from db.engine import open_database
from db.models import ReviewStatus
from ui.layers import Style
from ui.reviewmodel import DisagreementFilter, DisagreementModel

TEXT = "坚决做到“两个维护”，推动京津冀协同发展走深走实。市委组织部召开会议，部署“十项行动”。\n"


def at(term: str) -> tuple[int, int]:
    start = TEXT.index(term)
    return start, start + len(term)


# amy and bob agree on 两个维护; disagree on the task's end (boundary), on 市委组织部's label, and bob has no
# 十项行动 (missing).
AMY = [("两个维护", "SLOGAN"), ("推动京津冀协同发展走深走实", "TASK"), ("市委组织部", "INSTITUTION"), ("十项行动", "SLOGAN")]
BOB = [("两个维护", "SLOGAN"), ("推动京津冀协同发展", "TASK"), ("市委组织部", "TASK")]


@pytest.fixture
def reviewed(database):
    """A database with one document labelled by amy and bob (as after importing their exports)."""
    with database.transaction() as session:
        document_id, _ = store_text(session, name="notice.txt", text=TEXT)
        store_text(session, name="other.txt", text="第二篇。\n")
        ids = {name: annotators.annotator_id(session, name) for name in ("amy", "bob")}
        label_ids = {label.name: label.id for label in labels.all_labels(session)}
    store = SpanStore(database)
    for name, marks in (("amy", AMY), ("bob", BOB)):
        for term, label in marks:
            store.add(document_id=document_id, label_id=label_ids[label], annotator_id=ids[name], start=at(term)[0],
                      end=at(term)[1])
    return document_id


@pytest.fixture
def open_window(main_window, reviewed):
    return lambda: main_window("rita")


def start_review(qtbot, window) -> None:
    with qtbot.waitSignal(window.review.loaded, timeout=20_000):
        qtbot.keyClick(window.pane.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.review.state is not None


def gold(db_path, document_id: int) -> list[tuple[int, int, str, dict]]:
    """Gold spans as a second connection sees them: committed, with their provenance."""
    other = open_database(str(db_path))
    try:
        with other.session() as session:
            gold_id = annotators.annotator_id(session, "gold", create=False)
            names = {label.id: label.name for label in labels.all_labels(session)}
            rows = span_rows.for_document(session, document_id, [gold_id]) if gold_id else []
            return [(r.start, r.end, names[r.label_id], json.loads(r.provenance or "{}")) for r in rows]
    finally:
        other.close()


def kinds_shown(window) -> list[str]:
    model = window.review.model
    return [model.data(model.index(row, DisagreementModel.KIND)) for row in range(model.rowCount())]


def styles_at(window, term: str) -> set[Style]:
    start, end = at(term)
    return {mark.style for mark in window.review.layer.marks(start, end)
            if mark.style is not Style.UNDERLINE and (mark.start, mark.end) == (start, end)}


def test_the_review_view_groups_steps_decides_and_undoes(open_window, qtbot, db_path, reviewed):
    window = open_window()
    view = window.pane.view
    start_review(qtbot, window)
    assert window.review.annotators == ["amy", "bob"]  # those with spans here, the reviewer left out
    assert window.review.dock.isVisible()
    assert not window.pane.span_layer.visible and window.review.layer.visible
    assert kinds_shown(window) == ["boundary", "label", "missing"]
    assert "0 of 3" in window.review.panel.counts.text() and "agreed 1" in window.review.panel.counts.text()
    assert styles_at(window, "两个维护") == {Style.BOX}
    assert styles_at(window, "市委组织部") == {Style.CONFLICT}
    assert styles_at(window, "十项行动") == {Style.DASHED}
    underlines = [m for m in window.review.layer.marks(*at("两个维护")) if m.style is Style.UNDERLINE]
    assert sorted(m.lane for m in underlines) == [1, 2]  # one line per annotator
    assert any("amy" in line and "bob" in line for line in
               ["".join(window.review.layer.describe(at("市委组织部")[0]))])

    qtbot.keyClick(view, Qt.Key.Key_F8)
    assert window.review.current.kind.value == "boundary"
    qtbot.keyClick(view, Qt.Key.Key_F8)
    assert window.review.current.kind.value == "label"
    qtbot.keyClick(view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert window.review.current.kind.value == "boundary"
    assert window.review.panel.table.currentIndex().row() == 0

    qtbot.keyClick(view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # accept amy's side
    ((start, end, label, provenance),) = gold(db_path, reviewed)
    assert (start, end, label) == (*at("推动京津冀协同发展走深走实"), "TASK")
    assert provenance["adjudicated_by"] == "rita" and provenance["action"] == "accept"
    assert [source["annotator"] for source in provenance["from"]] == ["amy"]
    assert window.review.current.kind.value == "label"  # on to the next undecided one
    assert styles_at(window, "推动京津冀协同发展走深走实") == {Style.DECIDED, Style.GOLD}
    assert window.review.model.data(window.review.model.index(0, window.review.model.decision_column)) == \
        "✓ accept amy"
    assert window.pane.document.review_status is ReviewStatus.IN_REVIEW
    assert "1 of 3" in window.review.panel.counts.text()
    counts = window.review.layer.counts()
    assert counts.pop("agreed_open") == 1 and counts == window.review.state.counts()

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(db_path, reviewed) == []
    assert styles_at(window, "推动京津冀协同发展走深走实") == {Style.CONFLICT}
    assert window.pane.document.review_status is ReviewStatus.UNREVIEWED
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*at("推动京津冀协同发展走深走实"), "TASK")]

    window.review.set_current(window.review.model.group(1))  # the label conflict
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # reject: nothing goes into gold, the group counts as decided
    assert len(gold(db_path, reviewed)) == 1
    assert window.review.model.data(window.review.model.index(1, window.review.model.decision_column)) == "✓ reject"

    # An annotator's own view shows only their spans again.
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.pane.span_layer.visible and not window.review.layer.visible
    assert window.pane.span_layer.own_count() == 0

    window.close()
    again = open_window()
    assert again.review.annotators == ["amy", "bob"]
    start_review(qtbot, again)
    model = again.review.model
    assert [model.data(model.index(r, model.decision_column)) for r in range(3)] == ["✓ accept amy", "✓ reject", ""]
    assert styles_at(again, "市委组织部") == {Style.DECIDED}  # a rejection is remembered
    qtbot.keyClick(again.pane.view, Qt.Key.Key_F8)
    assert again.review.current.kind.value == "missing"  # the only undecided one

    panel = again.review.panel
    panel.undecided.setChecked(True)                     # the list through its filtering proxy
    assert panel.table.model().rowCount() == 1
    panel.kind.setCurrentIndex(1)                        # label conflicts (decided: none left to show)
    assert panel.table.model().rowCount() == 0
    panel.undecided.setChecked(False)
    assert panel.table.model().rowCount() == 1
    panel.table.selectRow(0)
    assert again.review.current.kind.value == "label"   # choosing a row makes it current


def test_edit_by_selection_and_label_key_extends_an_edit_and_undoes_as_one(open_window, qtbot, db_path, reviewed):
    window = open_window()
    view = window.pane.view
    start_review(qtbot, window)
    first = (at("十项行动")[0], at("十项行动")[0] + 2)       # 十项
    view.select(*first)
    qtbot.keyClick(view, Qt.Key.Key_1)                      # SLOGAN on the selection: an edit of the missing group
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*first, "SLOGAN")]
    assert gold(db_path, reviewed)[0][3]["action"] == "edit"
    assert window.review.current.kind.value == "missing"
    second = (first[1], first[1] + 2)                      # 行动
    view.select(*second)
    qtbot.keyClick(view, Qt.Key.Key_1)                      # added to the same edit
    assert sorted(g[:3] for g in gold(db_path, reviewed)) == [(*first, "SLOGAN"), (*second, "SLOGAN")]
    with window.workspace.database.session() as session:
        assert len(review_rows.decisions_for_document(session, reviewed)) == 1
    window.undo_action.trigger()                            # one step back: the first edit alone
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*first, "SLOGAN")]

    # A label key without a selection on a label conflict: gold gets the group's range with that label.
    window.review.set_current(window.review.model.group(1))
    qtbot.keyClick(view, Qt.Key.Key_3)                      # INSTITUTION
    assert (*at("市委组织部"), "INSTITUTION") in [g[:3] for g in gold(db_path, reviewed)]
    # ... and on a boundary conflict it asks for the range instead of guessing.
    window.review.set_current(window.review.model.group(0))
    view.set_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert "select the range" in window.statusBar().currentMessage()


def test_accept_agreed_mark_adjudicated_and_the_document_list(open_window, qtbot, db_path, reviewed):
    window = open_window()
    start_review(qtbot, window)
    assert not window.review.mark_adjudicated()               # refused: groups are undecided
    assert "not decided" in window.statusBar().currentMessage()
    window.review.actions["agreed"].trigger()
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*at("两个维护"), "SLOGAN")]
    assert styles_at(window, "两个维护") == {Style.DECIDED, Style.GOLD}
    for _ in range(3):
        window.review.step_disagreement(1)
        window.review.accept_all()
    assert window.review.state.undecided(list(window.review.state.groups[0].kind.__class__)) == []
    assert window.review.mark_adjudicated()
    with window.workspace.database.session() as session:
        assert documents.info(session, reviewed).review_status is ReviewStatus.ADJUDICATED
    model = window.documents.model
    row = model.row_of(reviewed)
    assert model.data(model.index(row, model.REVIEW), Qt.ItemDataRole.ToolTipRole) == "adjudicated"
    assert "adjudicated" in window.review.panel.status.text()
    window.documents.review.setCurrentIndex(4)  # Adjudicated
    assert [model.document_id(r) for r in range(model.rowCount())] == [reviewed]


def test_comments_on_a_span_and_on_the_document(open_window, qtbot, reviewed):
    window = open_window()
    start_review(qtbot, window)
    window.review.step_disagreement(1)
    qtbot.keyClick(window.pane.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = window.review.comments.dialog
    assert dialog is not None and window.review.comments_dock.isVisible()
    assert "amy's" in dialog.target.currentText()
    dialog.text.setPlainText("走深走实 belongs to the task")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    with window.workspace.database.session() as session:
        (row,) = comments.for_document(session, reviewed)
    assert (row.author, row.text) == ("rita", "走深走实 belongs to the task")
    assert row.span_id == window.review.current.side(window.review.state.annotator_ids[0])[0].id
    panel = window.review.comments
    assert panel.list.count() == 1 and "amy's" in panel.list.item(0).text()
    dialog = panel.ask()
    dialog.target.setCurrentIndex(0)  # the document
    dialog.text.setPlainText("check the whole notice again")
    dialog.buttons.accepted.emit()
    assert panel.list.count() == 2 and "the document" in panel.list.item(1).text()
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.list.count() == 1
    window.undo_action.trigger()
    assert panel.list.count() == 2


def test_the_disagreement_model_passes_qt_model_tester(qtmodeltester, database, reviewed):
    from annotate import review

    state = review.load(database, reviewed, ["amy", "bob"])
    model = DisagreementModel()
    model.set_state(state)
    assert model.rowCount() == 3 and model.columnCount() == 7
    assert model.headerData(4, Qt.Orientation.Horizontal) == "amy"
    qtmodeltester.check(model, force_py=True)
    proxy = DisagreementFilter()
    proxy.setSourceModel(model)
    proxy.set_filter(frozenset({review.Kind.MISSING}), False)
    assert proxy.rowCount() == 1
    qtmodeltester.check(proxy, force_py=True)


# ---- the agreement window -----------------------------------------------------------------------------------

def compute(qtbot, agreement) -> None:
    with qtbot.waitSignal(agreement.computed, timeout=30_000):
        qtbot.mouseClick(agreement.compute_button, Qt.MouseButton.LeftButton)


def test_the_agreement_window_shows_what_measure_computes(open_window, qtbot, tmp_path, db_path, reviewed):
    from annotate.agreement import measure
    from ui.agreementwindow import DocumentsModel, PairsModel, number

    window = open_window()
    window.review.actions["agreement"].trigger()
    agreement = window.review._agreement
    assert agreement.isVisible() and agreement.chosen() == ["amy", "bob"]
    listed = [agreement.annotators.item(i).text() for i in range(agreement.annotators.count())]
    assert listed == ["amy", "bob"]  # not rita, the reviewer, who has labelled nothing
    compute(qtbot, agreement)
    expected = measure(window.workspace.database, ["amy", "bob"])
    pair = expected.pairs[0]
    pairs = agreement.pairs
    cells = [[pairs.data(pairs.index(r, c)) for c in range(pairs.columnCount())] for r in range(pairs.rowCount())]
    assert cells[0] == ["amy / bob", "(all)", str(pair.overall.spans_a), str(pair.overall.spans_b),
                        number(pair.overall.f1_exact), number(pair.overall.f1_overlap), number(pair.overall.kappa)]
    assert [row[1] for row in cells[1:]] == list(pair.per_label)
    assert f"{expected.krippendorff_alpha:.3f}" in agreement.summary.text()
    assert f"{expected.fleiss_kappa:.3f}" in agreement.summary.text()
    # By hand: amy 4 spans, bob 3, one exact match (两个维护): exact F1 = 2·1/(4+3).
    assert pair.overall.f1_exact == pytest.approx(2 / 7)

    agreement.tabs.setCurrentIndex(1)
    bars = {(category, value) for category, _, value, _ in agreement.chart.bars()}
    assert ("(all)", pair.overall.f1_exact) in bars
    assert ("SLOGAN", pair.per_label["SLOGAN"].f1_exact) in bars
    agreement.measure.setCurrentIndex(2)  # kappa
    assert ("TASK", pair.per_label["TASK"].kappa) in {(c, v) for c, _, v, _ in agreement.chart.bars()}
    assert not agreement.chart.grab().toImage().isNull()

    out = tmp_path / "agreement.csv"
    assert agreement.export_csv(str(out))
    import io

    written = io.StringIO()
    expected.write_csv(written)
    assert out.read_text(encoding="utf-8") == written.getvalue()
    assert agreement.export_csv(str(tmp_path / "documents.csv"), documents=True)
    assert (tmp_path / "documents.csv").read_text(encoding="utf-8").startswith("document_id,name,")

    documents_model: DocumentsModel = agreement.documents
    assert documents_model.rowCount() == 1 and documents_model.document_id(0) == reviewed
    window.open_document(window.documents.model.document_id(1))  # elsewhere first
    agreement.tabs.setCurrentIndex(2)
    table = agreement.documents_table
    qtbot.waitExposed(agreement)
    qtbot.waitUntil(lambda: table.isVisible() and table.visualRect(documents_model.index(0, 0)).height() > 0,
                    timeout=20_000)
    with qtbot.waitSignal(window.review.loaded, timeout=20_000):
        rect = table.visualRect(documents_model.index(0, 0))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # activates the window
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.pane.document.id == reviewed and window.review.active
    assert window.review.state.annotators == ("amy", "bob")
    assert isinstance(agreement.pairs, PairsModel)


def test_agreement_can_be_cancelled_and_reports_refusals(open_window, qtbot, monkeypatch):
    import time

    import ui.agreementwindow as module
    from annotate.agreement import measure

    def waits_for_cancel(database, names, *, label=None, progress=None, cancel=None):
        while not cancel():
            time.sleep(0.005)
        return measure(database, names, label=label, progress=progress, cancel=cancel)

    window = open_window()
    window.review.open_agreement()
    agreement = window.review._agreement
    monkeypatch.setattr(module, "measure", waits_for_cancel)
    with qtbot.waitSignal(agreement.computed, timeout=30_000):
        agreement.compute()
        assert agreement.cancel_button.isEnabled() and not agreement.compute_button.isEnabled()
        qtbot.mouseClick(agreement.cancel_button, Qt.MouseButton.LeftButton)
    assert "Cancelled" in agreement.summary.text()
    assert agreement.compute_button.isEnabled() and agreement.result is None
    monkeypatch.setattr(module, "measure", measure)
    agreement.label.addItem("NO_SUCH_LABEL", "NO_SUCH_LABEL")
    agreement.label.setCurrentIndex(agreement.label.count() - 1)
    compute(qtbot, agreement)
    assert "no label named" in agreement.summary.text()


def test_the_model_tester_on_the_agreement_tables(qtmodeltester, database, reviewed):
    from annotate.agreement import measure
    from ui.agreementwindow import DocumentsModel, PairsModel

    result = measure(database, ["amy", "bob"])
    for model in (PairsModel(), DocumentsModel()):
        model.set_result(result)
        assert model.rowCount() > 0
        qtmodeltester.check(model, force_py=True)


def test_the_screenshot_can_show_the_review_view(qapp, db_path, tmp_path, reviewed, capsys):
    import argparse

    from PySide6.QtGui import QImage

    from ui.app import screenshot

    def shot(names: str, out) -> int:
        return screenshot(qapp, argparse.Namespace(db=str(db_path), screenshot=str(out), open_name="notice.txt",
                                                   gui_annotator="rita", review_names=names))

    out = tmp_path / "review.png"
    assert shot("amy,bob", out) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    # The conflict outline (red) is drawn somewhere in the text.
    reds = [image.pixelColor(x, y) for x in range(400, 1000, 1) for y in range(80, 200, 1)]
    assert any(c.red() > 180 and c.green() < 80 and c.blue() < 80 for c in reds)
    assert shot("amy,nobody", tmp_path / "x.png") == 1
    assert "no annotator named 'nobody'" in capsys.readouterr().err


def test_the_review_keys_are_in_the_menu_and_the_cheat_sheet(open_window, qtbot, monkeypatch):
    from ui.dialogs import CheatSheet

    shown = []
    monkeypatch.setattr(CheatSheet, "exec", lambda sheet: shown.append(sheet.text.toPlainText()) or 0)
    window = open_window()
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles.index("&Document") < titles.index("Re&view") < titles.index("&Help")
    qtbot.keyClick(window.pane.view, Qt.Key.Key_F1)
    assert "Accept Side 1" in shown[0] and "Alt+2" in shown[0]   # before anyone is chosen
    start_review(qtbot, window)
    qtbot.keyClick(window.pane.view, Qt.Key.Key_F1)
    text = shown[1]
    for expected in ("Review", "Ctrl+R", "F8", "Shift+F8", "Next Disagreement", "Alt+1", "Accept amy", "Alt+2",
                     "Accept bob", "Alt+0", "Alt+Del", "Alt+Backspace", "Ctrl+Alt+A"):
        assert expected in text, expected
    assert "Alt+3" not in text  # only as many sides as annotators chosen


# A popup menu asks the offscreen platform to raise it and grab the keyboard, which it cannot (and says so).
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_right_click_offers_the_decisions_and_comments_for_the_disagreement_under_the_mouse(open_window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    from tests.test_ui_window import point_at, utf16

    window = open_window()
    start_review(qtbot, window)
    view = window.pane.view
    where = point_at(view, utf16(TEXT, at("市委组织部")[0] + 1)) + QPoint(3, 0)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where,
                                                              view.viewport().mapToGlobal(where)))
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    texts = [action.text() for action in menu.actions()]
    assert window.review.current.kind.value == "label"
    assert {"Accept amy", "Accept bob", "Accept A&ll Sides", "Re&ject"} <= set(texts)
    assert any(text.startswith("Comment on amy's") for text in texts)
    assert "Comment on the document…" in texts
    next(action for action in menu.actions() if action.text() == "Accept bob").trigger()
    menu.close()
    assert window.review.state.decision(window.review.model.group(1)).action == "accept"


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_selection_where_nobody_proposed_anything_gives_gold_a_span_of_the_reviewers_own(open_window, qtbot,
                                                                                          db_path, reviewed):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    from tests.test_ui_window import point_at, utf16

    window = open_window()
    view = window.pane.view
    start_review(qtbot, window)
    meeting = at("召开会议")                                  # no annotator has anything here
    view.select(*meeting)
    qtbot.keyClick(view, Qt.Key.Key_2)                      # TASK
    (added,) = gold(db_path, reviewed)
    assert added[:3] == (*meeting, "TASK")
    assert added[3]["action"] == "add" and added[3]["adjudicated_by"] == "rita" and added[3]["from"] == []
    assert "nobody proposed" in window.statusBar().currentMessage()
    assert window.review.state.counts()["decided"] == 0      # no group was decided by it
    with window.workspace.database.session() as session:
        assert documents.info(session, reviewed).review_status == ReviewStatus.IN_REVIEW
    window.undo_action.trigger()
    assert gold(db_path, reviewed) == []
    window.redo_action.trigger()
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*meeting, "TASK")]

    # Later (in this session or another) it goes from the right-click menu: there is no decision to withdraw.
    where = point_at(view, utf16(TEXT, meeting[0] + 1)) + QPoint(3, 0)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where,
                                                              view.viewport().mapToGlobal(where)))
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    remove = next(action for action in menu.actions()
                  if action.text().startswith("Remove Gold") and "(TASK) “召开会议”" in action.text())
    remove.trigger()
    menu.close()
    assert gold(db_path, reviewed) == []
    window.undo_action.trigger()
    assert [g[:3] for g in gold(db_path, reviewed)] == [(*meeting, "TASK")]


def test_delete_in_the_disagreement_list_rejects_the_chosen_one(open_window, qtbot, db_path, reviewed):
    window = open_window()
    start_review(qtbot, window)
    table = window.review.panel.table
    table.setFocus()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(1, 1)).center())  # the second disagreement's row
    chosen = window.review.current
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert window.review.state.decision(chosen) is not None
    assert window.review.state.decision(chosen).action == "reject"
