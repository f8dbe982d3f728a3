"""The spans table keeps one index per way it is read: migration 0005 dropped the one that repeated the leading
columns of the exact-duplicate constraint, and every query that used it still searches an index."""

from __future__ import annotations

import sqlite3

import pytest

from sqlalchemy import select

from db import documents, migrate, spans
from db.engine import open_database
from db.models import Span


def span_indexes(path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'spans'")}


def test_upgrading_a_database_drops_the_redundant_index(tmp_path):
    from alembic import command

    path = tmp_path / "old.db"
    open_database(str(path)).close()
    config = migrate.alembic_config()
    database = open_database(str(path), upgrade=False)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    database.close()
    assert "ix_spans_document_annotator" in span_indexes(path)
    open_database(str(path)).close()  # opening upgrades (after a backup)
    assert "ix_spans_document_annotator" not in span_indexes(path)
    assert "ix_spans_label_id" in span_indexes(path)


def plan(session, statement) -> str:
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    return " | ".join(row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


@pytest.mark.sqlite_only  # SQLite's query plans
def test_reads_by_document_and_annotator_search_the_exact_duplicate_index(database):
    with database.session() as session:
        by_document = select(Span.id).where(Span.document_id == 1, Span.annotator_id.in_([1, 2]))
        counts = select(Span.document_id).where(Span.document_id.in_([1, 2]))
        for statement in (by_document, counts, select(Span.note).where(Span.document_id == 3, Span.note != "")):
            found = plan(session, statement)
            # SQLite names the index of the UNIQUE constraint uq_spans_exact sqlite_autoindex_spans_1.
            assert found.startswith("SEARCH spans USING") and "sqlite_autoindex_spans_1" in found, found
        # The per-document span counts of the document list scan the index, never the table.
        assert "COVERING INDEX" in plan(session, select(Span.document_id).order_by(Span.document_id))
        assert spans.for_document(session, 1) == [] and documents.span_counts(session) == {}
