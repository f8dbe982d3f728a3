"""A large label import next to someone labelling: the file is read and checked without the write lock, then
written in one short transaction that an edit waits for (and never fails on), all or nothing as before."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from annotate.formats import import_jsonl
from annotate.spans import SpanStore
from corpus.documents import store_text
from db import annotators, labels, transfer
from db.models import Document, Span


def big_file(path, documents: int = 40, spans_per_document: int = 250):
    """Documents of 600 characters, each with spans of amy on every second and third character pair."""
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            text = f"第{number:03d}号" + "推动京津冀协同发展走深走实" * 46
            spans = [[i, i + 2 + i % 3, "TASK"] for i in range(spans_per_document)]
            out.write(json.dumps({"text": text, "label": spans, "meta": {"annotator": "amy"}}, ensure_ascii=False)
                      + "\n")
    return path


def counts(database) -> tuple[int, int]:
    with database.session() as session:
        return (session.scalar(select(func.count()).select_from(Document)),
                session.scalar(select(func.count()).select_from(Span)))


@pytest.fixture
def open_document(database):
    """A document someone is labelling in the window, and what they label with."""
    with database.transaction() as session:
        document, _ = store_text(session, name="open.txt", text="市委组织部要把推进“十项行动”作为重要任务")
        return dict(document_id=document, label_id=labels.all_labels(session)[0].id,
                    annotator_id=annotators.annotator_id(session, "lin"))


def test_an_edit_while_the_file_is_read_is_saved_at_once(database, open_document, tmp_path):
    path = big_file(tmp_path / "big.jsonl", documents=100)
    store = SpanStore(database)
    waits = []

    def label_meanwhile(done: int, total: int) -> None:  # runs while the import reads the file
        if not waits and done > 0.9 * total:  # late: 20,000 spans and more are on their way in
            started = time.perf_counter()
            store.add(start=0, end=5, **open_document)
            waits.append(time.perf_counter() - started)

    report = import_jsonl(database, path, progress=label_meanwhile)
    assert report.imported and report.spans_added == 100 * 250
    # The edit runs inside the import's own progress call: had the import held the write lock, the edit would
    # wait the whole busy timeout (10 s) and fail. A generous bound keeps a busy machine from failing it.
    assert waits and waits[0] < 5.0
    assert store.for_document(open_document["document_id"])[0][4:6] == (0, 5)


def test_an_edit_during_the_write_waits_for_it_and_is_saved(database, open_document, tmp_path, monkeypatch):
    """SQLite has one writer at a time: the edit waits for the import's transaction. On PostgreSQL writers of
    different rows do not wait for each other: the edit is saved while the import's transaction is open.
    Events, not durations, order the two, so a busy machine cannot make the test pass or fail by chance."""
    path = big_file(tmp_path / "big.jsonl")
    writing, asked, edited = threading.Event(), threading.Event(), threading.Event()
    insert = transfer.SpoolWriter.spans
    seen = {}

    def slow_insert(self, **options):  # inside the import's write transaction
        writing.set()
        if database.is_sqlite:
            asked.wait(30)
            time.sleep(0.3)  # the edit is on its way and has to wait for this transaction
        else:
            seen["edited during the write"] = edited.wait(30)
        inserted = insert(self, **options)
        seen["inserted"] = time.perf_counter()  # before the commit
        return inserted

    monkeypatch.setattr(transfer.SpoolWriter, "spans", slow_insert)
    results = {}
    importer = threading.Thread(target=lambda: results.update(report=import_jsonl(database, path)))
    importer.start()
    try:
        assert writing.wait(30)
        asked.set()
        row = SpanStore(database).add(start=0, end=5, **open_document)  # what a label key press does
        added = time.perf_counter()
    finally:
        edited.set()
        importer.join(60)
    assert not importer.is_alive()
    assert results["report"].imported and results["report"].spans_added == 40 * 250
    if database.is_sqlite:
        assert added > seen["inserted"]  # the edit was saved only after the import's spans ...
    else:
        assert seen["edited during the write"]  # ... or, on PostgreSQL, while they were being written
    assert row.id and counts(database) == (41, 40 * 250 + 1)  # ... and both are saved


@pytest.mark.sqlite_only
def test_a_locked_database_is_waited_for_while_reading_and_refused_files_never_wait(database, tmp_path,
                                                                                   monkeypatch):
    good, bad = big_file(tmp_path / "good.jsonl", documents=3), tmp_path / "bad.jsonl"
    bad.write_text('{"text": "两个确立", "label": [[0, 9, "SLOGAN"]]}\n', encoding="utf-8")
    # Another program's write transaction, committed from a thread of its own after half a second. The thread
    # gets the connection as an argument and is joined before the connection closes: it can never run late
    # and use a connection created for something else.
    writer = sqlite3.connect(database.url.database, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    committed = threading.Event()

    def commit_later(connection: sqlite3.Connection) -> None:
        time.sleep(0.5)
        connection.execute("COMMIT")
        committed.set()

    other = threading.Thread(target=commit_later, args=(writer,))
    try:
        started = time.perf_counter()
        assert import_jsonl(database, bad, annotator="lin").refused
        # Checked without the lock: waiting for it would take the whole WRITE_WAIT_MS (120 s).
        assert time.perf_counter() - started < 5
        assert not committed.is_set()
        other.start()
        assert import_jsonl(database, good).imported  # read meanwhile, written once the other one is done
        assert committed.is_set()
    finally:
        if other.ident is not None:  # started
            other.join(30)
        writer.close()
    monkeypatch.setattr(transfer, "WRITE_WAIT_MS", 200)
    locker = sqlite3.connect(database.url.database, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        before = counts(database)
        with pytest.raises(OperationalError, match="database is locked"):
            import_jsonl(database, big_file(tmp_path / "more.jsonl", documents=2, spans_per_document=5))
    finally:
        locker.close()
    assert counts(database) == before


def test_cancel_during_the_write_rolls_it_back(database, tmp_path, monkeypatch):
    path = big_file(tmp_path / "big.jsonl", documents=80)
    writing = threading.Event()
    insert = transfer.SpoolWriter.spans

    def note_the_write(self, **options):
        writing.set()
        return insert(self, **options)

    monkeypatch.setattr(transfer.SpoolWriter, "spans", note_the_write)
    before = counts(database)
    report = import_jsonl(database, path, cancel=writing.is_set)
    assert writing.is_set() and report.cancelled and not report.imported and report.spans_added == 0
    assert counts(database) == before
    assert import_jsonl(database, path).spans_added == 80 * 250  # nothing was left half-done


def test_a_text_repeated_in_a_file_is_one_new_document(database, tmp_path):
    path = tmp_path / "twice.jsonl"
    line = {"text": "两个确立", "label": [[0, 4, "SLOGAN"]]}
    path.write_text("\n".join(json.dumps(dict(line, meta={"annotator": name}), ensure_ascii=False)
                              for name in ("amy", "bob")) + "\n", encoding="utf-8")
    report = import_jsonl(database, path)
    assert (report.documents_created, report.documents_matched, report.spans_added) == (1, 0, 2)
    again = import_jsonl(database, path)
    assert (again.documents_created, again.documents_matched, again.duplicates) == (0, 1, 2)
