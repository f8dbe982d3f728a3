"""Storage: connection set-up, schema constraints, migrations, default labels."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from db import annotators, documents, labels, migrate
from db.engine import open_database, resolve_url
from db.models import Script
from db.spans import insert_span


@pytest.mark.sqlite_only
def test_every_connection_has_foreign_keys_wal_and_busy_timeout(database):
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_new_database_has_the_default_labels_with_shortcuts(database):
    with database.session() as session:
        rows = labels.all_labels(session)
    assert [(r.name, r.display, r.shortcut) for r in rows] == [
        ("SLOGAN", "口号/提法", "1"), ("TASK", "任务", "2"), ("INSTITUTION", "机构", "3")]


def _doc_and_ids(session):
    doc = documents.add_document(session, name="d", text="两个确立", content_hash="h1", script=Script.SIMPLIFIED)
    return doc, labels.all_labels(session)[0].id, annotators.annotator_id(session, "amy")


@pytest.mark.parametrize("start,end", [(-1, 2), (2, 2), (3, 1)])
def test_schema_refuses_negative_and_empty_spans(database, start, end):
    with pytest.raises(IntegrityError):
        with database.transaction() as session:
            doc, label, amy = _doc_and_ids(session)
            insert_span(session, document_id=doc, label_id=label, annotator_id=amy, start=start, end=end)


def test_schema_refuses_exact_duplicates_but_allows_overlap_and_nesting(database):
    with database.transaction() as session:
        doc, label, amy = _doc_and_ids(session)
        insert_span(session, document_id=doc, label_id=label, annotator_id=amy, start=0, end=4)
        insert_span(session, document_id=doc, label_id=label, annotator_id=amy, start=0, end=2)
        insert_span(session, document_id=doc, label_id=label, annotator_id=amy, start=1, end=3)
    with pytest.raises(IntegrityError):
        with database.transaction() as session:
            insert_span(session, document_id=doc, label_id=label, annotator_id=amy, start=0, end=4)


def test_foreign_keys_are_enforced(database):
    with pytest.raises(IntegrityError):
        with database.transaction() as session:
            insert_span(session, document_id=999, label_id=1, annotator_id=1, start=0, end=1)


def test_migration_head_constant_matches_the_scripts():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrate.alembic_config()).get_heads() == [migrate.HEAD]


def test_models_and_migrations_describe_the_same_schema(database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.fulltext import include_name
    from db.models import Base

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (x)")
    with pytest.raises(migrate.SchemaError, match="not a Zhubi database"):
        open_database(str(path))
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


def test_location_accepts_paths_urls_and_the_environment(tmp_path, monkeypatch):
    assert resolve_url(str(tmp_path / "a.db")).database == str(tmp_path / "a.db")
    assert resolve_url("postgresql://u@host/zhubi").get_backend_name() == "postgresql"
    monkeypatch.setenv("ZHUBI_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")
    monkeypatch.delenv("ZHUBI_DB")
    assert resolve_url(None).database.endswith("zhubi.db")
