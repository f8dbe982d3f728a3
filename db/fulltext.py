"""Substring search over the corpus: which documents contain a term.

SQLite databases with FTS5 carry a trigram index (`documents_fts`, migration 0003). New documents
are queued in `documents_fts_pending` and indexed by `index_pending`, in the background; until
then they are scanned, so every answer is complete. Terms shorter than three characters have no
trigram and are scanned with instr(), as is everything on a database without the index (another
engine, or an SQLite built without FTS5).

Answers are candidates: the trigram index folds case, so callers check each text for the exact
term (they read the texts anyway, to find the offsets).
"""

from __future__ import annotations

from typing import Iterator, Sequence

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from db.engine import Executor
from db.models import Document, Script

INDEX = "documents_fts"
PENDING = "documents_fts_pending"
TRIGRAM = 3

_HAS_INDEX = text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (:index, :pending)")
_MATCH = text(f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH :query")
# The queue drives the lookup (an IN over rowids): only queued documents are read.
_PENDING_CONTAINING = text(
    f"SELECT id FROM documents WHERE id IN (SELECT id FROM {PENDING}) AND instr(text, :term) > 0")
_PENDING_COUNT = text(f"SELECT count(*) FROM {PENDING}")
_INDEX_CHUNK = text(
    f"INSERT INTO {INDEX} (rowid, text) SELECT id, text FROM documents "
    f"WHERE id IN (SELECT id FROM {PENDING} ORDER BY id LIMIT :limit)")
_DEQUEUE_CHUNK = text(f"DELETE FROM {PENDING} WHERE id IN (SELECT id FROM {PENDING} ORDER BY id LIMIT :limit)")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic comparisons: the index and its shadow tables live outside the ORM models."""
    return not (type_ == "table" and name is not None and name.startswith(INDEX))


def has_index(session: Executor) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return False
    return session.scalar(_HAS_INDEX, {"index": INDEX, "pending": PENDING}) == 2


def trigram_query(term: str) -> str:
    """An FTS5 query that every document containing `term` (3+ characters) matches."""
    grams = dict.fromkeys(term[i:i + TRIGRAM] for i in range(len(term) - TRIGRAM + 1))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _scan(session: Executor, term: str) -> list[int]:
    if session.get_bind().dialect.name == "sqlite":
        condition = func.instr(Document.text, term) > 0
    else:
        condition = Document.text.contains(term, autoescape=True)
    return list(session.scalars(select(Document.id).where(condition).order_by(Document.id)))


def documents_containing(session: Executor, term: str) -> list[int]:
    """Ids (ascending) of documents that may contain `term`: a superset, never missing one."""
    if not term:
        return []
    if len(term) < TRIGRAM or not has_index(session):
        return _scan(session, term)
    found = set(session.scalars(_MATCH, {"query": trigram_query(term)}))
    found.update(session.scalars(_PENDING_CONTAINING, {"term": term}))
    return sorted(found)


def pending_count(session: Executor) -> int:
    return session.scalar(_PENDING_COUNT) if has_index(session) else 0


def index_pending(session: Executor, limit: int = 200) -> int:
    """Index up to `limit` queued documents; returns how many were queued before (0: up to date)."""
    queued = pending_count(session)
    if queued:
        session.execute(_INDEX_CHUNK, {"limit": limit})
        session.execute(_DEQUEUE_CHUNK, {"limit": limit})
    return queued


def occurrence_counts(session: Executor, document_ids: Sequence[int], forms: Sequence[str]) -> dict[int, int]:
    """How many times each document contains any of `forms` (non-overlapping, exact), counted by the
    database without sending the texts; documents without one are left out. Ascending ids."""
    counts: dict[int, int] = {}
    for form in dict.fromkeys(f for f in forms if f):
        found = (func.length(Document.text) - func.length(func.replace(Document.text, form, ""))) / len(form)
        for i in range(0, len(document_ids), 500):
            chunk = list(document_ids[i:i + 500])
            for document_id, count in session.execute(select(Document.id, found).where(Document.id.in_(chunk))):
                if count:
                    counts[document_id] = counts.get(document_id, 0) + count
    return dict(sorted(counts.items()))


def document_ids(session: Executor) -> list[int]:
    return list(session.scalars(select(Document.id).order_by(Document.id)))


_TEXTS = (select(Document.id, Document.name, Document.script, Document.text)
          .where(Document.id.in_(bindparam("ids", expanding=True))).order_by(Document.id))


def texts(session: Session, document_ids: Sequence[int], chunk: int = 200
          ) -> Iterator[tuple[int, str, Script, str]]:
    """(id, name, script, text) of these documents in id order, a chunk at a time."""
    for i in range(0, len(document_ids), chunk):
        for row in session.execute(_TEXTS, {"ids": list(document_ids[i:i + chunk])}):
            yield tuple(row)
