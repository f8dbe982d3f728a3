"""Document statuses, the "next unfinished" walk, the filtered document pages, and label edits."""

from __future__ import annotations

import pytest

from annotate.events import DocumentsChanged, EventBus, LabelsChanged
from annotate.labelset import LabelError, LabelSet
from annotate.progress import DocumentProgress
from annotate.spans import SpanStore
from db import annotators, documents
from db.models import Origin, Script, Status


@pytest.fixture
def corpus(database):
    with database.transaction() as session:
        ids = [documents.add_document(session, name=name, text=text, content_hash=name, script=Script.SIMPLIFIED)
               for name, text in [("notice.txt", "推动京津冀协同发展"), ("report.txt", "市委组织部召开会议"),
                                  ("news.txt", "两个确立"), ("Plenum.txt", "十项行动")]]
        amy = annotators.annotator_id(session, "amy")
    return ids, amy


def test_first_manual_span_puts_a_new_document_in_progress(database, corpus):
    ids, amy = corpus
    events = EventBus()
    seen = []
    events.subscribe(seen.append)
    progress = DocumentProgress(database, events)
    store = SpanStore(database, events)
    store.add(document_id=ids[1], label_id=1, annotator_id=amy, start=0, end=2, origin=Origin.IMPORTED)
    assert progress.status(ids[1]) is Status.NEW  # imported labels are not the annotator's work
    store.add(document_id=ids[1], label_id=1, annotator_id=amy, start=2, end=4, origin=Origin.SUGGESTED)
    assert progress.status(ids[1]) is Status.IN_PROGRESS  # an accepted suggestion is (even after an import)
    store.add(document_id=ids[0], label_id=1, annotator_id=amy, start=0, end=2)
    assert progress.status(ids[0]) is Status.IN_PROGRESS
    assert DocumentsChanged((ids[0],)) in seen
    progress.set_status(ids[0], Status.DONE)
    store.add(document_id=ids[0], label_id=1, annotator_id=amy, start=2, end=4)
    assert progress.status(ids[0]) is Status.DONE  # labelling more never reopens a done document


def test_a_document_whose_first_label_is_undone_is_new_again(database, corpus):
    from annotate.edits import AddSpan, AddSpans
    from annotate.spans import NewSpan

    ids, amy = corpus
    events = EventBus()
    progress = DocumentProgress(database, events)
    store = SpanStore(database, events)
    first = AddSpan(ids[0], 1, amy, 0, 2)
    first.redo(store)
    second = AddSpan(ids[0], 1, amy, 2, 4)
    second.redo(store)
    second.undo(store)
    assert progress.status(ids[0]) is Status.IN_PROGRESS  # a label is left
    first.undo(store)
    assert progress.status(ids[0]) is Status.NEW
    first.redo(store)
    assert progress.status(ids[0]) is Status.IN_PROGRESS
    store.add(document_id=ids[1], label_id=2, annotator_id=amy, start=5, end=9, origin=Origin.IMPORTED)
    everywhere = AddSpans([NewSpan(ids[1], 1, amy, 0, 3), NewSpan(ids[2], 1, amy, 0, 4)])  # label all occurrences
    everywhere.redo(store)
    progress.set_status(ids[2], Status.DONE)
    everywhere.undo(store)
    # ids[1] keeps an imported span, which neither starts nor keeps progress; done stays done
    assert [progress.status(i) for i in ids[:3]] == [Status.IN_PROGRESS, Status.NEW, Status.DONE]


def test_mark_done_moves_to_the_next_unfinished_and_wraps_around(database, corpus):
    ids, _ = corpus
    progress = DocumentProgress(database, EventBus())
    progress.set_status(ids[0], Status.DONE)
    assert progress.mark_done(ids[2]) == ids[3]
    assert progress.mark_done(ids[3]) == ids[1]  # wraps to the start, skipping done ones
    assert progress.mark_done(ids[1]) is None
    assert progress.counts() == {Status.NEW: 0, Status.IN_PROGRESS: 0, Status.DONE: 4}


def test_pages_filter_by_name_or_full_text_and_status(database, corpus):
    ids, _ = corpus
    with database.session() as session:
        assert [d.id for d in documents.page(session, limit=2)] == ids[:2]
        assert [d.id for d in documents.page(session, after_id=ids[1], limit=2)] == ids[2:]
        assert [d.name for d in documents.page(session, text="plenum")] == ["Plenum.txt"]  # name, any case
        assert [d.name for d in documents.page(session, text="组织部")] == ["report.txt"]  # full text
        assert documents.page(session, text="100%_") == []  # LIKE wildcards are literal
        assert documents.count_matching(session, text=".txt", statuses=[Status.NEW]) == 4
        assert documents.count_matching(session, statuses=[Status.DONE]) == 0


def test_labels_are_checked_committed_and_announced(database):
    events = EventBus()
    seen = []
    events.subscribe(seen.append)
    label_set = LabelSet(database, events)
    policy = label_set.add(name="POLICY", display="政策", color="#112233", shortcut="4")
    assert seen == [LabelsChanged()]
    assert [label.name for label in label_set.all()][-1] == "POLICY"
    assert label_set.update(policy.id, color="#445566", shortcut="").shortcut is None
    with pytest.raises(LabelError, match="already"):
        label_set.add(name="OTHER", shortcut="1")  # SLOGAN has 1
    with pytest.raises(LabelError, match="#rrggbb"):
        label_set.update(policy.id, color="red")
    with pytest.raises(LabelError, match="one word"):
        label_set.add(name="two words")
    assert label_set.all()[-1].color == "#445566"


def test_renaming_a_label_keeps_the_built_in_rules_that_use_it(database):
    """The built-in rules find their label by name: renamed SLOGAN → KOUHAO, they must not fall silent."""
    from annotate import rules

    label_set = LabelSet(database, EventBus())
    slogan = next(label for label in label_set.all() if label.name == "SLOGAN")
    with database.session() as session:
        before = {info.name: info.label_id for info in rules.rule_infos(session) if info.active}
    label_set.update(slogan.id, name="KOUHAO")
    with database.session() as session:
        after = {info.name: info.label_id for info in rules.rule_infos(session) if info.active}
        assert {info.label for info in rules.rule_infos(session) if info.label_id == slogan.id} == {"KOUHAO"}
    assert after == before and "quoted_numbered" in after


def test_a_refused_label_says_which_label_has_the_name_or_the_key(database):
    label_set = LabelSet(database, EventBus())
    slogan, task = label_set.all()[:2]
    with pytest.raises(LabelError, match="the key '2' is TASK's already"):
        label_set.update(slogan.id, shortcut="2")
    with pytest.raises(LabelError, match="a label named 'TASK' exists already"):
        label_set.update(slogan.id, name="TASK")


def test_new_labels_get_a_colour_of_their_own(database):
    label_set = LabelSet(database, EventBus())
    added = [label_set.add(name=f"L{i}") for i in range(3)]
    colours = [label.color for label in label_set.all()]
    assert len(set(colours)) == len(colours) == 6 and all(label.shortcut is None for label in added)


def test_a_label_no_span_has_can_be_removed_and_one_with_spans_cannot(database, corpus):
    from annotate import lexicon

    ids, amy = corpus
    label_set = LabelSet(database, EventBus())
    policy = label_set.add(name="POLICY")
    lexicon.add_entry(database, "稳经济33条", policy.id)
    slogan = label_set.all()[0]
    SpanStore(database).add(document_id=ids[0], label_id=slogan.id, annotator_id=amy, start=0, end=2)
    assert label_set.uses(policy.id) == (0, 1, 0)
    with pytest.raises(LabelError, match="1 span has the label SLOGAN: relabel or remove them first"):
        label_set.remove(slogan.id)
    label_set.remove(policy.id)
    assert "POLICY" not in [label.name for label in label_set.all()] and lexicon.all_entries(database) == []
    assert "SLOGAN" in [label.name for label in label_set.all()]
