"""What an export did: counts, and the spans a format could not carry as they are (listed up to a limit)."""

from __future__ import annotations

from dataclasses import dataclass, field

LISTED = 1000  # misaligned or dropped spans kept in the report; all are counted
# What one record of each format is called in messages (JSONL formats: a line).
RECORD_NAMES = {"labelstudio": "tasks", "conll": "sentences"}


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


@dataclass(frozen=True)
class Dropped(Misaligned):
    """A span a format cannot hold, left out of the file: in CoNLL, one nested in or overlapping a longer span
    (`reason` names it), or one of whitespace alone."""

    reason: str

    def __str__(self) -> str:
        return f"{super().__str__()}: {self.reason}"


@dataclass
class ExportReport:
    format: str
    lines: int = 0  # records written: JSONL lines, Label Studio tasks, CoNLL sentences
    documents: int = 0
    spans: int = 0  # spans read from the database (all written, except the dropped ones)
    annotators: list[str] = field(default_factory=list)
    misaligned_count: int = 0
    misaligned: list[Misaligned] = field(default_factory=list)  # the first LISTED
    dropped_count: int = 0
    dropped: list[Dropped] = field(default_factory=list)  # the first LISTED
    files: list[str] = field(default_factory=list)  # the files written (none for a stream)
    cancelled: bool = False

    @property
    def record_name(self) -> str:
        return RECORD_NAMES.get(self.format, "lines")

    def add_misaligned(self, span: Misaligned) -> None:
        self.misaligned_count += 1
        if len(self.misaligned) < LISTED:
            self.misaligned.append(span)

    def add_dropped(self, span: Dropped) -> None:
        self.dropped_count += 1
        if len(self.dropped) < LISTED:
            self.dropped.append(span)
