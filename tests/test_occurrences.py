"""Label all occurrences: counted before, one transaction and one undo step, one event per document."""

from __future__ import annotations

import pytest

from annotate import occurrences
from annotate.events import SpansChanged
from annotate.spans import SpanError, SpanStore
from corpus.documents import store_text
from db import annotators, labels


@pytest.fixture
def setup(database, stored):
    ids = stored(annotators=["amy"], documents={"a": "两个维护，两个维护！坚决做到两个维护", "b": "增强“两个维护”的自觉",
                                                "t": "做到“兩個維護”", "none": "没有这个词"})
    events: list = []
    store = SpanStore(database)
    store.events.subscribe(events.append)
    return store, ids, events


def test_count_in_the_document_then_one_undo_step(setup, database):
    store, ids, events = setup
    first = store.add(document_id=ids["a"], label_id=ids["SLOGAN"], annotator_id=ids["amy"], start=0, end=4)
    events.clear()
    plan = occurrences.plan_from_span(database, first.id)
    assert (plan.count, plan.already, plan.skipped, plan.documents) == (2, 1, 0, 1)
    assert store.for_document(ids["a"]) == [first]  # counting wrote nothing
    edit = plan.edit()
    edit.redo(store)
    assert [(r.start, r.end) for r in store.for_document(ids["a"])] == [(0, 4), (5, 9), (14, 18)]
    assert len(events) == 1
    edit.undo(store)
    assert store.for_document(ids["a"]) == [first]


def test_the_corpus_in_both_scripts_with_one_event_per_document(setup, database):
    store, ids, events = setup
    first = store.add(document_id=ids["a"], label_id=ids["SLOGAN"], annotator_id=ids["amy"], start=0, end=4)
    events.clear()
    plan = occurrences.plan_from_span(database, first.id, corpus=True)
    assert (plan.count, plan.documents) == (4, 3)
    plan.edit().redo(store)
    assert sorted(e.document_id for e in events if isinstance(e, SpansChanged)) == [ids["a"], ids["b"], ids["t"]]
    assert [(r.start, r.end) for r in store.for_document(ids["t"])] == [(3, 7)]


def test_places_the_user_decided_otherwise_are_skipped_and_counted(setup, database):
    store, ids, _ = setup
    store.add(document_id=ids["a"], label_id=ids["TASK"], annotator_id=ids["amy"], start=5, end=9)  # other label
    store.add(document_id=ids["a"], label_id=ids["SLOGAN"], annotator_id=ids["amy"], start=10, end=18)  # longer
    plan = occurrences.plan(database, text="两个维护", label_id=ids["SLOGAN"], annotator_id=ids["amy"],
                            document_id=ids["a"])
    assert (plan.count, plan.already, plan.skipped) == (1, 0, 2)
    assert [(s.start, s.end) for s in plan.spans] == [(0, 4)]


def test_thousands_in_one_transaction(database):
    with database.transaction() as session:
        slogan = labels.by_name(session, "SLOGAN").id
        amy = annotators.annotator_id(session, "amy")
        docs = [store_text(session, name=f"d{i}", text=f"第{i}段：" + "落实“放管服”改革。" * 100)[0] for i in range(30)]
    events: list = []
    store = SpanStore(database)
    store.events.subscribe(events.append)
    plan = occurrences.plan(database, text="放管服", label_id=slogan, annotator_id=amy)
    assert (plan.count, plan.documents) == (3000, 30)
    edit = plan.edit()
    edit.redo(store)
    assert len(events) == 30 and sum(len(e.added) for e in events) == 3000
    assert sum(len(store.for_document(d)) for d in docs) == 3000
    edit.undo(store)
    assert sum(len(store.for_document(d)) for d in docs) == 0


def test_a_conflict_at_apply_time_writes_nothing(setup, database):
    store, ids, _ = setup
    plan = occurrences.plan(database, text="两个维护", label_id=ids["SLOGAN"], annotator_id=ids["amy"],
                            document_id=ids["a"])
    store.add(document_id=ids["a"], label_id=ids["SLOGAN"], annotator_id=ids["amy"], start=14, end=18)
    with pytest.raises(SpanError, match="nothing was added"):
        plan.edit().redo(store)
    assert len(store.for_document(ids["a"])) == 1
