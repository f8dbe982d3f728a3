"""Import a doccano / Prodigy JSONL or Label Studio JSON file as one annotator's spans, all or nothing.

The file is read once inside one transaction: documents are matched by their normalized text (or created),
missing labels are created, spans are inserted in bulk with origin 'imported', and exact duplicates (already
stored, or repeated in the file) are skipped and counted. Any problem in the file rolls everything back, after
the whole file has been read so that every problem is reported at once.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from annotate.formats.records import (FormatError, Position, Problem, Record, Skipped, detect_format,
                                      read_records)
from corpus.script import detect_script
from corpus.text import content_hash
from db import annotators, documents, labels, transfer
from db import comments as comment_rows
from db.engine import Database
from db.models import Origin, ReviewStatus, Status
from db.spans import find_exact

PROBLEMS_LISTED = 100  # problems kept in the report; all are counted
_BATCH_RECORDS = 500   # records written together (their texts are what a batch holds in memory)
_BATCH_SPANS = 20_000
DOCUMENT_NAME_MAX = 512  # db.models.Document.name
# Colours for labels a file brings in, picked by name so the same label gets the same colour everywhere.
NEW_LABEL_COLOURS = ("#e9c46a", "#8ab17d", "#b56576", "#6d597a", "#4ea8de", "#f28482", "#84a59d", "#bc6c25",
                     "#7209b7", "#588157")


@dataclass
class ImportReport:
    path: str
    format: str
    documents_created: int = 0
    documents_matched: int = 0
    spans_added: int = 0
    duplicates: int = 0       # exact duplicates skipped (already stored, or twice in the file)
    comments_added: int = 0
    labels_created: list[str] = field(default_factory=list)
    annotators: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> count: rejected answers, non-span results
    problems: list[Problem] = field(default_factory=list)  # the first PROBLEMS_LISTED
    problem_count: int = 0
    cancelled: bool = False
    unconfirmed_lines: int = 0  # see Record.unconfirmed_units
    first_unconfirmed_line: int = 0

    @property
    def warnings(self) -> list[str]:
        if not self.unconfirmed_lines:
            return []
        return [f"{self.path}: {self.unconfirmed_lines} line(s) (first: line {self.first_unconfirmed_line}) contain "
                "characters beyond U+FFFF and give no span texts to check the offsets against; they were read as "
                "code points. If the file came from doccano or another JavaScript tool, its offsets count UTF-16 "
                "units: use the UTF-16 option"]

    @property
    def refused(self) -> bool:
        return self.problem_count > 0

    @property
    def imported(self) -> bool:
        return not self.refused and not self.cancelled

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_LISTED:
            self.problems.append(problem)

    def summary(self) -> str:
        if self.refused:
            more = self.problem_count - len(self.problems)
            return (f"{self.path}: refused, nothing imported: {self.problem_count} problem(s)"
                    + (f" ({more} not listed)" if more else ""))
        if self.cancelled:
            return f"{self.path}: cancelled, nothing imported"
        parts = [f"{self.spans_added} spans added", f"{self.duplicates} duplicates skipped",
                 f"{self.documents_created} documents created", f"{self.documents_matched} matched"]
        if self.labels_created:
            parts.append(f"new labels {', '.join(self.labels_created)}")
        if self.comments_added:
            parts.append(f"{self.comments_added} comments")
        if self.skipped:
            parts.append("not imported: " + ", ".join(f"{n} × {reason}" for reason, n in sorted(self.skipped.items())))
        return f"{self.path} ({self.format}, annotators {', '.join(self.annotators) or 'none'}): " + "; ".join(parts)

    def _forget_writes(self) -> None:
        """After a rollback nothing was imported: the counts must say so."""
        self.documents_created = self.documents_matched = self.spans_added = self.duplicates = 0
        self.comments_added = 0
        self.labels_created, self.annotators = [], []


def import_jsonl(database: Database, path: str | Path, *, fmt: str = "auto", annotator: str | None = None,
                 offset_unit: str = "codepoint", progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> ImportReport:
    """Import `path` (fmt 'auto', 'doccano', 'prodigy' or 'labelstudio') as spans of `annotator`.

    With `annotator` None, each record's own annotator is used (meta.annotator of Zhubi's exports, Prodigy's
    _annotator_id, Label Studio's completed_by); records with spans and no annotator are problems.
    `offset_unit` 'utf16' reads offsets counted in UTF-16 units (doccano's and other JavaScript tools' own
    exports). Problems, a cancel or an error leave the database exactly as it was; the report says which.
    progress(done, total) counts bytes of a JSONL file, characters of a Label Studio one; cancel() is polled
    after every line (task).
    """
    path = Path(path)
    if annotator is not None and not annotator.strip():
        raise FormatError("the annotator name is empty")
    try:
        fmt = detect_format(path) if fmt == "auto" else fmt
    except OSError as error:
        report = ImportReport(str(path), fmt)
        report.add_problem(Problem(str(path), 0, f"cannot read the file: {error.strerror}"))
        return report
    report = ImportReport(str(path), fmt)
    if fmt == "txt":
        report.add_problem(Problem(str(path), 1, "not a doccano or Prodigy JSONL file nor a Label Studio JSON export"))
        return report
    items = read_records(path, fmt, annotator=annotator, offset_unit=offset_unit)
    with database.session() as session:  # leaving it without a commit rolls back, whatever happened
        loader = _Loader(session, report, str(path))
        try:
            for item in items:
                kind = type(item)
                if kind is Record:
                    if not report.problem_count:
                        loader.load(item)
                    if item.unconfirmed_units:
                        report.unconfirmed_lines += 1
                        report.first_unconfirmed_line = report.first_unconfirmed_line or item.line
                elif kind is Position:
                    if progress:
                        progress(item.done, item.total)
                    if cancel and cancel():
                        report.cancelled = True
                        break
                elif kind is Problem:
                    report.add_problem(item)
                elif kind is Skipped:
                    report.skipped[item.reason] += 1
        except OSError as error:
            report.add_problem(Problem(str(path), 0, f"cannot read the file: {error.strerror}"))
        if report.imported:
            loader.flush()
            session.commit()
        else:
            session.rollback()
            report._forget_writes()
    return report


class _Loader:
    """Writes checked records inside the caller's transaction, a batch at a time: one query finds a batch's
    documents by text hash, one statement creates the missing ones, one executemany adds the spans."""

    def __init__(self, session: Session, report: ImportReport, source: str):
        self.session = session
        self.report = report
        self.source = source
        self.labels = {label.name: label.id for label in labels.all_labels(session)}
        self.annotators: dict[str, int] = {}
        self.matched: set[int] = set()
        self.batch: list[Record] = []
        self.batch_spans = 0

    def load(self, record: Record) -> None:
        self.batch.append(record)
        self.batch_spans += len(record.spans)
        if len(self.batch) >= _BATCH_RECORDS or self.batch_spans >= _BATCH_SPANS:
            self.flush()

    def flush(self) -> None:
        batch, self.batch, self.batch_spans = self.batch, [], 0
        if not batch:
            return
        document_ids = self._documents(batch)
        rows = []
        label_ids = self.labels
        for record, document_id in zip(batch, document_ids):
            if record.spans:
                annotator_id = self._annotator(record.annotator)
                for start, end, label, note, provenance in record.spans:
                    label_id = label_ids.get(label) or self._new_label(label)
                    rows.append((document_id, label_id, annotator_id, start, end, note, provenance))
        if rows:
            inserted, skipped = transfer.insert_spans(self.session, rows, origin=Origin.IMPORTED)
            self.report.spans_added += inserted
            self.report.duplicates += skipped
        for record, document_id in zip(batch, document_ids):
            if record.comments:  # after the spans: a comment on a span needs the span's id
                self._comments(record, document_id)

    def _documents(self, batch: list[Record]) -> list[int]:
        """The document id of each record: matched by the hash of its normalized text, created when missing."""
        digests = [content_hash(record.text) for record in batch]
        found = documents.ids_by_hash(self.session, digests)
        self.matched.update(found.values())
        self.report.documents_matched = len(self.matched)
        new: dict[str, dict] = {}
        for record, digest in zip(batch, digests):
            if digest not in found and digest not in new:
                new[digest] = dict(
                    name=(record.name or f"{Path(self.source).name}:{record.line}")[:DOCUMENT_NAME_MAX],
                    text=record.text, content_hash=digest, script=detect_script(record.text),
                    source_path=self.source, status=record.status or Status.NEW,
                    review_status=record.review_status or ReviewStatus.UNREVIEWED)
        if new:
            found.update(zip(new, documents.add_documents(self.session, list(new.values()))))
            self.report.documents_created += len(new)
        return [found[digest] for digest in digests]

    def _annotator(self, name: str) -> int:
        found = self.annotators.get(name)
        if found is None:
            found = self.annotators[name] = annotators.annotator_id(self.session, name)
            self.report.annotators.append(name)
        return found

    def _new_label(self, name: str) -> int:
        colour = NEW_LABEL_COLOURS[zlib.crc32(name.encode("utf-8")) % len(NEW_LABEL_COLOURS)]
        self.labels[name] = labels.add_label(self.session, name=name, display=name, color=colour).id
        self.report.labels_created.append(name)
        return self.labels[name]

    def _comments(self, record: Record, document_id: int) -> None:
        for comment in record.comments:
            span_id = None
            if comment.span is not None:
                start, end, label, _, _ = record.spans[comment.span]
                span_id = find_exact(self.session, document_id=document_id, label_id=self.labels[label],
                                     annotator_id=self.annotators[record.annotator], start=start, end=end)
            author = self.annotators.get(comment.author) or annotators.annotator_id(self.session, comment.author)
            if comment_rows.find(self.session, document_id=document_id, annotator_id=author, text=comment.text,
                                 span_id=span_id) is None:
                comment_rows.add_comment(self.session, document_id=document_id, annotator_id=author,
                                         text=comment.text, span_id=span_id, created_at=comment.created_at)
                self.report.comments_added += 1
