"""Export spans as JSONL: one line per document and annotator, streamed so memory stays flat.

doccano: {"id", "text", "label": [[start, end, "LABEL"], ...], "meta"}
prodigy: {"text", "tokens": [{"text", "start", "end", "id"}], "spans": [{"start", "end", "token_start",
          "token_end", "label"}], "meta"}  (token_end inclusive, tokens from the project's segmentation)
Offsets are code points into the stored text. Lines come in document id order, then annotator name; spans in
(start, end, label) order, so the same data always gives the same bytes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate, groupby
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Sequence, TextIO

import msgspec

from annotate.atomic import atomic_output
from annotate.formats.offsets import TokenIndex
from annotate.formats.records import (META_ANNOTATOR, META_COMMENTS, META_DOCUMENT, META_ID, META_NOTES,
                                      META_PROVENANCE, META_REVIEW_STATUS, META_STATUS)
from db import annotators as annotator_rows
from db import comments as comment_rows
from db import documents, labels, transfer
from db.comments import CommentRow
from db.documents import DocumentInfo
from db.engine import Database
from db.models import Script, Status

EXPORT_FORMATS = ("doccano", "prodigy")
GOLD = "gold"  # the annotator that holds the adjudicated set
MISALIGNED_LISTED = 1000  # spans off token boundaries kept in the report; all are counted

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class ExportError(ValueError):
    """An export that cannot start (unknown annotator or format, output not writable)."""


@dataclass(frozen=True)
class Misaligned:
    """A span whose start or end is inside a token (it is exported exactly; its tokens cover it)."""

    document_id: int
    document: str
    annotator: str
    start: int
    end: int
    label: str
    text: str

    def __str__(self) -> str:
        return f"{self.document} (id {self.document_id}) {self.annotator} [{self.start}, {self.end}) " \
               f"{self.label} {self.text!r}"


@dataclass
class ExportReport:
    format: str
    lines: int = 0
    documents: int = 0
    spans: int = 0
    annotators: list[str] = field(default_factory=list)
    misaligned_count: int = 0
    misaligned: list[Misaligned] = field(default_factory=list)  # the first MISALIGNED_LISTED
    cancelled: bool = False


def export_jsonl(database: Database, out: str | os.PathLike | TextIO, *, fmt: str = "doccano",
                 annotators: Sequence[str] | None = None, statuses: Iterable[Status | str] | None = None,
                 include_empty: bool = False, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> ExportReport:
    """Write the spans of `annotators` (all when None) in documents of `statuses` (all when None) to `out`.

    `out` is a path (written to a temporary file beside it and renamed at the end, so a failed or cancelled
    export never leaves a half-written file) or an open text stream. `include_empty` adds one line without
    annotator for each selected document that has no spans from the chosen annotators. Runs in any thread:
    progress(spans done, spans total) is called after each document, cancel() polled as often.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of {', '.join(EXPORT_FORMATS)})")
    wanted = None if statuses is None else [Status(status) for status in statuses]
    if isinstance(out, (str, os.PathLike)):
        with atomic_output(Path(out), ExportError) as (stream, keep):
            report = _export(database, _BinarySink(stream), fmt, annotators, wanted, include_empty, progress, cancel)
            keep(not report.cancelled)
        return report
    return _export(database, _TextSink(out), fmt, annotators, wanted, include_empty, progress, cancel)


def _export(database: Database, out: _TextSink | _BinarySink, fmt: str, annotator_names: Sequence[str] | None,
            statuses: list[Status] | None, include_empty: bool, progress: Progress | None,
            cancel: Cancel | None) -> ExportReport:
    report = ExportReport(fmt)
    with database.session() as session:
        transfer.read_snapshot(session)  # the whole export sees one moment, edits made meanwhile wait for the next
        known = annotator_rows.names(session)
        if annotator_names is None:
            chosen = dict(known)
        else:
            by_name = {name: annotator_id for annotator_id, name in known.items()}
            missing = [name for name in annotator_names if name not in by_name]
            if missing:
                raise ExportError(f"unknown annotator {', '.join(map(repr, missing))} "
                                  f"(known: {', '.join(sorted(by_name)) or 'none'})")
            chosen = {by_name[name]: name for name in annotator_names}
        annotator_ids = None if annotator_names is None else list(chosen)
        label_names = {label.id: label.name for label in labels.all_labels(session)}
        quoted = {name: encode_basestring(name) for name in label_names.values()}
        infos = documents.all_infos(session, statuses=statuses)
        total = transfer.count_layers(session, annotator_ids=annotator_ids, statuses=statuses)
        commented = comment_rows.documents_with_comments(session)
        if fmt == "prodigy":
            from corpus.segment import DocumentTokenLengths

            lines = _ProdigyLines(quoted, DocumentTokenLengths(database, session), report)
        else:
            lines = _DoccanoLines(quoted)
        used: set[str] = set()
        groups = groupby(transfer.stream_layers(session, annotator_ids=annotator_ids, statuses=statuses),
                         key=itemgetter(0))
        group = next(groups, None)
        for info in infos:
            if group is not None and group[0] == info.id:
                rows = list(group[1])
                group = next(groups, None)
            elif include_empty:
                rows = []
            else:
                continue
            text = documents.text_of(session, info.id)
            notes = comment_rows.for_document(session, info.id) if info.id in commented else []
            layers = sorted(((chosen[annotator_id], list(layer))
                             for annotator_id, layer in groupby(rows, key=itemgetter(1))), key=itemgetter(0))
            document = _Document(info, text, notes)
            if not layers:
                out.write(*lines.line(document, None, []))
                report.lines += 1
            for annotator, layer in layers:
                spans = sorted([(start, end, label_names[label_id], note, provenance, span_id)
                                for _, _, label_id, start, end, note, provenance, span_id in layer])
                out.write(*lines.line(document, annotator, spans))
                report.lines += 1
                report.spans += len(spans)
                used.add(annotator)
            report.documents += 1
            if progress:
                progress(report.spans, total)
            if cancel and cancel():
                report.cancelled = True
                break
    report.annotators = sorted(used)
    return report


@dataclass
class _Document:
    info: DocumentInfo
    text: str
    comments: list[CommentRow]
    _text_json: str | None = None
    _head: str | None = None

    @property
    def text_json(self) -> str:
        if self._text_json is None:
            self._text_json = encode_basestring(self.text)
        return self._text_json

    def head(self, template: str) -> str:
        """The start of each of the document's lines, made once (a sink recognizes it and encodes it once)."""
        if self._head is None:
            self._head = template.format(id=self.info.id, text=self.text_json)
        return self._head


def _meta(document: _Document, annotator: str | None, spans: list[tuple]) -> dict:
    """Who and what the line is about, and what does not fit the format's span layout (by span index)."""
    info = document.info
    meta = {META_DOCUMENT: info.name, META_ANNOTATOR: annotator, META_STATUS: info.status.value,
            META_REVIEW_STATUS: info.review_status.value}
    notes = {str(index): span[3] for index, span in enumerate(spans) if span[3]}
    if notes:
        meta[META_NOTES] = notes
    provenance = {str(index): _provenance(span[4]) for index, span in enumerate(spans) if span[4]}
    if provenance:
        meta[META_PROVENANCE] = provenance
    if document.comments:
        index_of = {span[5]: index for index, span in enumerate(spans)}
        comments = [{"span": None if comment.span_id is None else index_of[comment.span_id],
                     "author": comment.author, "text": comment.text, "created_at": _timestamp(comment.created_at)}
                    for comment in document.comments if comment.span_id is None or comment.span_id in index_of]
        if comments:
            meta[META_COMMENTS] = comments
    return meta


def _provenance(text: str):
    """Stored provenance is JSON and travels as JSON; anything else travels as a string."""
    try:
        return _decode_json(text)  # msgspec: a third of json's time, and gold has provenance on every span
    except msgspec.DecodeError:
        pass
    try:
        value, end = _DECODER.raw_decode(text)  # what msgspec refuses and json reads (NaN, lone surrogates)
    except ValueError:
        return text
    return value if end == len(text) or not text[end:].strip() else text


_DECODER = json.JSONDecoder()
_decode_json = msgspec.json.Decoder().decode
_META_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # meta keys sorted: the same bytes every time


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back the UTC time it stored without its zone
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


_DOCCANO_HEAD = '{{"id": {id}, "text": {text}, "label": ['


class _TextSink:
    """Lines to a text stream the caller opened. A line is its document's head (the same str object for all
    the document's lines) and the rest."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, head: str, rest: str) -> None:
        self.stream.write(head)
        self.stream.write(rest)


class _BinarySink:
    """Lines to a file opened here, as UTF-8: a head (text, and for Prodigy the tokens: most of a line) is
    encoded once per document, not once per line."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self._head: str | None = None
        self._encoded = b""

    def write(self, head: str, rest: str) -> None:
        if head is not self._head:
            self._head, self._encoded = head, head.encode("utf-8")
        self.stream.write(self._encoded)
        self.stream.write(rest.encode("utf-8"))


# Lines are assembled from pieces that json would produce itself (test: each line equals json.dumps of its parse):
# twice as fast as json.dumps of a dict per span. encode_basestring is json's own string encoder for
# ensure_ascii=False.
class _DoccanoLines:
    def __init__(self, quoted_labels: dict[str, str]):
        self.quoted = quoted_labels

    def line(self, document: _Document, annotator: str | None, spans: list[tuple]) -> tuple[str, str]:
        quoted = self.quoted
        labels = ", ".join([f"[{start}, {end}, {quoted[label]}]" for start, end, label, _, _, _ in spans])
        meta = _META_ENCODER.encode(_meta(document, annotator, spans))
        return document.head(_DOCCANO_HEAD), f'{labels}], "meta": {meta}}}\n'


class _ProdigyLines:
    def __init__(self, quoted_labels: dict[str, str], token_lengths: Callable[[int, str, Script], list[int]],
                 report: ExportReport):
        self.quoted = quoted_labels
        self.token_lengths = token_lengths
        self.report = report
        self._tokens_for: int | None = None

    def _tokens(self, document: _Document) -> None:
        """The document's tokens as JSON (made once, shared by all its lines) and where each starts and ends."""
        if self._tokens_for == document.info.id:
            return
        ends = list(accumulate(self.token_lengths(document.info.id, document.text, document.info.script)))
        starts = [0, *ends[:-1]]
        text = document.text
        self._token_json = "[" + ", ".join([
            f'{{"text": {encode_basestring(text[start:end])}, "start": {start}, "end": {end}, "id": {number}}}'
            for number, (start, end) in enumerate(zip(starts, ends))]) + "]"
        self._first = dict(zip(starts, range(len(starts))))  # token starting at an offset
        self._last = dict(zip(ends, range(len(ends))))       # token ending at an offset
        self._index = TokenIndex.from_bounds(starts, ends)
        self._head = f'{{"text": {document.text_json}, "tokens": {self._token_json}, "spans": ['
        self._tokens_for = document.info.id

    def line(self, document: _Document, annotator: str | None, spans: list[tuple]) -> tuple[str, str]:
        self._tokens(document)
        first_of, last_of, quoted = self._first.get, self._last.get, self.quoted
        entries = []
        for start, end, label, _, _, _ in spans:
            first, last = first_of(start), last_of(end)  # two lookups instead of two bisections
            if first is None or last is None:  # not on token boundaries: the tokens holding its ends
                first, last, _ = self._index.cover(start, end)
                self._misaligned(document, annotator, start, end, label)
            entries.append(f'{{"start": {start}, "end": {end}, "token_start": {first}, "token_end": {last}, '
                           f'"label": {quoted[label]}}}')
        meta = _META_ENCODER.encode({META_ID: document.info.id, **_meta(document, annotator, spans)})
        return self._head, f'{", ".join(entries)}], "meta": {meta}}}\n'

    def _misaligned(self, document: _Document, annotator: str, start: int, end: int, label: str) -> None:
        self.report.misaligned_count += 1
        if len(self.report.misaligned) < MISALIGNED_LISTED:
            self.report.misaligned.append(Misaligned(document.info.id, document.info.name, annotator, start, end,
                                                     label, document.text[start:end]))

