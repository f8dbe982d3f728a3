"""Domain events: the annotation store announces every change; views listen instead of being told.

Plain callbacks, no Qt: the ui wraps them in signals. Callbacks run in the thread that made the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from db.spans import SpanRow

if TYPE_CHECKING:  # for annotations only: importing db.review would load numpy for every command
    from db.review import DecisionRow


@dataclass(frozen=True)
class SpansChanged:
    """Spans of one document were added, removed or updated (old and new rows)."""

    document_id: int
    added: tuple[SpanRow, ...] = ()
    removed: tuple[SpanRow, ...] = ()
    updated: tuple[tuple[SpanRow, SpanRow], ...] = ()


@dataclass(frozen=True)
class DocumentsChanged:
    """Documents were added or their status changed; `ids` empty means 'reload everything'."""

    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class LabelsChanged:
    pass


@dataclass(frozen=True)
class LexiconChanged:
    """Lexicon entries were added, changed, rejected or removed; `terms` are the strings concerned."""

    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuggestionsChanged:
    """What is suggested changed without a span changing: a rejection (or its undo), a rule switched.
    `document_id` None means every document."""

    document_id: int | None = None


@dataclass(frozen=True)
class DecisionsChanged:
    """Review decisions of one document were recorded or withdrawn (their gold spans come as SpansChanged)."""

    document_id: int
    added: tuple[DecisionRow, ...] = ()
    removed: tuple[DecisionRow, ...] = ()


@dataclass(frozen=True)
class CommentsChanged:
    """A comment on a document or on one of its spans was added or removed."""

    document_id: int


Event = (SpansChanged | DocumentsChanged | LabelsChanged | LexiconChanged | SuggestionsChanged | DecisionsChanged
         | CommentsChanged)


@dataclass
class EventBus:
    _listeners: list[Callable[[Event], None]] = field(default_factory=list)

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Register a listener; returns a function that unregisters it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)
