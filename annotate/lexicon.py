"""The project lexicon: terms with a label, variants and abbreviations, a note; imported from and
exported to TSV; fed by the spans users label; feeding suggestions and the segmenter.

Offer from a span. Every span a user labels by hand offers its text to the lexicon. The default,
per database, is to accept the offer at once (`auto`): the next occurrences are then suggested
straight away (labelling 两个维护 once offers all the others), and a wrong entry costs little,
because the lexicon only ever suggests — nothing is labelled until accepted — while asking would
cost a click per new term, most of them right. The offer is withdrawn when that span is undone or
deleted in the same session (a slip does not stay in the lexicon). `ask` hands the offer to the
window for a one-click answer; `off` turns offers off. A declined or rejected term is remembered
(LexiconEntry.rejected) and not offered again.

TSV: one entry per line, `term<TAB>label[<TAB>variants[<TAB>note]]`, variants separated by `|`;
blank lines and lines starting with `#` are skipped. An import is checked completely first and
then written in one transaction: any error (reported as file:line: reason) writes nothing.
"""

from __future__ import annotations

import enum
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO

from annotate.atomic import atomic_output
from annotate.events import EventBus, LexiconChanged, SpansChanged
from corpus.script import both_scripts, t2s
from db import documents, fulltext, settings
from db import labels as label_rows
from db import lexicon as entries
from db.engine import Database
from db.lexicon import LexiconRow
from db.models import Origin, Script
from db.spans import SpanRow

OFFER_SETTING = "lexicon.offer"
MIN_TERM, MAX_TERM = 2, 64  # one character would match everywhere; longer text is a sentence


class OfferMode(str, enum.Enum):
    AUTO = "auto"  # add the span's text to the lexicon at once
    ASK = "ask"    # hand the offer to the window, one click accepts it
    OFF = "off"


class LexiconError(ValueError):
    """A lexicon file or edit that cannot be used; the message names the file and line."""


def _emit(events: EventBus | None, terms: Iterable[str]) -> None:
    if events is not None:
        events.emit(LexiconChanged(tuple(dict.fromkeys(terms))))


# ---------------------------------------------------------------- editing entries (the lexicon panel)

def all_entries(database: Database, *, label_id: int | None = None) -> list[LexiconRow]:
    with database.session() as session:
        return entries.entries(session, label_id=label_id)


def add_entry(database: Database, term: str, label_id: int, *, variants: Iterable[str] = (), note: str = "",
              events: EventBus | None = None) -> LexiconRow:
    term = _checked_term(term)
    with database.transaction() as session:
        row = entries.upsert(session, term=term, label_id=label_id, variants=variants, note=note)
    _emit(events, row.forms)
    return row


def change_entry(database: Database, entry_id: int, *, events: EventBus | None = None, **values) -> LexiconRow:
    """Change term, label_id, variants, note or rejected of an entry."""
    if "term" in values:
        values["term"] = _checked_term(values["term"])
    with database.transaction() as session:
        before = entries.get(session, entry_id)
        if before is None:
            raise LexiconError(f"lexicon entry {entry_id} no longer exists")
        entries.change(session, entry_id, **values)
        after = entries.get(session, entry_id)
    _emit(events, before.forms + after.forms)
    return after


def remove_entry(database: Database, entry_id: int, *, events: EventBus | None = None) -> None:
    with database.transaction() as session:
        before = entries.get(session, entry_id)
        if before is None:
            return
        entries.remove(session, entry_id)
    _emit(events, before.forms)


def reject_term(database: Database, term: str, label_id: int, *, events: EventBus | None = None) -> LexiconRow:
    """Keep `term` out of the lexicon for this label: not suggested, not offered again."""
    term = _checked_term(term)
    with database.transaction() as session:
        found = entries.find(session, term, label_id)
        if found:
            entries.change(session, found[0].id, rejected=True)
            row = found[0]._replace(rejected=True)
        else:
            row = entries.upsert(session, term=term, label_id=label_id, rejected=True)
    _emit(events, row.forms)
    return row


def _checked_term(term: str) -> str:
    term = term.strip()
    if not term:
        raise LexiconError("a lexicon term cannot be empty")
    if "\t" in term or "\n" in term:
        raise LexiconError(f"a lexicon term cannot contain a tab or a line break: {term!r}")
    return term


# ---------------------------------------------------------------- offers from labelled spans

@dataclass(frozen=True)
class Offer:
    """What labelling a span offers to the lexicon."""

    term: str
    label_id: int
    variants: tuple[str, ...]
    span_id: int


def offer_mode(database: Database) -> OfferMode:
    with database.session() as session:
        value = settings.get(session, OFFER_SETTING, OfferMode.AUTO.value)
    try:
        return OfferMode(value)
    except ValueError:
        return OfferMode.AUTO


def set_offer_mode(database: Database, mode: OfferMode) -> None:
    with database.transaction() as session:
        settings.put(session, OFFER_SETTING, OfferMode(mode).value)


CLAUSE_MARKS = set("，。；！？：,;!?")  # a term never holds these (、 it may: 街乡吹哨、部门报到)


def term_text(text: str) -> str | None:
    """What of a labelled text can be a lexicon term: without the spaces, quotes, brackets and commas around it
    (a keyboard selection easily takes them: “两个维护” → 两个维护, ，天津市委 → 天津市委); None when it spans
    clauses or lines (强调，要 is a slip, not a formulation)."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]).startswith("P")):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]).startswith("P")):
        end -= 1
    term = text[start:end]
    if "\n" in term or "\t" in term or CLAUSE_MARKS.intersection(term):
        return None
    return term


def offer_for(database: Database, row: SpanRow) -> Offer | None:
    """The offer a span makes, or None: too short or long, across lines or clauses, already in the lexicon
    with this label, or rejected for it. Traditional text is offered in simplified form, with the
    original as a variant (the segmenter cuts traditional documents after t2s)."""
    with database.session() as session:
        text = term_text(documents.text_of(session, row.document_id)[row.start:row.end])
        if text is None or not MIN_TERM <= len(text) <= MAX_TERM:
            return None
        if label_rows.by_id(session, row.label_id) is None:
            return None  # the label was deleted since (offers come after a pause)
        script = documents.info(session, row.document_id).script
        term = t2s(text) if script == Script.TRADITIONAL else text
        if any(entries.with_form(session, form, row.label_id) for form in {term, text}):
            return None
    return Offer(term, row.label_id, (text,) if text != term else (), row.id)


def accept_offer(database: Database, offer: Offer, *, events: EventBus | None = None) -> LexiconRow:
    return add_entry(database, offer.term, offer.label_id, variants=offer.variants, events=events)


def decline_offer(database: Database, offer: Offer, *, events: EventBus | None = None) -> LexiconRow:
    return reject_term(database, offer.term, offer.label_id, events=events)


class LexiconOffers:
    """Listens to span edits and offers each hand-labelled span's text to the lexicon.

    In `auto` mode the offer is accepted at once, and withdrawn again if every span that brought it
    in this session is removed (undo, delete) or relabelled while the entry is still as it was added. In `ask`
    mode `on_offer(offer)` is called for the window to show; `on_added(entry)` after an automatic
    addition. Runs in the thread of the edit — or, with `listen=False`, whenever the owner passes the
    events to `handle` (the window does so after the edit has been painted, to keep a key press fast).
    """

    def __init__(self, database: Database, events: EventBus, on_offer: Callable[[Offer], None] | None = None, *,
                 on_added: Callable[[LexiconRow], None] | None = None, listen: bool = True):
        self.database = database
        self.events = events
        self.on_offer = on_offer
        self.on_added = on_added
        self._added: dict[tuple[str, int], tuple[LexiconRow, set[int]]] = {}  # entry -> spans that brought it
        self.unsubscribe = events.subscribe(self.handle) if listen else (lambda: None)

    def handle(self, event) -> None:
        """Offer the hand-labelled spans of a SpansChanged event; withdraw offers of removed spans."""
        if not isinstance(event, SpansChanged):
            return
        for row in event.removed:
            self._withdraw(row)
        for old, new in event.updated:  # relabelled: the term this span brought goes with its old label
            if new.label_id != old.label_id:
                self._withdraw(old)
        offered = [row for row in (*event.added, *(new for old, new in event.updated if new.label_id != old.label_id))
                   if row.origin == Origin.MANUAL]
        if not offered:
            return
        with self.database.session() as session:
            text = documents.text_of(session, event.document_id)
        groups: dict[tuple[str, int], list[SpanRow]] = {}  # label all occurrences: one offer per term
        for row in offered:
            term = term_text(text[row.start:row.end])
            if term:
                groups.setdefault((term, row.label_id), []).append(row)
        for (term, _label_id), rows in groups.items():
            self._offer(term, rows)

    def _offer(self, text: str, rows: list[SpanRow]) -> None:
        label_id = rows[0].label_id
        for entry, span_ids in self._added.values():
            if entry.label_id == label_id and (text in entry.forms or t2s(text) in entry.forms):
                span_ids.update(row.id for row in rows)  # more spans of a term this session added
                return
        mode = offer_mode(self.database)
        if mode == OfferMode.OFF:
            return
        offer = offer_for(self.database, rows[0])
        if offer is None:
            return
        if mode == OfferMode.ASK:
            if self.on_offer is not None:
                self.on_offer(offer)
            return
        entry = accept_offer(self.database, offer, events=self.events)
        self._added[(entry.term, entry.label_id)] = (entry, {row.id for row in rows})
        if self.on_added is not None:
            self.on_added(entry)

    def _withdraw(self, row: SpanRow) -> None:
        for key, (entry, span_ids) in list(self._added.items()):
            if row.id not in span_ids:
                continue
            span_ids.discard(row.id)
            if span_ids:
                return
            del self._added[key]
            with self.database.session() as session:
                current = entries.get(session, entry.id)
            if current == entry:  # not edited, relabelled or rejected since
                remove_entry(self.database, entry.id, events=self.events)
            return


# ---------------------------------------------------------------- TSV

@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int


def _parse_tsv(path: Path, label_ids: dict[str, int]) -> list[tuple[int, str, int, tuple[str, ...], str]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LexiconError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise LexiconError(f"{path}:{line}: not UTF-8 text") from None
    parsed, errors, seen = [], [], {}
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if not 2 <= len(fields) <= 4:
            errors.append(f"{path}:{number}: expected term<TAB>label[<TAB>variants[<TAB>note]], "
                          f"found {len(fields)} field(s)")
            continue
        term, label = fields[0].strip(), fields[1].strip()
        variants = entries.split_variants(fields[2]) if len(fields) > 2 else ()
        note = fields[3].strip() if len(fields) > 3 else ""
        if not term:
            errors.append(f"{path}:{number}: empty term")
        elif label not in label_ids:
            errors.append(f"{path}:{number}: unknown label {label!r} (known: {', '.join(label_ids)}; "
                          f"add it with: main.py labels add {label})")
        elif (term, label) in seen:
            errors.append(f"{path}:{number}: {term}\t{label} is already on line {seen[(term, label)]}")
        else:
            seen[(term, label)] = number
            parsed.append((number, term, label_ids[label], variants, note))
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise LexiconError("\n".join(errors[:5]) + more)
    return parsed


def import_tsv(database: Database, path: str | Path, *, events: EventBus | None = None) -> ImportReport:
    """Add or update the entries of a TSV file (all or nothing). An imported term that was rejected
    is accepted again: the file says so explicitly."""
    path = Path(path)
    with database.session() as session:
        label_ids = {label.name: label.id for label in label_rows.all_labels(session)}
    parsed = _parse_tsv(path, label_ids)
    added = updated = unchanged = 0
    with database.transaction() as session:
        existing = {(e.term, e.label_id): e for e in entries.entries(session)}
        for _number, term, label_id, variants, note in parsed:
            before = existing.get((term, label_id))
            wanted = (tuple(v for v in variants if v != term), note, False)
            if before is not None and (before.variants, before.note, before.rejected) == wanted:
                unchanged += 1
                continue
            entries.upsert(session, term=term, label_id=label_id, variants=variants, note=note)
            added, updated = (added + 1, updated) if before is None else (added, updated + 1)
    _emit(events, [term for _, term, *_ in parsed])
    return ImportReport(added, updated, unchanged)


def export_tsv_file(database: Database, path: str | Path) -> int:
    """export_tsv into a file that replaces `path` only once it is complete; LexiconError when it cannot be
    written there."""
    with atomic_output(Path(path).expanduser(), LexiconError) as (stream, keep):
        out = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        count = export_tsv(database, out)
        out.flush()
        out.detach()  # the binary stream is closed by atomic_output
        keep(True)
    return count


def export_tsv(database: Database, out: TextIO) -> int:
    """Write the accepted entries (rejections stay in the database); returns how many."""
    with database.session() as session:
        names = {label.id: label.name for label in label_rows.all_labels(session)}
        rows = entries.entries(session, include_rejected=False)
    for entry in rows:
        fields = [entry.term, names[entry.label_id]]
        if entry.variants or entry.note:
            fields.append(entries.join_variants(entry.variants))
        if entry.note:
            fields.append(entry.note.replace("\t", " ").replace("\n", " "))
        out.write("\t".join(fields) + "\n")
    return len(rows)


# ---------------------------------------------------------------- the segmenter's side

def documents_with_terms(database: Database, terms: Iterable[str]) -> list[int]:
    """Documents that contain any of `terms` in either script: those whose segmentation a lexicon
    change can alter."""
    found: set[int] = set()
    with database.session() as session:
        for term in terms:
            for form in both_scripts(term):
                candidates = fulltext.documents_containing(session, form)
                found.update(document_id for document_id, _, _, text in fulltext.texts(session, candidates)
                             if form in text)
    return sorted(found)


def refresh_segmentation(database: Database, terms: Iterable[str], *,
                         progress: Callable[[int, int], None] | None = None,
                         cancel: Callable[[], bool] | None = None) -> int:
    """Recompute (and cache) the tokens of the documents a lexicon change touches, so that opening
    them is instant again; returns how many were done. Long work: run it off the GUI thread."""
    from corpus.segment import document_tokens

    affected = documents_with_terms(database, terms)
    for done, document_id in enumerate(affected, 1):
        if cancel is not None and cancel():
            return done - 1
        document_tokens(database, document_id)
        if progress is not None:
            progress(done, len(affected))
    return len(affected)
