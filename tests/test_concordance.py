"""Concordance: every occurrence across the corpus in context, per document, and how it is labelled."""

from __future__ import annotations

import pytest

from annotate import concordance
from annotate.concordance import Status
from annotate.spans import SpanStore
from db import fulltext


@pytest.fixture
def setup(database, stored):
    ids = stored(annotators=["amy", "bob"], documents={
        "a": "坚决做到“两个维护”。\n两个维护是政治要求，两个维护", "b": "增强“两个维护”的自觉，市委组织部",
        "t": "做到“兩個維護”", "c": "与此无关"})
    store = SpanStore(database)
    return store, ids


def _add(store, ids, doc, start, end, label="SLOGAN", who="amy"):
    return store.add(document_id=ids[doc], label_id=ids[label], annotator_id=ids[who], start=start, end=end)


def test_every_occurrence_in_context_with_counts_per_document(setup, database):
    _, ids = setup
    result = concordance.concordance(database, "两个维护", context=4)
    assert [(line.document, line.left, line.match, line.right) for line in result.lines] == [
        ("a", "决做到“", "两个维护", "”。\n两"), ("a", "护”。\n", "两个维护", "是政治要"),
        ("a", "治要求，", "两个维护", ""), ("b", "增强“", "两个维护", "”的自觉"), ("t", "做到“", "兩個維護", "”")]
    assert result.per_document == {ids["a"]: 3, ids["b"]: 1, ids["t"]: 1}


def test_how_each_occurrence_is_labelled(setup, database):
    store, ids = setup
    _add(store, ids, "a", 5, 9)                        # same
    _add(store, ids, "a", 12, 21, label="SLOGAN")      # 两个维护是政治要求: the occurrence lies inside
    _add(store, ids, "a", 22, 26, label="TASK")        # exactly, another label
    _add(store, ids, "b", 3, 5)                        # 两个: part of it
    result = concordance.concordance(database, "两个维护", label_id=ids["SLOGAN"])
    assert [line.status for line in result.lines] == [
        Status.SAME, Status.INSIDE, Status.OTHER, Status.OVERLAP, Status.NONE]
    assert [(line.document, line.start) for line in result.inconsistent] == [("a", 22), ("b", 3), ("t", 3)]
    assert result.by_status[Status.SAME] == 1


def test_the_reference_label_is_the_most_frequent_exact_one_unless_given(setup, database):
    store, ids = setup
    _add(store, ids, "a", 5, 9, label="TASK")
    _add(store, ids, "a", 12, 16, label="TASK")
    _add(store, ids, "a", 22, 26, label="SLOGAN")
    result = concordance.concordance(database, "两个维护")
    assert result.label_id == ids["TASK"]
    assert [line.status for line in result.lines][:3] == [Status.SAME, Status.SAME, Status.OTHER]
    given = concordance.concordance(database, "两个维护", label_id=ids["SLOGAN"])
    assert [line.status for line in given.lines][:3] == [Status.OTHER, Status.OTHER, Status.SAME]


def test_annotators_can_be_compared_one_at_a_time(setup, database):
    store, ids = setup
    _add(store, ids, "b", 3, 7, who="bob")
    assert concordance.concordance(database, "两个维护", annotator_ids=[ids["amy"]]).by_status == {Status.NONE: 5}
    assert concordance.concordance(database, "两个维护", annotator_ids=[ids["bob"]]).by_status[Status.SAME] == 1


def test_short_terms_and_indexed_documents_give_the_same_answers(setup, database):
    _, ids = setup
    before = concordance.concordance(database, "维护")
    assert concordance.update_index(database) == (4 if database.is_sqlite else 0)  # PostgreSQL: no index
    with database.session() as session:
        assert fulltext.pending_count(session) == 0
    assert [(l.document_id, l.start) for l in concordance.concordance(database, "维护").lines] == [
        (l.document_id, l.start) for l in before.lines]
    assert len(concordance.concordance(database, "两个维护").lines) == 5
    assert concordance.concordance(database, "不存在").lines == []


def test_all_spans_of_a_label_flag_the_occurrences_left_unlabelled(setup, database):
    store, ids = setup
    _add(store, ids, "a", 5, 9)
    _add(store, ids, "b", 12, 17, label="INSTITUTION")
    seen = []
    result = concordance.label_concordance(database, ids["SLOGAN"], progress=lambda done, total: seen.append(total))
    assert result.terms == ("两个维护",)
    assert [(line.document, line.status) for line in result.lines] == [
        ("a", Status.SAME), ("a", Status.NONE), ("a", Status.NONE), ("b", Status.NONE), ("t", Status.NONE)]
    assert seen and seen[-1] == 4
    institutions = concordance.label_concordance(database, ids["INSTITUTION"])
    assert [(line.match, line.status) for line in institutions.lines] == [("市委组织部", Status.SAME)]


def test_a_limited_concordance_shows_the_first_lines_and_counts_every_occurrence(setup, database):
    store, ids = setup
    _add(store, ids, "t", 3, 7, label="TASK")  # beyond the limit, still counted as labelled
    full = concordance.concordance(database, "两个维护")
    page = concordance.concordance(database, "两个维护", limit=2)
    assert [(line.document, line.start, line.left) for line in page.lines] == [
        ("a", 5, "坚决做到“"), ("a", 12, "坚决做到“两个维护”。\n")]
    assert page.per_document == full.per_document == {ids["a"]: 3, ids["b"]: 1, ids["t"]: 1}
    assert page.by_status == full.by_status == {Status.NONE: 4, Status.SAME: 1}
    assert (page.total, page.complete, full.complete) == (5, False, True)
    assert [line.left for line in full.lines] == [line.left for line in concordance.concordance(
        database, "两个维护", limit=10).lines]  # contexts cut by the database equal those cut here


def test_a_limited_concordance_can_list_the_inconsistent_occurrences_after_its_limit(setup, database):
    """A consistency check must not miss the inconsistent occurrences that come after the first lines."""
    store, ids = setup
    for doc, start in (("a", 5), ("a", 12), ("b", 3)):
        _add(store, ids, doc, start, start + 4)  # labelled SLOGAN: consistent; a 22 and t 3 are not labelled
    page = concordance.concordance(database, "两个维护", limit=2, more_inconsistent=5)
    assert [(line.document, line.start, line.status) for line in page.lines] == [
        ("a", 5, Status.SAME), ("a", 12, Status.SAME), ("a", 22, Status.NONE), ("t", 3, Status.NONE)]
    assert (page.beyond, page.complete, page.total) == (2, False, 5)
    assert concordance.concordance(database, "两个维护", limit=2, more_inconsistent=1).beyond == 1
    assert concordance.concordance(database, "两个维护", more_inconsistent=5).beyond == 0


@pytest.mark.sqlite_only
def test_positions_from_the_index_and_from_the_texts_agree(setup, database):
    from sqlalchemy import text

    store, ids = setup
    _add(store, ids, "a", 12, 21)
    concordance.update_index(database)

    def lines():
        result = concordance.concordance(database, "两个维护", context=6)
        return [(l.document, l.start, l.end, l.left, l.match, l.right, l.status) for l in result.lines]

    indexed = lines()
    with database.transaction() as session:
        session.execute(text("DROP TABLE documents_fts_instances"))
    assert lines() == indexed
    assert indexed[-1] == ("t", 3, 7, "做到“", "兩個維護", "”", Status.NONE)
