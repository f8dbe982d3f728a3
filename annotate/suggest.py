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
worker thread (1 MB with a 2,000-term lexicon, even one that finds 30,000 places: ~80-110 ms the first
time, ~60-90 ms after a new lexicon term, ~6-8 ms after a span edit; bench/bench_suggest.py). Candidates
are handled as columns (`Hits`), so their number costs little. `accept`, `accept_all`, `of_term` and
`RejectSuggestions` give Edits for the undo stack. Recompute on SpansChanged, LexiconChanged and
SuggestionsChanged of the document.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import Iterable, NamedTuple, Sequence

import numpy as np

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


@dataclass(frozen=True)
class Hits:
    """Candidates as columns (int64 arrays): where, which label, and the rank of their source (0 the
    lexicon, then the rules in order). A dense lexicon finds 30,000 places in 1 MB; as columns they
    are resolved and filtered by vectorized comparisons instead of one Python step each."""

    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    rank: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[tuple[int, int, int, int]]) -> "Hits":
        table = np.array(rows, dtype=np.int64).reshape(len(rows), 4)
        return cls(*(np.ascontiguousarray(table[:, i]) for i in range(4)))

    @property
    def size(self) -> int:
        return len(self.start)

    def take(self, index: np.ndarray) -> "Hits":
        return Hits(self.start[index], self.end[index], self.label[index], self.rank[index])

    def __add__(self, other: "Hits") -> "Hits":
        return Hits(*(np.concatenate([a, b]) for a, b in zip(self.columns(), other.columns())))

    def columns(self) -> tuple[np.ndarray, ...]:
        return self.start, self.end, self.label, self.rank


# ---------------------------------------------------------------- matching

class LexiconMatcher:
    """An Aho-Corasick automaton over the simplified forms of the accepted lexicon terms."""

    def __init__(self, entries: Iterable[lexicon.LexiconRow], simplified: dict[str, str] | None = None):
        """`simplified` caches t2s of forms across lexicon versions (a new term converts only itself)."""
        accepted = [entry for entry in entries if not entry.rejected]
        simplified = {} if simplified is None else simplified
        missing = list(dict.fromkeys(form for entry in accepted for form in entry.forms if form not in simplified))
        if any("\n" in form for form in missing):
            simplified.update((form, t2s(form)) for form in missing)
        elif missing:  # one OpenCC call for all of them
            simplified.update(zip(missing, t2s("\n".join(missing)).split("\n")))
        labels: dict[str, list[int]] = {}
        for entry in accepted:
            for form in entry.forms:
                for key in dict.fromkeys((form, simplified[form])):
                    if key and entry.label_id not in labels.setdefault(key, []):
                        labels[key].append(entry.label_id)
        self.keys = list(labels)
        self.label = np.array([labels[key][0] for key in self.keys], dtype=np.int64)
        self.more_labels = {i: labels[key][1:] for i, key in enumerate(self.keys) if len(labels[key]) > 1}
        # Only a term that starts or ends with a Latin letter or digit can split a word.
        self.checked = np.array([_is_word_char(key[0]) or _is_word_char(key[-1]) for key in self.keys], dtype=bool)
        self.automaton = longest_match_automaton(self.keys) if self.keys else None

    def find(self, text: str) -> Hits:
        """Longest matches, left to right, not splitting a Latin word or a number (rank 0)."""
        matches = self.automaton.find_matches_as_indexes(text) if self.automaton is not None else []
        table = np.array(matches, dtype=np.int64).reshape(len(matches), 3)
        suspicious = np.flatnonzero(self.checked[table[:, 0]]) if len(table) else ()
        split = [i for i in np.asarray(suspicious).tolist() if _splits_word(text, *table[i, 1:].tolist())]
        if split:
            table = np.delete(table, split, axis=0)
        index = table[:, 0]
        hits = Hits(table[:, 1], table[:, 2], self.label[index], np.zeros(len(table), dtype=np.int64))
        if self.more_labels:  # a term in two labels: a candidate for each
            shared = table[np.isin(index, list(self.more_labels))].tolist()
            extra = [(start, end, label, 0) for key, start, end in shared for label in self.more_labels[key]]
            if extra:
                hits = hits + Hits.of(extra)
        return hits


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
    wins, then the first source (the lexicon, then the rules in order); exact duplicates are overlaps.
    In (start, end, label, rank) order."""
    candidates = list(candidates)
    hits = Hits.of([candidate[:4] for candidate in candidates])
    return [candidates[i] for i in resolved_order(hits).tolist()]


def resolved_order(hits: Hits) -> np.ndarray:
    """`resolve` on columns: the indexes of the candidates kept, in (start, end, label, rank) order.

    Sorted by label and start, a candidate starts a new cluster where it begins at or after the end of
    everything before it with its label (a running maximum, labels kept apart by an offset). A cluster
    of one is kept as it is; of two (a rule and the lexicon on the same text) the better one is chosen
    for all pairs at once; the rare larger clusters are settled one by one, longest first."""
    n = hits.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start, end, label, rank = hits.columns()
    order = np.lexsort((rank, end, start, label))
    labels = np.unique(label, return_inverse=True)[1][order]
    shift = labels * (int(end.max()) + 1)
    s, e = start[order] + shift, end[order] + shift
    new = np.ones(n, dtype=bool)
    new[1:] = s[1:] >= np.maximum.accumulate(e)[:-1]
    cluster = np.cumsum(new) - 1
    sizes = np.bincount(cluster)[cluster]  # of each candidate's cluster, in sorted order
    kept = [order[sizes == 1]]
    pairs = order[sizes == 2]  # the usual crowd: a rule and the lexicon on about the same text
    if len(pairs):
        a, b = pairs[0::2], pairs[1::2]
        length_a, length_b = end[a] - start[a], end[b] - start[b]
        a_wins = (length_a > length_b) | ((length_a == length_b) & (
            (rank[a] < rank[b]) | ((rank[a] == rank[b]) & (start[a] <= start[b]))))
        kept.append(np.where(a_wins, a, b))
    crowds = order[sizes > 2]
    if len(crowds):
        starts, ends, ranks = start.tolist(), end.tolist(), rank.tolist()
        bounds = np.flatnonzero(np.diff(cluster[sizes > 2])) + 1
        chosen = []
        for group in np.split(crowds, bounds):
            taken: list[int] = []
            for i in sorted(group.tolist(), key=lambda i: (starts[i] - ends[i], ranks[i], starts[i])):
                if all(ends[i] <= starts[k] or ends[k] <= starts[i] for k in taken):
                    taken.append(i)
            chosen += taken
        kept.append(np.array(chosen, dtype=np.int64))
    kept = np.concatenate(kept)
    return kept[np.lexsort((rank[kept], label[kept], end[kept], start[kept]))]


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
    candidates = list(candidates)
    hits = Hits.of([(s.start, s.end, s.label_id, 0) for s in candidates])
    return [candidates[i] for i in visible_index(hits, list(spans), rejected).tolist()]


def visible_index(hits: Hits, spans: Sequence[SpanRow], rejected: set[tuple[int, int, int]]) -> np.ndarray:
    """`visible` on columns: the indexes (ascending) of the candidates to show. Only those that overlap a
    span at all — one binary search each against the running maximum of span ends — are looked at
    one by one."""
    keep = np.ones(hits.size, dtype=bool)
    if rejected and hits.size:
        keep &= ~_rejected_mask(hits, rejected)
    if spans and hits.size:
        index = SpanIndex(spans)
        starts = np.array(index.starts, dtype=np.int64)
        reach = np.maximum.accumulate(np.array([r.end for r in index.spans], dtype=np.int64))
        before = np.searchsorted(starts, hits.end, side="left")  # spans that start before each candidate ends
        touching = (before > 0) & (reach[np.maximum(before - 1, 0)] > hits.start) & keep
        start, end, label = hits.start.tolist(), hits.end.tolist(), hits.label.tolist()
        for i in np.flatnonzero(touching).tolist():
            if any(conflicts(start[i], end[i], label[i], r) for r in index.overlapping(start[i], end[i])):
                keep[i] = False
    return np.flatnonzero(keep)


def _rejected_mask(hits: Hits, rejected: set[tuple[int, int, int]]) -> np.ndarray:
    refused = np.array(sorted(rejected), dtype=np.int64).reshape(len(rejected), 3)  # label, start, end
    width = int(max(hits.end.max(), refused[:, 2].max())) + 1
    if width ** 2 * (int(max(hits.label.max(), refused[:, 0].max())) + 1) >= 2 ** 62:  # keys would overflow
        return np.array([key in rejected for key in zip(hits.label.tolist(), hits.start.tolist(),
                                                         hits.end.tolist())], dtype=bool)

    def keys(label, start, end):
        return (label * width + start) * width + end

    return np.isin(keys(hits.label, hits.start, hits.end), keys(refused[:, 0], refused[:, 1], refused[:, 2]))


def conflicts(start: int, end: int, label_id: int, r: SpanRow) -> bool:
    """Whether a suggestion [start, end) with `label_id` would touch the span `r` (see the module docstring)."""
    if r.label_id == label_id or (r.start, r.end) == (start, end):
        return True
    nested = (r.start <= start and end <= r.end) or (start <= r.start and r.end <= end)
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


@dataclass(frozen=True)
class _Resolved:
    """The candidates of a document as Suggestions, with their columns for filtering."""

    suggestions: list[Suggestion]
    hits: Hits


_new_suggestion = partial(tuple.__new__, Suggestion)  # a Suggestion from a tuple, without a Python call


class Suggester:
    """Computes suggestions. Caches, for the last few documents, the text and its simplified view,
    what the rules found (per rule set), what the lexicon found (per lexicon version) and their
    resolution — so labelling a span, which changes the lexicon, reruns only the automaton — and
    the automaton itself per lexicon version. Safe to share between threads."""

    CACHED_DOCUMENTS = 8

    def __init__(self, database: Database):
        self.database = database
        self._texts = _Recent(self.CACHED_DOCUMENTS)     # (doc, length) -> (text, view)
        self._rule_hits = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, rules) -> Hits
        self._lexicon_hits = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, lexicon version) -> Hits
        self._resolved = _Recent(self.CACHED_DOCUMENTS)  # (doc, length, rules, lexicon version) -> _Resolved
        self._matchers = _Recent(1)  # lexicon version -> LexiconMatcher
        self._simplified: dict[str, str] = {}  # t2s of lexicon forms, kept across versions
        self._lock = threading.Lock()

    def candidates(self, document_id: int) -> list[Suggestion]:
        """Everything the lexicon and the enabled rules propose in a document, resolved, before the
        user's spans and rejections are taken into account."""
        return self._candidates(document_id).suggestions

    def _candidates(self, document_id: int) -> _Resolved:
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
                found = [(start, end, label_id, ranks[name])
                         for start, end, label_id, name in rule_set.run(rules, view.text)]
                rule_hits = self._rule_hits.put((document_id, length, rules_key), _to_source(view, Hits.of(found)))
            lexicon_hits = self._lexicon_hits.get((document_id, length, lexicon_version))
            if lexicon_hits is None:
                matcher = self._matcher(session, lexicon_version)
                lexicon_hits = self._lexicon_hits.put((document_id, length, lexicon_version),
                                                      _to_source(view, matcher.find(view.text)))
        hits = lexicon_hits + rule_hits
        hits = hits.take(resolved_order(hits))
        hits = hits.take(np.flatnonzero(hits.start < hits.end))
        sources = np.array([LEXICON, *(rule.name for rule in rules)], dtype=object)[hits.rank].tolist()
        starts, ends = hits.start.tolist(), hits.end.tolist()
        suggestions = list(map(_new_suggestion, zip(repeat(document_id), starts, ends, hits.label.tolist(), sources,
                                                    map(text.__getitem__, map(slice, starts, ends)))))
        return self._resolved.put(key, _Resolved(suggestions, hits))

    def for_document(self, document_id: int, *, annotator_id: int | None = None,
                     label_ids: Iterable[int] | None = None) -> list[Suggestion]:
        """The suggestions to show: candidates minus those touching spans of `annotator_id` (of
        everyone when None) and minus rejections, optionally only some labels; in text order."""
        resolved = self._candidates(document_id)
        hits, suggestions = resolved.hits, resolved.suggestions
        with self.database.session() as session:
            spans = span_rows.for_document(session, document_id,
                                           None if annotator_id is None else [annotator_id])
            rejected = rejections.for_document(session, document_id)
        kept = visible_index(hits, spans, rejected)
        if label_ids is not None:
            kept = kept[np.isin(hits.label[kept], list(label_ids))]
        if len(kept) == len(suggestions):
            return list(suggestions)
        return [suggestions[i] for i in kept.tolist()]

    def _matcher(self, session, version: str) -> LexiconMatcher:
        matcher = self._matchers.get(version)
        if matcher is None:
            rows = lexicon.entries(session, include_rejected=False)
            with self._lock:  # the t2s cache is shared
                matcher = self._matchers.put(version, LexiconMatcher(rows, self._simplified))
        return matcher

    def _text(self, session, document_id: int, length: int) -> tuple[str, Converted]:
        found = self._texts.get((document_id, length))
        if found is None:
            text = documents.text_of(session, document_id)
            script = documents.info(session, document_id).script
            view = to_simplified(text) if script == Script.TRADITIONAL else Converted(text, len(text))
            found = self._texts.put((document_id, length), (text, view))
        return found


def _to_source(view: Converted, hits: Hits) -> Hits:
    if view.is_identity or not hits.size:
        return hits
    to_source = view.to_source
    return Hits(np.array([to_source(i) for i in hits.start.tolist()], dtype=np.int64),
                np.array([to_source(i) for i in hits.end.tolist()], dtype=np.int64), hits.label, hits.rank)


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

