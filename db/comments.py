"""Data access for comments: a remark on a document (span_id None) or on one span, by an annotator."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Sequence

from sqlalchemy import bindparam, delete, insert, select

from db.engine import Executor
from db.models import Annotator, Comment, utcnow


class CommentRow(NamedTuple):
    id: int
    document_id: int
    span_id: int | None
    author: str
    text: str
    created_at: datetime


_FOR_DOCUMENT = (select(Comment.id, Comment.document_id, Comment.span_id, Annotator.name, Comment.text,
                        Comment.created_at)
                 .join(Annotator, Annotator.id == Comment.annotator_id)
                 .where(Comment.document_id == bindparam("document_id"))
                 .order_by(Comment.created_at, Comment.id))


def for_document(session: Executor, document_id: int) -> list[CommentRow]:
    """Comments on the document and on its spans, oldest first."""
    return [CommentRow(*row) for row in session.execute(_FOR_DOCUMENT, {"document_id": document_id})]


def documents_with_comments(session: Executor) -> set[int]:
    return set(session.scalars(select(Comment.document_id).distinct()))


def add_comment(session: Executor, *, document_id: int, annotator_id: int, text: str, span_id: int | None = None,
                created_at: datetime | None = None) -> int:
    values = dict(document_id=document_id, span_id=span_id, annotator_id=annotator_id, text=text,
                  created_at=created_at or utcnow())
    return session.execute(insert(Comment).values(**values).returning(Comment.id)).scalar_one()


def find(session: Executor, *, document_id: int, annotator_id: int, text: str, span_id: int | None = None) -> int | None:
    """The id of an identical comment (same target, author and text), if there is one."""
    target = Comment.span_id.is_(None) if span_id is None else Comment.span_id == span_id
    return session.scalar(select(Comment.id).where(
        Comment.document_id == document_id, target, Comment.annotator_id == annotator_id,
        Comment.text == text).limit(1))


def get(session: Executor, comment_id: int) -> CommentRow | None:
    row = session.execute(select(Comment.id, Comment.document_id, Comment.span_id, Annotator.name, Comment.text,
                                 Comment.created_at).join(Annotator, Annotator.id == Comment.annotator_id)
                          .where(Comment.id == comment_id)).one_or_none()
    return CommentRow(*row) if row else None


_STORED = (Comment.id, Comment.document_id, Comment.span_id, Comment.annotator_id, Comment.text, Comment.created_at)


# Built once: every span removal asks it, and building the statement cost more than running it.
_ON_SPANS = select(*_STORED).where(Comment.span_id.in_(bindparam("span_ids", expanding=True))).order_by(Comment.id)
_STORED_KEYS = tuple(column.key for column in _STORED)


def on_spans(session: Executor, span_ids: Sequence[int]) -> list[dict]:
    """Every column of the comments on these spans: what deleting the spans takes with them (the foreign key
    cascades), read first so that undo can put it back."""
    if not span_ids:
        return []
    return [dict(zip(_STORED_KEYS, row)) for row in session.execute(_ON_SPANS, {"span_ids": list(span_ids)})]


def put_back(session: Executor, rows: Sequence[dict]) -> None:
    """Insert comments read by `on_spans` again, under their old ids (after their spans are back)."""
    if rows:
        session.execute(insert(Comment), list(rows))


def delete_comment(session: Executor, comment_id: int) -> None:
    session.execute(delete(Comment).where(Comment.id == comment_id))
