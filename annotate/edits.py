"""Edits as commands: each knows how to do and undo itself against a SpanStore.

Pure Python so the domain stays Qt-free; ui.undo wraps them in QUndoCommand. Undo never restores a
snapshot: it makes the inverse edit, which is committed like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.spans import NewSpan, SpanStore
from db.models import Origin
from db.spans import SpanRow


class Edit:
    text = ""

    def redo(self, store: SpanStore) -> None:
        raise NotImplementedError

    def undo(self, store: SpanStore) -> None:
        raise NotImplementedError


@dataclass
class AddSpan(Edit):
    document_id: int
    label_id: int
    annotator_id: int
    start: int
    end: int
    note: str = ""
    text: str = "Add span"
    origin: Origin = Origin.MANUAL  # SUGGESTED when an accepted suggestion
    row: SpanRow | None = field(default=None, init=False)

    def redo(self, store: SpanStore) -> None:
        if self.row is None:
            self.row = store.add(document_id=self.document_id, label_id=self.label_id,
                                 annotator_id=self.annotator_id, start=self.start, end=self.end, note=self.note,
                                 origin=self.origin)
        else:
            store.restore(self.row)

    def undo(self, store: SpanStore) -> None:
        assert self.row is not None
        self.row = store.remove(self.row.id)


@dataclass
class AddSpans(Edit):
    """Many spans as one committed transaction and one undo step (label all occurrences, accept all)."""

    spans: list[NewSpan]
    origin: Origin = Origin.MANUAL
    text: str = "Add spans"
    rows: list[SpanRow] = field(default_factory=list, init=False)

    def redo(self, store: SpanStore) -> None:
        if not self.spans:
            return
        if self.rows:
            store.restore_many(self.rows)
        else:
            self.rows = store.add_many(self.spans, origin=self.origin)

    def undo(self, store: SpanStore) -> None:
        if self.rows:
            store.remove_many([row.id for row in self.rows])


@dataclass
class RemoveSpan(Edit):
    """Remove a span; undo puts it back with the comments that went with it."""

    span_id: int
    text: str = "Remove span"
    row: SpanRow | None = field(default=None, init=False)
    comments: list[dict] = field(default_factory=list, init=False, repr=False)

    def redo(self, store: SpanStore) -> None:
        self.row, self.comments = store.remove_with_comments(self.span_id)

    def undo(self, store: SpanStore) -> None:
        assert self.row is not None
        store.restore(self.row, self.comments)


@dataclass
class UpdateSpan(Edit):
    """Relabel, re-note or resize one span."""

    span_id: int
    values: dict
    text: str = "Change span"
    old: SpanRow | None = field(default=None, init=False)

    def redo(self, store: SpanStore) -> None:
        self.old, _ = store.update(self.span_id, **self.values)

    def undo(self, store: SpanStore) -> None:
        assert self.old is not None
        store.update(self.span_id, **{key: getattr(self.old, key) for key in self.values})


def relabel(span_id: int, label_id: int) -> UpdateSpan:
    return UpdateSpan(span_id, {"label_id": label_id}, text="Relabel span")


def set_note(span_id: int, note: str) -> UpdateSpan:
    return UpdateSpan(span_id, {"note": note}, text="Edit note")

