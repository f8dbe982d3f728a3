"""Review status in the document list: a column that follows decisions, and a filter answered by the database."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotate.events import DocumentsChanged
from corpus.documents import store_text
from db import documents
from db.models import ReviewStatus
from ui.doclist import REVIEW_FILTERS, DocumentListModel, DocumentListPanel
from ui.style import REVIEW_TEXT


def test_review_status_column_and_filter(qtbot, qtmodeltester, database):
    with database.transaction() as session:
        ids = [store_text(session, name=f"d{i}.txt", text=f"第{i}篇。十项行动。")[0] for i in range(4)]
        documents.set_review_status(session, ids[1], ReviewStatus.IN_REVIEW)
        documents.set_review_status(session, ids[2], ReviewStatus.ADJUDICATED)
    panel = DocumentListPanel()
    qtbot.addWidget(panel)
    panel.set_source(database, None)
    model = panel.model
    review = DocumentListModel.REVIEW
    assert model.headerData(review, Qt.Orientation.Horizontal) == "Review"
    assert [model.data(model.index(r, review), Qt.ItemDataRole.ToolTipRole) for r in range(4)] == [
        "unreviewed", "in review", "adjudicated", "unreviewed"]
    assert model.data(model.index(2, review), Qt.ItemDataRole.DecorationRole) is not None
    alone = DocumentListModel()  # the tester on a model without a view (the view fetches during a reset)
    alone.set_source(database, None)
    alone.set_filter("", None, (ReviewStatus.IN_REVIEW, ReviewStatus.ADJUDICATED))
    assert alone.rowCount() == 2
    qtmodeltester.check(alone, force_py=True)

    names = [text for text, _ in REVIEW_FILTERS]
    panel.review.setCurrentIndex(names.index("Adjudicated"))
    assert [model.document_id(r) for r in range(model.rowCount())] == [ids[2]]
    assert panel.count.text() == "1 document match"
    panel.review.setCurrentIndex(names.index("Not adjudicated"))
    assert [model.document_id(r) for r in range(model.rowCount())] == [ids[0], ids[1], ids[3]]
    with database.session() as session:
        assert documents.count_matching(session, text="十项", review_statuses=[ReviewStatus.UNREVIEWED]) == 2

    # A status that changes while listed is shown in place (the row does not jump away under the user).
    with database.transaction() as session:
        documents.set_review_status(session, ids[0], ReviewStatus.ADJUDICATED)
    model.on_documents_changed(DocumentsChanged((ids[0],)))
    assert model.data(model.index(0, review), Qt.ItemDataRole.ToolTipRole) == REVIEW_TEXT[ReviewStatus.ADJUDICATED]
