"""How each export format lays out a document and its annotators' spans (see README, "Exporting and importing").

A writer is handed one document at a time with its layers (annotator, spans in (start, end, label) order) and
writes it through sinks, so memory stays flat in the number of spans. Spans are tuples
(start, end, label, note, provenance, span id); offsets are code points into the stored text.

JSON is assembled from pieces json itself would write (tests: every line equals json.dumps of its parse):
twice as fast as json.dumps of a dict per span. encode_basestring is json's own string encoder for
ensure_ascii=False.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import accumulate
from json.encoder import encode_basestring
from typing import Callable, Protocol

import msgspec

from annotate.formats import conll
from annotate.formats.offsets import TokenIndex, utf16_units
from annotate.formats.records import (META_ANNOTATOR, META_COMMENTS, META_DOCUMENT, META_ID, META_NOTES,
                                      META_OFFSET_UNIT, META_PROVENANCE, META_REVIEW_STATUS, META_STATUS)
from annotate.formats.report import Dropped, ExportReport, Misaligned
from db.comments import CommentRow
from db.documents import DocumentInfo
from db.models import Script

GOLD = "gold"  # the annotator that holds the adjudicated set
Layer = tuple[str | None, list[tuple]]  # (annotator, spans); annotator None: a document without spans


class Sink(Protocol):
    def write(self, head: str, rest: str) -> None:
        """Write head + rest. A head is the same str object for all lines of a document (encoded once)."""


@dataclass
class Document:
    info: DocumentInfo
    text: str
    comments: list[CommentRow]
    _text_json: str | None = None
    _head: str | None = None
    _utf16: object = False  # not worked out yet

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

    def utf16(self) -> Callable[[int], int] | None:
        """Code points → UTF-16 units in this text (None when they count the same)."""
        if self._utf16 is False:
            self._utf16 = utf16_units(self.text)
        return self._utf16


# -- meta: who and what a record is about, and what does not fit the format's span layout ------------------------

def document_meta(document: Document) -> dict:
    info = document.info
    return {META_DOCUMENT: info.name, META_STATUS: info.status.value, META_REVIEW_STATUS: info.review_status.value}


def span_meta(spans: list[tuple]) -> dict:
    """Notes and provenance by span index (the index in the record's own span order)."""
    meta = {}
    notes = {str(index): span[3] for index, span in enumerate(spans) if span[3]}
    if notes:
        meta[META_NOTES] = notes
    provenance = {str(index): _provenance(span[4]) for index, span in enumerate(spans) if span[4]}
    if provenance:
        meta[META_PROVENANCE] = provenance
    return meta


def comments_meta(document: Document, spans: list[tuple], *, on_document: bool = True,
                  on_spans: bool = True) -> list[dict]:
    """The document's comments (span null) and those on `spans` (span index)."""
    if not document.comments:
        return []
    index_of = {span[5]: index for index, span in enumerate(spans)}
    return [{"span": None if comment.span_id is None else index_of[comment.span_id], "author": comment.author,
             "text": comment.text, "created_at": _timestamp(comment.created_at)}
            for comment in document.comments
            if (on_document and comment.span_id is None) or (on_spans and comment.span_id in index_of)]


def line_meta(document: Document, annotator: str | None, spans: list[tuple]) -> dict:
    """The meta of a line that holds one annotator's spans of a document (doccano, Prodigy, CLUENER)."""
    meta = {**document_meta(document), META_ANNOTATOR: annotator, **span_meta(spans)}
    comments = comments_meta(document, spans)
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
META_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # meta keys sorted: the same bytes every time


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back the UTC time it stored without its zone
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


# -- one JSON line per document and annotator -------------------------------------------------------------------

class LineWriter:
    """doccano, Prodigy and CLUENER: a line per document and annotator (one without annotator for a document
    without spans)."""

    def __init__(self, sink: Sink, lines):
        self.sink, self.lines = sink, lines

    def begin(self, annotators: list[str]) -> None:
        pass

    def document(self, document: Document, layers: list[Layer]) -> int:
        for annotator, spans in layers or [(None, [])]:
            self.sink.write(*self.lines.line(document, annotator, spans))
        return len(layers) or 1

    def finish(self) -> None:
        pass


class DoccanoLines:
    """{"id", "text", "label": [[start, end, "LABEL"], ...], "meta"}"""

    HEAD = '{{"id": {id}, "text": {text}, "label": ['

    def __init__(self, quoted_labels: dict[str, str], utf16: bool = False):
        self.quoted = quoted_labels
        self.utf16 = utf16

    def line(self, document: Document, annotator: str | None, spans: list[tuple]) -> tuple[str, str]:
        quoted = self.quoted
        units = document.utf16() if self.utf16 else None
        if units:
            labels = ", ".join([f"[{units(start)}, {units(end)}, {quoted[label]}]"
                                for start, end, label, _, _, _ in spans])
        else:
            labels = ", ".join([f"[{start}, {end}, {quoted[label]}]" for start, end, label, _, _, _ in spans])
        meta = line_meta(document, annotator, spans)
        if self.utf16:
            meta[META_OFFSET_UNIT] = "utf16"
        return document.head(self.HEAD), f'{labels}], "meta": {META_ENCODER.encode(meta)}}}\n'


class ProdigyLines:
    """{"text", "tokens": [{"text", "start", "end", "id"}], "spans": [{"start", "end", "token_start",
    "token_end", "label"}], "meta"} (token_end inclusive, tokens from the project's segmentation)."""

    def __init__(self, quoted_labels: dict[str, str], token_lengths: Callable[[int, str, Script], list[int]],
                 report: ExportReport):
        self.quoted = quoted_labels
        self.token_lengths = token_lengths
        self.report = report
        self._tokens_for: int | None = None

    def _tokens(self, document: Document) -> None:
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

    def line(self, document: Document, annotator: str | None, spans: list[tuple]) -> tuple[str, str]:
        self._tokens(document)
        first_of, last_of, quoted = self._first.get, self._last.get, self.quoted
        entries = []
        for start, end, label, _, _, _ in spans:
            first, last = first_of(start), last_of(end)  # two lookups instead of two bisections
            if first is None or last is None:  # not on token boundaries: the tokens holding its ends
                first, last, _ = self._index.cover(start, end)
                self.report.add_misaligned(Misaligned(document.info.id, document.info.name, annotator, start, end,
                                                      label, document.text[start:end]))
            entries.append(f'{{"start": {start}, "end": {end}, "token_start": {first}, "token_end": {last}, '
                           f'"label": {quoted[label]}}}')
        meta = META_ENCODER.encode({META_ID: document.info.id, **line_meta(document, annotator, spans)})
        return self._head, f'{", ".join(entries)}], "meta": {meta}}}\n'


class CluenerLines:
    """CLUENER2020: {"text", "label": {"LABEL": {"span text": [[start, end_inclusive], ...]}}, "meta"}.

    Labels in name order, a label's texts in order of their first place, places in position order; span
    indexes in meta count spans in that order."""

    HEAD = '{{"text": {text}, "label": {{'

    def __init__(self, quoted_labels: dict[str, str]):
        self.quoted = quoted_labels

    def line(self, document: Document, annotator: str | None, spans: list[tuple]) -> tuple[str, str]:
        text = document.text
        groups: dict[str, dict[str, list[tuple]]] = {}
        for span in spans:
            groups.setdefault(span[2], {}).setdefault(text[span[0]:span[1]], []).append(span)
        ordered, labels = [], []
        for label in sorted(groups):
            entries = []
            for words, places in groups[label].items():
                ordered.extend(places)
                entries.append(f"{encode_basestring(words)}: ["
                               + ", ".join([f"[{span[0]}, {span[1] - 1}]" for span in places]) + "]")
            labels.append(f"{self.quoted[label]}: {{{', '.join(entries)}}}")
        meta = META_ENCODER.encode({META_ID: document.info.id, **line_meta(document, annotator, ordered)})
        return document.head(self.HEAD), f'{", ".join(labels)}}}, "meta": {meta}}}\n'


# -- Label Studio: a JSON array, one task per document ----------------------------------------------------------

class LabelStudioWriter:
    """[{"data": {"text"}, "annotations": [{"result": [...], "ground_truth", "meta"}, ...], "meta"}, ...]

    One task per document, an annotation per annotator (gold's is Label Studio's ground truth), one "labels"
    result per span for a `<Labels name="label" toName="text">` over `<Text name="text" value="$text">`.
    Label Studio keeps the task's meta (document id, name, statuses, document comments) and ignores the
    annotation's (annotator, notes, provenance, span comments), which Zhubi reads back. One task a line, so
    an import's problems name the task's line."""

    def __init__(self, sink: Sink, quoted_labels: dict[str, str], utf16: bool = False):
        self.sink = sink
        self.quoted = quoted_labels
        self.utf16 = utf16
        self.tasks = 0

    def begin(self, annotators: list[str]) -> None:
        self.sink.write("", "[\n")

    def document(self, document: Document, layers: list[Layer]) -> int:
        units = document.utf16() if self.utf16 else None
        annotations = ", ".join([self._annotation(document, number, annotator, spans, units)
                                 for number, (annotator, spans) in enumerate(layers)])
        meta = {META_ID: document.info.id, **document_meta(document)}
        comments = comments_meta(document, [], on_spans=False)
        if comments:
            meta[META_COMMENTS] = comments
        if self.utf16:
            meta[META_OFFSET_UNIT] = "utf16"
        separator = ",\n" if self.tasks else ""
        self.sink.write("", f'{separator}{{"data": {{"text": {document.text_json}}}, "annotations": [{annotations}], '
                            f'"meta": {META_ENCODER.encode(meta)}}}')
        self.tasks += 1
        return 1

    def _annotation(self, document: Document, number: int, annotator: str, spans: list[tuple],
                    units: Callable[[int], int] | None) -> str:
        text, quoted = document.text, self.quoted
        results = ", ".join([
            f'{{"id": "a{number}s{index}", "from_name": "label", "to_name": "text", "type": "labels", "value": '
            f'{{"start": {units(start) if units else start}, "end": {units(end) if units else end}, '
            f'"text": {encode_basestring(text[start:end])}, "labels": [{quoted[label]}]}}}}'
            for index, (start, end, label, _, _, _) in enumerate(spans)])
        meta = {META_ANNOTATOR: annotator, **span_meta(spans)}
        comments = comments_meta(document, spans, on_document=False)
        if comments:
            meta[META_COMMENTS] = comments
        ground_truth = "true" if annotator == GOLD else "false"
        return f'{{"result": [{results}], "ground_truth": {ground_truth}, "meta": {META_ENCODER.encode(meta)}}}'

    def finish(self) -> None:
        self.sink.write("", "\n]\n" if self.tasks else "]\n")


# -- CoNLL: a block of sentences per document and annotator -----------------------------------------------------

class ConllWriter:
    """Character-level CoNLL (see annotate.formats.conll). Each annotator's blocks go to the sink
    `sink_for(annotator)` gives (one file per annotator, or a single one); a document without spans goes to
    every annotator's sink, all O."""

    def __init__(self, sink_for: Callable[[str | None], Sink], scheme: str, report: ExportReport):
        self.sink_for = sink_for
        self.scheme = scheme
        self.report = report
        self.annotators: list[str | None] = [None]

    def begin(self, annotators: list[str]) -> None:
        self.annotators = list(annotators)
        for annotator in self.annotators:  # every file exists from the start (an empty document goes to each)
            self.sink_for(annotator)

    def document(self, document: Document, layers: list[Layer]) -> int:
        text = document.text
        breaks = conll.sentence_breaks(text)
        if not layers:
            block, sentences, _ = conll.tag(text, [], breaks, self.scheme)
            sinks = {id(sink): sink for sink in map(self.sink_for, self.annotators)}.values()
            for sink in sinks:
                sink.write("", block)
            return sentences * len(sinks)
        written = 0
        for annotator, spans in layers:
            kept, conflicts = conll.outermost(spans)
            block, sentences, blank = conll.tag(text, kept, breaks, self.scheme)
            for span, other in conflicts:
                where = "inside" if other[0] <= span[0] and span[1] <= other[1] else "overlaps"
                self._dropped(document, annotator, span, f"{where} {other[2]} [{other[0]}, {other[1]}) "
                                                         f"{text[other[0]:other[1]]!r}")
            for span in blank:
                self._dropped(document, annotator, span, "whitespace only")
            self.sink_for(annotator).write("", block)
            written += sentences
        return written

    def _dropped(self, document: Document, annotator: str, span: tuple, reason: str) -> None:
        start, end, label = span[0], span[1], span[2]
        self.report.add_dropped(Dropped(document.info.id, document.info.name, annotator, start, end, label,
                                        document.text[start:end], reason))

    def finish(self) -> None:
        pass

