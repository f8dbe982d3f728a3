"""Cached token boundaries per document and segmenter; stale entries are replaced, not kept."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.models import Segmentation


def load(session: Session, document_id: int, segmenter: str, dictionary_version: str) -> bytes | None:
    return session.scalar(select(Segmentation.boundaries).where(
        Segmentation.document_id == document_id, Segmentation.segmenter == segmenter,
        Segmentation.dictionary_version == dictionary_version))


def store(session: Session, document_id: int, segmenter: str, dictionary_version: str, boundaries: bytes) -> None:
    session.execute(delete(Segmentation).where(Segmentation.document_id == document_id,
                                               Segmentation.segmenter == segmenter))
    session.add(Segmentation(document_id=document_id, segmenter=segmenter,
                             dictionary_version=dictionary_version, boundaries=boundaries))


def store_new(session: Session, rows: list[tuple[int, bytes]], segmenter: str, dictionary_version: str) -> None:
    """Cache (document_id, boundaries) of documents that have no segmentation yet (just imported)."""
    if rows:
        session.execute(insert(Segmentation), [
            dict(document_id=document_id, segmenter=segmenter, dictionary_version=dictionary_version,
                 boundaries=boundaries) for document_id, boundaries in rows])

