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
from corpus.documents import store_text
from corpus.text import content_hash
from db import annotators, documents, labels, transfer
from db import comments as comment_rows
from db.engine import Database
from db.models import Origin, Status
from db.spans import find_exact

PROBLEMS_LISTED = 100  # problems kept in the report; all are counted
_CHUNK = 5_000
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
    progress(done, total) counts bytes of the file; cancel() is polled after every line.
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
    """Writes checked records inside the caller's transaction, caching ids by name and by text hash."""

    def __init__(self, session: Session, report: ImportReport, source: str):
        self.session = session
        self.report = report
        self.source = source
        self.documents: dict[str, int] = {}
        self.labels = {label.name: label.id for label in labels.all_labels(session)}
        self.annotators: dict[str, int] = {}
        self.pending: list[tuple] = []

    def load(self, record: Record) -> None:
        document_id = self._document(record)
        if not record.spans and not record.comments:
            return
        annotator_id = self._annotator(record.annotator) if record.spans else None
        label_ids = self.labels
        pending = self.pending
        for start, end, label, note, provenance in record.spans:
            label_id = label_ids.get(label) or self._new_label(label)
            pending.append((document_id, label_id, annotator_id, start, end, note, provenance))
        if record.comments:
            self.flush()  # comments on spans need the spans' ids
            self._comments(record, document_id, annotator_id)
        elif len(pending) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            inserted, skipped = transfer.insert_spans(self.session, self.pending, origin=Origin.IMPORTED)
            self.report.spans_added += inserted
            self.report.duplicates += skipped
            self.pending = []

    def _document(self, record: Record) -> int:
        digest = content_hash(record.text)
        found = self.documents.get(digest)
        if found is not None:
            return found
        found = documents.ids_by_hash(self.session, [digest]).get(digest)
        if found is None:
            name = (record.name or f"{Path(self.source).name}:{record.line}")[:DOCUMENT_NAME_MAX]
            found, _ = store_text(self.session, name=name, text=record.text, source_path=self.source)
            if record.status is not None and record.status is not Status.NEW:
                documents.set_status(self.session, found, record.status)
            self.report.documents_created += 1
        else:
            self.report.documents_matched += 1
        self.documents[digest] = found
        return found

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

    def _comments(self, record: Record, document_id: int, annotator_id: int | None) -> None:
        for comment in record.comments:
            span_id = None
            if comment.span is not None:
                start, end, label, _, _ = record.spans[comment.span]
                span_id = find_exact(self.session, document_id=document_id, label_id=self.labels[label],
                                     annotator_id=annotator_id, start=start, end=end)
            author = self.annotators.get(comment.author) or annotators.annotator_id(self.session, comment.author)
            if comment_rows.find(self.session, document_id=document_id, annotator_id=author, text=comment.text,
                                 span_id=span_id) is None:
                comment_rows.add_comment(self.session, document_id=document_id, annotator_id=author,
                                         text=comment.text, span_id=span_id, created_at=comment.created_at)
                self.report.comments_added += 1
