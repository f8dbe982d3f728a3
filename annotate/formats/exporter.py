"""Export spans for training and for other tools, streamed so memory stays flat in the number of spans.

Formats (layouts in annotate.formats.layouts, README "Exporting and importing labels" for examples):
doccano, prodigy, cluener (JSONL, a line per document and annotator), labelstudio (a JSON array of tasks, one
per document) and conll (character per line with BIO/BIOES/BMES tags; one file per annotator when several are
exported). Offsets are code points into the stored text (doccano and labelstudio: UTF-16 units on request).
Documents come in id order, annotators by name, spans in (start, end, label) order, so the same data always
gives the same bytes.
"""

from __future__ import annotations

import os
import re
from contextlib import ExitStack
from itertools import groupby
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Sequence, TextIO

from annotate.atomic import atomic_output
from annotate.formats import layouts
from annotate.formats.conll import SCHEMES
from annotate.formats.layouts import Document, Sink
from annotate.formats.records import OFFSET_UNITS
from annotate.formats.report import ExportReport
from db import annotators as annotator_rows
from db import comments as comment_rows
from db import documents, labels, transfer
from db.engine import Database
from db.models import ReviewStatus, Status

EXPORT_FORMATS = ("doccano", "prodigy", "cluener", "labelstudio", "conll")
UTF16_FORMATS = ("doccano", "labelstudio")  # tools with JavaScript front ends, which may count UTF-16 units
SUFFIXES = {"labelstudio": ".json", "conll": ".conll"}  # file name endings (others: .jsonl)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class ExportError(ValueError):
    """An export that cannot start (unknown annotator, format or option; output not writable)."""


def export_jsonl(database: Database, out: str | os.PathLike | TextIO, *, fmt: str = "doccano",
                 annotators: Sequence[str] | None = None, statuses: Iterable[Status | str] | None = None,
                 review_statuses: Iterable[ReviewStatus | str] | None = None, include_empty: bool = False,
                 scheme: str = "bio", offset_unit: str = "codepoint", progress: Progress | None = None,
                 cancel: Cancel | None = None) -> ExportReport:
    """Write the spans of `annotators` (all when None) in documents of `statuses` and `review_statuses` (all
    when None) to `out`.

    `out` is a path (written to a temporary file beside it and renamed at the end, so a failed or cancelled
    export never leaves a half-written file) or an open text stream. `include_empty` adds the selected
    documents that have no spans from the chosen annotators (one line without annotator; a task without
    annotations; CoNLL: all O). `scheme` is the CoNLL tagging (bio, bioes, bmes); `offset_unit` 'utf16'
    counts doccano and Label Studio offsets in UTF-16 units. CoNLL with other than exactly one annotator writes
    one file per annotator (see annotator_path), never to a stream. Runs in any thread: progress(spans done,
    spans total) is called after each document, cancel() polled as often.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (expected one of {', '.join(EXPORT_FORMATS)})")
    if scheme not in SCHEMES:
        raise ExportError(f"unknown tagging scheme {scheme!r} (expected one of {', '.join(SCHEMES)})")
    if offset_unit not in OFFSET_UNITS:
        raise ExportError(f"unknown offset unit {offset_unit!r} (expected one of {', '.join(OFFSET_UNITS)})")
    if offset_unit != "codepoint" and fmt not in UTF16_FORMATS:
        raise ExportError(f"{fmt} offsets are code points (UTF-16 units are for {' and '.join(UTF16_FORMATS)})")
    options = _Options(fmt, annotators, None if statuses is None else [Status(status) for status in statuses],
                       None if review_statuses is None else [ReviewStatus(status) for status in review_statuses],
                       include_empty, scheme, offset_unit == "utf16")
    split = file_per_annotator(fmt, annotators)
    if not isinstance(out, (str, os.PathLike)):
        if split:
            raise ExportError("CoNLL holds one annotator's labels per file: choose one annotator to write to a "
                              "stream, or give a file name (one file per annotator is written beside it)")
        sink = _TextSink(out)
        return _export(database, lambda annotator: sink, options, progress, cancel)
    target = Path(out)
    with ExitStack() as stack:
        opened: dict[Path, tuple[str | None, Callable[[bool], None]]] = {}
        sinks: dict[str | None, _BinarySink] = {}

        def sink_for(annotator: str | None) -> Sink:
            key = annotator if split else None
            if key not in sinks:
                path = annotator_path(target, annotator) if split else target
                if path in opened:
                    raise ExportError(f"annotators {opened[path][0]!r} and {annotator!r} would share the file "
                                      f"{path}: export them one at a time")
                stream, keep = stack.enter_context(atomic_output(path, ExportError))
                opened[path] = (annotator, keep)
                sinks[key] = _BinarySink(stream)
            return sinks[key]

        if not split:
            sink_for(None)  # the file is checked (and made) before anything is read
        report = _export(database, sink_for, options, progress, cancel)
        for path, (annotator, keep) in opened.items():
            # One file per annotator: only for those with spans in the export.
            wanted = not report.cancelled and (not split or annotator in report.annotators)
            keep(wanted)
            if wanted:
                report.files.append(str(path))
    return report


def file_per_annotator(fmt: str, annotators: Sequence[str] | None) -> bool:
    """Whether an export writes a file per annotator: CoNLL, unless exactly one annotator is chosen."""
    return fmt == "conll" and (annotators is None or len(set(annotators)) != 1)


_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


def annotator_path(target: Path, annotator: str) -> Path:
    """labels.conll → labels.amy.conll (characters file names cannot hold become _)."""
    return target.with_name(f"{target.stem}.{_UNSAFE.sub('_', annotator)}{target.suffix}")


class _Options:
    def __init__(self, fmt: str, annotators: Sequence[str] | None, statuses: list[Status] | None,
                 review_statuses: list[ReviewStatus] | None, include_empty: bool, scheme: str, utf16: bool):
        self.fmt, self.annotators, self.statuses, self.review_statuses = fmt, annotators, statuses, review_statuses
        self.include_empty, self.scheme, self.utf16 = include_empty, scheme, utf16


def _export(database: Database, sink_for: Callable[[str | None], Sink], options: _Options,
            progress: Progress | None, cancel: Cancel | None) -> ExportReport:
    report = ExportReport(options.fmt)
    with database.session() as session:
        transfer.read_snapshot(session)  # the whole export sees one moment, edits made meanwhile wait for the next
        known = annotator_rows.names(session)
        if options.annotators is None:
            chosen = dict(known)
        else:
            by_name = {name: annotator_id for annotator_id, name in known.items()}
            missing = [name for name in options.annotators if name not in by_name]
            if missing:
                raise ExportError(f"unknown annotator {', '.join(map(repr, missing))} "
                                  f"(known: {', '.join(sorted(by_name)) or 'none'})")
            chosen = {by_name[name]: name for name in options.annotators}
        annotator_ids = None if options.annotators is None else list(chosen)
        label_names = {label.id: label.name for label in labels.all_labels(session)}
        quoted = {name: encode_basestring(name) for name in label_names.values()}
        which = dict(statuses=options.statuses, review_statuses=options.review_statuses)  # documents
        infos = documents.all_infos(session, **which)
        total = transfer.count_layers(session, annotator_ids=annotator_ids, **which)
        commented = comment_rows.documents_with_comments(session)
        writer = _writer(database, session, options, quoted, sink_for, report)
        writer.begin(sorted(chosen.values()))
        used: set[str] = set()
        groups = groupby(transfer.stream_layers(session, annotator_ids=annotator_ids, **which),
                         key=itemgetter(0))
        group = next(groups, None)
        for info in infos:
            if group is not None and group[0] == info.id:
                rows = list(group[1])
                group = next(groups, None)
            elif options.include_empty:
                rows = []
            else:
                continue
            text = documents.text_of(session, info.id)
            notes = comment_rows.for_document(session, info.id) if info.id in commented else []
            layers = sorted(((chosen[annotator_id], sorted([
                (start, end, label_names[label_id], note, provenance, span_id)
                for _, _, label_id, start, end, note, provenance, span_id in layer]))
                for annotator_id, layer in groupby(rows, key=itemgetter(1))), key=itemgetter(0))
            report.lines += writer.document(Document(info, text, notes), layers)
            for annotator, spans in layers:
                report.spans += len(spans)
                used.add(annotator)
            report.documents += 1
            if progress:
                progress(report.spans, total)
            if cancel and cancel():
                report.cancelled = True
                break
        writer.finish()
    report.annotators = sorted(used)
    return report


def _writer(database: Database, session, options: _Options, quoted: dict[str, str],
            sink_for: Callable[[str | None], Sink], report: ExportReport):
    fmt = options.fmt
    if fmt == "labelstudio":
        return layouts.LabelStudioWriter(sink_for(None), quoted, options.utf16)
    if fmt == "conll":
        return layouts.ConllWriter(sink_for, options.scheme, report)
    if fmt == "prodigy":
        from corpus.segment import DocumentTokenLengths

        lines = layouts.ProdigyLines(quoted, DocumentTokenLengths(database, session), report)
    elif fmt == "cluener":
        lines = layouts.CluenerLines(quoted)
    else:
        lines = layouts.DoccanoLines(quoted, options.utf16)
    return layouts.LineWriter(sink_for(None), lines)


class _TextSink:
    """Lines to a text stream the caller opened."""

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
