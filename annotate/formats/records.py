"""Reading annotation files into checked records: doccano, Prodigy and CLUENER JSONL, Label Studio JSON.

Every check that needs only the file happens here, so a file is refused with all its problems, each with
file and line, before anything is written. A record's offsets are already code points into the normalized
text, whatever the file counted in.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import repeat
from operator import lt
from pathlib import Path
from typing import Any, Iterator

import msgspec

from annotate.formats.offsets import ASTRAL, NewlineOffsets, OffsetError, Utf16Offsets
from annotate.labelset import NAME as _LABEL_NAME
from annotate.labelset import NAME_MAX as LABEL_NAME_MAX
from corpus.text import normalize_newlines
from db.models import Annotator, ReviewStatus, Status

FORMATS = ("doccano", "prodigy", "cluener", "labelstudio")
OFFSET_UNITS = ("codepoint", "utf16")
ANNOTATOR_NAME_MAX = Annotator.__table__.c.name.type.length

# Keys of the `meta` object Zhubi writes and reads back (see README, "Export and import").
META_ID = "id"
META_DOCUMENT = "document"
META_ANNOTATOR = "annotator"
META_STATUS = "status"
META_REVIEW_STATUS = "review_status"
META_NOTES = "notes"            # {"span index": "note"}
META_PROVENANCE = "provenance"  # {"span index": {...}}
META_COMMENTS = "comments"      # [{"span": index | null, "author", "text", "created_at"}]
META_OFFSET_UNIT = "offset_unit"  # "utf16" in files exported with UTF-16 offsets (absent: code points)


class FormatError(ValueError):
    """The file is not in a format this module reads."""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:  # line 0: about the whole file
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class CommentIn:
    span: int | None  # index into the record's spans, None for a comment on the document
    author: str
    text: str
    created_at: datetime | None  # UTC


@dataclass
class Record:
    """One document's text with one annotator's spans, offsets already in stored-text code points."""

    line: int
    text: str  # normalized: what the document stores
    annotator: str | None
    spans: list[tuple[int, int, str, str, str | None]] = field(default_factory=list)  # start, end, label, note, provenance
    name: str | None = None
    status: Status | None = None
    review_status: ReviewStatus | None = None
    comments: list[CommentIn] = field(default_factory=list)
    # Offsets taken as code points although nothing could confirm it: characters beyond U+FFFF, no span texts,
    # and not written by Zhubi. A file from doccano (UTF-16 units) would be off by one after each such character.
    unconfirmed_units: bool = False


@dataclass
class Skipped:
    """Something the file holds that is deliberately not imported (rejected Prodigy answers, non-span results)."""

    line: int
    reason: str


@dataclass(frozen=True)
class Position:
    """How far reading has come (bytes or characters of the file), for progress."""

    done: int
    total: int


class _LineProblems(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages


def detect_format(path: str | Path) -> str:
    """'doccano', 'prodigy', 'cluener' or 'labelstudio' from the file's content; 'txt' for anything that is
    not JSON."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"["):
        return "labelstudio"
    if not stripped.startswith(b"{"):
        return "txt"
    with open(path, "rb") as handle:
        for raw in handle:
            raw = raw.removeprefix(b"\xef\xbb\xbf").strip()
            if raw:
                break
    try:
        first = json.loads(raw)
    except ValueError:
        return "doccano"  # reading it will report the bad line with its number
    if isinstance(first, dict) and ("tokens" in first or (
            isinstance(first.get("spans"), list) and "label" not in first and "entities" not in first)):
        return "prodigy"
    if isinstance(first, dict) and isinstance(first.get("label"), dict):  # CLUENER: {"LABEL": {"text": [...]}}
        return "cluener"
    return "doccano"


# Lines are parsed with msgspec (about twice as fast as json); a line it refuses is parsed again by json, so
# that what json accepts (NaN, a lone surrogate, which the checks then name) is read the same way as before and
# what it refuses is reported in its words.
_decode_any = msgspec.json.Decoder().decode


class _ProdigySpan(msgspec.Struct):
    start: int
    end: int
    label: str
    text: str | None = None


class _ProdigyLine(msgspec.Struct):
    """The keys a Prodigy line is imported from. The others, above all `tokens` (most of a line's bytes), are
    checked to be JSON but never built into objects: that is most of the cost of reading such a file. Spans
    of the usual shape come out checked; any other shape fails here and json reads the line for the checks
    that name what is wrong."""

    text: Any = msgspec.UNSET
    spans: list[_ProdigySpan] = msgspec.UNSET
    meta: Any = msgspec.UNSET
    answer: Any = msgspec.UNSET
    annotator_id: Any = msgspec.field(default=msgspec.UNSET, name="_annotator_id")


_CHECKED_SPANS = object()  # key of a Prodigy line's spans that came out of msgspec checked, as raw spans
_PRODIGY_KEYS = (("text", "text"), ("spans", "spans"), ("meta", "meta"), ("answer", "answer"),
                 ("annotator_id", "_annotator_id"))
_decode_prodigy_line = msgspec.json.Decoder(_ProdigyLine).decode


def _decode_prodigy(raw: bytes) -> dict:
    line = _decode_prodigy_line(raw)
    item = {key: value for attribute, key in _PRODIGY_KEYS if (value := getattr(line, attribute)) is not msgspec.UNSET}
    if line.spans is not msgspec.UNSET:
        spans = list(map(msgspec.structs.astuple, line.spans))  # (start, end, label, text)
        if any(span[3] == "" for span in spans):  # an empty text gives nothing to check, as with json
            spans = [(start, end, label, text or None) for start, end, label, text in spans]
        item[_CHECKED_SPANS] = spans
    return item


def _decode_strictly(raw: bytes) -> Any:
    try:
        return json.loads(raw.rstrip(b"\r\n"))  # with its line end, an unfinished line was "at column 1" of the next
    except UnicodeDecodeError as error:
        raise _LineProblems([f"not UTF-8 ({error.reason} at byte {error.start})"]) from None
    except ValueError as error:
        raise _LineProblems([f"not valid JSON ({_json_reason(error)})"]) from None


def read_records(path: str | Path, fmt: str, *, annotator: str | None = None,
                 offset_unit: str = "codepoint") -> Iterator[Record | Problem | Skipped | Position]:
    """Records of a file in order, interleaved with problems, skipped items and positions (for progress).

    `annotator` overrides the annotator the file names (meta.annotator, Prodigy's _annotator_id, Label Studio's
    completed_by); a record with spans and no annotator either way is a problem.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if offset_unit not in OFFSET_UNITS:
        raise FormatError(f"unknown offset unit {offset_unit!r} (expected one of {', '.join(OFFSET_UNITS)})")
    reader = _Reader(str(path), annotator, offset_unit == "utf16")
    if fmt == "labelstudio":
        yield from reader.labelstudio(Path(path))
    elif fmt == "prodigy":
        yield from reader.jsonl(Path(path), reader.prodigy, _decode_prodigy)
    else:
        yield from reader.jsonl(Path(path), reader.cluener if fmt == "cluener" else reader.doccano)


class _Reader:
    def __init__(self, path: str, annotator: str | None, utf16: bool):
        self.path = path
        self.annotator = annotator
        self.utf16 = utf16
        self.checked_labels: set[str] = set()

    # -- file layouts ------------------------------------------------------------------------------------------

    def jsonl(self, path: Path, parse, decode=_decode_any) -> Iterator:
        total = path.stat().st_size
        with open(path, "rb") as handle:
            done = 0
            for number, raw in enumerate(handle, 1):
                done += len(raw)
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                if not raw or raw.isspace():  # (not strip(): it would copy every line)
                    continue
                try:
                    try:
                        item = decode(raw)
                    except msgspec.DecodeError:
                        item = _decode_strictly(raw)
                    yield from parse(number, item)
                except _LineProblems as problems:
                    yield from (Problem(self.path, number, message) for message in problems.messages)
                yield Position(done, total)

    def labelstudio(self, path: Path) -> Iterator:
        """The tasks of a Label Studio export (one JSON array), read a task at a time from a window over the
        file, so memory holds the largest task, not the file (a million spans: a 200 MB file)."""
        tasks = _JsonArray(path)
        try:
            if not tasks.opens():
                yield Problem(self.path, tasks.line(), "a Label Studio export is a JSON array of tasks")
                return
            task_number = 0
            while True:
                try:
                    task = tasks.next_item()
                except _ArrayProblem as problem:
                    yield Problem(self.path, tasks.line(), str(problem))
                    return
                except ValueError as error:
                    yield Problem(self.path, tasks.item_line + getattr(error, "lineno", 1) - 1,
                                  f"not valid JSON ({_json_reason(error)})")
                    return
                if task is _END:
                    return
                line = tasks.item_line
                task_number += 1
                try:
                    yield from self._labelstudio_task(line, task)
                except _LineProblems as problems:
                    yield from (Problem(self.path, line, f"task {task_number}: {message}")
                                for message in problems.messages)
                yield Position(*tasks.progress())
        except _NotUtf8 as error:
            yield Problem(self.path, error.line, f"not UTF-8 ({error.reason})")
        finally:
            tasks.close()

    # -- one item of each format -------------------------------------------------------------------------------

    def doccano(self, line: int, item: Any) -> Iterator[Record]:
        text, meta = self._text_and_meta(item)
        if "entities" in item and "label" not in item:  # doccano's entity/relation layout
            raw_spans = self._entity_spans(item["entities"])
        else:
            raw_spans = self._triple_spans(item.get("label", item.get("labels", [])))
        yield self._record(line, text, raw_spans, meta, self.annotator or _string(meta.get(META_ANNOTATOR)))

    def prodigy(self, line: int, item: Any) -> Iterator[Record | Skipped]:
        text, meta = self._text_and_meta(item)
        answer = item.get("answer", "accept")
        if answer != "accept":
            yield Skipped(line, f"Prodigy answer {answer!r}")
            return
        raw_spans = item.get(_CHECKED_SPANS)
        if raw_spans is None:
            raw = item.get("spans", [])
            if not isinstance(raw, list):
                raise _LineProblems(['"spans" is not a list'])
            raw_spans = self._prodigy_spans(raw)
        named = self.annotator or _string(meta.get(META_ANNOTATOR)) or _string(item.get("_annotator_id"))
        yield self._record(line, text, raw_spans, meta, named)

    def cluener(self, line: int, item: Any) -> Iterator[Record]:
        text, meta = self._text_and_meta(item)
        raw_spans = self._cluener_spans(item.get("label") or {})
        yield self._record(line, text, raw_spans, meta, self.annotator or _string(meta.get(META_ANNOTATOR)))

    @staticmethod
    def _cluener_spans(value: Any) -> list[tuple]:
        """{"LABEL": {"span text": [[start, end_inclusive], ...]}} as (start, end, label, text), in file order;
        the text is checked against the document like any span text."""
        shape = '{"LABEL": {"span text": [[start, end], ...]}}'
        if not isinstance(value, dict):
            raise _LineProblems([f'"label" is not {shape}'])
        spans, problems = [], []
        for label, entities in value.items():
            if not isinstance(entities, dict):
                problems.append(f"label {_short(label)} is {_short(entities)}, not {shape}")
                continue
            for words, places in entities.items():
                if not isinstance(places, list) or not all(
                        type(place) is list and len(place) == 2 and _is_int(place[0]) and _is_int(place[1])
                        for place in places):
                    problems.append(f"label {_short(label)}: {_short(words)} has {_short(places)}, not a list of "
                                    "[start, end] (end inclusive)")
                    continue
                spans.extend((start, end + 1, label, words) for start, end in places)
        if problems:
            raise _LineProblems(problems)
        return spans

    @staticmethod
    def _prodigy_spans(raw: list) -> list[tuple]:
        raw_spans, problems = [], []
        for index, span in enumerate(raw):
            if not (isinstance(span, dict) and _is_int(span.get("start")) and _is_int(span.get("end"))
                    and isinstance(span.get("label"), str)):
                problems.append(f'span {index} is not {{"start": int, "end": int, "label": "LABEL"}}')
                continue
            raw_spans.append((span["start"], span["end"], span["label"], _string(span.get("text"))))
        if problems:
            raise _LineProblems(problems)
        return raw_spans

    def _labelstudio_task(self, line: int, task: Any) -> Iterator[Record | Skipped]:
        if not isinstance(task, dict):
            raise _LineProblems(["a task is not a JSON object"])
        data = task.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise _LineProblems(['no "data": {"text": ...}'])
        text = data["text"]
        annotations = task.get("annotations", task.get("completions", []))
        if not isinstance(annotations, list):
            raise _LineProblems(['"annotations" is not a list'])
        # Zhubi's export: the task's meta is about the document (Label Studio keeps it), an annotation's about
        # its annotator and spans (Label Studio drops it). Comments on the document go with the first record.
        task_meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        document_comments = task_meta.get(META_COMMENTS)
        if isinstance(document_comments, list) and any(
                isinstance(comment, dict) and comment.get("span") is not None for comment in document_comments):
            raise _LineProblems(['meta.comments of a task are on the document (their "span" is null)'])
        document_meta = {key: value for key, value in task_meta.items() if key != META_COMMENTS}
        recorded = False
        for number, annotation in enumerate(annotations, 1):
            if not isinstance(annotation, dict) or not isinstance(annotation.get("result", []), list):
                raise _LineProblems([f"annotation {number} has no result list"])
            if annotation.get("was_cancelled"):
                yield Skipped(line, "cancelled Label Studio annotation")
                continue
            raw_spans, problems = [], []
            for result in annotation.get("result", []):
                value = result.get("value") if isinstance(result, dict) else None
                if not isinstance(value, dict) or result.get("type", "labels") != "labels":
                    kind = result.get("type") if isinstance(result, dict) else None
                    yield Skipped(line, f"Label Studio result of type {_short(kind)}")
                    continue
                labels = value.get("labels")
                if not (_is_int(value.get("start")) and _is_int(value.get("end")) and isinstance(labels, list)
                        and labels and all(isinstance(name, str) for name in labels)):
                    problems.append(f'annotation {number}: a result is not {{"start": int, "end": int, '
                                    f'"labels": ["LABEL", ...]}}')
                    continue
                for name in labels:
                    raw_spans.append((value["start"], value["end"], name, _string(value.get("text"))))
            if problems:
                raise _LineProblems(problems)
            meta = annotation.get("meta") if isinstance(annotation.get("meta"), dict) else {}
            meta = {**document_meta, **meta}
            if not recorded and document_comments is not None:
                own = meta.get(META_COMMENTS) or []
                # (anything but two lists is passed on whole, for the comment checks to name)
                meta[META_COMMENTS] = ([*document_comments, *own] if isinstance(document_comments, list)
                                       and isinstance(own, list) else document_comments)
            annotator = self.annotator or _string(meta.get(META_ANNOTATOR)) or _labelstudio_user(annotation)
            yield self._record(line, text, raw_spans, meta, annotator)
            recorded = True
        if not recorded and (not annotations or document_comments is not None):
            yield self._record(line, text, [], task_meta, self.annotator)

    # -- shared checks -----------------------------------------------------------------------------------------

    @staticmethod
    def _text_and_meta(item: Any) -> tuple[str, dict]:
        if not isinstance(item, dict):
            raise _LineProblems(["not a JSON object"])
        text = item.get("text")
        if not isinstance(text, str):
            raise _LineProblems(['no "text" string'])
        meta = item.get("meta")
        return text, meta if isinstance(meta, dict) else {}

    @staticmethod
    def _triple_spans(items: Any) -> list[tuple]:
        if not isinstance(items, list):
            raise _LineProblems(['"label" is not a list of [start, end, "LABEL"]'])
        quick = _triples_quickly(items)
        if quick is not None:
            return quick
        spans, problems = [], []
        for index, item in enumerate(items):
            if type(item) is list and len(item) == 3 and type(item[0]) is int and type(item[1]) is int \
                    and type(item[2]) is str:
                spans.append((item[0], item[1], item[2], None))
            else:
                problems.append(f'label {index} is {_short(item)}, not [start, end, "LABEL"]')
        if problems:
            raise _LineProblems(problems)
        return spans

    @staticmethod
    def _entity_spans(items: Any) -> list[tuple]:
        if not isinstance(items, list):
            raise _LineProblems(['"entities" is not a list'])
        spans, problems = [], []
        for index, item in enumerate(items):
            if isinstance(item, dict) and _is_int(item.get("start_offset")) and _is_int(item.get("end_offset")) \
                    and isinstance(item.get("label"), str):
                spans.append((item["start_offset"], item["end_offset"], item["label"], None))
            else:
                problems.append(f'entity {index} is not {{"start_offset": int, "end_offset": int, "label": "LABEL"}}')
        if problems:
            raise _LineProblems(problems)
        return spans

    def _record(self, line: int, raw_text: str, raw_spans: list[tuple], meta: dict,
                annotator: str | None) -> Record:
        """Check offsets, labels and span texts against the line's own text; translate to stored offsets."""
        problems: list[str] = []
        if _has_lone_surrogate(raw_text):
            raise _LineProblems(["the text contains an unpaired UTF-16 surrogate (a broken emoji or rare character)"])
        if raw_spans and not annotator:
            problems.append("no annotator: the file does not name one (meta.annotator); choose one for the import")
        elif annotator and len(annotator) > ANNOTATOR_NAME_MAX:
            problems.append(f"annotator name is longer than {ANNOTATOR_NAME_MAX} characters")
        units = Utf16Offsets(raw_text) if self._utf16(meta, problems) else None
        newlines = NewlineOffsets(raw_text)
        length = units.length if units else len(raw_text)
        unit_name = "UTF-16 units" if units else "characters"
        notes = _index_map(meta.get(META_NOTES), str, "notes", problems)
        provenance = _index_map(meta.get(META_PROVENANCE), object, "provenance", problems)
        spans = None if units or newlines else self._spans_quickly(raw_spans, length, notes, provenance)
        if spans is None:
            spans = self._spans(raw_spans, raw_text, length, unit_name, units, newlines, notes, provenance, problems)
        for index in set(notes) | set(provenance):
            if not 0 <= index < len(raw_spans):
                problems.append(f"meta refers to span {index}, the line has {len(raw_spans)}")
        comments = _comments(meta.get(META_COMMENTS), len(raw_spans), problems)
        status, review = meta.get(META_STATUS), meta.get(META_REVIEW_STATUS)
        if problems:
            raise _LineProblems(problems)
        unconfirmed = (not units and META_DOCUMENT not in meta and any(span[3] is None for span in raw_spans)
                       and ASTRAL.search(raw_text) is not None)
        return Record(line=line, text=normalize_newlines(raw_text), annotator=annotator, spans=spans,
                      name=_string(meta.get(META_DOCUMENT)),
                      status=Status(status) if status in _STATUS_VALUES else None,
                      review_status=ReviewStatus(review) if review in _REVIEW_VALUES else None, comments=comments,
                      unconfirmed_units=unconfirmed)

    def _utf16(self, meta: dict, problems: list[str]) -> bool:
        """Whether offsets count UTF-16 units: as the line's meta says (Zhubi's exports), else as chosen."""
        unit = meta.get(META_OFFSET_UNIT)
        if unit is None:
            return self.utf16
        if unit not in OFFSET_UNITS:
            problems.append(f"meta.{META_OFFSET_UNIT} is {_short(unit)}, not one of {', '.join(OFFSET_UNITS)}")
            return self.utf16
        return unit == "utf16"

    def _spans(self, raw_spans: list[tuple], raw_text: str, length: int, unit_name: str, units: Utf16Offsets | None,
               newlines: NewlineOffsets, notes: dict, provenance: dict, problems: list[str]) -> list[tuple]:
        """Each span checked on its own, so that every problem is named (and offsets translated)."""
        spans = []
        for index, (start, end, label, quoted) in enumerate(raw_spans):
            if label not in self.checked_labels:
                if not _LABEL_NAME.fullmatch(label):
                    problems.append(f"{_where(index, start, end, label)}: a label name is one word of "
                                    f"1..{LABEL_NAME_MAX} characters without spaces")
                    continue
                self.checked_labels.add(label)
            if not 0 <= start < end <= length:
                reason = ("start is not before end" if 0 <= start <= length and 0 <= end <= length
                          else f"outside the text (0..{length} {unit_name})")
                problems.append(f"{_where(index, start, end, label)}: {reason}")
                continue
            if units:
                try:
                    start, end = units.to_code_points(start), units.to_code_points(end)
                except OffsetError as error:
                    problems.append(f"{_where(index, start, end, label)}: {error}")
                    continue
            if quoted is not None and raw_text[start:end] != quoted:
                given = raw_spans[index]
                problems.append(f"{_where(index, given[0], given[1], label)}: the text there is "
                                f"{_short(raw_text[start:end])}, the file says {_short(quoted)}"
                                + _utf16_hint(raw_text, start, end, quoted, units))
                continue
            if newlines:
                start, end = newlines.to_normalized(start), newlines.to_normalized(end)
            if index in notes or index in provenance:
                extra = provenance.get(index)
                spans.append((start, end, label, notes.get(index, ""),
                              None if extra is None else _canonical(extra)))
            else:
                spans.append((start, end, label, "", None))
        return spans

    def _spans_quickly(self, raw_spans: list[tuple], length: int, notes: dict, provenance: dict) -> list[tuple] | None:
        """The usual line checked as a whole: code points, no \\r\\n, no span texts, known labels, every range in
        the text. None when anything needs a closer look (the per-span checks then say what)."""
        if not raw_spans:
            return []
        starts, ends, labels, quoted = zip(*raw_spans)
        if not (min(starts) >= 0 and max(ends) <= length and all(map(lt, starts, ends))
                and self.checked_labels.issuperset(labels) and quoted.count(None) == len(quoted)):
            return None
        spans = list(zip(starts, ends, labels, repeat(""), repeat(None)))
        for index in notes.keys() | provenance.keys():
            if 0 <= index < len(spans):
                extra = provenance.get(index)
                spans[index] = (starts[index], ends[index], labels[index], notes.get(index, ""),
                                None if extra is None else _canonical(extra))
        return spans


# Provenance is stored in one canonical form, so the same decision always reads back as the same text: what
# json.dumps(value, ensure_ascii=False, sort_keys=True) writes. Its C encoder is made once and called directly,
# since JSONEncoder.encode makes a new one per call and that costs more than the encoding (a gold set has
# provenance on every span).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_C_CANONICAL = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _CANONICAL.default, json.encoder.encode_basestring, None, ": ", ", ", True, False, True)


def _canonical(value: Any) -> str:
    if _C_CANONICAL is None or not isinstance(value, (dict, list)):
        return _CANONICAL.encode(value)
    return "".join(_C_CANONICAL(value, 0))

_STATUS_VALUES = {status.value for status in Status}
_REVIEW_VALUES = {status.value for status in ReviewStatus}


def _triples_quickly(items: list) -> list[tuple] | None:
    """[[start, end, "LABEL"], ...] read as a whole when every item has that shape (None: look closer)."""
    if not items:
        return []
    if set(map(type, items)) != {list} or set(map(len, items)) != {3}:
        return None
    starts, ends, labels = zip(*items)
    if set(map(type, starts)) != {int} or set(map(type, ends)) != {int} or set(map(type, labels)) != {str}:
        return None
    return list(zip(starts, ends, labels, repeat(None)))


def _index_map(value: Any, kind: type, key: str, problems: list[str]) -> dict[int, Any]:
    """meta.notes / meta.provenance: {"span index": value}."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(key.isdigit() for key in value) or \
            (kind is str and not all(isinstance(v, str) for v in value.values())):
        problems.append(f'meta.{key} is not {{"span index": {"text" if kind is str else "value"}}}')
        return {}
    return {int(index): item for index, item in value.items()}


def _comments(value: Any, span_count: int, problems: list[str]) -> list[CommentIn]:
    if value is None:
        return []
    comments = []
    for item in value if isinstance(value, list) else [None]:
        span = item.get("span") if isinstance(item, dict) else None
        created = _timestamp(item.get("created_at")) if isinstance(item, dict) else False
        if not (isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(item.get("author"), str)
                and 0 < len(item["author"]) <= ANNOTATOR_NAME_MAX
                and (span is None or (_is_int(span) and 0 <= span < span_count)) and created is not False):
            problems.append('meta.comments is not [{"span": index or null, "author": "...", "text": "...", '
                            '"created_at": "ISO 8601 time"}]')
            return []
        comments.append(CommentIn(span, item["author"], item["text"], created))
    return comments


def _timestamp(value: Any) -> datetime | None | bool:
    """An ISO 8601 time as UTC; None when absent; False when it cannot be read."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return (moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment).astimezone(timezone.utc)


def _where(index: int, start: int, end: int, label: str) -> str:
    return f"span {index} [{start}, {end}) {label}"


def _utf16_hint(text: str, start: int, end: int, quoted: str, units: Utf16Offsets | None) -> str:
    """Say so when the file's offsets would be right if they counted UTF-16 units."""
    if units is not None:
        return ""
    try:
        other = Utf16Offsets(text)
        if text[other.to_code_points(start):other.to_code_points(end)] == quoted:
            return " (these offsets count UTF-16 units: import with the UTF-16 offset option)"
    except OffsetError:
        pass
    return ""


def _labelstudio_user(annotation: dict) -> str | None:
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        user = user.get("email") or user.get("id")
    if isinstance(user, str) and user:
        return user
    if _is_int(user):
        return f"labelstudio-{user}"
    return None


def _is_int(value: Any) -> bool:
    return type(value) is int


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _has_lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _short(value: Any, limit: int = 40) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"


def _json_reason(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at column {error.colno}"
    return str(error)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


_END = object()  # no more items in the array


class _ArrayProblem(ValueError):
    """The array itself is malformed between its items."""


class _NotUtf8(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line, self.reason = line, reason


class _JsonArray:
    """The items of a JSON array in a file, one at a time, with the line each starts on. Text is decoded a chunk
    at a time into a window; an item cut by the window's end is decoded again once more text has come."""

    CHUNK = 1 << 22

    def __init__(self, path: Path):
        self.file = path.open("rb")
        self.size = path.stat().st_size
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.json = json.JSONDecoder()
        self.text, self.at = "", 0  # the window, and where the next unread character is in it
        self.lines_before = 1  # the line the window starts on
        self.bytes_read, self.eof = 0, False
        self._first = True  # no item read yet: no ',' before it
        self.item_line = 1  # the line the last item began on

    def close(self) -> None:
        self.file.close()

    def line(self) -> int:
        return self.lines_before + self.text.count("\n", 0, self.at)

    def progress(self) -> tuple[int, int]:
        return self.bytes_read, self.size

    def _more(self, at_least: int = CHUNK) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        if self.eof:
            return False
        raw = self.file.read(max(at_least, self.CHUNK))
        try:
            fresh = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            raise _NotUtf8(self.lines_before + self.text.count("\n") + raw.count(b"\n", 0, error.start),
                           error.reason) from None
        self.bytes_read += len(raw)
        self.eof = not raw
        if not fresh:
            return bool(raw)  # (a character's first bytes only: more to come)
        lines_read = self.lines_before + self.text.count("\n", 0, self.at)
        self.text, self.at, self.lines_before = self.text[self.at:] + fresh, 0, lines_read
        return True

    def _skip_space(self) -> bool:
        """Move past white space (reading on as needed); False when the file ends first."""
        while True:
            self.at = _skip_space(self.text, self.at)
            if self.at < len(self.text):
                return True
            if not self._more():
                return False

    def opens(self) -> bool:
        if not self._skip_space() or not self.text.startswith("[", self.at):
            return False
        self.at += 1
        self._first = True
        return True

    def next_item(self) -> Any:
        if not self._skip_space():
            raise _ArrayProblem("the array of tasks is not closed with ']'")
        if self.text.startswith("]", self.at):
            self.at += 1
            return _END
        if not self._first:
            if not self.text.startswith(",", self.at):
                raise _ArrayProblem("expected ',' or ']' between tasks")
            self.at += 1
            if not self._skip_space():
                raise _ArrayProblem("the array of tasks is not closed with ']'")
        self._first = False
        self.item_line = self.line()
        wanted = self.CHUNK
        while True:
            try:
                item, end = self.json.raw_decode(self.text, self.at)
            except json.JSONDecodeError as error:
                # Maybe only cut by the window's end (an unterminated string says where it began, not where the
                # text stopped): read on, twice as much each time, and decide at the end of the file.
                if not self._more(wanted):
                    raise json.JSONDecodeError(error.msg, self.text[self.at:], error.pos - self.at) from None
                wanted *= 2
                continue
            self.at = end
            return item
