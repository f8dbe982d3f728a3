"""Label all occurrences: from one span, its label on every other occurrence of the same text in
the document or the whole corpus — counted before anything is written, applied as one committed
transaction and one undo step (AddSpans), with one event per document.

The same care as for suggestions (annotate.suggest.visible): an occurrence already labelled so is
counted, not doubled; one that overlaps a span of this label, carries another label on exactly
this text, crosses another span, or where this label was rejected, is left alone and counted as
skipped. The text is looked for in both scripts (兩個維護 is an occurrence of 两个维护).
"""

from __future__ import annotations

from dataclasses import dataclass

from annotate.edits import AddSpans
from annotate.spans import NewSpan, SpanError
from annotate.suggest import Suggestion, visible
from corpus.script import both_scripts
from corpus.text import leftmost_longest, occurrences
from db import documents, fulltext, rejections
from db import spans as span_rows
from db.engine import Database
from db.models import Origin


@dataclass(frozen=True)
class OccurrencePlan:
    text: str
    label_id: int
    annotator_id: int
    spans: tuple[NewSpan, ...]  # what applying the plan adds
    already: int                # occurrences that already carry this label
    skipped: int                # occurrences left alone (see the module docstring)

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def documents(self) -> int:
        return len({span.document_id for span in self.spans})

    def edit(self) -> AddSpans:
        return AddSpans(list(self.spans), origin=Origin.MANUAL,
                        text=f"Label {self.count} occurrences of {self.text}")


def _find(text: str, forms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of any form, left to right (longer forms first at a place)."""
    return leftmost_longest((i, i + len(form)) for form in forms for i in occurrences(text, form))


def plan(database: Database, *, text: str, label_id: int, annotator_id: int,
         document_id: int | None = None) -> OccurrencePlan:
    """What labelling every occurrence of `text` with `label_id` would add: in one document, or in
    the whole corpus when `document_id` is None."""
    if not text:
        raise SpanError("nothing to look for: the text is empty")
    forms = both_scripts(text)
    to_add: list[NewSpan] = []
    already = skipped = 0
    with database.session() as session:
        if document_id is not None:
            candidates = [document_id]
        else:
            candidates = sorted({i for form in forms for i in fulltext.documents_containing(session, form)})
        for doc, _name, _script, body in fulltext.texts(session, candidates):
            places = _find(body, forms)
            if not places:
                continue
            spans = span_rows.for_document(session, doc, [annotator_id])
            labelled = {(r.start, r.end) for r in spans if r.label_id == label_id}
            new = [Suggestion(doc, start, end, label_id, "", "") for start, end in places
                   if (start, end) not in labelled]
            already += len(places) - len(new)
            kept = visible(new, spans, rejections.for_document(session, doc))
            skipped += len(new) - len(kept)
            to_add.extend(NewSpan(doc, label_id, annotator_id, s.start, s.end) for s in kept)
    return OccurrencePlan(text, label_id, annotator_id, tuple(to_add), already, skipped)


def plan_from_span(database: Database, span_id: int, *, corpus: bool = False) -> OccurrencePlan:
    """Label all occurrences of this span's text with its label, by its annotator."""
    with database.session() as session:
        row = span_rows.get(session, span_id)
        if row is None:
            raise SpanError(f"span {span_id} no longer exists")
        text = documents.text_of(session, row.document_id)[row.start:row.end]
    return plan(database, text=text, label_id=row.label_id, annotator_id=row.annotator_id,
                document_id=None if corpus else row.document_id)
