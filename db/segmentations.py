"""Cached token boundaries per document and segmenter; stale entries are replaced, not kept."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.engine import conflict_insert
from db.models import Segmentation, utcnow


def load(session: Session, document_id: int, segmenter: str, dictionary_version: str) -> bytes | None:
    return session.scalar(select(Segmentation.boundaries).where(
        Segmentation.document_id == document_id, Segmentation.segmenter == segmenter,
        Segmentation.dictionary_version == dictionary_version))


def store(session: Session, document_id: int, segmenter: str, dictionary_version: str, boundaries: bytes) -> None:
    """Replace the document's cached boundaries, in one statement: two windows segmenting it at once (a team
    database after a lexicon change) both succeed."""
    statement = conflict_insert(session, Segmentation).values(
        document_id=document_id, segmenter=segmenter, dictionary_version=dictionary_version, boundaries=boundaries,
        created_at=utcnow())
    session.execute(statement.on_conflict_do_update(
        index_elements=["document_id", "segmenter"],
        set_={name: statement.excluded[name] for name in ("dictionary_version", "boundaries", "created_at")}))


def store_new(session: Session, rows: list[tuple[int, bytes]], segmenter: str, dictionary_version: str) -> None:
    """Cache (document_id, boundaries) of documents that have no segmentation yet (just imported)."""
    if rows:
        session.execute(insert(Segmentation), [
            dict(document_id=document_id, segmenter=segmenter, dictionary_version=dictionary_version,
                 boundaries=boundaries) for document_id, boundaries in rows])

