"""Review: how spans are grouped, and adjudication into the gold layer (persisted, undoable, with provenance)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import review
from annotate.comments import AddComment, CommentError, RemoveComment
from annotate.events import CommentsChanged, DecisionsChanged, SpansChanged
from annotate.review import GOLD, Kind, Member, ReviewError, group_spans
from annotate.spans import SpanStore
from db import annotators, comments, documents, labels
from db import review as review_rows
from db import spans as span_rows
from db.models import Origin, ReviewStatus, Script
from main import main

INSTITUTION, SLOGAN, TASK = 10, 11, 12


def groups_of(rows, who=(1, 2)):
    spans = [Member(s, e, label, a, i) for i, (a, s, e, label) in enumerate(rows, start=1)]
    return [(g.kind, g.start, g.end, sorted((m.annotator_id, m.start, m.end, m.label_id) for m in g.spans))
            for g in group_spans(spans, list(who))]


# ---- grouping ---------------------------------------------------------------------------------------------------

def test_the_four_kinds():
    assert groups_of([(1, 0, 7, INSTITUTION), (2, 0, 7, INSTITUTION),      # same range and label by both
                      (1, 10, 20, TASK), (2, 10, 18, TASK),                # same label, overlapping ranges
                      (1, 20, 24, SLOGAN), (2, 20, 24, TASK),              # same range, different labels
                      (2, 30, 34, SLOGAN)]) == [                           # one annotator only
        (Kind.AGREED, 0, 7, [(1, 0, 7, INSTITUTION), (2, 0, 7, INSTITUTION)]),
        (Kind.BOUNDARY, 10, 20, [(1, 10, 20, TASK), (2, 10, 18, TASK)]),
        (Kind.LABEL, 20, 24, [(1, 20, 24, SLOGAN), (2, 20, 24, TASK)]),
        (Kind.MISSING, 30, 34, [(2, 30, 34, SLOGAN)])]


def test_a_nested_span_of_another_label_is_not_a_conflict():
    # amy marked the institution inside bob's and her own task; bob did not: the task agrees, the
    # institution is missing on bob's side. Different labels on different ranges never link.
    assert groups_of([(1, 0, 12, TASK), (2, 0, 12, TASK), (1, 2, 6, INSTITUTION), (2, 3, 9, SLOGAN)]) == [
        (Kind.AGREED, 0, 12, [(1, 0, 12, TASK), (2, 0, 12, TASK)]),
        (Kind.MISSING, 2, 6, [(1, 2, 6, INSTITUTION)]),
        (Kind.MISSING, 3, 9, [(2, 3, 9, SLOGAN)])]


def test_links_chain_into_a_mixed_group():
    # amy [0,4) TASK —same range— bob [0,4) SLOGAN —overlap, same label— cy [0,6) SLOGAN
    assert groups_of([(1, 0, 4, TASK), (2, 0, 4, SLOGAN), (3, 0, 6, SLOGAN)], who=(1, 2, 3)) == [
        (Kind.MIXED, 0, 6, [(1, 0, 4, TASK), (2, 0, 4, SLOGAN), (3, 0, 6, SLOGAN)])]


def test_one_annotators_spans_link_only_through_another_annotator():
    # amy's two overlapping TASK spans alone are two missing groups ...
    assert [kind for kind, *_ in groups_of([(1, 0, 5, TASK), (1, 3, 9, TASK)])] == [Kind.MISSING, Kind.MISSING]
    # ... but bob's one span over both joins them into one boundary conflict.
    assert groups_of([(1, 0, 5, TASK), (1, 6, 9, TASK), (2, 0, 9, TASK)]) == [
        (Kind.BOUNDARY, 0, 9, [(1, 0, 5, TASK), (1, 6, 9, TASK), (2, 0, 9, TASK)])]


def test_with_three_annotators_two_agreeing_is_missing_for_the_third():
    (kind, start, end, members), = groups_of([(1, 0, 4, TASK), (2, 0, 4, TASK)], who=(1, 2, 3))
    assert kind == Kind.MISSING and [m[0] for m in members] == [1, 2]
    groups = group_spans([Member(0, 4, TASK, 1, 1), Member(0, 4, TASK, 2, 2)], [1, 2, 3])
    assert [len(groups[0].side(a)) for a in (1, 2, 3)] == [1, 1, 0]


def test_group_keys_depend_on_content_and_annotators_compared_not_on_span_ids_or_order():
    one = group_spans([Member(0, 4, TASK, 1, 1), Member(0, 4, SLOGAN, 2, 2)], [1, 2])
    two = group_spans([Member(0, 4, SLOGAN, 2, 9), Member(0, 4, TASK, 1, 8)], [2, 1])
    three = group_spans([Member(0, 4, TASK, 1, 1), Member(0, 4, SLOGAN, 2, 2)], [1, 2, 3])
    moved = group_spans([Member(1, 4, TASK, 1, 1), Member(1, 4, SLOGAN, 2, 2)], [1, 2])
    assert one[0].key == two[0].key
    assert len({one[0].key, three[0].key, moved[0].key}) == 3
    assert one[0].key.startswith("0-4-") and len(one[0].key) <= 64


def reference_groups(spans: list[Member], compared: list[int]) -> list[tuple]:
    """The grouping rules, spelled out: agreed proposals, then connected open spans by a plain union-find."""
    spans = [s for s in spans if s.annotator_id in compared]
    makers: dict[tuple, set] = {}
    for s in spans:
        makers.setdefault(s.proposal, set()).add(s.annotator_id)
    result = [(Kind.AGREED, frozenset(s for s in spans if s.proposal == p)) for p, who in makers.items()
              if who == set(compared)]
    open_spans = [s for s in spans if makers[s.proposal] != set(compared)]
    parent = list(range(len(open_spans)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(open_spans):
        for j, b in enumerate(open_spans[:i]):
            same_range = (a.start, a.end) == (b.start, b.end)
            overlap = a.label_id == b.label_id and a.start < b.end and b.start < a.end
            if a.annotator_id != b.annotator_id and (same_range or overlap):
                parent[root(i)] = root(j)
    components: dict[int, set] = {}
    for i, s in enumerate(open_spans):
        components.setdefault(root(i), set()).add(s)
    for members in components.values():
        ranges, labels = {(s.start, s.end) for s in members}, {s.label_id for s in members}
        kind = (Kind.MISSING if len(ranges) == len(labels) == 1 else Kind.LABEL if len(ranges) == 1
                else Kind.BOUNDARY if len(labels) == 1 else Kind.MIXED)
        result.append((kind, frozenset(members)))
    return sorted(result, key=lambda g: sorted(g[1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8), st.sampled_from([INSTITUTION, SLOGAN, TASK]),
                          st.integers(1, 3)), max_size=30, unique_by=lambda t: (t[0], t[1], t[2], t[3])),
       st.sampled_from([[1, 2], [1, 2, 3], [2, 3]]))
def test_grouping_follows_the_rules_on_random_spans(raw, compared):
    spans = [Member(s, s + w, label, a, i) for i, (s, w, label, a) in enumerate(raw, start=1)]
    groups = group_spans(spans, compared)
    assert sorted([(g.kind, frozenset(g.spans)) for g in groups], key=lambda g: sorted(g[1])) == \
        reference_groups(spans, compared)
    assert [(g.start, g.end) for g in groups] == sorted((g.start, g.end) for g in groups)
    for group in groups:
        assert list(group.spans) == sorted(group.spans)
        assert (group.start, group.end) == (min(s.start for s in group.spans), max(s.end for s in group.spans))


# ---- adjudication against a database ----------------------------------------------------------------------------

TEXT = "天津市委组织部推动京津冀协同发展走深走实两个确立"


@pytest.fixture
def setup(database):
    """amy and bob on one document: INSTITUTION [0,7) agreed, TASK [7,20)/[7,18) boundary, [20,24) SLOGAN/TASK
    label conflict, bob's INSTITUTION [2,4) missing on amy's side."""
    with database.transaction() as session:
        doc = documents.add_document(session, name="notice", text=TEXT, content_hash="h", script=Script.SIMPLIFIED)
        ids = {label.name: label.id for label in labels.all_labels(session)}
        amy, bob = annotators.annotator_id(session, "amy"), annotators.annotator_id(session, "bob")
        span_rows.insert_many(session, [
            dict(document_id=doc, annotator_id=a, label_id=ids[name], start=s, end=e)
            for a, s, e, name in [(amy, 0, 7, "INSTITUTION"), (bob, 0, 7, "INSTITUTION"), (amy, 7, 20, "TASK"),
                                  (bob, 7, 18, "TASK"), (amy, 20, 24, "SLOGAN"), (bob, 20, 24, "TASK"),
                                  (bob, 2, 4, "INSTITUTION")]])
    store = SpanStore(database)
    events: list = []
    store.events.subscribe(events.append)
    return store, doc, ids, events


def state_of(store, doc):
    return review.load(store.database, doc, ["amy", "bob"])


def gold_spans(store, doc):
    with store.database.session() as session:
        gold = annotators.annotator_id(session, GOLD, create=False)
        return [] if gold is None else span_rows.for_document(session, doc, [gold])


def status_of(store, doc):
    with store.database.session() as session:
        return documents.info(session, doc).review_status


def test_the_packed_span_read_gives_the_rows(setup):
    store, doc, _, _ = setup
    with store.database.session() as session:
        ids = [annotators.annotator_id(session, name, create=False) for name in ("amy", "bob")]
        rows = sorted(tuple(row) for row in review_rows.span_keys(session, doc, ids))
        assert sorted(map(tuple, review_rows.span_table(session, doc, ids).tolist())) == rows
        assert sorted(map(tuple, review_rows.span_table(session.connection(), doc, ids).tolist())) == rows
        assert len(rows) == 7


def test_loaded_state_lists_disagreements_in_text_order(setup):
    store, doc, _, _ = setup
    state = state_of(store, doc)
    assert [(g.kind, g.start, g.end) for g in state.disagreements] == [
        (Kind.MISSING, 2, 4), (Kind.BOUNDARY, 7, 20), (Kind.LABEL, 20, 24)]
    assert state.counts() == {"agreed": 1, "label": 1, "boundary": 1, "mixed": 0, "missing": 1, "decided": 0}
    assert state.review_status == ReviewStatus.UNREVIEWED
    with pytest.raises(ReviewError, match="no annotator named 'zoe'"):
        review.load(store.database, doc, ["amy", "zoe"])
    with pytest.raises(ReviewError, match="gold"):
        review.load(store.database, doc, ["amy", GOLD])


def test_accepting_a_side_writes_gold_with_provenance_and_undo_takes_it_back(setup):
    store, doc, ids, events = setup
    state = state_of(store, doc)
    boundary = state.disagreements[1]
    decision = review.accept(state, boundary, "bob", reviewer="rita")
    decision.redo(store)
    (gold,) = gold_spans(store, doc)
    assert (gold.start, gold.end, gold.label_id, gold.origin) == (7, 18, ids["TASK"], Origin.ADJUDICATED)
    provenance = json.loads(gold.provenance)
    assert provenance["adjudicated_by"] == "rita" and provenance["action"] == "accept"
    assert provenance["compared"] == ["amy", "bob"] and provenance["at"].startswith("20")
    assert [(p["annotator"], p["start"], p["end"], p["label"]) for p in provenance["from"]] == [("bob", 7, 18, "TASK")]
    assert status_of(store, doc) == ReviewStatus.IN_REVIEW          # the first decision starts the review

    reloaded = state_of(store, doc)
    assert reloaded.decision(reloaded.disagreements[1]).action == "accept"
    detail = json.loads(reloaded.decision(reloaded.disagreements[1]).detail)
    assert detail["side"] == "bob" and detail["gold"] == [gold.id]
    assert any(isinstance(e, DecisionsChanged) for e in events) and any(isinstance(e, SpansChanged) for e in events)

    decision.undo(store)
    assert gold_spans(store, doc) == []
    assert state_of(store, doc).decision(boundary) is None
    assert status_of(store, doc) == ReviewStatus.UNREVIEWED
    decision.redo(store)
    assert [row.id for row in gold_spans(store, doc)] == [gold.id]   # back under the same id
    assert state_of(store, doc).decision(boundary) is not None


def test_a_rejection_is_remembered_though_it_leaves_no_span(setup):
    store, doc, _, _ = setup
    state = state_of(store, doc)
    review.reject(state, state.disagreements[0], reviewer="rita").redo(store)
    assert gold_spans(store, doc) == []
    reloaded = state_of(store, doc)
    assert reloaded.decision(reloaded.disagreements[0]).action == "reject"
    assert reloaded.step(None) == 1                                  # the next undecided one is the second
    with pytest.raises(ReviewError, match="decided already"):
        review.accept_all(reloaded, reloaded.disagreements[0], reviewer="rita")


def test_accept_all_edit_and_bulk_accept_agreed(setup):
    store, doc, ids, _ = setup
    state = state_of(store, doc)
    review.accept_all(state, state.disagreements[2], reviewer="rita").redo(store)   # SLOGAN and TASK [20,24)
    with pytest.raises(ReviewError, match="outside"):
        review.edit(state, state.disagreements[1], [(7, 99, ids["TASK"])], reviewer="rita").redo(store)
    review.edit(state, state.disagreements[1], [(7, 19, ids["TASK"])], reviewer="rita").redo(store)
    bulk = review.accept_agreed(state, reviewer="rita")
    bulk.redo(store)
    found = sorted((g.start, g.end, g.label_id) for g in gold_spans(store, doc))
    assert found == [(0, 7, ids["INSTITUTION"]), (7, 19, ids["TASK"]), (20, 24, ids["SLOGAN"]),
                     (20, 24, ids["TASK"])]
    edited = next(g for g in gold_spans(store, doc) if g.end == 19)
    assert len(json.loads(edited.provenance)["from"]) == 2           # an edit comes from the whole group
    bulk.undo(store)
    assert (0, 7, ids["INSTITUTION"]) not in [(g.start, g.end, g.label_id) for g in gold_spans(store, doc)]
    assert state_of(store, doc).counts()["decided"] == 2


def test_a_proposal_already_in_gold_is_reused_and_survives_undo(setup):
    store, doc, ids, _ = setup
    with store.database.transaction() as session:
        gold = annotators.annotator_id(session, GOLD)
        span_rows.insert_span(session, document_id=doc, label_id=ids["TASK"], annotator_id=gold, start=7, end=20)
    state = state_of(store, doc)
    decision = review.accept(state, state.disagreements[1], "amy", reviewer="rita")
    decision.redo(store)
    decision.undo(store)
    assert [(g.start, g.end) for g in gold_spans(store, doc)] == [(7, 20)]


def test_clearing_a_decision_from_an_earlier_session(setup):
    store, doc, _, _ = setup
    state = state_of(store, doc)
    review.accept(state, state.disagreements[2], "amy", reviewer="rita").redo(store)
    clear = review.ClearDecision(doc, state.disagreements[2].key)
    clear.redo(store)
    assert gold_spans(store, doc) == [] and state_of(store, doc).counts()["decided"] == 0
    clear.undo(store)
    assert len(gold_spans(store, doc)) == 1 and state_of(store, doc).counts()["decided"] == 1


def test_a_comment_on_a_removed_span_comes_back_with_it(setup):
    """Deleting a span (or withdrawing the decision that made a gold span) takes its comments along; undo
    brings both back, under the same ids, so earlier steps on the undo stack still find them."""
    from annotate.edits import RemoveSpan

    store, doc, _, events = setup
    state = state_of(store, doc)
    span_id = state.disagreements[0].spans[0].id
    note = AddComment(doc, "rita", "市委 is part of the institution", span_id=span_id)
    note.redo(store)

    def stored_comments():
        with store.database.session() as session:
            return [(c.id, c.span_id, c.author, c.text, c.created_at) for c in comments.for_document(session, doc)]

    before = stored_comments()
    remove = RemoveSpan(span_id)
    remove.redo(store)
    assert stored_comments() == [] and events[-1] == CommentsChanged(doc)
    remove.undo(store)
    assert stored_comments() == before
    note.undo(store)  # the comment's own step, further down the stack, still works
    assert stored_comments() == []

    review.accept(state, state.disagreements[2], "amy", reviewer="rita").redo(store)
    (gold,) = gold_spans(store, doc)
    AddComment(doc, "rita", "accepted after a call with amy", span_id=gold.id).redo(store)
    before = stored_comments()
    clear = review.ClearDecision(doc, state.disagreements[2].key)
    clear.redo(store)
    assert stored_comments() == []
    clear.undo(store)
    assert stored_comments() == before


def test_the_reviewer_adds_a_gold_span_nobody_proposed_and_undo_takes_it_back(setup):
    store, doc, ids, events = setup
    state = state_of(store, doc)
    store.events.subscribe(lambda event: state.apply(event))
    added = review.add(state, 2, 7, ids["INSTITUTION"], reviewer="rita")    # 市委组织部, inside amy's and bob's
    added.redo(store)
    (gold,) = gold_spans(store, doc)
    assert (gold.start, gold.end, gold.label_id, gold.origin) == (2, 7, ids["INSTITUTION"], Origin.ADJUDICATED)
    provenance = json.loads(gold.provenance)
    assert provenance["action"] == "add" and provenance["adjudicated_by"] == "rita" and provenance["from"] == []
    assert provenance["compared"] == ["amy", "bob"]
    assert status_of(store, doc) == ReviewStatus.IN_REVIEW                # it starts the review like a decision
    assert state.counts()["decided"] == 0 and [(m.start, m.end) for m in state.gold.values()] == [(2, 7)]
    assert any(isinstance(e, SpansChanged) and e.added == (gold,) for e in events)
    with pytest.raises(ReviewError, match="already"):
        review.add(state, 2, 7, ids["INSTITUTION"], reviewer="rita")
    with pytest.raises(ReviewError, match="already"):                     # made from a state that missed it
        review.AddGold(doc, 2, 7, ids["INSTITUTION"], "rita", ("amy", "bob")).redo(store)
    with pytest.raises(ReviewError, match="outside"):
        review.add(state, 20, 99, ids["SLOGAN"], reviewer="rita").redo(store)
    with pytest.raises(ReviewError, match="reviewer"):
        review.add(state, 0, 2, ids["SLOGAN"], reviewer=GOLD)

    added.undo(store)
    assert gold_spans(store, doc) == [] and state.gold == {}
    assert status_of(store, doc) == ReviewStatus.UNREVIEWED
    added.redo(store)
    assert [row.id for row in gold_spans(store, doc)] == [gold.id]          # back under the same id

    review.reject(state, state.disagreements[0], reviewer="rita").redo(store)
    added.undo(store)                                                     # a decision remains: still in review
    assert status_of(store, doc) == ReviewStatus.IN_REVIEW


def test_adjudicated_only_when_everything_is_decided_or_forced(setup):
    store, doc, _, _ = setup
    state = state_of(store, doc)
    with pytest.raises(ReviewError, match="4 groups are not decided"):
        review.mark_adjudicated(state)
    forced = review.mark_adjudicated(state, force=True)
    forced.redo(store)
    assert status_of(store, doc) == ReviewStatus.ADJUDICATED
    forced.undo(store)
    assert status_of(store, doc) == ReviewStatus.UNREVIEWED
    review.accept_agreed(state, reviewer="rita").redo(store)
    for group in state.disagreements:
        review.reject(state, group, reviewer="rita").redo(store)
    review.mark_adjudicated(state_of(store, doc)).redo(store)
    assert status_of(store, doc) == ReviewStatus.ADJUDICATED


def test_the_state_follows_events_and_asks_for_a_reload_when_annotators_change(setup):
    store, doc, ids, events = setup
    state = state_of(store, doc)
    store.events.subscribe(lambda event: state.apply(event))
    review.accept(state, state.disagreements[1], "amy", reviewer="rita").redo(store)
    assert state.counts()["decided"] == 1
    assert [(g.start, g.end) for g in state.gold.values()] == [(7, 20)]
    assert state.step(None) == 0 and state.step(0) == 2 and state.step(2) is None
    assert state.step(None, forward=False) == 2 and state.step(2, forward=False, undecided_only=False) == 1
    assert state.disagreement_at(21) == 2 and state.disagreement_at(0) is None
    amy = state.annotator_ids[0]
    added = store.add(document_id=doc, label_id=ids["TASK"], annotator_id=amy, start=0, end=2)
    assert state.apply(SpansChanged(doc, added=(added,))) is True


def test_comments_on_documents_and_spans_are_undoable(setup):
    store, doc, _, events = setup
    state = state_of(store, doc)
    span_id = state.disagreements[0].spans[0].id
    on_document = AddComment(doc, "rita", "check against the original")
    on_span = AddComment(doc, "rita", "市委 is part of the institution", span_id=span_id)
    on_document.redo(store)
    on_span.redo(store)
    with store.database.session() as session:
        found = [(c.span_id, c.author, c.text) for c in comments.for_document(session, doc)]
    assert found == [(None, "rita", "check against the original"),
                     (span_id, "rita", "市委 is part of the institution")]
    assert CommentsChanged(doc) in events
    remove = RemoveComment(on_document.row.id)
    remove.redo(store)
    remove.undo(store)
    on_span.undo(store)
    with store.database.session() as session:
        assert [c.text for c in comments.for_document(session, doc)] == ["check against the original"]
    with pytest.raises(CommentError):
        AddComment(doc, "rita", "   ").redo(store)
    with pytest.raises(CommentError, match="not in this document"):
        AddComment(doc + 1, "rita", "x", span_id=span_id).redo(store)


def test_review_command_walks_a_document_to_adjudicated(setup, db_path, capsys):
    store, doc, _, _ = setup
    run = lambda *args: main(["--db", str(db_path), "review", *args])
    assert run("show", "notice", "--annotators", "amy", "bob") == 0
    shown = capsys.readouterr().out
    assert "#2 boundary [7,20)" in shown and "bob: [7,18) TASK 推动京津冀协同发展走深" in shown
    assert run("decide", "notice", "--annotators", "amy", "bob", "--group", "2", "--accept", "amy",
               "--reviewer", "rita") == 0
    assert run("decide", "notice", "--annotators", "amy", "bob", "--group", "3", "--edit", "20:24:SLOGAN",
               "--reviewer", "rita") == 0
    assert run("decide", "notice", "--annotators", "amy", "bob", "--group", "1", "--reject", "--reviewer",
               "rita") == 0
    assert run("status", "notice", "adjudicated", "--annotators", "amy", "bob") == 1
    assert "1 group is not decided" in capsys.readouterr().err
    assert run("accept-agreed", "notice", "--annotators", "amy", "bob", "--reviewer", "rita") == 0
    assert run("status", "notice", "adjudicated", "--annotators", "amy", "bob") == 0
    assert run("comment", "notice", "done, see the edit", "--reviewer", "rita") == 0
    assert run("decide", "notice", "--annotators", "amy", "bob", "--group", "9", "--reject",
               "--reviewer", "rita") == 1
    capsys.readouterr()
    assert run("show", "notice", "--annotators", "amy", "bob") == 0
    assert "3 of 3 disagreements decided" in capsys.readouterr().out
    assert sorted((g.start, g.end) for g in gold_spans(store, doc)) == [(0, 7), (7, 20), (20, 24)]
    assert status_of(store, doc) == ReviewStatus.ADJUDICATED
    with store.database.session() as session:
        assert len(review_rows.decisions_for_document(session, doc)) == 4
