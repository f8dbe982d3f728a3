"""The document list model: lazy pages, Qt's model contract, live counts; and events from worker threads."""

from __future__ import annotations

import threading

from sqlalchemy import insert

from annotate.events import DocumentsChanged, EventBus, SpansChanged
from annotate.spans import SpanStore
from db import annotators
from db.models import Document, Script, Status
from ui.doclist import DocumentListModel
from ui.events import EventBridge


def add_documents(database, count: int) -> None:
    with database.transaction() as session:
        session.execute(insert(Document), [
            dict(name=f"doc-{i:05d}.txt", text=f"第{i}篇 推动高质量发展", length=12, content_hash=f"h{i}",
                 script=Script.SIMPLIFIED if i % 3 else Script.TRADITIONAL,
                 status=(Status.NEW, Status.IN_PROGRESS, Status.DONE)[i % 3]) for i in range(count)])


def test_the_model_passes_qt_model_tester_and_fetches_lazily(qtmodeltester, database):
    add_documents(database, 1000)
    model = DocumentListModel()
    model.set_source(database, None)
    assert model.rowCount() == DocumentListModel.PAGE  # one page, not the whole corpus
    assert model.canFetchMore()
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 1000
    assert model.data(model.index(999, 0)) == "doc-00999.txt"
    assert model.data(model.index(0, 1)) == "繁"
    assert model.data(model.index(1, 2)) == "12"
    assert model.data(model.index(2, 4)) == "done"
    assert model.row_of(model.document_id(700)) == 700


def test_filter_and_status_are_answered_by_the_database(qtmodeltester, database):
    add_documents(database, 30)
    model = DocumentListModel()
    model.set_source(database, None)
    model.set_filter("doc-0001", None)
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [f"doc-{i:05d}.txt" for i in range(10, 20)]
    model.set_filter("第7篇", (Status.IN_PROGRESS,))
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["doc-00007.txt"]
    assert model.matching_count() == 1
    qtmodeltester.check(model, force_py=True)


def test_span_counts_and_statuses_follow_domain_events(qtbot, database):
    add_documents(database, 3)
    with database.transaction() as session:
        me, other = annotators.annotator_id(session, "me"), annotators.annotator_id(session, "other")
    events = EventBus()
    bridge = EventBridge(events)
    model = DocumentListModel()
    model.set_source(database, me)
    bridge.spansChanged.connect(model.on_spans_changed)
    bridge.documentsChanged.connect(model.on_documents_changed)
    store = SpanStore(database, events)
    first = model.document_id(0)
    with qtbot.waitSignal(model.dataChanged, timeout=20_000):
        store.add(document_id=first, label_id=1, annotator_id=me, start=0, end=2)
    store.add(document_id=first, label_id=1, annotator_id=other, start=0, end=2)  # not mine: not counted
    assert model.data(model.index(0, DocumentListModel.SPANS)) == "1"
    with database.transaction() as session:
        from db.documents import set_status

        set_status(session, first, Status.DONE)
    events.emit(DocumentsChanged((first,)))
    assert model.data(model.index(0, DocumentListModel.STATUS)) == "done"
    with database.transaction() as session:
        session.execute(insert(Document), [dict(name=f"new-{i}", text="新", length=1, content_hash=f"n{i}")
                                           for i in range(2)])
    events.emit(DocumentsChanged())
    assert model.rowCount() == 5  # new documents appear at the end
    bridge.detach()


def test_events_from_a_worker_thread_are_delivered_on_the_gui_thread(qtbot):
    events = EventBus()
    bridge = EventBridge(events)
    seen = []
    bridge.spansChanged.connect(lambda event: seen.append((event, threading.current_thread())))
    worker = threading.Thread(target=lambda: events.emit(SpansChanged(7)))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    assert seen == [(SpansChanged(7), threading.main_thread())]
    bridge.detach()
