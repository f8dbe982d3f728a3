"""Inter-annotator agreement, defined exactly so that every figure can be checked by hand.

Units. The documents compared are those in which every chosen annotator has at least one span (of any label),
plus those whose status is `done`. Status is stored per document, not per annotator, so `done` counts as
"marked done by all of them": in a shared database any annotator's Ctrl+Enter marks it; in a reviewer's
database it is whatever the reviewer set. Spans in other documents are ignored by every measure, so an
annotator who has not opened a document is not counted as disagreeing with those who have.

Span F1 (pairwise; per label and over all labels pooled). Spans are (document, start, end, label) sets.
- exact: 2·|A∩B| / (|A|+|B|);
- overlap: a span of A is matched when B has a span of the same label sharing at least one character with it,
  and vice versa; P = matched(A)/|A|, R = matched(B)/|B|, F1 = 2PR/(P+R). Pooled over labels, the counts are
  summed before dividing.

Character categories. Each character of each document compared takes, for each annotator, the label of the
shortest of that annotator's spans covering it (ties: label name order), or `O` where none covers it.
- Cohen's kappa, pairwise: overall on those categories; per label on "inside a span of that label or not".
- Fleiss' kappa and Krippendorff's alpha (nominal), over all chosen annotators, on the same categories.

Degenerate cases (None in the results, `null` in JSON, "n/a" in tables):
- F1 when neither side has a span: undefined; when only one side has spans: 0.
- kappa and alpha when fewer than two categories occur among all the values compared (e.g. nobody used the
  label, or every character is `O` for everyone): chance agreement is total and the ratio is 0/0. We do not
  report 1 for "all agree" there, because nothing was actually discriminated.
- no characters at all: every measure is undefined.

`--label L` keeps only spans of that label (the units stay as defined above, from spans of any label), so the
categories become {L, O}.

Computation. Instead of materialising one value per character, the text of the compared documents is laid end to
end and cut at every span boundary into elementary segments: inside a segment every annotator's category is
constant, so each character measure is a sum over segments weighted by their length. Everything is numpy over
segments and spans (about 2 × spans + documents of them), never a Python loop over characters or spans.
"""

from __future__ import annotations

import csv
import queue
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TextIO

import numpy as np
from sqlalchemy.orm import Session

from annotate.intervals import sorted_unique, spread
from db import annotators as annotator_rows
from db import labels as label_rows
from db import review as review_rows
from db.engine import Database


class AgreementError(ValueError):
    """Agreement cannot be computed as asked (unknown annotator, fewer than two)."""


class Cancelled(Exception):
    """The caller asked to stop; nothing is returned."""


@dataclass(frozen=True)
class Scores:
    """Agreement of one pair of annotators on one label (or on all labels pooled)."""

    spans_a: int
    spans_b: int
    exact_matches: int          # |A∩B|
    overlap_matched_a: int      # spans of A overlapped by a same-label span of B
    overlap_matched_b: int
    f1_exact: float | None
    f1_overlap: float | None
    kappa: float | None

    def as_json(self) -> dict:
        return {"f1_exact": self.f1_exact, "f1_overlap": self.f1_overlap, "kappa": self.kappa}


@dataclass(frozen=True)
class PairAgreement:
    a: str
    b: str
    overall: Scores
    per_label: dict[str, Scores]

    def as_json(self) -> dict:
        return {"a": self.a, "b": self.b, **self.overall.as_json(),
                "per_label": {name: scores.as_json() for name, scores in self.per_label.items()}}


@dataclass(frozen=True)
class DocumentAgreement:
    """One row of the per-document table: where do the annotators disagree most?"""

    document_id: int
    name: str
    characters: int
    spans: tuple[int, ...]          # per annotator, in the order of `AgreementResult.annotators`
    disagreeing_characters: int     # characters whose category is not the same for all annotators
    f1_exact: float | None          # exact span F1 pooled over all pairs
    alpha: float | None             # Krippendorff's alpha of this document alone

    @property
    def disagreement(self) -> float:
        return self.disagreeing_characters / self.characters if self.characters else 0.0

    def as_json(self, annotators: Sequence[str]) -> dict:
        return {"document_id": self.document_id, "name": self.name, "characters": self.characters,
                "spans": dict(zip(annotators, self.spans)), "disagreeing_characters": self.disagreeing_characters,
                "disagreement": self.disagreement, "f1_exact": self.f1_exact, "krippendorff_alpha": self.alpha}


@dataclass(frozen=True)
class AgreementResult:
    annotators: tuple[str, ...]
    labels: tuple[str, ...]       # labels compared, in name order
    documents: int
    characters: int
    pairs: tuple[PairAgreement, ...]
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    per_document: tuple[DocumentAgreement, ...]   # most disagreeing first

    def as_json(self) -> dict:
        """The `agree --json` object."""
        return {"annotators": list(self.annotators), "documents": self.documents, "characters": self.characters,
                "pairs": [pair.as_json() for pair in self.pairs], "fleiss_kappa": self.fleiss_kappa,
                "krippendorff_alpha": self.krippendorff_alpha}

    def write_csv(self, out: TextIO) -> None:
        """Every figure, one per line (a, b, label, measure, value): pivots into any chart. Label `*` is all
        labels pooled; a and b are empty for the measures over all annotators; undefined values are empty."""
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["a", "b", "label", "measure", "value"])
        for pair in self.pairs:
            for label, scores in [("*", pair.overall), *pair.per_label.items()]:
                for measure in _CSV_MEASURES:
                    writer.writerow([pair.a, pair.b, label, measure, _cell(getattr(scores, measure))])
        writer.writerow(["", "", "*", "fleiss_kappa", _cell(self.fleiss_kappa)])
        writer.writerow(["", "", "*", "krippendorff_alpha", _cell(self.krippendorff_alpha)])
        writer.writerow(["", "", "*", "documents", self.documents])
        writer.writerow(["", "", "*", "characters", self.characters])

    def write_documents_csv(self, out: TextIO) -> None:
        """The per-document table, most disagreeing first."""
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["document_id", "name", "characters", "disagreeing_characters", "disagreement", "f1_exact",
                         "krippendorff_alpha", *(f"spans_{name}" for name in self.annotators)])
        for row in self.per_document:
            writer.writerow([row.document_id, row.name, row.characters, row.disagreeing_characters,
                             _cell(row.disagreement), _cell(row.f1_exact), _cell(row.alpha), *row.spans])


_CSV_MEASURES = ("spans_a", "spans_b", "exact_matches", "overlap_matched_a", "overlap_matched_b", "f1_exact",
                 "f1_overlap", "kappa")


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Corpus:
    """Documents and the chosen annotators' spans, as parallel integer columns.

    `document` indexes the document columns, `annotator` indexes `annotators`, `label` indexes `labels`.
    """

    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    document_ids: np.ndarray
    lengths: np.ndarray
    done: np.ndarray
    document: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    start: np.ndarray
    end: np.ndarray
    names: tuple[str, ...] | None = None

    @classmethod
    def from_rows(cls, annotators: Sequence[str], documents: Iterable[tuple],
                  spans: Iterable[tuple[int, str, int, int, str]]) -> Corpus:
        """Build from plain rows: documents as (id, length[, done[, name]]), spans as
        (document_id, annotator, start, end, label). Used by tests and small callers."""
        documents = [tuple(row) for row in documents]
        ids = [row[0] for row in documents]
        position = {document_id: i for i, document_id in enumerate(ids)}
        who = {name: i for i, name in enumerate(annotators)}
        rows = list(spans)
        labels = tuple(sorted({row[4] for row in rows}))
        which = {name: i for i, name in enumerate(labels)}
        column = lambda values: np.asarray(values, dtype=np.int64)
        return cls(
            annotators=tuple(annotators), labels=labels, document_ids=column(ids),
            lengths=column([row[1] for row in documents]),
            done=np.asarray([bool(row[2]) if len(row) > 2 else False for row in documents], dtype=bool),
            document=column([position[row[0]] for row in rows]), annotator=column([who[row[1]] for row in rows]),
            start=column([row[2] for row in rows]), end=column([row[3] for row in rows]),
            label=column([which[row[4]] for row in rows]),
            names=tuple(str(row[3]) if len(row) > 3 else str(row[0]) for row in documents))

    def check(self) -> None:
        if len(self.annotators) < 2 or len(set(self.annotators)) != len(self.annotators):
            raise ValueError("agreement needs at least two different annotators")
        if len(self.start) and (np.any(self.start < 0) or np.any(self.end <= self.start)
                                or np.any(self.end > self.lengths[self.document])):
            raise ValueError("a span lies outside its document or is empty")


def _catalog(session: Session, annotators: Sequence[str]) -> tuple[list[int], list, list[str], np.ndarray]:
    """Annotator ids, document columns, label names (by label id order) and label ids, or a clear error."""
    if len(annotators) < 2 or len(set(annotators)) != len(annotators):
        raise AgreementError("name at least two different annotators")
    ids = []
    for name in annotators:
        found = annotator_rows.annotator_id(session, name, create=False)
        if found is None:
            raise AgreementError(f"no annotator named {name!r} in this database")
        ids.append(found)
    label_list = sorted(label_rows.all_labels(session), key=lambda label: label.id)
    return (ids, review_rows.document_columns(session), [label.name for label in label_list],
            np.array([label.id for label in label_list], dtype=np.int64))


def _ranges(document_ids: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Split the documents into about `parts` runs of consecutive ids: (first index, stop index)."""
    edges = np.linspace(0, len(document_ids), parts + 1).astype(int)
    return [(int(low), int(high)) for low, high in zip(edges[:-1], edges[1:]) if high > low]


def _part(annotators: Sequence[str], ids: list[int], documents: list, label_names: list[str],
          label_ids: np.ndarray, low: int, high: int, columns: tuple[np.ndarray, ...]) -> Corpus:
    """The Corpus of documents[low:high] from span columns read for them."""
    rows = documents[low:high]
    document_ids = np.array([row[0] for row in rows], dtype=np.int64)
    annotator_index = np.full(max(ids) + 1, -1, dtype=np.int64)
    annotator_index[ids] = np.arange(len(ids))
    return Corpus(
        annotators=tuple(annotators), labels=tuple(label_names), document_ids=document_ids,
        lengths=np.array([row[2] for row in rows], dtype=np.int64),
        done=np.array([row[3] for row in rows], dtype=bool),
        document=np.searchsorted(document_ids, columns[0]), annotator=annotator_index[columns[1]],
        label=np.searchsorted(label_ids, columns[2]), start=columns[3], end=columns[4],
        names=tuple(row[1] for row in rows))


def load(session: Session, annotators: Sequence[str]) -> Corpus:
    """Every document and every span of these annotators, read in bulk into one Corpus."""
    ids, documents, label_names, label_ids = _catalog(session, annotators)
    columns = tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    if documents:
        columns = next(review_rows.span_columns(session, ids, [(documents[0][0], documents[-1][0])]))
    return _part(annotators, ids, documents, label_names, label_ids, 0, len(documents), columns)


def measure(database: Database, annotators: Sequence[str], *, label: str | None = None,
            progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
            parts: int = 8) -> AgreementResult:
    """Read and compute, for the CLI and a background worker. The spans are read in `parts` runs of documents
    by a second thread (SQLite works without holding Python's lock) while this one computes the run before:
    on two cores the reading mostly disappears behind the computing. progress(done, parts) after each run;
    cancel() is polled between runs and raises Cancelled."""
    with database.session() as session:
        ids, documents, label_names, label_ids = _catalog(session, annotators)
    if label is not None and label not in label_names:
        raise AgreementError(f"no label named {label!r} in this database")
    ranges = _ranges(np.array([row[0] for row in documents], dtype=np.int64), parts)
    pieces: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def read() -> None:
        try:
            with database.session() as reader:
                spans = review_rows.span_columns(reader, ids, [(documents[low][0], documents[high - 1][0])
                                                                for low, high in ranges])
                for (low, high), columns in zip(ranges, spans):
                    if stop.is_set():
                        return
                    pieces.put((low, high, columns))
            pieces.put(None)
        except BaseException as error:  # handed to the computing thread, which raises it
            pieces.put(error)

    reader = threading.Thread(target=read, name="agreement-reader", daemon=True)
    reader.start()
    running = Agreement(annotators, label_names, label=label)
    try:
        for number in range(len(ranges)):
            piece = pieces.get()
            if isinstance(piece, BaseException):
                raise piece
            if cancel is not None and cancel():
                raise Cancelled()
            running.add(_part(annotators, ids, documents, label_names, label_ids, *piece))
            if progress is not None:
                progress(number + 1, len(ranges))
    finally:
        stop.set()
        while reader.is_alive():        # let a blocked put() finish so the thread can see the stop
            try:
                pieces.get(timeout=0.05)
            except queue.Empty:
                pass
    return running.result()


# ---- the classic coefficients on count tables (also used by the corpus computation) -------------------------

def cohen_kappa(confusion: np.ndarray) -> float | None:
    """Cohen's kappa from a square table: confusion[i, j] = units A put in category i and B in j."""
    confusion = np.asarray(confusion, dtype=np.float64)
    total = confusion.sum()
    rows, columns = confusion.sum(axis=1), confusion.sum(axis=0)
    if total == 0 or np.count_nonzero(rows + columns) < 2:
        return None
    observed = np.trace(confusion) / total
    expected = float(rows @ columns) / total ** 2
    return float((observed - expected) / (1 - expected))


def _fleiss(sum_squares: float, category_totals: np.ndarray, units: float, raters: int) -> float | None:
    """Fleiss' kappa from Σ_u Σ_c n_uc², the totals n_c and the number of units (each rated `raters` times)."""
    if units == 0 or np.count_nonzero(category_totals) < 2:
        return None
    ratings = units * raters
    observed = (sum_squares - ratings) / (ratings * (raters - 1))
    shares = np.asarray(category_totals, dtype=np.float64) / ratings
    expected = float(shares @ shares)
    return float((observed - expected) / (1 - expected))


def _alpha(disagreement: float, category_totals: np.ndarray) -> float | None:
    """Nominal alpha from Σ_u (n_u² − Σ_c n_uc²)/(n_u − 1) over pairable units and the totals n_c."""
    totals = np.asarray(category_totals, dtype=np.float64)
    if np.count_nonzero(totals) < 2:
        return None
    values = totals.sum()
    expected = values ** 2 - float(totals @ totals)
    return float(1 - (values - 1) * disagreement / expected)


def fleiss_kappa(counts: np.ndarray) -> float | None:
    """Fleiss' kappa from counts[unit, category] = raters who put the unit in that category (same total per unit)."""
    counts = np.asarray(counts, dtype=np.float64)
    raters = counts.sum(axis=1)
    if len(counts) and np.any(raters != raters[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every unit")
    return _fleiss(float((counts ** 2).sum()), counts.sum(axis=0), len(counts), int(raters[0]) if len(counts) else 0)


def krippendorff_alpha(counts: np.ndarray) -> float | None:
    """Nominal Krippendorff's alpha from counts[unit, category]; units with fewer than two values are not pairable."""
    counts = np.asarray(counts, dtype=np.float64)
    values = counts.sum(axis=1)
    pairable = values >= 2
    counts, values = counts[pairable], values[pairable]
    disagreement = float(((values ** 2 - (counts ** 2).sum(axis=1)) / (values - 1)).sum())
    return _alpha(disagreement, counts.sum(axis=0))


def _f1(matches: int, size_a: int, size_b: int) -> float | None:
    return None if size_a + size_b == 0 else 2 * matches / (size_a + size_b)


def _f1_overlap(matched_a: int, size_a: int, matched_b: int, size_b: int) -> float | None:
    if size_a + size_b == 0:
        return None
    if size_a == 0 or size_b == 0:
        return 0.0
    precision, recall = matched_a / size_a, matched_b / size_b
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


# ---- the corpus computation ---------------------------------------------------------------------------------

CHUNK_CHARACTERS = 4_000_000


def _union(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint runs covering the same characters as these spans (sorted by start)."""
    if not len(start):
        return start, end
    reach = np.maximum.accumulate(end)
    begins = np.flatnonzero(np.concatenate(([True], start[1:] > reach[:-1])))
    return start[begins], reach[np.concatenate((begins[1:] - 1, [len(start) - 1]))]


def _overlapping(start: np.ndarray, end: np.ndarray, runs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Which of these spans share at least one character with the disjoint runs."""
    run_start, run_end = runs
    if not len(start) or not len(run_start):
        return np.zeros(len(start), dtype=bool)
    last = np.searchsorted(run_start, end) - 1          # the last run that starts before the span ends
    return (last >= 0) & (run_end[np.maximum(last, 0)] > start)


def _covered_together(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], scale: int) -> int:
    """Characters inside both sets of disjoint runs: |A| + |B| − |A ∪ B|."""
    codes = np.sort(np.concatenate((a[0] * scale + a[1], b[0] * scale + b[1])))
    start, end = _union(codes // scale, codes % scale)
    return int((a[1] - a[0]).sum() + (b[1] - b[0]).sum() - (end - start).sum())


@dataclass
class _Layer:
    """One annotator's spans in one chunk of text (positions are offsets into the chunk)."""

    start: np.ndarray            # sorted by (label, start, end), duplicates removed
    end: np.ndarray
    label: np.ndarray
    packed: np.ndarray           # the same spans as sorted integer codes: the set for exact matching
    bounds: np.ndarray           # spans of label v are [bounds[v], bounds[v + 1])
    runs: list                   # per label: (starts, ends) of the disjoint runs of characters inside it


def _layer(start: np.ndarray, end: np.ndarray, label: np.ndarray, n_chars: int, n_labels: int) -> _Layer:
    scale = n_chars + 1
    packed = sorted_unique((label * scale + start) * scale + end)
    end, rest = packed % scale, packed // scale
    start, label = rest % scale, rest // scale
    bounds = np.searchsorted(label, np.arange(n_labels + 1))
    runs = [_union(start[bounds[v]:bounds[v + 1]], end[bounds[v]:bounds[v + 1]]) for v in range(n_labels)]
    return _Layer(start, end, label, packed, bounds, runs)


def _segments(layers: list[_Layer], offsets: np.ndarray, n_labels: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Cut the chunk at every span boundary and document start; returns the cuts and, per annotator, the
    category of each segment between them (0 for O, label + 1 otherwise).

    One sort of all start/end events; each annotator's covering depth and the sum of (label + 1) over its
    covering spans are running sums over the events. Where one span covers a segment, that sum is its label;
    where several do, the shortest wins (then the label first in name order)."""
    raters = len(layers)
    width = 2 * raters * (n_labels + 1) + 1               # event tag: (annotator, is end, label); last = document
    positions = [offsets]
    tags = [np.full(len(offsets), width - 1, dtype=np.int64)]
    for index, layer in enumerate(layers):
        positions += [layer.start, layer.end]
        tags += [(2 * index) * (n_labels + 1) + layer.label, (2 * index + 1) * (n_labels + 1) + layer.label]
    codes = np.sort(np.concatenate(positions) * width + np.concatenate(tags))
    position, tag = codes // width, codes % width
    last = np.flatnonzero(np.concatenate((position[1:] != position[:-1], [True])))
    cuts = position[last]
    who, rest = tag // (2 * (n_labels + 1)), tag % (2 * (n_labels + 1))
    sign = np.where(rest < n_labels + 1, 1, -1)
    value = sign * (rest % (n_labels + 1) + 1)
    categories = []
    for index, layer in enumerate(layers):
        mine = who == index
        depth = np.cumsum(np.where(mine, sign, 0))[last[:-1]]
        single = np.cumsum(np.where(mine, value, 0))[last[:-1]]
        category = np.where(depth == 1, single, 0)
        crowded = np.flatnonzero(depth >= 2)
        if len(crowded):
            _resolve(category, crowded, cuts, layer, n_labels)
        categories.append(category)
    return cuts, categories


def _resolve(category: np.ndarray, crowded: np.ndarray, cuts: np.ndarray, layer: _Layer, n_labels: int) -> None:
    """Segments covered twice or more by one annotator take the shortest covering span's label.

    Only spans that overlap another span of the same annotator can cover such a segment: in start order, those
    starting before an earlier one ends, or ending after the next one starts."""
    scale = int(cuts[-1]) + 1
    codes = np.sort((layer.start * scale + layer.end) * n_labels + layer.label)
    label, rest = codes % n_labels, codes // n_labels
    start, end = rest // scale, rest % scale
    reach = np.maximum.accumulate(end)
    involved = np.zeros(len(start), dtype=bool)
    involved[1:] = start[1:] < reach[:-1]
    involved[:-1] |= end[:-1] > start[1:]
    start, end, label = start[involved], end[involved], label[involved]
    segments, owner = spread(np.searchsorted(cuts, start), np.searchsorted(cuts, end))
    is_crowded = np.zeros(len(category), dtype=bool)
    is_crowded[crowded] = True
    keep = is_crowded[segments]
    segments, owner = segments[keep], owner[keep]
    priority = (end[owner] - start[owner]) * n_labels + label[owner]
    width = int(priority.max()) + 1
    codes = np.sort(segments * width + priority)
    segments = codes // width
    leading = np.concatenate(([True], segments[1:] != segments[:-1]))
    category[segments[leading]] = codes[leading] % width % n_labels + 1


@dataclass
class _Tally:
    """Counts that add up over chunks; every coefficient is computed from them at the end."""

    confusion: np.ndarray        # [pair, category of a, category of b] → characters
    inside: np.ndarray           # [annotator, label] → characters inside a span of the label
    inside_both: np.ndarray      # [pair, label]
    spans: np.ndarray            # [annotator, label]
    exact: np.ndarray            # [pair, label] → |A∩B|
    overlap_a: np.ndarray        # [pair, label] → spans of a overlapped by b
    overlap_b: np.ndarray
    documents: list              # per chunk: the per-document columns (see _chunk)
    identities: list             # per chunk: (document ids, names)

    @classmethod
    def empty(cls, raters: int, n_labels: int) -> _Tally:
        pairs = raters * (raters - 1) // 2
        zeros = lambda *shape: np.zeros(shape, dtype=np.int64)  # noqa: E731
        return cls(np.zeros((pairs, n_labels + 1, n_labels + 1)), zeros(raters, n_labels),
                   zeros(pairs, n_labels), zeros(raters, n_labels), zeros(pairs, n_labels),
                   zeros(pairs, n_labels), zeros(pairs, n_labels), [], [])


def _pairs(raters: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(raters) for j in range(i + 1, raters)]


def _chunk(tally: _Tally, lengths: np.ndarray, document: np.ndarray, annotator: np.ndarray, start: np.ndarray,
           end: np.ndarray, label: np.ndarray, raters: int, n_labels: int) -> None:
    """Add one run of consecutive documents to the tally; `document` indexes `lengths`."""
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    n_chars, n_documents, n_categories = int(offsets[-1]), len(lengths), n_labels + 1
    start, end = offsets[document] + start, offsets[document] + end
    layers = [_layer(start[annotator == index], end[annotator == index], label[annotator == index], n_chars,
                     n_labels) for index in range(raters)]
    cuts, categories = _segments(layers, offsets, n_labels)
    weights = np.diff(cuts)
    segment_document = np.repeat(np.arange(n_documents), np.diff(np.searchsorted(cuts, offsets)))
    document_at = np.repeat(np.arange(n_documents, dtype=np.int32), lengths)     # character → document
    span_document = [document_at[layer.start] for layer in layers]

    agreeing = np.zeros(n_documents)
    matches = np.zeros(n_documents, dtype=np.int64)
    for p, (i, j) in enumerate(_pairs(raters)):
        a, b = layers[i], layers[j]
        tally.confusion[p] += np.bincount(categories[i] * n_categories + categories[j], weights=weights,
                                          minlength=n_categories ** 2).reshape(n_categories, n_categories)
        agreeing += np.bincount(segment_document, weights=weights * (categories[i] == categories[j]),
                                minlength=n_documents)
        where = np.minimum(np.searchsorted(b.packed, a.packed), max(len(b.packed) - 1, 0))
        hit = b.packed[where] == a.packed if len(b.packed) else np.zeros(len(a.packed), dtype=bool)
        tally.exact[p] += np.bincount(a.label[hit], minlength=n_labels)
        matches += np.bincount(span_document[i][hit], minlength=n_documents)
        for v in range(n_labels):
            mine, theirs = slice(a.bounds[v], a.bounds[v + 1]), slice(b.bounds[v], b.bounds[v + 1])
            if a.bounds[v] == a.bounds[v + 1] and b.bounds[v] == b.bounds[v + 1]:
                continue
            tally.overlap_a[p, v] += np.count_nonzero(_overlapping(a.start[mine], a.end[mine], b.runs[v]))
            tally.overlap_b[p, v] += np.count_nonzero(_overlapping(b.start[theirs], b.end[theirs], a.runs[v]))
            tally.inside_both[p, v] += _covered_together(a.runs[v], b.runs[v], n_chars + 1)

    totals = np.zeros(n_documents * n_categories)
    unanimous = np.ones(len(weights), dtype=bool)
    spans = np.zeros((n_documents, raters), dtype=np.int64)
    for index, layer in enumerate(layers):
        tally.spans[index] += np.diff(layer.bounds)
        tally.inside[index] += [int((run_end - run_start).sum()) for run_start, run_end in layer.runs]
        totals += np.bincount(segment_document * n_categories + categories[index], weights=weights,
                              minlength=n_documents * n_categories)
        unanimous &= categories[index] == categories[0]
        spans[:, index] = np.bincount(span_document[index], minlength=n_documents)
    disagreeing = np.bincount(segment_document, weights=weights * ~unanimous, minlength=n_documents)
    tally.documents.append((lengths, spans, disagreeing.astype(np.int64), matches, agreeing,
                            totals.reshape(n_documents, n_categories)))


class Agreement:
    """The computation, fed documents part by part (so a corpus need not be in memory at once): `add` a Corpus
    of some documents, then `result()`. `compute` does it for one Corpus."""

    def __init__(self, annotators: Sequence[str], labels: Sequence[str], *, label: str | None = None,
                 chunk_characters: int = CHUNK_CHARACTERS):
        if len(annotators) < 2 or len(set(annotators)) != len(annotators):
            raise AgreementError("agreement needs at least two different annotators")
        self.annotators = tuple(annotators)
        self.label = label
        self.label_names = (label,) if label is not None else tuple(sorted(set(labels)))
        self.chunk_characters = chunk_characters
        self.tally = _Tally.empty(len(annotators), max(len(self.label_names), 1))

    def add(self, corpus: Corpus, *, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> None:
        """Documents are processed in runs of about chunk_characters, which bounds memory; progress(done, total)
        counts characters and cancel() is polled between runs (raising Cancelled)."""
        corpus.check()
        if corpus.annotators != self.annotators:
            raise AgreementError("a part with other annotators cannot be added")
        raters, n_labels = len(self.annotators), max(len(self.label_names), 1)
        n_documents = len(corpus.document_ids)
        present = np.zeros(n_documents * raters, dtype=bool)
        present[corpus.document * raters + corpus.annotator] = True
        compared = present.reshape(n_documents, raters).all(axis=1) | corpus.done
        # Label numbers in name order (ties of the shortest span go to the name first); -1: not compared.
        rank = np.array([self.label_names.index(name) if name in self.label_names else -1 for name in corpus.labels]
                        or [-1], dtype=np.int64)
        labels = rank[corpus.label]
        keep = compared[corpus.document] & (labels >= 0)

        chosen = np.flatnonzero(compared)
        lengths = corpus.lengths[chosen].astype(np.int64)
        renumber = np.full(n_documents, -1, dtype=np.int64)
        renumber[chosen] = np.arange(len(chosen))
        document = renumber[corpus.document[keep]]
        columns = (corpus.annotator[keep], corpus.start[keep], corpus.end[keep], labels[keep])

        # Runs of consecutive documents of about chunk_characters; (label, start, end) codes fit in 63 bits.
        limit = int((2 ** 62 // n_labels) ** 0.5) - 1
        if len(lengths) and lengths.max() > limit:
            raise AgreementError(f"a document of {lengths.max():,} characters is too long to compare")
        runs, total, begin = [], 0, 0
        for index, length in enumerate(lengths.tolist()):
            if total + length > min(self.chunk_characters, limit) and index > begin:
                runs.append((begin, index))
                begin, total = index, 0
            total += length
        runs.append((begin, len(lengths)))
        run_of_document = np.zeros(len(lengths), dtype=np.int64)
        for number, (first, stop) in enumerate(runs):
            run_of_document[first:stop] = number
        order = np.argsort(run_of_document[document].astype(np.int16 if len(runs) < 2 ** 15 else np.int64),
                          kind="stable")
        bounds = np.searchsorted(run_of_document[document][order], np.arange(len(runs) + 1))
        document, columns = document[order], [column[order] for column in columns]

        names = corpus.names or tuple(str(i) for i in corpus.document_ids.tolist())
        characters, done = int(lengths.sum()), 0
        for number, (first, stop) in enumerate(runs):
            if cancel is not None and cancel():
                raise Cancelled()
            if stop > first:
                part = slice(bounds[number], bounds[number + 1])
                _chunk(self.tally, lengths[first:stop], document[part] - first,
                       *(column[part] for column in columns), raters=raters, n_labels=n_labels)
                self.tally.identities.append((corpus.document_ids[chosen[first:stop]],
                                              [names[i] for i in chosen[first:stop].tolist()]))
            done += int(lengths[first:stop].sum())
            if progress is not None:
                progress(done, characters)

    def result(self) -> AgreementResult:
        tally, annotators, raters = self.tally, self.annotators, len(self.annotators)
        if tally.documents:
            lengths, spans, disagreeing, matches, agreeing, totals = (
                np.concatenate(parts) for parts in zip(*tally.documents))
        else:                                                   # no document compared
            lengths, disagreeing, matches, agreeing = (np.zeros(0, dtype=np.int64) for _ in range(4))
            spans, totals = np.zeros((0, raters), dtype=np.int64), np.zeros((0, max(len(self.label_names), 1) + 1))
        characters = int(lengths.sum())
        used = [v for v, _ in enumerate(self.label_names) if self.label is not None or tally.spans[:, v].sum()]
        pairs = []
        for p, (i, j) in enumerate(_pairs(raters)):
            per_label = {}
            for v in used:
                both = int(tally.inside_both[p, v])
                only_a, only_b = int(tally.inside[i, v]) - both, int(tally.inside[j, v]) - both
                table = np.array([[characters - both - only_a - only_b, only_b], [only_a, both]])
                per_label[self.label_names[v]] = _scores(tally.spans[i, v], tally.spans[j, v], tally.exact[p, v],
                                                         tally.overlap_a[p, v], tally.overlap_b[p, v],
                                                         cohen_kappa(table))
            overall = _scores(tally.spans[i].sum(), tally.spans[j].sum(), tally.exact[p].sum(),
                              tally.overlap_a[p].sum(), tally.overlap_b[p].sum(), cohen_kappa(tally.confusion[p]))
            pairs.append(PairAgreement(annotators[i], annotators[j], overall, per_label))

        # Σ_u Σ_c n_uc² = Σ_u Σ_a Σ_b [a and b chose the same] = m·N + 2·Σ_pairs (characters in the same category)
        sum_squares = raters * characters + 2 * float(np.trace(tally.confusion, axis1=1, axis2=2).sum())
        category_totals = totals.sum(axis=0)
        fleiss = _fleiss(sum_squares, category_totals, characters, raters)
        alpha = _alpha((raters * raters * characters - sum_squares) / (raters - 1), category_totals)

        document_squares = raters * lengths + 2 * agreeing
        values = raters * lengths.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            document_alpha = 1 - (values - 1) * ((raters * values - document_squares) / (raters - 1)) / (
                values ** 2 - (totals ** 2).sum(axis=1))
        defined = np.count_nonzero(totals, axis=1) >= 2
        span_pairs = (raters - 1) * spans.sum(axis=1)            # Σ_pairs (|A_d| + |B_d|)
        ids = [i for part, _ in tally.identities for i in part.tolist()]
        names = [name for _, part in tally.identities for name in part]
        rows = [DocumentAgreement(ids[k], names[k], int(lengths[k]), tuple(spans[k].tolist()), int(disagreeing[k]),
                                  _f1(int(matches[k]), int(span_pairs[k]), 0),
                                  float(document_alpha[k]) if defined[k] else None) for k in range(len(ids))]
        rows.sort(key=lambda row: (-row.disagreement, 2.0 if row.f1_exact is None else row.f1_exact,
                                   row.document_id))
        return AgreementResult(annotators, tuple(self.label_names[v] for v in used), len(rows), characters,
                               tuple(pairs), fleiss, alpha, tuple(rows))


def compute(corpus: Corpus, *, label: str | None = None, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None, chunk_characters: int = CHUNK_CHARACTERS) -> AgreementResult:
    """All the measures of the module docstring for the corpus's annotators (optionally one label only)."""
    running = Agreement(corpus.annotators, corpus.labels, label=label, chunk_characters=chunk_characters)
    running.add(corpus, progress=progress, cancel=cancel)
    return running.result()


def _scores(size_a, size_b, matches, matched_a, matched_b, kappa: float | None) -> Scores:
    size_a, size_b, matches, matched_a, matched_b = map(int, (size_a, size_b, matches, matched_a, matched_b))
    return Scores(size_a, size_b, matches, matched_a, matched_b, _f1(matches, size_a, size_b),
                  _f1_overlap(matched_a, size_a, matched_b, size_b), kappa)
