"""A team database: PostgreSQL behaves as SQLite does, and annotators writing at the same time lose nothing.

Tests taking `database` or `db_path` run on both (tests/conftest.py; PostgreSQL needs ZHUBI_TEST_POSTGRES_URL);
those taking `postgres_location` compare a PostgreSQL database with an SQLite one built the same way.
"""

from __future__ import annotations

import io
import json
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from annotate import agreement, concordance, lexicon
from annotate.edits import AddSpan, RemoveSpan
from annotate.events import EventBus
from annotate.formats import export_jsonl, import_jsonl
from annotate.progress import DocumentProgress
from annotate.review import SetReviewStatus
from annotate.spans import NewSpan, SpanStore
from annotated_corpus import build
from corpus.documents import store_text
from db import annotators, documents, labels, rejections, segmentations, settings, transfer
from db import lexicon as lexicon_rows
from db.engine import IMPORT_LOCK, is_busy, make_engine, open_database, resolve_url
from db.models import ReviewStatus, Span, Status
from main import main

TEXT = "市委组织部要把推进“十项行动”作为重要任务，坚决做到“两个维护”。" * 20


def test_postgresql_urls_get_the_driver_zhubi_ships():
    assert resolve_url("postgresql://amy:pw@db.example/zhubi").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://amy@db.example/zhubi").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg2://amy@db.example/zhubi").drivername == "postgresql+psycopg2"
    engine = make_engine(resolve_url("postgresql://amy@db.example/zhubi"))  # does not connect yet
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_a_lock_held_elsewhere_is_waited_for_as_long_as_on_sqlite(postgres_location):
    database = open_database(postgres_location + "?options=-c%20work_mem%3D8MB")  # the URL's own options stay
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "10s"
            assert connection.execute(text("SHOW work_mem")).scalar() == "8MB"
    finally:
        database.close()


def test_several_programs_opening_a_new_team_database_at_once_set_it_up_once(postgres_location):
    server = create_engine(resolve_url(postgres_location))
    with server.begin() as connection:  # an empty database, as whoever runs the server creates it
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    server.dispose()
    start, opened, errors = threading.Barrier(3), [], []

    def open_it() -> None:
        start.wait()
        try:
            opened.append(open_database(postgres_location))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == [] and len(opened) == 3
        with opened[0].session() as session:
            assert [label.name for label in labels.all_labels(session)] == ["SLOGAN", "TASK", "INSTITUTION"]
    finally:
        for database in opened:
            database.close()


@pytest.fixture
def document(database) -> dict:
    with database.transaction() as session:
        document_id, _ = store_text(session, name="d.txt", text=TEXT)
        return dict(document_id=document_id, label_id=labels.all_labels(session)[0].id,
                    annotator_id=annotators.annotator_id(session, "amy"))


def test_undoing_a_removal_restores_the_old_id_and_new_spans_never_collide_with_it(database, document):
    store = SpanStore(database)
    added = [AddSpan(start=i, end=i + 3, **document) for i in range(3)]
    for edit in added:
        edit.redo(store)
    newest = added[-1].row.id
    removal = RemoveSpan(newest)
    removal.redo(store)
    removal.undo(store)  # inserted again with its id given, not drawn from the id sequence
    assert [row.id for row in store.for_document(document["document_id"])][-1] == newest
    more = store.add_many([NewSpan(start=10 + i, end=14 + i, **document) for i in range(3)])
    single = store.add(start=30, end=33, **document)
    ids = [row.id for row in more] + [single.id]
    assert min(ids) > newest and len(set(ids)) == 4
    gone = store.remove_many(ids[:2])
    store.restore_many(gone)  # undo of a removal of several spans
    assert store.add(start=40, end=44, **document).id > max(ids)
    assert len(store.for_document(document["document_id"])) == 8


def test_two_annotators_writing_at_once_both_keep_every_span(db_path, document):
    """Two windows on one database (two Database objects, one per thread) label, relabel and remove at once."""
    windows = [open_database(str(db_path)) for _ in range(2)]
    start = threading.Barrier(2)
    errors = []

    def annotate(database, name: str) -> None:
        try:
            store = SpanStore(database)
            with database.transaction() as session:
                me = annotators.annotator_id(session, name)
                task = labels.by_name(session, "TASK").id
            start.wait()
            rows = [store.add(document_id=document["document_id"], label_id=document["label_id"], annotator_id=me,
                              start=i, end=i + 2) for i in range(0, 120)]
            for row in rows[::4]:
                store.update(row.id, label_id=task)
            store.remove_many([row.id for row in rows[1::4]])
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=annotate, args=(window, name)) for window, name in zip(windows, ("lin", "wu"))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for window in windows:
            window.close()
    assert errors == []
    with database_at(db_path) as database, database.session() as session:
        per_annotator = dict(session.execute(select(Span.annotator_id, func.count()).group_by(Span.annotator_id)).all())
        relabelled = session.scalar(select(func.count()).select_from(Span).where(
            Span.label_id == labels.by_name(session, "TASK").id))
        ids = {name: annotators.annotator_id(session, name, create=False) for name in ("lin", "wu")}
    assert per_annotator == {ids["lin"]: 90, ids["wu"]: 90} and relabelled == 60


class database_at:
    """Another program's view of the database: a Database of its own, closed afterwards."""

    def __init__(self, location):
        self.database = open_database(str(location))

    def __enter__(self):
        return self.database

    def __exit__(self, *_exc):
        self.database.close()


def test_a_teammates_status_change_is_never_overwritten(db_path, document):
    document_id = document["document_id"]
    with database_at(db_path) as mine, database_at(db_path) as theirs:
        events = EventBus()
        DocumentProgress(mine, events)
        store = SpanStore(mine, events)
        DocumentProgress(theirs, EventBus()).mark_done(document_id)  # they finish it while I have it open
        store.add(start=0, end=5, **document)  # my first label starts only a new document
        with theirs.session() as session:
            assert documents.info(session, document_id).status is Status.DONE
            assert not documents.set_status(session, document_id, Status.IN_PROGRESS, only_from=Status.NEW)
        SetReviewStatus(document_id, ReviewStatus.ADJUDICATED).redo(SpanStore(theirs))
        with mine.transaction() as session:
            assert not documents.set_review_status(session, document_id, ReviewStatus.IN_REVIEW,
                                                   only_from=ReviewStatus.UNREVIEWED)
        with mine.session() as session:
            info = documents.info(session, document_id)
        assert (info.status, info.review_status) == (Status.DONE, ReviewStatus.ADJUDICATED)


# Rows that get created or replaced by whoever comes first: (name, what one program does in its transaction).
CREATE_OR_REPLACE = {
    "segmentation": lambda s, d, n: segmentations.store(s, d["document_id"], "jieba", f"v{n}", bytes([n])),
    "setting": lambda s, d, n: settings.put(s, "team.choice", str(n)),
    "annotator": lambda s, d, n: annotators.annotator_id(s, "new-teammate"),
    "lexicon entry": lambda s, d, n: lexicon_rows.upsert(s, term="两个维护", label_id=d["label_id"], note=str(n)),
    "rejected suggestion": lambda s, d, n: rejections.add(s, document_id=d["document_id"], label_id=d["label_id"],
                                                          start=0, end=4),
}


def wait_until_blocked(database) -> None:
    """Until another connection waits for a lock this one holds (SQLite: cannot be seen; a moment is enough)."""
    if database.is_sqlite:
        time.sleep(0.3)
        return
    for _ in range(500):
        with database.engine.connect() as connection:
            if connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                       " AND datname = current_database()")).scalar():
                return
        time.sleep(0.01)
    raise AssertionError("the other program never waited")


@pytest.mark.parametrize("what", sorted(CREATE_OR_REPLACE))
def test_two_programs_creating_the_same_row_at_once_both_succeed(db_path, document, what):
    """The second one waits for the first one's transaction, then finds or replaces its row (on PostgreSQL a
    look-up followed by an insert would fail here on the unique constraint)."""
    errors = []
    with database_at(db_path) as first, database_at(db_path) as second:
        def other() -> None:
            try:
                with second.transaction() as session:
                    CREATE_OR_REPLACE[what](session, document, 2)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        thread = threading.Thread(target=other)
        with first.transaction() as session:
            CREATE_OR_REPLACE[what](session, document, 1)
            thread.start()
            wait_until_blocked(first)
        thread.join(30)
        assert errors == []
        with first.session() as session:
            assert settings.get(session, "team.choice") in (None, "2")  # the later one's value stays
            assert segmentations.load(session, document["document_id"], "jieba", "v1") is None


def _label_file(path, annotator: str, documents_: int = 30):
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents_):
            spans = [[i, i + 4, "TASK"] for i in range(0, 200, 5)]
            out.write(json.dumps({"text": f"第{number}号" + TEXT, "label": spans, "meta": {"annotator": annotator}},
                                 ensure_ascii=False) + "\n")
    return path


def test_two_imports_of_the_same_texts_at_once_create_each_document_once(db_path, tmp_path, monkeypatch):
    """Both teammates import their labels of the same texts at the same moment: one creates the documents, the
    other finds them (on PostgreSQL, where writers do not block each other, the imports take turns)."""
    files = [_label_file(tmp_path / f"{name}.jsonl", name) for name in ("lin", "wu")]
    first_writing = threading.Event()
    insert = transfer.SpoolWriter.spans

    def slow_insert(self, **options):  # the first import holds its transaction open a while
        if not first_writing.is_set():
            first_writing.set()
            time.sleep(0.5)
        return insert(self, **options)

    monkeypatch.setattr(transfer.SpoolWriter, "spans", slow_insert)
    reports, errors = {}, []

    def run(path) -> None:
        try:
            with database_at(db_path) as database:
                reports[path.stem] = import_jsonl(database, path)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    first = threading.Thread(target=run, args=(files[0],))
    first.start()
    assert first_writing.wait(30)
    second = threading.Thread(target=run, args=(files[1],))
    second.start()
    first.join(60)
    second.join(60)
    assert errors == []
    assert [(r.documents_created, r.documents_matched, r.spans_added) for r in
            (reports["lin"], reports["wu"])] == [(30, 0, 30 * 40), (0, 30, 30 * 40)]


def test_an_import_waits_for_another_import_and_then_gives_up(postgres_location, tmp_path, monkeypatch, capsys):
    """PostgreSQL's counterpart of SQLite's write lock for imports: the advisory lock another import holds."""
    database = open_database(postgres_location)
    good, bad = _label_file(tmp_path / "good.jsonl", "lin", 3), tmp_path / "bad.jsonl"
    bad.write_text('{"text": "两个确立", "label": [[0, 9, "SLOGAN"]]}\n', encoding="utf-8")
    other = database.engine.connect()  # another import, in the middle of its write
    try:
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        started = time.perf_counter()
        assert import_jsonl(database, bad, annotator="lin").refused
        assert time.perf_counter() - started < 2  # checked without waiting
        store = SpanStore(database)  # labelling goes on meanwhile
        with database.transaction() as session:
            label = labels.all_labels(session)[0].id
            amy = annotators.annotator_id(session, "amy")
            document_id, _ = store_text(session, name="open.txt", text=TEXT)
        started = time.perf_counter()
        store.add(document_id=document_id, label_id=label, annotator_id=amy, start=0, end=5)
        assert time.perf_counter() - started < 1
        threading.Timer(0.5, other.commit).start()
        started = time.perf_counter()
        assert import_jsonl(database, good).imported  # waited for the other one, then written
        assert time.perf_counter() - started > 0.3
        time.sleep(0.1)
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        monkeypatch.setattr(transfer, "WRITE_WAIT_MS", 200)
        with database.session() as session:
            before = session.scalar(select(func.count()).select_from(Span))
        with pytest.raises(OperationalError) as refused:
            import_jsonl(database, _label_file(tmp_path / "more.jsonl", "wu", 2))
        assert is_busy(refused.value)
        assert main(["--db", postgres_location, "import", "--annotator", "wu", str(good)]) == 1
        assert "another program kept the database locked for 0.2 s; nothing was imported" in capsys.readouterr().out
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Span)) == before
    finally:
        other.close()
        database.close()


@pytest.fixture
def both(postgres_location, tmp_path):
    """The same work done in an SQLite database and in a PostgreSQL one."""
    opened = [open_database(str(tmp_path / "same.db")), open_database(postgres_location)]
    yield opened
    for database in opened:
        database.close()


def cli_output(database, capsys, *argv: str) -> list[str]:
    assert main(["--db", database.url.render_as_string(hide_password=False), *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_same_work_gives_the_same_numbers_and_lines_on_both(both, capsys):
    """(Exports: the next test; comments made here carry the moment they were made.)"""
    answers = []
    for database in both:
        build(database)
        with database.transaction() as session:  # names that a Chinese server's collation sorts otherwise
            document_id = documents.all_infos(session)[0].id
            ids = {name: annotators.annotator_id(session, name) for name in ("张伟", "Zoe", "_ops")}
            label = labels.by_name(session, "SLOGAN").id
        store = SpanStore(database)
        for n, name in enumerate(ids):
            store.add(document_id=document_id, label_id=label, annotator_id=ids[name], start=n, end=n + 4)
        lexicon.add_entry(database, "十项行动", label)
        lexicon.add_entry(database, "两个确立", label)
        lexicon.add_entry(database, "京津冀", label)
        terms = io.StringIO()
        lexicon.export_tsv(database, terms)
        found = concordance.concordance(database, "两个维护")
        answers.append((terms.getvalue(), cli_output(database, capsys, "stats")[1:],  # [0]: the database's name
                        agreement.measure(database, ["amy", "bob", "张伟"]).as_json(),
                        [(l.document, l.start, l.end, l.left, l.match, l.right, l.status) for l in found.lines],
                        concordance.label_concordance(database, label).by_status))
    for sqlite_answer, postgresql_answer in zip(*answers):
        assert sqlite_answer == postgresql_answer


def test_an_sqlite_export_imported_into_postgresql_exports_the_same_bytes(both, tmp_path):
    sqlite, postgresql = both
    build(sqlite)
    for fmt in ("doccano", "prodigy"):
        first, second = tmp_path / f"first.{fmt}.jsonl", tmp_path / f"second.{fmt}.jsonl"
        export_jsonl(sqlite, first, fmt=fmt, include_empty=True)
        report = import_jsonl(postgresql, first)
        assert report.imported, report.problems
        export_jsonl(postgresql, second, fmt=fmt, include_empty=True)
        assert second.read_bytes() == first.read_bytes()
