"""Data access for rejected suggestions: (document, label, start, end) the user turned down."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import delete, select

from db.engine import Executor, conflict_insert
from db.models import RejectedSuggestion

Rejected = tuple[int, int, int]  # label_id, start, end


def add(session: Executor, *, document_id: int, label_id: int, start: int, end: int) -> None:
    """Remember a rejection (a second one for the same place, even a teammate's at the same moment, is a no-op)."""
    session.execute(conflict_insert(session, RejectedSuggestion).values(
        document_id=document_id, label_id=label_id, start=start, end=end).on_conflict_do_nothing())


def remove(session: Executor, *, document_id: int, label_id: int, start: int, end: int) -> None:
    session.execute(delete(RejectedSuggestion).where(
        RejectedSuggestion.document_id == document_id, RejectedSuggestion.label_id == label_id,
        RejectedSuggestion.start == start, RejectedSuggestion.end == end))


def for_documents(session: Executor, document_ids: Sequence[int]) -> dict[int, set[Rejected]]:
    found: dict[int, set[Rejected]] = {i: set() for i in document_ids}
    columns = (RejectedSuggestion.document_id, RejectedSuggestion.label_id, RejectedSuggestion.start,
               RejectedSuggestion.end)
    for i in range(0, len(document_ids), 500):
        chunk = list(document_ids[i:i + 500])
        for document_id, label_id, start, end in session.execute(
                select(*columns).where(RejectedSuggestion.document_id.in_(chunk))):
            found[document_id].add((label_id, start, end))
    return found


def for_document(session: Executor, document_id: int) -> set[Rejected]:
    return for_documents(session, [document_id])[document_id]
