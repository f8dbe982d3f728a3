"""The concordance and lexicon panels: thin models (qtmodeltester), every occurrence across the corpus with
its status, inconsistent ones filtered, a line opens its place; lexicon entries added, edited, rejected,
removed, imported (all or nothing) and exported."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotate import lexicon
from annotate.concordance import Status, concordance
from annotate.spans import SpanStore
from corpus.documents import store_text
from db import annotators
from ui.concordancepanel import ConcordanceModel, InconsistentFilter
from ui.lexiconpanel import LexiconModel

TEXTS = {
    "a.txt": "坚决做到“两个维护”。两个维护是根本。\n",
    "b.txt": "要把两个维护落到实处，两个维护。\n",
    "c.txt": "堅決做到“兩個維護”。\n",
    "d.txt": "没有这个词。\n",
}
SLOGAN, TASK = 1, 2


@pytest.fixture
def corpus(database):
    with database.transaction() as session:
        ids = {name: store_text(session, name=name, text=text)[0] for name, text in TEXTS.items()}
        tester = annotators.annotator_id(session, "tester")
    store = SpanStore(database)

    def label(name: str, nth: int, label_id: int, term: str = "两个维护", widen: int = 0) -> None:
        text, at = TEXTS[name], -1
        for _ in range(nth + 1):
            at = text.index(term, at + 1)
        store.add(document_id=ids[name], label_id=label_id, annotator_id=tester, start=at - widen,
                  end=at + len(term))

    label("a.txt", 0, SLOGAN)          # same
    label("a.txt", 1, SLOGAN)          # same
    label("b.txt", 0, TASK)            # other label on exactly this text
    label("b.txt", 1, SLOGAN, widen=2)  # inside a longer SLOGAN span: consistent
    return ids                          # c.txt (traditional) is not labelled at all


@pytest.fixture
def window(main_window, corpus):
    return main_window()


def test_the_concordance_model_passes_the_model_tester(qtmodeltester, database, corpus):
    model = ConcordanceModel()
    model.set_result(concordance(database, "两个维护"))
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    proxy = InconsistentFilter()
    proxy.setSourceModel(model)
    proxy.set_only_inconsistent(True)
    assert proxy.rowCount() == 2
    qtmodeltester.check(proxy)


def test_the_panel_finds_every_occurrence_across_the_corpus_and_flags_inconsistent_ones(window, qtbot, corpus):
    assist = window.assist
    panel = assist.concordance
    with qtbot.waitSignal(panel.finished, timeout=20_000):
        window.pane.view.select(TEXTS["a.txt"].index("两个维护"), TEXTS["a.txt"].index("两个维护") + 4)
        assist.concordance_action.trigger()  # the selected text is looked up
    assert assist.concordance_dock.isVisible() and panel.term.text() == "两个维护"
    model = panel.model
    expected = sum(text.count("两个维护") + text.count("兩個維護") for text in TEXTS.values())
    assert model.rowCount() == expected == 5
    lines = [model.line(row) for row in range(model.rowCount())]
    assert [(line.document, line.status) for line in lines] == [
        ("a.txt", Status.SAME), ("a.txt", Status.SAME), ("b.txt", Status.OTHER), ("b.txt", Status.INSIDE),
        ("c.txt", Status.NONE)]
    assert model.data(model.index(4, ConcordanceModel.MATCH)) == "兩個維護"
    assert model.data(model.index(0, ConcordanceModel.DOCUMENT)) == "a.txt (2)"
    assert model.data(model.index(0, ConcordanceModel.LEFT)) == "坚决做到“"
    assert model.data(model.index(2, ConcordanceModel.STATUS)) == "≠ TASK"
    assert "5 occurrences in 3 documents" in panel.summary.text() and "2 inconsistent" in panel.summary.text()

    panel.only_inconsistent.setChecked(True)
    assert [panel.proxy.index(row, ConcordanceModel.DOCUMENT).data() for row in range(panel.proxy.rowCount())] == [
        "b.txt (2)", "c.txt (1)"]
    panel.table.clicked.emit(panel.proxy.index(1, ConcordanceModel.MATCH))  # the traditional one
    assert window.pane.document.id == corpus["c.txt"]
    start = TEXTS["c.txt"].index("兩個維護")
    assert window.pane.view.selection() == (start, start + 4)
    with qtbot.waitSignal(panel.finished, timeout=20_000):  # the lines follow the new label
        qtbot.keyClick(window.pane.view, Qt.Key.Key_1)  # labelled from there like any selection
    assert [(r.start, r.end, r.label_id) for r in window.pane.span_layer.own_rows()] == [(start, start + 4, SLOGAN)]
    assert [panel.model.line(row).status for row in range(panel.model.rowCount())][-1] is Status.SAME
    assert panel.proxy.rowCount() == 1 and panel.table.currentIndex().row() == -1  # the line left the filter


def test_every_span_of_a_label_across_the_corpus(window, qtbot, corpus):
    panel = window.assist.concordance
    with qtbot.waitSignal(panel.finished, timeout=20_000):
        panel.search_label(SLOGAN)
    terms = {panel.model.line(row).term for row in range(panel.model.rowCount())}
    assert terms == {"两个维护", "处，两个维护"}  # the texts labelled SLOGAN, the widened one too
    statuses = [(panel.model.line(row).document, panel.model.line(row).status) for row in range(panel.model.rowCount())]
    assert statuses == [("a.txt", Status.SAME), ("a.txt", Status.SAME), ("b.txt", Status.OTHER),
                        ("b.txt", Status.SAME), ("c.txt", Status.NONE)]


def test_the_lexicon_model_passes_the_model_tester(qtmodeltester, database):
    lexicon.add_entry(database, "两个维护", SLOGAN, variants=["兩個維護"], note="核心")
    lexicon.reject_term(database, "实验室", SLOGAN)
    model = LexiconModel()
    from db.labels import all_labels

    with database.session() as session:
        labels = all_labels(session)
    model.set_entries(lexicon.all_entries(database), labels)
    qtmodeltester.check(model)
    assert [model.data(model.index(row, LexiconModel.STATE)) for row in range(2)] == ["accepted", "rejected"]
    assert model.data(model.index(0, LexiconModel.VARIANTS)) == "兩個維護"
    assert model.data(model.index(1, LexiconModel.TERM), Qt.ItemDataRole.FontRole).strikeOut()


def test_the_lexicon_panel_adds_edits_rejects_removes_imports_and_exports(window, qtbot, tmp_path):
    window.assist.lexicon_action.trigger()
    panel = window.assist.lexicon_panel
    database = window.workspace.database

    def terms():
        return [(e.term, e.label_id, e.variants, e.note, e.rejected) for e in lexicon.all_entries(database)]

    dialog = panel.add()
    dialog.term.setText("两个维护")
    dialog.variants.setText("兩個維護|“两个维护”")
    dialog.try_save()
    assert terms() == [("两个维护", SLOGAN, ("兩個維護", "“两个维护”"), "", False)]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=20_000)
    again = panel.add()
    again.term.setText("两个维护")
    again.try_save()
    assert "already" in again.error.text() and again.isVisible()  # a duplicate is refused in the dialog
    again.reject()

    panel.table.selectRow(0)
    editing = panel.edit_selected()
    editing.note.setText("核心提法")
    editing.try_save()
    assert terms()[0][3] == "核心提法"
    qtbot.waitUntil(lambda: panel.model.entry(0).note == "核心提法", timeout=20_000)
    panel.table.selectRow(0)
    panel.reject_selected()
    assert terms()[0][4] is True
    qtbot.waitUntil(lambda: panel.model.data(panel.model.index(0, LexiconModel.STATE)) == "rejected", timeout=20_000)
    panel.table.selectRow(0)
    panel.accept_selected()  # a rejection taken back
    assert terms()[0][4] is False
    qtbot.waitUntil(lambda: panel.model.data(panel.model.index(0, LexiconModel.STATE)) == "accepted", timeout=20_000)
    panel.table.selectRow(0)
    panel.reject_selected()
    qtbot.waitUntil(lambda: panel.model.data(panel.model.index(0, LexiconModel.STATE)) == "rejected", timeout=20_000)

    bad = tmp_path / "bad.tsv"
    bad.write_text("十项行动\tSLOGAN\n放管服\tNO_SUCH\n", encoding="utf-8")
    assert panel.import_from(str(bad)) is None
    assert f"{bad}:2: unknown label" in panel.last_problem and len(terms()) == 1  # all or nothing
    good = tmp_path / "good.tsv"
    good.write_text("十项行动\tSLOGAN\n市委组织部\tINSTITUTION\t组织部\n", encoding="utf-8")
    assert panel.import_from(str(good)).added == 2
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=20_000)
    assert "3 entries, 1 rejected" == panel.count.text()

    out = tmp_path / "out.tsv"
    assert panel.export_to(str(out)) == 2  # accepted entries only
    assert out.read_text(encoding="utf-8") == "十项行动\tSLOGAN\n市委组织部\tINSTITUTION\t组织部\n"

    row = next(r for r in range(panel.model.rowCount()) if panel.model.entry(r).term == "十项行动")
    panel.table.selectRow(panel.proxy.mapFromSource(panel.model.index(row, 0)).row())
    panel.remove_selected()
    assert [t[0] for t in terms()] == ["两个维护", "市委组织部"]
    panel.filter.setText("组织")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 1, timeout=20_000)


def test_the_screenshot_can_show_the_concordance_beside_the_suggestions(qapp, corpus, db_path, tmp_path, capsys):
    import argparse

    from PySide6.QtGui import QImage

    from ui.app import screenshot

    out = tmp_path / "shot.png"
    options = argparse.Namespace(db=str(db_path), screenshot=str(out), open_name="a.txt", gui_annotator="tester",
                                 concordance_term="两个维护")
    assert screenshot(qapp, options) == 0
    image = QImage(str(out))
    panel = [image.pixelColor(x, y) for x in range(900, 1400, 3) for y in range(150, 450, 3)]
    assert any(c.green() > c.red() + 20 and c.blue() > c.red() + 20 for c in panel)  # "same" lines, teal
    assert any(c.red() > c.blue() + 25 and c.green() > c.blue() + 15 for c in panel)  # "not labelled", amber
    assert "1400×900" in capsys.readouterr().out


def test_the_label_choice_shows_the_label_a_term_is_compared_with(window, qtbot, corpus):
    panel = window.assist.concordance
    panel.label.setCurrentIndex(panel.label.findData(TASK))
    with qtbot.waitSignal(panel.finished, timeout=20_000):
        panel.search_term("两个维护")
    assert "compared with SLOGAN" in panel.summary.text() and panel.label.currentData() == SLOGAN
