"""Full-text index: complete answers before and after indexing, kept current, and built on upgrade."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import create_engine, text

from corpus.documents import store_text
from db import fulltext, migrate
from db.engine import open_database


def _add(database, name, body):
    with database.transaction() as session:
        return store_text(session, name=name, text=body)[0]


def _containing(database, term):
    with database.session() as session:
        return fulltext.documents_containing(session, term)


def _index_all(database):
    with database.transaction() as session:
        while fulltext.index_pending(session):
            pass


@pytest.mark.sqlite_only
def test_new_documents_are_found_before_and_after_they_are_indexed(database):
    a = _add(database, "a", "坚决做到“两个维护”，深入学习")
    b = _add(database, "b", "市委组织部副部长")
    with database.session() as session:
        assert fulltext.has_index(session)
        assert fulltext.pending_count(session) == 2
    assert _containing(database, "两个维护") == [a]
    _index_all(database)
    with database.session() as session:
        assert fulltext.pending_count(session) == 0
        # answered by the index itself now, not by the scan of queued documents
        assert list(session.scalars(text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q"),
                                    {"q": fulltext.trigram_query("组织部")})) == [b]
    assert _containing(database, "两个维护") == [a]
    assert _containing(database, "组织部副") == [b]
    assert _containing(database, "不存在的词") == []


def test_short_terms_are_scanned(database):
    a = _add(database, "a", "两个维护")
    b = _add(database, "b", "维持")
    _index_all(database)
    assert _containing(database, "维") == [a, b]
    assert _containing(database, "维护") == [a]
    assert _containing(database, "") == []


@pytest.mark.sqlite_only
def test_deleted_and_changed_documents_leave_the_index(database):
    a = _add(database, "a", "稳经济33条和稳就业14条")
    b = _add(database, "b", "放管服改革")
    _index_all(database)
    with database.transaction() as session:
        session.execute(text("DELETE FROM documents WHERE id = :id"), {"id": b})
        session.execute(text("UPDATE documents SET text = '助企纾困15条' WHERE id = :id"), {"id": a})
    assert _containing(database, "放管服") == []
    assert _containing(database, "稳经济") == []
    assert _containing(database, "助企纾困") == [a]
    _index_all(database)
    assert _containing(database, "助企纾困") == [a]
    with database.session() as session:  # the index agrees with its content table
        session.execute(text("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)"))


@pytest.mark.sqlite_only
def test_without_the_index_every_term_is_scanned(database):
    a = _add(database, "a", "中共天津市委宣传部")
    with database.transaction() as session:
        for trigger in ("insert", "delete", "update"):
            session.execute(text(f"DROP TRIGGER documents_fts_{trigger}"))
        session.execute(text("DROP TABLE documents_fts_pending"))
        session.execute(text("DROP TABLE documents_fts"))
    with database.session() as session:
        assert not fulltext.has_index(session)
        assert fulltext.index_pending(session) == 0
    assert _containing(database, "市委宣传部") == [a]


ALPHABET = st.sampled_from(list("两个维护市委组织部ABab 𠀀😀\n“”、"))


def test_answers_never_miss_a_document(database):
    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.text(ALPHABET, min_size=0, max_size=30), min_size=1, max_size=5), st.data())
    def check(texts, data):
        with database.transaction() as session:
            session.execute(text("DELETE FROM documents"))
        ids = [_add(database, f"d{i}", body) for i, body in enumerate(texts)]
        bodies = dict(zip(ids, texts))
        source = data.draw(st.sampled_from(texts))
        start = data.draw(st.integers(0, len(source)))
        term = source[start:start + data.draw(st.integers(1, 6))] or "维"
        if data.draw(st.booleans()):
            _index_all(database)
        found = _containing(database, term)
        assert {i for i, body in bodies.items() if term in body} <= set(found)

    check()


def _found(body: str, term: str) -> list[int]:
    starts, i = [], body.find(term)
    while i >= 0:
        starts.append(i)
        i = body.find(term, i + len(term))
    return starts


@pytest.mark.sqlite_only
def test_positions_of_short_terms_are_exact_even_at_the_end_of_a_text(database):
    """One- and two-character terms come from the trigrams they start, and from the texts' last characters
    (where no trigram starts); every occurrence, non-overlapping like str.find, indexed or queued."""

    @settings(max_examples=80, deadline=None)
    @given(st.lists(st.text(ALPHABET, min_size=0, max_size=30), min_size=1, max_size=5), st.data())
    def check(texts, data):
        with database.transaction() as session:
            session.execute(text("DELETE FROM documents"))
        ids = [_add(database, f"d{i}", body) for i, body in enumerate(texts)]
        source = data.draw(st.sampled_from(texts))
        start = data.draw(st.integers(0, max(len(source) - 1, 0)))
        term = source[start:start + data.draw(st.integers(1, 2))] or "维护"
        if data.draw(st.booleans()):
            _index_all(database)
        with database.session() as session:
            found = fulltext.positions(session, term)
        if term.lower() != term.upper():
            assert found is None  # the index folds case: such terms are scanned
            return
        expected = {i: _found(body, term) for i, body in zip(ids, texts) if term in body}
        assert found == expected

    check()


def test_upgrading_a_0001_database_backs_it_up_and_indexes_its_documents(tmp_path):
    from alembic import command

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO documents (name, content_hash, text, length, script, status, review_status, created_at,"
            " updated_at) VALUES ('old', 'h', '胸怀“两个大局”、牢记“国之大者”', 16, 'simplified', 'new',"
            " 'unreviewed', '2024-01-01', '2024-01-01')"))
    engine.dispose()

    database = open_database(str(path))
    try:
        assert migrate.current_revision(database.engine) == migrate.HEAD
        backups = list(tmp_path.glob("old.db.backup-*"))
        assert len(backups) == 1
        with sqlite3.connect(backups[0]) as old:
            assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert _containing(database, "国之大者") == [1]
        _index_all(database)
        with database.session() as session:
            assert list(session.scalars(text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q"),
                                        {"q": fulltext.trigram_query("两个大局")})) == [1]
    finally:
        database.close()
