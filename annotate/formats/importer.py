"""Import a doccano / Prodigy / CLUENER JSONL or Label Studio JSON file as spans, all or nothing.

Two phases. Reading: the whole file is parsed and checked, and its documents, spans and comments are set aside
in the database's temporary tables (db.transfer.ImportSpool) without taking the write lock, so the window
keeps saving edits meanwhile; every problem in the file is reported at once, and a refused or cancelled file
never touches the database. Writing: one transaction matches documents by their normalized text (or creates
them), creates missing labels and annotators, inserts the spans in one statement with origin 'imported',
skipping exact duplicates (already stored, or repeated in the file), and adds the comments. The write lock is
held only for that: about 3 s for a million spans, within the time an edit in the window waits for it.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from annotate.formats.records import (CommentIn, FormatError, Position, Problem, Record, Skipped,
                                      detect_format, read_records)
from corpus.script import detect_script
from corpus.text import content_hash
from db import annotators, labels, transfer
from db import comments as comment_rows
from db.engine import Database
from db.models import Document, Origin, ReviewStatus, Status
from db.spans import find_exact

PROBLEMS_LISTED = 100  # problems kept in the report; all are counted
_BATCH_RECORDS = 500   # new texts spooled together (they are what a batch holds in memory)
_BATCH_SPANS = 20_000
DOCUMENT_NAME_MAX = Document.__table__.c.name.type.length
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
    """Import `path` (fmt 'auto', 'doccano', 'prodigy', 'cluener' or 'labelstudio') as spans of `annotator`.

    With `annotator` None, each record's own annotator is used (meta.annotator of Zhubi's exports, Prodigy's
    _annotator_id, Label Studio's completed_by); records with spans and no annotator are problems.
    `offset_unit` 'utf16' reads offsets counted in UTF-16 units (doccano's and other JavaScript tools' own
    exports; a record whose meta.offset_unit says how Zhubi exported it is read that way). Problems, a cancel
    or an error leave the database exactly as it was; the report says which.
    progress(done, total) counts bytes of a JSONL file, characters of a Label Studio one, while the file is
    read; the write follows the last call. cancel() is polled after every line (task) and during the write.
    Another program writing to the database when the write starts is waited for (db.transfer.WRITE_WAIT_MS);
    if it keeps the database locked longer, sqlalchemy's OperationalError ("database is locked") is raised and
    nothing is imported.
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
        report.add_problem(Problem(str(path), 1, "not a doccano, Prodigy or CLUENER JSONL file nor a Label Studio JSON export"))
        return report
    items = read_records(path, fmt, annotator=annotator, offset_unit=offset_unit)
    with transfer.ImportSpool(database.engine) as spool:
        stager = _Stager(spool, report, str(path))
        try:
            for item in items:
                kind = type(item)
                if kind is Record:
                    if not report.problem_count:
                        stager.stage(item)
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
            stager.flush()
            try:
                with spool.write() as writer:
                    stager.write(writer, cancel)
            except transfer.Interrupted:
                report.cancelled = True
            except BaseException:
                report._forget_writes()
                raise
        if not report.imported:
            report._forget_writes()
    return report


class _Stager:
    """Reading: sets each checked record aside in the spool under keys for its document (one per distinct
    text), labels and annotator. Writing: maps the keys to ids and lets the database insert the spans."""

    def __init__(self, spool: transfer.ImportSpool, report: ImportReport, source: str):
        self.spool = spool
        self.report = report
        self.source = source
        self.document_keys: dict[str, int] = {}   # content hash -> key
        self.label_keys: dict[str, int] = {}      # label name -> key, in order of first use
        self.annotator_keys: dict[str, int] = {}  # annotator name -> key, in order of first use
        self.new_documents: list[tuple[int, str, Record]] = []  # (key, hash, first record) not spooled yet
        self.rows: list[tuple] = []
        # (document key, annotator, span or None, comment): comments need the ids of the spans they are on.
        self.comments: list[tuple[int, str | None, tuple | None, CommentIn]] = []

    def stage(self, record: Record) -> None:
        digest = content_hash(record.text)
        key = self.document_keys.get(digest)
        if key is None:
            key = self.document_keys[digest] = len(self.document_keys) + 1
            self.new_documents.append((key, digest, record))
        if record.spans:
            annotator = self.annotator_keys.get(record.annotator) or self._key(self.annotator_keys, record.annotator)
            labels = self.label_keys
            self.rows.extend([(key, labels.get(label) or self._key(labels, label), annotator, start, end, note,
                               provenance) for start, end, label, note, provenance in record.spans])
        for comment in record.comments:
            span = None if comment.span is None else record.spans[comment.span][:3]
            self.comments.append((key, record.annotator, span, comment))
        if len(self.rows) >= _BATCH_SPANS or len(self.new_documents) >= _BATCH_RECORDS:
            self.flush()

    @staticmethod
    def _key(keys: dict[str, int], name: str) -> int:
        key = keys[name] = len(keys) + 1
        return key

    def flush(self) -> None:
        """Into the spool. The script of a text is worked out only when no stored document has it."""
        stored = self.spool.stored_hashes([digest for _, digest, _ in self.new_documents])
        rows = []
        for key, digest, record in self.new_documents:
            script = None if digest in stored else detect_script(record.text).value
            name = (record.name or f"{Path(self.source).name}:{record.line}")[:DOCUMENT_NAME_MAX]
            rows.append((key, digest, name, record.text, script, (record.status or Status.NEW).value,
                         (record.review_status or ReviewStatus.UNREVIEWED).value, self.source))
        self.spool.add(rows, self.rows)
        self.new_documents, self.rows = [], []

    def write(self, writer: transfer.SpoolWriter, cancel: Callable[[], bool] | None) -> None:
        session, report = writer.session, self.report
        known = {label.name: label.id for label in labels.all_labels(session)}
        label_ids = {name: known.get(name) or self._new_label(session, known, name) for name in self.label_keys}
        annotator_ids = {name: annotators.annotator_id(session, name) for name in self.annotator_keys}
        report.annotators = list(self.annotator_keys)
        writer.keys(transfer.LABEL, {self.label_keys[name]: ident for name, ident in label_ids.items()})
        writer.keys(transfer.ANNOTATOR, {self.annotator_keys[name]: ident for name, ident in annotator_ids.items()})
        report.documents_created, report.documents_matched = writer.documents(detect_script)
        report.spans_added, report.duplicates = writer.spans(origin=Origin.IMPORTED, cancel=cancel)
        if self.comments:
            self._comments(session, writer.document_ids, label_ids, annotator_ids)

    def _new_label(self, session: Session, known: dict[str, int], name: str) -> int:
        colour = NEW_LABEL_COLOURS[zlib.crc32(name.encode("utf-8")) % len(NEW_LABEL_COLOURS)]
        known[name] = labels.add_label(session, name=name, display=name, color=colour).id
        self.report.labels_created.append(name)
        return known[name]

    def _comments(self, session: Session, document_ids: dict[int, int], label_ids: dict[str, int],
                  annotator_ids: dict[str, int]) -> None:
        for key, annotator, span, comment in self.comments:
            document_id = document_ids[key]
            span_id = None
            if span is not None:
                start, end, label = span
                span_id = find_exact(session, document_id=document_id, label_id=label_ids[label],
                                     annotator_id=annotator_ids[annotator], start=start, end=end)
            author = annotator_ids.get(comment.author) or annotators.annotator_id(session, comment.author)
            if comment_rows.find(session, document_id=document_id, annotator_id=author, text=comment.text,
                                 span_id=span_id) is None:
                comment_rows.add_comment(session, document_id=document_id, annotator_id=author,
                                         text=comment.text, span_id=span_id, created_at=comment.created_at)
                self.report.comments_added += 1
