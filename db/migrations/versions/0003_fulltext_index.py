"""full-text index: FTS5 trigram table over documents.text, filled in the background

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:30:00

SQLite only, and only where the library has FTS5 with the trigram tokenizer (3.34+); elsewhere
searches scan the text. The triggers do not index a new document's text themselves: indexing
costs ~1 s per million characters, which would halve import speed, so they queue its id in
`documents_fts_pending` and `db.fulltext.index_pending` indexes the queue (searches scan the
queued documents meanwhile, so results are complete at every moment). Existing documents are
queued here, which keeps the upgrade of a large database instant.
"""

import sqlite3
from contextlib import closing

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _fts5_trigram_available() -> bool:
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            connection.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False


UPGRADE = (
    # detail=none: a third smaller and faster to build; phrase positions are not needed because
    # every candidate document is checked against the exact term anyway.
    "CREATE VIRTUAL TABLE documents_fts USING fts5("
    "text, content='documents', content_rowid='id', tokenize='trigram', detail='none')",
    "CREATE TABLE documents_fts_pending (id INTEGER NOT NULL PRIMARY KEY)",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT OR IGNORE INTO documents_fts_pending (id) VALUES (new.id);
    END""",
    # An external-content index must be told the old text of an indexed row, and never about a
    # row it has not indexed.
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, text)
            SELECT 'delete', old.id, old.text
            WHERE NOT EXISTS (SELECT 1 FROM documents_fts_pending WHERE id = old.id);
        DELETE FROM documents_fts_pending WHERE id = old.id;
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF text ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, text)
            SELECT 'delete', old.id, old.text
            WHERE NOT EXISTS (SELECT 1 FROM documents_fts_pending WHERE id = old.id);
        INSERT OR IGNORE INTO documents_fts_pending (id) VALUES (new.id);
    END""",
    "INSERT INTO documents_fts_pending (id) SELECT id FROM documents",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not _fts5_trigram_available():
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in ("DROP TRIGGER IF EXISTS documents_fts_update", "DROP TRIGGER IF EXISTS documents_fts_delete",
                      "DROP TRIGGER IF EXISTS documents_fts_insert", "DROP TABLE IF EXISTS documents_fts_pending",
                      "DROP TABLE IF EXISTS documents_fts"):
        op.execute(statement)
