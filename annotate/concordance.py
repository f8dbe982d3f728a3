"""Concordance: every occurrence of a term (or of all texts labelled with a label) across the
corpus, in context (KWIC), with counts per document and how each occurrence is labelled — the
consistency check reviewers need.

Documents are found through the full-text index (db.fulltext), then read to find the exact
offsets. A term is looked for as written and in its other script (两个维护 also finds 兩個維護).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from annotate.lexicon import search_forms
from annotate.suggest import SpanIndex, longest_match_automaton
from corpus.script import t2s, to_simplified
from db import documents, fulltext
from db import spans as span_rows
from db.engine import Database
from db.models import Script
from db.spans import SpanRow

CONTEXT = 20


class Status(str, enum.Enum):
    """How an occurrence is labelled, compared with the reference label."""

    SAME = "same"          # a span with the reference label on exactly this text
    INSIDE = "inside"      # inside a longer span with the reference label (市委 in 市委组织部)
    OVERLAP = "overlap"    # a span with the reference label covers part of it, or lies within it
    OTHER = "other"        # labelled on exactly this text, but with another label
    NONE = "none"          # not labelled

    @property
    def consistent(self) -> bool:
        return self in (Status.SAME, Status.INSIDE)


@dataclass(frozen=True)
class Line:
    document_id: int
    document: str
    start: int
    end: int
    left: str
    match: str
    right: str
    spans: tuple[SpanRow, ...]  # the spans overlapping this occurrence
    status: Status
    term: str  # the term searched for (label concordance: the labelled text it is an occurrence of)


@dataclass
class Concordance:
    terms: tuple[str, ...]
    label_id: int | None  # the reference label (given, or the most frequent exact label)
    lines: list[Line] = field(default_factory=list)  # in document order; the first `limit` when one was set
    per_document: dict[int, int] = field(default_factory=dict)  # every document with occurrences: how many
    by_status: dict[Status, int] = field(default_factory=dict)  # every occurrence, read or not

    @property
    def total(self) -> int:
        return sum(self.per_document.values())

    @property
    def complete(self) -> bool:
        """Whether `lines` holds every occurrence (no `limit` cut them)."""
        return len(self.lines) == self.total

    @property
    def inconsistent(self) -> list[Line]:
        return [line for line in self.lines if not line.status.consistent]


def status_of(start: int, end: int, spans: Iterable[SpanRow], label_id: int | None) -> Status:
    spans = list(spans)
    if label_id is not None:
        same = [r for r in spans if r.label_id == label_id]
        if any((r.start, r.end) == (start, end) for r in same):
            return Status.SAME
        if any(r.start <= start and end <= r.end for r in same):
            return Status.INSIDE
        if same:
            return Status.OVERLAP
    if any((r.start, r.end) == (start, end) for r in spans):
        return Status.OTHER
    return Status.NONE


def _occurrences(text: str, form: str) -> Iterator[int]:
    i = text.find(form)
    while i >= 0:
        yield i
        i = text.find(form, i + len(form))


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    return text[max(0, start - width):start], text[end:end + width]


def _lines_for(session, hits: dict[int, tuple[str, str, list[tuple[int, int, str]]]],
               annotator_ids: Sequence[int] | None, width: int) -> list[tuple]:
    """Attach the overlapping spans to each hit: (document_id, name, start, end, left, match, right, spans, term)."""
    spans: dict[int, list[SpanRow]] = {}
    for chunk in _chunks(sorted(hits), 500):
        for row in span_rows.iter_spans(session, document_ids=chunk, annotator_ids=annotator_ids):
            spans.setdefault(row.document_id, []).append(row)
    out = []
    for document_id, (name, text, found) in hits.items():
        index = SpanIndex(spans.get(document_id, ()))
        for start, end, term in found:
            touching = tuple(index.overlapping(start, end))
            left, right = _context(text, start, end, width)
            out.append((document_id, name, start, end, left, text[start:end], right, touching, term))
    return out


def _finish(terms: tuple[str, ...], raw: list[tuple], label_id: int | None,
            unread: dict[int, int] | None = None) -> Concordance:
    """Lines from the raw hits; `unread` documents (no spans of interest, beyond the limit) count as
    occurrences that nobody labelled."""
    if label_id is None:
        exact = Counter(r.label_id for (_, _, start, end, *_, spans, _) in raw for r in spans
                        if (r.start, r.end) == (start, end))
        label_id = exact.most_common(1)[0][0] if exact else None
    lines = [Line(document_id, name, start, end, left, match, right, spans, status_of(start, end, spans, label_id), term)
             for document_id, name, start, end, left, match, right, spans, term in raw]
    lines.sort(key=lambda line: (line.document_id, line.start))
    per_document = Counter(line.document_id for line in lines)
    by_status = Counter(line.status for line in lines)
    if unread:
        per_document.update(unread)
        by_status[Status.NONE] += sum(unread.values())
    return Concordance(terms, label_id, lines, dict(sorted(per_document.items())), dict(by_status))


def concordance(database: Database, term: str, *, label_id: int | None = None,
                annotator_ids: Sequence[int] | None = None, context: int = CONTEXT,
                limit: int | None = None) -> Concordance:
    """Every occurrence of `term` (in either script) across the corpus. Statuses compare with
    `label_id`, or else with the label most often given to exactly this text.

    With `limit`, `lines` holds the first `limit` occurrences in document order (plus those in
    documents with spans, which decide the statuses), while counts per document and per status cover
    every occurrence: the texts of the other documents are never read (a frequent term in a large
    corpus would otherwise mean reading most of it)."""
    forms = search_forms(term)
    with database.session() as session:
        candidates = sorted({i for form in forms for i in fulltext.documents_containing(session, form)})
        counts = fulltext.occurrence_counts(session, candidates, forms)
        labelled = set(documents.span_counts(session, list(counts), annotator_ids))
        read, shown = [], 0
        for document_id, count in counts.items():
            if limit is None or shown < limit or document_id in labelled:
                read.append(document_id)
                shown += count
        hits: dict[int, tuple[str, str, list]] = {}
        for document_id, name, _script, text in fulltext.texts(session, read):
            found = sorted({(i, i + len(form), term) for form in forms for i in _occurrences(text, form)})
            if found:
                hits[document_id] = (name, text, found)
        raw = _lines_for(session, hits, annotator_ids, context)
    unread = {document_id: count for document_id, count in counts.items() if document_id not in hits}
    return _finish(forms, raw, label_id, unread)


def label_concordance(database: Database, label_id: int, *, annotator_ids: Sequence[int] | None = None,
                      context: int = CONTEXT, progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> Concordance:
    """Every occurrence, anywhere in the corpus, of every text labelled `label_id` — labelled or
    not. Reads the whole corpus once (an automaton of the labelled texts, longest match): long
    work, with progress and cancel; a cancelled run returns what it found so far."""
    with database.session() as session:
        by_document: dict[int, list[SpanRow]] = {}
        for row in span_rows.iter_spans(session, annotator_ids=annotator_ids):
            if row.label_id == label_id:
                by_document.setdefault(row.document_id, []).append(row)
        labelled: set[str] = set()
        for document_id, _name, _script, text in fulltext.texts(session, sorted(by_document)):
            labelled.update(text[r.start:r.end] for r in by_document[document_id])
        terms = tuple(sorted(labelled))
        if not labelled:
            return Concordance(terms, label_id)
        keys = {key: term for term in terms for key in (term, t2s(term))}
        automaton, owners = longest_match_automaton(list(keys)), list(keys.values())
        document_ids = fulltext.document_ids(session)
        hits: dict[int, tuple[str, str, list]] = {}
        for done, document_id, name, script, text in _reading(session, document_ids, progress):
            if cancel is not None and cancel():
                break
            view = to_simplified(text) if script == Script.TRADITIONAL else None
            found = []
            for index, start, end in automaton.find_matches_as_indexes(view.text if view else text):
                if view is not None:
                    start, end = view.to_source(start), view.to_source(end)
                found.append((start, end, owners[index]))
            if found:
                hits[document_id] = (name, text, found)
        raw = _lines_for(session, hits, annotator_ids, context)
    return _finish(terms, raw, label_id)


def _reading(session, document_ids: Sequence[int], progress: Callable[[int, int], None] | None):
    for done, (document_id, name, script, text) in enumerate(fulltext.texts(session, document_ids), 1):
        yield done, document_id, name, script, text
        if progress is not None and (done % 200 == 0 or done == len(document_ids)):
            progress(done, len(document_ids))


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def update_index(database: Database, *, progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None, chunk: int = 200) -> int:
    """Index the documents added since the last time (after an import, or on an upgraded database),
    a committed chunk at a time; returns how many were indexed. Searches are complete without it,
    only slower: run it in the background."""
    with database.session() as session:
        total = fulltext.pending_count(session)
    done = 0
    while done < total and not (cancel is not None and cancel()):
        with database.transaction() as session:
            queued = fulltext.index_pending(session, chunk)
        if not queued:
            break
        done += min(chunk, queued)
        if progress is not None:
            progress(min(done, total), total)
    return done
