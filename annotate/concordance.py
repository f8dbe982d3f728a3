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
from typing import Callable, Iterable, Sequence

from annotate.suggest import SpanIndex, longest_match_automaton
from corpus.script import both_scripts, t2s, to_simplified
from corpus.text import leftmost_longest, occurrences
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
    beyond: int = 0  # lines listed after the first `limit` because they are inconsistent

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


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    return text[max(0, start - width):start], text[end:end + width]


# A hit: (document id, start, end, term, the text there, left, right); left/right None until cut.
Hit = tuple[int, int, int, str, str, str | None, str | None]


def _build(session, terms: tuple[str, ...], hits: list[Hit], label_id: int | None,
           annotator_ids: Sequence[int] | None, width: int, limit: int | None,
           more_inconsistent: int = 0) -> Concordance:
    """Statuses and counts for every hit (from positions and spans alone); lines for the first
    `limit` and for up to `more_inconsistent` inconsistent hits after them (their missing contexts
    cut by the database)."""
    hits.sort()
    spans: dict[int, list[SpanRow]] = {}
    for row in span_rows.overlapping(session, [hit[:3] for hit in hits], annotator_ids=annotator_ids):
        spans.setdefault(row.document_id, []).append(row)
    indexes = {document_id: SpanIndex(sorted(rows, key=lambda r: (r.annotator_id, r.start, r.end, r.label_id)))
               for document_id, rows in spans.items()}
    touching = [tuple(indexes[hit[0]].overlapping(hit[1], hit[2])) if hit[0] in indexes else () for hit in hits]
    if label_id is None:
        exact = Counter(r.label_id for hit, rows in zip(hits, touching) for r in rows if (r.start, r.end) == hit[1:3])
        label_id = exact.most_common(1)[0][0] if exact else None
    statuses = [status_of(hit[1], hit[2], rows, label_id) if rows else Status.NONE for hit, rows in zip(hits, touching)]
    picked = range(len(hits)) if limit is None else [
        *range(min(limit, len(hits))),
        *[i for i in range(limit, len(hits)) if not statuses[i].consistent][:more_inconsistent]]
    shown = [hits[i] for i in picked]
    cut = iter(fulltext.contexts(session, [hit[:3] for hit in shown if hit[5] is None], width))
    names = {info.id: info.name for info in documents.infos(session, sorted({hit[0] for hit in shown}))}
    lines = []
    for (document_id, start, end, term, match, left, right), rows, status in \
            zip(shown, (touching[i] for i in picked), (statuses[i] for i in picked)):
        if left is None:
            left, right = next(cut)
        lines.append(Line(document_id, names[document_id], start, end, left, match, right, rows, status, term))
    return Concordance(terms, label_id, lines, dict(sorted(Counter(hit[0] for hit in hits).items())),
                       dict(Counter(statuses)), len(lines) - (len(hits) if limit is None else min(limit, len(hits))))


def concordance(database: Database, term: str, *, label_id: int | None = None,
                annotator_ids: Sequence[int] | None = None, context: int = CONTEXT,
                limit: int | None = None, more_inconsistent: int = 0) -> Concordance:
    """Every occurrence of `term` (in either script) across the corpus. Statuses compare with
    `label_id`, or else with the label most often given to exactly this text.
    `more_inconsistent`: a limited concordance also lists that many inconsistent occurrences after
    the first `limit`, so that a consistency check sees them however late they come.

    Where the index keeps positions, occurrences, counts and statuses come from it and from the
    spans, without reading the texts; `limit` then bounds the lines (and their contexts) to the
    first occurrences in document order, while the counts cover all of them."""
    forms = both_scripts(term)
    with database.session() as session:
        places: dict[int, list[tuple[int, int, str]]] = {}  # document -> (start, end, the form there)
        mixed: set[int] = set()  # documents where more than one form was found: sorted and made non-overlapping
        texts: dict[int, str] = {}
        unindexed = []
        for form in forms:
            found = fulltext.positions(session, form)
            if found is None:
                unindexed.append(form)
                continue
            for document_id, starts in found.items():
                if document_id in places:
                    mixed.add(document_id)
                places.setdefault(document_id, []).extend((start, start + len(form), form) for start in starts)
        if unindexed:  # cased terms, or no positions in this database: read the candidates
            candidates = sorted({i for form in unindexed for i in fulltext.documents_containing(session, form)})
            for document_id, _name, _script, text in fulltext.texts(session, candidates):
                found = [(i, i + len(form), form) for form in unindexed for i in occurrences(text, form)]
                if found:
                    mixed.add(document_id)
                    places.setdefault(document_id, []).extend(found)
                    texts[document_id] = text
        hits: list[Hit] = []
        for document_id, found in places.items():
            text = texts.get(document_id)
            for start, end, form in (leftmost_longest(set(found)) if document_id in mixed else found):
                left, right = _context(text, start, end, context) if text is not None else (None, None)
                hits.append((document_id, start, end, term, form, left, right))
        return _build(session, forms, hits, label_id, annotator_ids, context, limit, more_inconsistent)


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
        hits: list[Hit] = []
        for _done, document_id, _name, script, text in _reading(session, fulltext.document_ids(session), progress):
            if cancel is not None and cancel():
                break
            view = to_simplified(text) if script == Script.TRADITIONAL else None
            for index, start, end in automaton.find_matches_as_indexes(view.text if view else text):
                if view is not None:
                    start, end = view.to_source(start), view.to_source(end)
                hits.append((document_id, start, end, owners[index], text[start:end],
                             *_context(text, start, end, context)))
        return _build(session, terms, hits, label_id, annotator_ids, context, None)


def _reading(session, document_ids: Sequence[int], progress: Callable[[int, int], None] | None):
    for done, (document_id, name, script, text) in enumerate(fulltext.texts(session, document_ids), 1):
        yield done, document_id, name, script, text
        if progress is not None and (done % 200 == 0 or done == len(document_ids)):
            progress(done, len(document_ids))


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
