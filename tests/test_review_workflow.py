"""The review workflow end to end on the seed documents: two annotators label in their own databases and export,
a reviewer imports both, measures agreement, adjudicates and exports the gold set."""

from __future__ import annotations

import json

import pytest

from annotate import review
from annotate.agreement import measure
from annotate.formats import export_jsonl, import_jsonl
from annotate.spans import SpanStore
from corpus.importer import import_paths
from db import annotators, documents, labels
from db.engine import open_database

# What each annotator marks in every seed where the term occurs (first occurrence): the same slogan, the same
# task boundaries but for one, a label conflict on 天津, and one span each that the other does not have.
AMY = [("两个确立", "SLOGAN"), ("市委", "INSTITUTION"), ("天津", "INSTITUTION"), ("高质量发展", "TASK")]
BOB = [("两个确立", "SLOGAN"), ("市委", "INSTITUTION"), ("天津", "TASK"), ("高质量", "TASK"),
       ("党的二十大", "SLOGAN")]


def annotate_in_own_database(path, seeds, name, marks):
    database = open_database(str(path))
    import_paths(database, [seeds], workers=1)
    store = SpanStore(database)
    with database.transaction() as session:
        who = annotators.annotator_id(session, name)
        label_ids = {label.name: label.id for label in labels.all_labels(session)}
        texts = {info.id: documents.text_of(session, info.id) for info in documents.all_infos(session)}
    for document_id, text in texts.items():
        for term, label in marks:
            at = text.find(term)
            if at >= 0:
                store.add(document_id=document_id, label_id=label_ids[label], annotator_id=who, start=at,
                          end=at + len(term))
    return database


@pytest.mark.seeds
def test_two_exports_are_adjudicated_into_an_exported_gold_set(seeds, tmp_path):
    for name, marks in (("amy", AMY), ("bob", BOB)):
        own = annotate_in_own_database(tmp_path / f"{name}.db", seeds, name, marks)
        export_jsonl(own, tmp_path / f"{name}.jsonl", annotators=[name])
        own.close()
    reviewer = open_database(str(tmp_path / "review.db"))
    for name in ("amy", "bob"):
        import_jsonl(reviewer, tmp_path / f"{name}.jsonl", annotator=name)

    result = measure(reviewer, ["amy", "bob"])
    assert result.documents == 5                     # every seed has a span of both
    pair = result.pairs[0]
    assert pair.per_label["SLOGAN"].spans_a <= pair.per_label["SLOGAN"].spans_b
    assert 0 < pair.overall.f1_exact < pair.overall.f1_overlap <= 1

    store = SpanStore(reviewer)
    with reviewer.session() as session:
        infos = documents.all_infos(session)
    decided = 0
    for info in infos:
        state = review.load(reviewer, info.id, ["amy", "bob"])
        review.accept_agreed(state, reviewer="rita").redo(store)
        for index, group in enumerate(state.disagreements):
            if group.kind is review.Kind.BOUNDARY:
                review.accept(state, group, "amy", reviewer="rita").redo(store)
            elif group.kind is review.Kind.LABEL:
                review.edit(state, group, [(group.start, group.end, group.spans[0].label_id)],
                            reviewer="rita").redo(store)
            else:
                review.reject(state, group, reviewer="rita").redo(store)
            decided += 1
        review.mark_adjudicated(review.load(reviewer, info.id, ["amy", "bob"])).redo(store)
    assert decided > 0

    export_jsonl(reviewer, tmp_path / "gold.jsonl", annotators=[review.GOLD])
    lines = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5
    for line in lines:
        for start, end, label in line["label"]:
            assert line["text"][start:end] in {"两个确立", "市委", "天津", "高质量发展"}
        assert line["label"], "every seed keeps at least the agreed spans"
        assert "adjudicated_by" in json.dumps(line["meta"], ensure_ascii=False)
    reviewer.close()
