"""The export dialog offers every format with its options, and the window reports what CoNLL left out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from corpus.documents import store_text
from db import annotators, documents, labels
from db.models import ReviewStatus
from db.transfer import insert_spans
from ui.dialogs import ExportOptions
from ui.tasks import Task

TEXT = "推动京津冀协同发展走深走实。"


def test_the_dialog_offers_each_formats_options_and_file_ending(qtbot, tmp_path):
    dialog = ExportOptions(["amy", "bob", "gold"], "amy", str(tmp_path / "project-labels.jsonl"))
    qtbot.addWidget(dialog)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats == ["doccano", "prodigy", "cluener", "labelstudio", "conll"]
    assert not dialog.scheme.isEnabled() and dialog.unit.isEnabled()  # doccano may count UTF-16 units
    dialog.format.setCurrentIndex(formats.index("labelstudio"))
    assert dialog.path.text() == str(tmp_path / "project-labels.json")
    dialog.unit.setCurrentIndex(1)
    assert dialog.chosen_offset_unit() == "utf16"
    dialog.format.setCurrentIndex(formats.index("conll"))
    assert dialog.path.text() == str(tmp_path / "project-labels.conll")
    assert dialog.scheme.isEnabled() and not dialog.unit.isEnabled() and dialog.chosen_offset_unit() == "codepoint"
    dialog.scheme.setCurrentIndex(2)
    assert dialog.chosen_scheme() == "bmes"
    assert "a file" not in dialog.note.text() and "outermost" in dialog.note.text()
    dialog.annotators.item(1).setCheckState(Qt.CheckState.Checked)  # amy and bob: a file each
    assert "project-labels.amy.conll, project-labels.bob.conll" in dialog.note.text()
    dialog.path.setText(str(tmp_path / "train.txt"))  # an ending the user chose stays
    dialog.format.setCurrentIndex(formats.index("cluener"))
    assert dialog.path.text() == str(tmp_path / "train.txt") and dialog.note.text() == ""
    assert dialog.chosen_review_statuses() == list(ReviewStatus)  # every document unless the user narrows it
    for status, box in dialog.review_statuses.items():
        box.setChecked(status is ReviewStatus.ADJUDICATED)  # the adjudicated gold set
    assert dialog.chosen_review_statuses() == [ReviewStatus.ADJUDICATED]


@pytest.fixture
def window(main_window, database):
    with database.transaction() as session:
        doc, _ = store_text(session, name="任务.txt", text=TEXT)
        amy = annotators.annotator_id(session, "amy")
        task, slogan = labels.by_name(session, "TASK").id, labels.by_name(session, "SLOGAN").id
        insert_spans(session, [(doc, task, amy, 0, 13, "", None), (doc, slogan, amy, 2, 9, "", None)])
    return main_window("amy")


def test_conll_export_from_the_window_reports_the_nested_span_it_left_out(window, qtbot, tmp_path):
    out = tmp_path / "train.conll"
    window.export_to(str(out), fmt="conll", annotators=["amy"], statuses=list(documents.Status), scheme="bioes")
    qtbot.waitUntil(lambda: not Task._running, timeout=30_000)
    assert out.read_text(encoding="utf-8").startswith("推\tB-TASK\n动\tI-TASK\n京\tI-TASK\n")
    assert f"(1 sentences, conll) to {out}" in window.statusBar().currentMessage()
    [box] = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert "1 span(s) were left out" in box.informativeText()
    assert "[2, 9) SLOGAN '京津冀协同发展': inside TASK [0, 13)" in box.detailedText()
    box.close()
