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

For the window: one `Suggester(database)`, and `.for_document(document_id, annotator_id=...)` in a
worker thread (1 MB with a 2,000-term lexicon: ~80-100 ms the first time, ~70 ms after a new lexicon
term, ~10 ms after a span edit; bench/bench_suggest.py); `accept`, `accept_all`, `of_term` and
`RejectSuggestions` give Edits for the undo stack. Recompute on SpansChanged, LexiconChanged and
SuggestionsChanged of the document.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence

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


class Suggestion(NamedTuple):
    document_id: int
    start: int
    end: int
    label_id: int
    source: str  # "lexicon" or a rule's name
    text: str

    @property
    def key(self) -> tuple[int, int, int]:
        return self.label_id, self.start, self.end


# A candidate before it becomes a Suggestion: (start, end, label_id, rank of its source, source).
Candidate = tuple[int, int, int, int, str]


# ---------------------------------------------------------------- matching

class LexiconMatcher:
    """An Aho-Corasick automaton over the simplified forms of the accepted lexicon terms."""

    def __init__(self, entries: Iterable[lexicon.LexiconRow]):
        accepted = [entry for entry in entries if not entry.rejected]
        forms = [form for entry in accepted for form in entry.forms]
        if any("\n" in form for form in forms):
            simplified = iter([t2s(form) for form in forms])
        else:  # one OpenCC call for all of them
            simplified = iter(t2s("\n".join(forms)).split("\n") if forms else ())
        labels: dict[str, list[int]] = {}
        for entry in accepted:
            for form in entry.forms:
                for key in dict.fromkeys((form, next(simplified))):
                    if key and entry.label_id not in labels.setdefault(key, []):
                        labels[key].append(entry.label_id)
        self.keys = list(labels)
        # Only a term that starts or ends with a Latin letter or digit can split a word.
        self.values = [(tuple(labels[key]), _is_word_char(key[0]) or _is_word_char(key[-1])) for key in self.keys]
        self.automaton = longest_match_automaton(self.keys) if self.keys else None

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, label_id): longest matches, left to right, not splitting a Latin word or a number."""
        if self.automaton is None:
            return []
        found = []
        values = self.values
        for index, start, end in self.automaton.find_matches_as_indexes(text):
            label_ids, check = values[index]
            if check and _splits_word(text, start, end):
                continue
            for label_id in label_ids:
                found.append((start, end, label_id))
        return found


def longest_match_automaton(keys: list[str]):
    """An automaton that finds the leftmost-longest, non-overlapping occurrences of `keys`, as
    (key index, start, end) in code points."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _splits_word(text: str, start: int, end: int) -> bool:
    return ((start > 0 and _is_word_char(text[start]) and _is_word_char(text[start - 1]))
            or (end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end])))


def resolve(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One suggestion per place and label: of overlapping candidates with the same label the longest
    wins, then the first source (the lexicon, then the rules in order); exact duplicates are overlaps."""
    by_label: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_label.setdefault(candidate[2], []).append(candidate)
    chosen: list[Candidate] = []
    for items in by_label.values():
        items.sort()
        cluster: list[Candidate] = []
        reach = -1
        for candidate in items:
            if cluster and candidate[0] >= reach:  # a run of overlapping candidates ends here
                chosen.extend(_longest_first(cluster))
                cluster = []
            cluster.append(candidate)
            reach = max(reach, candidate[1]) if len(cluster) > 1 else candidate[1]
        chosen.extend(_longest_first(cluster))
    chosen.sort()
    return chosen


def _longest_first(cluster: list[Candidate]) -> list[Candidate]:
    if len(cluster) == 1:
        return cluster
    kept: list[Candidate] = []
    for candidate in sorted(cluster, key=lambda c: (c[0] - c[1], c[3], c[0])):
        if all(candidate[1] <= k[0] or k[1] <= candidate[0] for k in kept):
            kept.append(candidate)
    return kept


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
    if not index.spans and not rejected:
        return list(candidates)
    return [s for s in candidates
            if s.key not in rejected and not any(_conflicts(s, r) for r in index.overlapping(s.start, s.end))]


def _conflicts(s: Suggestion, r: SpanRow) -> bool:
    if r.label_id == s.label_id or (r.start, r.end) == (s.start, s.end):
        return True
    nested = (r.start <= s.start and s.end <= r.end) or (s.start <= r.start and r.end <= s.end)
    return not nested


# ---------------------------------------------------------------- the engine

class _Recent:
    """The last few results of an expensive computation, by key; thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class Suggester:
    """Computes suggestions. Caches, for the last few documents, the text and its simplified view,
    what the rules found (per rule set), what the lexicon found (per lexicon version) and their
    resolution — so labelling a span, which changes the lexicon, reruns only the automaton — and
    the automaton itself per lexicon version. Safe to share between threads."""

    CACHED_DOCUMENTS = 8

    def __init__(self, database: Database):
        self.database = database
        self._texts = _Recent(self.CACHED_DOCUMENTS)     # (doc, length) -> (text, view)
        self._rule_hits = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, rules) -> [Candidate]
        self._lexicon_hits = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, lexicon version) -> [Candidate]
        self._resolved = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, rules, lexicon version) -> [Suggestion]
        self._matchers = _Recent(1)  # lexicon version -> LexiconMatcher

    def candidates(self, document_id: int) -> list[Suggestion]:
        """Everything the lexicon and the enabled rules propose in a document, resolved, before the
        user's spans and rejections are taken into account."""
        with self.database.session() as session:
            length = documents.length_of(session, document_id)
            lexicon_version = lexicon.version(session)
            rules = rule_set.active_rules(session)
            rules_key = (rule_rows.version(session), tuple((r.name, r.label_id) for r in rules))
            key = (document_id, length, rules_key, lexicon_version)
            found = self._resolved.get(key)
            if found is not None:
                return found
            text, view = self._text(session, document_id, length)
            rule_hits = self._rule_hits.get((document_id, length, rules_key))
            if rule_hits is None:
                ranks = {rule.name: rank for rank, rule in enumerate(rules, 1)}
                rule_hits = self._rule_hits.put((document_id, length, rules_key), _to_source(view, [
                    (start, end, label_id, ranks[name], name)
                    for start, end, label_id, name in rule_set.run(rules, view.text)]))
            lexicon_hits = self._lexicon_hits.get((document_id, length, lexicon_version))
            if lexicon_hits is None:
                matcher = self._matcher(session, lexicon_version)
                lexicon_hits = self._lexicon_hits.put((document_id, length, lexicon_version), _to_source(view, [
                    (start, end, label_id, 0, LEXICON) for start, end, label_id in matcher.find(view.text)]))
        result = [Suggestion(document_id, start, end, label_id, name, text[start:end])
                  for start, end, label_id, _rank, name in resolve(lexicon_hits + rule_hits) if start < end]
        return self._resolved.put(key, result)

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
        matcher = self._matchers.get(version)
        if matcher is None:
            matcher = self._matchers.put(version, LexiconMatcher(lexicon.entries(session, include_rejected=False)))
        return matcher

    def _text(self, session, document_id: int, length: int) -> tuple[str, Converted]:
        found = self._texts.get((document_id, length))
        if found is None:
            text = documents.text_of(session, document_id)
            script = documents.info(session, document_id).script
            view = to_simplified(text) if script == Script.TRADITIONAL else Converted(text, len(text))
            found = self._texts.put((document_id, length), (text, view))
        return found


def _to_source(view: Converted, found: list[Candidate]) -> list[Candidate]:
    if view.is_identity:
        return found
    return [(view.to_source(start), view.to_source(end), label_id, rank, name)
            for start, end, label_id, rank, name in found]


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

