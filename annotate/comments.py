"""Comments on a document or on one span, as undoable edits (exported with the labels, in `meta`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.edits import Edit
from annotate.events import CommentsChanged
from annotate.spans import SpanStore
from db import annotators as annotator_rows
from db import comments as comment_rows
from db import spans as span_rows
from db.comments import CommentRow


class CommentError(ValueError):
    """A comment that cannot be left (empty, or on a span of another document)."""


@dataclass
class AddComment(Edit):
    document_id: int
    author: str
    body: str
    span_id: int | None = None
    text: str = "Add comment"
    row: CommentRow | None = field(default=None, init=False)

    def redo(self, store: SpanStore) -> None:
        if not self.body.strip():
            raise CommentError("a comment needs some text")
        with store.database.transaction() as session:
            if self.span_id is not None:
                span = span_rows.get(session, self.span_id)
                if span is None or span.document_id != self.document_id:
                    raise CommentError(f"span {self.span_id} is not in this document")
            author = annotator_rows.annotator_id(session, self.author)
            created = self.row.created_at if self.row else None
            comment_id = comment_rows.add_comment(session, document_id=self.document_id, annotator_id=author,
                                                  text=self.body, span_id=self.span_id, created_at=created)
            self.row = comment_rows.get(session, comment_id)
        store.events.emit(CommentsChanged(self.document_id))

    def undo(self, store: SpanStore) -> None:
        assert self.row is not None
        with store.database.transaction() as session:
            comment_rows.delete_comment(session, self.row.id)
        store.events.emit(CommentsChanged(self.document_id))


@dataclass
class RemoveComment(Edit):
    comment_id: int
    text: str = "Remove comment"
    row: CommentRow | None = field(default=None, init=False)

    def redo(self, store: SpanStore) -> None:
        with store.database.transaction() as session:
            row = comment_rows.get(session, self.comment_id)
            if row is None:
                raise CommentError(f"comment {self.comment_id} no longer exists")
            comment_rows.delete_comment(session, self.comment_id)
        self.row = row
        store.events.emit(CommentsChanged(row.document_id))

    def undo(self, store: SpanStore) -> None:
        assert self.row is not None
        with store.database.transaction() as session:
            author = annotator_rows.annotator_id(session, self.row.author)
            self.comment_id = comment_rows.add_comment(
                session, document_id=self.row.document_id, annotator_id=author, text=self.row.text,
                span_id=self.row.span_id, created_at=self.row.created_at)
        store.events.emit(CommentsChanged(self.row.document_id))
