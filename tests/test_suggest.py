"""Suggestions: lexicon and rules, never over the user's labels, rejections remembered, accepting
as undoable edits, traditional documents through their simplified view."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from annotate import lexicon, rules
from annotate.events import SpansChanged, SuggestionsChanged
from annotate.spans import SpanStore
from annotate.suggest import LEXICON, RejectSuggestions, Suggester, Suggestion, accept, accept_all, of_term, visible
from corpus.documents import store_text
from db import labels
from db.models import Origin
from db.spans import SpanRow

TEXT = "坚决做到“两个维护”，推进“放管服”改革。市委组织部要求两个维护落到实处，两个维护。"
TRADITIONAL = "堅決做到“兩個維護”，市委組織部副部長出席。"


@pytest.fixture
def setup(database, stored):
    ids = stored(annotators=["amy", "bob"], documents={"doc": TEXT, "trad": TRADITIONAL})
    events: list = []
    store = SpanStore(database)
    store.events.subscribe(events.append)
    return Suggester(database), store, ids, events


def shown(suggester, document_id, **kwargs):
    return [(s.text, s.source) for s in suggester.for_document(document_id, **kwargs)]


def test_lexicon_and_rules_suggest_without_writing_anything(setup, database):
    suggester, store, ids, _ = setup
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    assert shown(suggester, ids["doc"]) == [
        ("两个维护", LEXICON), ("放管服", "quoted_phrase"), ("市委组织部", "institution"),
        ("两个维护", LEXICON), ("两个维护", LEXICON)]
    assert store.for_document(ids["doc"]) == []


def test_a_lexicon_change_or_a_rule_switched_off_shows_at_once(setup, database):
    suggester, _, ids, _ = setup
    assert ("两个维护", LEXICON) not in shown(suggester, ids["doc"])
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    assert shown(suggester, ids["doc"]).count(("两个维护", LEXICON)) == 3
    with database.transaction() as session:
        rules.set_enabled(session, "institution", False)
    assert ("市委组织部", "institution") not in shown(suggester, ids["doc"])
    lexicon.reject_term(database, "两个维护", ids["SLOGAN"])
    assert ("两个维护", "quoted_numbered") in shown(suggester, ids["doc"])  # the rule still sees the quoted one
    assert ("两个维护", LEXICON) not in shown(suggester, ids["doc"])


def _span(store, ids, start, end, label="SLOGAN", who="amy"):
    assert TEXT[start:end] in ("两个维护", "放管服", "市委组", "要求两个维护落到实处")
    return store.add(document_id=ids["doc"], label_id=ids[label], annotator_id=ids[who], start=start, end=end)


def test_labels_the_user_made_are_never_covered(setup, database):
    suggester, store, ids, _ = setup
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    lexicon.add_entry(database, "组织部", ids["TASK"])
    _span(store, ids, 5, 9)                             # exactly the suggestion: no suggestion
    _span(store, ids, 14, 17, label="TASK")             # 放管服 labelled otherwise: no suggestion
    _span(store, ids, 21, 24, label="INSTITUTION")      # 市委组: 市委组织部 overlaps it, 组织部 (TASK) crosses it
    _span(store, ids, 26, 36, label="TASK")             # 要求两个维护落到实处: the slogan nested inside stays
    assert shown(suggester, ids["doc"], annotator_id=ids["amy"]) == [
        ("两个维护", LEXICON), ("两个维护", LEXICON)]
    # bob's view is his own: amy's labels do not hide his suggestions
    assert len(shown(suggester, ids["doc"], annotator_id=ids["bob"])) == 6


def test_a_longer_span_of_the_same_label_hides_what_it_covers(setup, database):
    suggester, store, ids, _ = setup
    _span(store, ids, 21, 24, label="INSTITUTION")  # 市委组 — the user chose other bounds
    assert ("市委组织部", "institution") not in shown(suggester, ids["doc"], annotator_id=ids["amy"])


def test_label_filter(setup, database):
    suggester, _, ids, _ = setup
    assert shown(suggester, ids["doc"], label_ids=[ids["INSTITUTION"]]) == [("市委组织部", "institution")]


def test_accepting_adds_a_suggested_span_and_undo_takes_it_back(setup, database):
    suggester, store, ids, _ = setup
    first = suggester.for_document(ids["doc"], annotator_id=ids["amy"])[0]
    edit = accept(first, ids["amy"])
    edit.redo(store)
    row = store.for_document(ids["doc"])[0]
    assert (row.start, row.end, row.label_id, row.origin) == (first.start, first.end, first.label_id, Origin.SUGGESTED)
    assert first not in suggester.for_document(ids["doc"], annotator_id=ids["amy"])
    edit.undo(store)
    assert store.for_document(ids["doc"]) == []
    assert first in suggester.for_document(ids["doc"], annotator_id=ids["amy"])


def test_accept_all_is_one_step_with_one_event(setup, database):
    suggester, store, ids, events = setup
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    everything = suggester.for_document(ids["doc"], annotator_id=ids["amy"])
    edit = accept_all(everything, ids["amy"])
    edit.redo(store)
    assert len(store.for_document(ids["doc"])) == 5
    assert [type(e) for e in events] == [SpansChanged]
    assert suggester.for_document(ids["doc"], annotator_id=ids["amy"]) == []
    edit.undo(store)
    assert store.for_document(ids["doc"]) == []
    edit.redo(store)
    assert len(store.for_document(ids["doc"])) == 5


def test_accept_all_of_one_term(setup, database):
    suggester, store, ids, _ = setup
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    everything = suggester.for_document(ids["doc"], annotator_id=ids["amy"])
    same = of_term(everything, everything[0])
    assert [s.text for s in same] == ["两个维护"] * 3
    accept_all(same, ids["amy"]).redo(store)
    assert [(s.text, s.source) for s in suggester.for_document(ids["doc"], annotator_id=ids["amy"])] == [
        ("放管服", "quoted_phrase"), ("市委组织部", "institution")]


def test_a_rejected_suggestion_stays_rejected_until_the_rejection_is_undone(setup, database):
    suggester, store, ids, events = setup
    target = [s for s in suggester.for_document(ids["doc"]) if s.text == "放管服"]
    reject = RejectSuggestions(target)
    reject.redo(store)
    assert events == [SuggestionsChanged(ids["doc"])]
    assert "放管服" not in [s.text for s in Suggester(database).for_document(ids["doc"])]  # a new session too
    reject.undo(store)
    assert "放管服" in [s.text for s in suggester.for_document(ids["doc"])]


def test_traditional_documents_match_through_their_simplified_view(setup, database):
    suggester, _, ids, _ = setup
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    got = suggester.for_document(ids["trad"])
    assert [(s.text, s.source) for s in got] == [("兩個維護", LEXICON), ("市委組織部", "institution")]
    assert [TRADITIONAL[s.start:s.end] for s in got] == ["兩個維護", "市委組織部"]


def test_latin_terms_do_not_match_inside_words(database):
    with database.transaction() as session:
        doc = store_text(session, name="x", text="GDP增长，GDPR合规，5G和15G")[0]
        slogan = labels.by_name(session, "SLOGAN").id
    lexicon.add_entry(database, "GDP", slogan)
    lexicon.add_entry(database, "5G", slogan)
    assert [s.text for s in Suggester(database).for_document(doc)] == ["GDP", "5G"]


spans_strategy = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8), st.integers(1, 3)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(spans_strategy, spans_strategy)
def test_no_suggestion_ever_overlaps_its_label_repeats_a_span_or_crosses_one(candidates, spans):
    rows = [SpanRow(i, 1, label, 1, start, start + length, Origin.MANUAL, "") for i, (start, length, label) in
            enumerate(spans)]
    suggestions = [Suggestion(1, start, start + length, label, "rule", "") for start, length, label in candidates]
    kept = visible(suggestions, rows, set())
    for s in kept:
        for r in rows:
            overlap = r.start < s.end and s.start < r.end
            nested = (r.start <= s.start and s.end <= r.end) or (s.start <= r.start and r.end <= s.end)
            assert not (overlap and r.label_id == s.label_id)
            assert (r.start, r.end) != (s.start, s.end)
            assert not overlap or nested
    for s in suggestions:  # and nothing else is dropped
        if s not in kept:
            assert any(r.start < s.end and s.start < r.end for r in rows)
