"""Suggestions: spans the lexicon and the rules propose, shown apart from labels until accepted.

A suggestion is never stored as a span until the user accepts it (an AddSpan with origin
SUGGESTED); a rejection is stored so that it stays rejected. Suggestions never replace, move or
hide a label the user made — the policy (`visible`):

- a suggestion overlapping a span of the same label is dropped (the user has decided there:
  exactly this, a longer or a shorter stretch);
- a suggestion on exactly the range of a span with another label is dropped (the user labelled
  this text otherwise);
- a suggestion crossing any span (overlapping without nesting) is dropped;
- nesting with another label is kept: an institution inside a task is normal.

Traditional documents are matched on their simplified view (lexicon terms too, so 两个维护 in the
lexicon finds 兩個維護) and the offsets mapped back.

For the window: `Suggester(database).for_document(document_id, annotator_id=...)` (≈ tens of ms for
1 MB, run it off the GUI thread and cache the result per document); `accept`, `accept_all`,
`of_term` and `RejectSuggestions` give Edits for the undo stack. Recompute on SpansChanged,
LexiconChanged and SuggestionsChanged of the document.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, insort
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from annotate import rules as rule_set
from annotate.edits import AddSpan, AddSpans, Edit
from annotate.events import SuggestionsChanged
from annotate.spans import NewSpan, SpanStore
from corpus.script import Converted, t2s, to_simplified
from db import documents, lexicon, rejections
from db import rules as rule_rows
from db import spans as span_rows
from db.engine import Database
from db.models import Origin, Script
from db.spans import SpanRow

LEXICON = "lexicon"  # the source of suggestions that come from the lexicon


@dataclass(frozen=True)
class Suggestion:
    document_id: int
    start: int
    end: int
    label_id: int
    source: str  # "lexicon" or a rule's name
    text: str

    @property
    def key(self) -> tuple[int, int, int]:
        return self.label_id, self.start, self.end


# ---------------------------------------------------------------- matching

class LexiconMatcher:
    """An Aho-Corasick automaton over the simplified forms of the accepted lexicon terms."""

    def __init__(self, entries: Iterable[lexicon.LexiconRow]):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        labels: dict[str, list[int]] = {}
        for entry in entries:
            if entry.rejected:
                continue
            for form in entry.forms:
                for key in dict.fromkeys((form, t2s(form))):
                    if len(key) >= 1 and entry.label_id not in labels.setdefault(key, []):
                        labels[key].append(entry.label_id)
        for key, label_ids in labels.items():
            self.automaton.add_word(key, (len(key), tuple(label_ids)))
        self.empty = not labels
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, label_id): longest matches, left to right, not splitting a Latin word or a number."""
        if self.empty:
            return []
        found = []
        for last, (length, label_ids) in self.automaton.iter_long(text):
            start, end = last - length + 1, last + 1
            if _splits_word(text, start, end):
                continue
            found.extend((start, end, label_id) for label_id in label_ids)
        return found


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _splits_word(text: str, start: int, end: int) -> bool:
    return ((start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]))
            or (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end])))


def resolve(candidates: Sequence[Suggestion]) -> list[Suggestion]:
    """One suggestion per place and label: exact duplicates keep the first source; of overlapping
    suggestions with the same label the longest wins (then the earlier source)."""
    order = {id(s): i for i, s in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda s: (s.start - s.end, order[id(s)]))
    kept: dict[int, list[tuple[int, int]]] = {}  # label -> sorted kept (start, end), disjoint
    chosen = []
    for s in ranked:
        taken = kept.setdefault(s.label_id, [])
        i = bisect_left(taken, (s.start, s.end))
        if (i > 0 and taken[i - 1][1] > s.start) or (i < len(taken) and taken[i][0] < s.end):
            continue
        insort(taken, (s.start, s.end))
        chosen.append(s)
    chosen.sort(key=lambda s: (s.start, s.end, s.label_id))
    return chosen


class SpanIndex:
    """Spans sorted by start, to ask quickly which of them overlap a range."""

    def __init__(self, spans: Iterable[SpanRow]):
        self.spans = sorted(spans, key=lambda r: r.start)
        self.starts = [r.start for r in self.spans]
        self.longest = max((r.end - r.start for r in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[SpanRow]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [r for r in self.spans[lo:hi] if r.end > start]


def visible(candidates: Iterable[Suggestion], spans: Iterable[SpanRow],
            rejected: set[tuple[int, int, int]]) -> list[Suggestion]:
    """The suggestions that neither touch the user's labels (see the module docstring) nor were rejected."""
    index = SpanIndex(spans)
    return [s for s in candidates
            if s.key not in rejected and not any(_conflicts(s, r) for r in index.overlapping(s.start, s.end))]


def _conflicts(s: Suggestion, r: SpanRow) -> bool:
    if r.label_id == s.label_id or (r.start, r.end) == (s.start, s.end):
        return True
    nested = (r.start <= s.start and s.end <= r.end) or (s.start <= r.start and r.end <= s.end)
    return not nested


# ---------------------------------------------------------------- the engine

@dataclass
class _Cache:
    lexicon_version: str | None = None
    matcher: LexiconMatcher | None = None
    candidates: OrderedDict = field(default_factory=OrderedDict)  # (doc, versions) -> list[Suggestion]
    views: OrderedDict = field(default_factory=OrderedDict)  # (doc, length) -> Converted


class Suggester:
    """Computes suggestions; caches the lexicon automaton per lexicon version and the candidates of
    the last documents per lexicon and rule version. Safe to share between threads."""

    CACHED_DOCUMENTS = 8

    def __init__(self, database: Database):
        self.database = database
        self._cache = _Cache()
        self._lock = threading.Lock()

    def candidates(self, document_id: int) -> list[Suggestion]:
        """Everything the lexicon and the enabled rules propose in a document, resolved, before the
        user's spans and rejections are taken into account."""
        with self.database.session() as session:
            lexicon_version = lexicon.version(session)
            rules = rule_set.active_rules(session)
            key = (document_id, lexicon_version, rule_rows.version(session),
                   tuple((r.name, r.label_id) for r in rules))
            with self._lock:
                cached = self._cache.candidates.get(key)
                if cached is not None:
                    self._cache.candidates.move_to_end(key)
                    return cached
            matcher = self._matcher(session, lexicon_version)
            text = documents.text_of(session, document_id)
            script = documents.info(session, document_id).script
        view = self._view(document_id, text, script)
        found = [Suggestion(document_id, start, end, label_id, LEXICON, "")
                 for start, end, label_id in matcher.find(view.text)]
        found.extend(Suggestion(document_id, start, end, label_id, name, "")
                     for start, end, label_id, name in rule_set.run(rules, view.text))
        if not view.is_identity:
            found = [Suggestion(document_id, view.to_source(s.start), view.to_source(s.end), s.label_id, s.source, "")
                     for s in found]
        result = [Suggestion(document_id, s.start, s.end, s.label_id, s.source, text[s.start:s.end])
                  for s in resolve(found) if s.start < s.end]
        with self._lock:
            self._cache.candidates[key] = result
            while len(self._cache.candidates) > self.CACHED_DOCUMENTS:
                self._cache.candidates.popitem(last=False)
        return result

    def for_document(self, document_id: int, *, annotator_id: int | None = None,
                     label_ids: Iterable[int] | None = None) -> list[Suggestion]:
        """The suggestions to show: candidates minus those touching spans of `annotator_id` (of
        everyone when None) and minus rejections, optionally only some labels; in text order."""
        candidates = self.candidates(document_id)
        if label_ids is not None:
            wanted = set(label_ids)
            candidates = [s for s in candidates if s.label_id in wanted]
        with self.database.session() as session:
            spans = span_rows.for_document(session, document_id,
                                           None if annotator_id is None else [annotator_id])
            rejected = rejections.for_document(session, document_id)
        return visible(candidates, spans, rejected)

    def _matcher(self, session, version: str) -> LexiconMatcher:
        with self._lock:
            if self._cache.matcher is not None and self._cache.lexicon_version == version:
                return self._cache.matcher
        matcher = LexiconMatcher(lexicon.entries(session, include_rejected=False))
        with self._lock:
            self._cache.matcher, self._cache.lexicon_version = matcher, version
        return matcher

    def _view(self, document_id: int, text: str, script: Script) -> Converted:
        if script != Script.TRADITIONAL:
            return Converted(text, len(text))
        key = (document_id, len(text))
        with self._lock:
            view = self._cache.views.get(key)
        if view is None:
            view = to_simplified(text)
            with self._lock:
                self._cache.views[key] = view
                while len(self._cache.views) > self.CACHED_DOCUMENTS:
                    self._cache.views.popitem(last=False)
        return view


# ---------------------------------------------------------------- accepting and rejecting

def accept(suggestion: Suggestion, annotator_id: int) -> AddSpan:
    """The edit that accepts one suggestion (Enter)."""
    return AddSpan(suggestion.document_id, suggestion.label_id, annotator_id, suggestion.start, suggestion.end,
                   text=f"Accept {suggestion.text}", origin=Origin.SUGGESTED)


def accept_all(suggestions: Sequence[Suggestion], annotator_id: int, text: str = "Accept all suggestions") -> AddSpans:
    """One undo step for many suggestions: all in a document, or `of_term(...)`."""
    spans = [NewSpan(s.document_id, s.label_id, annotator_id, s.start, s.end) for s in suggestions]
    return AddSpans(list(dict.fromkeys(spans)), origin=Origin.SUGGESTED, text=text)


def of_term(suggestions: Iterable[Suggestion], example: Suggestion) -> list[Suggestion]:
    """The suggestions with the same text and label as `example` (accept all of one term)."""
    return [s for s in suggestions if s.text == example.text and s.label_id == example.label_id]


@dataclass
class RejectSuggestions(Edit):
    """Backspace on a suggestion: remembered, so it is not suggested again; undo forgets it."""

    suggestions: list[Suggestion]
    text: str = "Reject suggestion"

    def redo(self, store: SpanStore) -> None:
        self._apply(store, rejections.add)

    def undo(self, store: SpanStore) -> None:
        self._apply(store, rejections.remove)

    def _apply(self, store: SpanStore, change) -> None:
        with store.database.edit() as connection:
            for s in self.suggestions:
                change(connection, document_id=s.document_id, label_id=s.label_id, start=s.start, end=s.end)
        for document_id in dict.fromkeys(s.document_id for s in self.suggestions):
            store.events.emit(SuggestionsChanged(document_id))

