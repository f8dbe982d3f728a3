"""Span edits: committed one by one, checked against the text, undoable as commands."""

from __future__ import annotations

import pytest

from annotate.edits import AddSpan, RemoveSpan, relabel, set_note
from annotate.events import SpansChanged
from annotate.spans import SpanError, SpanStore
from db import annotators, documents, labels
from db.engine import open_database
from db.models import Script

TEXT = "A𠀀B😀两个确立"


@pytest.fixture
def setup(database):
    with database.transaction() as session:
        doc = documents.add_document(session, name="d", text=TEXT, content_hash="h", script=Script.SIMPLIFIED)
        slogan, task = [label.id for label in labels.all_labels(session)[:2]]
        amy = annotators.annotator_id(session, "amy")
    events: list = []
    store = SpanStore(database)
    store.events.subscribe(events.append)
    return store, doc, slogan, task, amy, events


def test_an_added_span_is_on_disk_when_the_call_returns(setup, db_path):
    store, doc, slogan, _, amy, events = setup
    row = store.add(document_id=doc, label_id=slogan, annotator_id=amy, start=4, end=8)
    other = open_database(str(db_path))  # a second engine sees it: committed, not just flushed
    with other.session() as session:
        from db.spans import for_document
        assert [(r.start, r.end) for r in for_document(session, doc)] == [(4, 8)]
    other.close()
    assert TEXT[row.start:row.end] == "两个确立"
    assert events == [SpansChanged(doc, added=(row,))]


@pytest.mark.parametrize("start,end", [(4, 9), (-1, 2), (3, 3)])
def test_spans_outside_the_text_are_refused(setup, start, end):
    store, doc, slogan, _, amy, _ = setup
    with pytest.raises(SpanError):
        store.add(document_id=doc, label_id=slogan, annotator_id=amy, start=start, end=end)
    assert store.for_document(doc) == []


def test_exact_duplicate_is_refused_with_a_reason(setup):
    store, doc, slogan, _, amy, _ = setup
    store.add(document_id=doc, label_id=slogan, annotator_id=amy, start=4, end=8)
    with pytest.raises(SpanError, match="already"):
        store.add(document_id=doc, label_id=slogan, annotator_id=amy, start=4, end=8)


def test_add_remove_relabel_note_undo_and_redo(setup):
    store, doc, slogan, task, amy, _ = setup
    add = AddSpan(doc, slogan, amy, 4, 8)
    add.redo(store)
    span_id = add.row.id
    change = relabel(span_id, task)
    change.redo(store)
    assert store.for_document(doc)[0].label_id == task
    note = set_note(span_id, "check")
    note.redo(store)
    assert store.for_document(doc)[0].note == "check"
    note.undo(store)
    change.undo(store)
    row = store.for_document(doc)[0]
    assert (row.label_id, row.note) == (slogan, "")
    remove = RemoveSpan(span_id)
    remove.redo(store)
    assert store.for_document(doc) == []
    remove.undo(store)
    assert store.for_document(doc)[0].id == span_id  # restored under the same id
    add.undo(store)
    assert store.for_document(doc) == []
    add.redo(store)
    assert [r.id for r in store.for_document(doc)] == [span_id]



def test_the_spans_overlapping_some_places_each_once(database, stored):
    """What a concordance reads instead of every span of every document it touches."""
    from db.spans import overlapping

    ids = stored(annotators=["amy", "bob"], documents={"a": "两个维护两个确立" * 3, "b": "市委组织部"})
    store = SpanStore(database)

    def add(doc, start, end, who="amy"):
        return store.add(document_id=ids[doc], label_id=ids["SLOGAN"], annotator_id=ids[who], start=start,
                         end=end).id

    inside, across, touching, other_doc, bob = add("a", 1, 3), add("a", 3, 9), add("a", 9, 12), add("b", 0, 5), \
        add("a", 4, 8, "bob")
    with database.session() as session:
        found = {row.id for row in overlapping(session, [(ids["a"], 0, 4), (ids["a"], 4, 9), (ids["b"], 5, 5)])}
        assert found == {inside, across, bob}  # `across` overlaps both places and comes once; touching ends don't
        assert len(list(overlapping(session, [(ids["a"], 0, 4), (ids["a"], 4, 9)]))) == 3
        assert {row.id for row in overlapping(session, [(ids["a"], 0, 12)], annotator_ids=[ids["bob"]])} == {bob}
        assert {row.id for row in overlapping(session, [(ids["b"], 2, 3)], chunk=1)} == {other_doc}
        assert {row.id for row in overlapping(session, [(ids["a"], 11, 12), (ids["a"], 0, 1)], chunk=1)} == \
            {touching}
        assert list(overlapping(session, [])) == []
