"""Lexicon: TSV in and out (errors with file:line, all or nothing), offers from labelled spans,
rejected terms remembered, and the documents a lexicon change touches."""

from __future__ import annotations

import io

import pytest

from annotate import lexicon
from annotate.edits import AddSpan
from annotate.events import EventBus, LexiconChanged
from annotate.lexicon import LexiconError, OfferMode
from annotate.spans import SpanStore
from db import lexicon as entries


@pytest.fixture
def ids(stored):
    return stored(annotators=["amy"], documents={"simplified": "坚决做到“两个维护”。两个维护是根本。市委组织部",
                                                 "traditional": "堅決做到“兩個維護”，這個黨組織要學習。兩個維護"})


def _lexicon(database):
    with database.session() as session:
        return [(e.term, e.label_id, e.variants, e.note, e.rejected) for e in entries.entries(session)]


def test_tsv_round_trip(database, ids, tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text("# slogans\n两个维护\tSLOGAN\t两维护|兩個維護\n\n市委组织部\tINSTITUTION\t\t组织部门\n"
                    "放管服\tSLOGAN\n", encoding="utf-8")
    report = lexicon.import_tsv(database, path)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert ("两个维护", ids["SLOGAN"], ("两维护", "兩個維護"), "", False) in _lexicon(database)
    out = io.StringIO()
    assert lexicon.export_tsv(database, out) == 3
    assert out.getvalue().splitlines() == [
        "两个维护\tSLOGAN\t两维护|兩個維護", "市委组织部\tINSTITUTION\t\t组织部门", "放管服\tSLOGAN"]
    again = tmp_path / "again.tsv"
    again.write_text(out.getvalue(), encoding="utf-8")
    report = lexicon.import_tsv(database, again)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 3)



def test_a_tsv_file_is_replaced_only_when_complete(database, ids, tmp_path, monkeypatch):
    lexicon.add_entry(database, "两个维护", ids["SLOGAN"])
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "lexicon.tsv"
    path.write_text("old\tSLOGAN\n", encoding="utf-8")
    assert lexicon.export_tsv_file(database, path) == 1
    assert path.read_bytes() == "两个维护\tSLOGAN\n".encode("utf-8")

    def broken(_database, out):
        out.write("两个")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lexicon, "export_tsv", broken)
    with pytest.raises(OSError):
        lexicon.export_tsv_file(database, path)
    assert path.read_bytes() == "两个维护\tSLOGAN\n".encode("utf-8")  # the previous file, whole
    assert [p.name for p in folder.iterdir()] == ["lexicon.tsv"]  # and nothing beside it
    with pytest.raises(LexiconError, match="is a directory"):
        lexicon.export_tsv_file(database, folder)

@pytest.mark.parametrize("content,message", [
    ("两个维护\tSLOGAN\n两个确立\tNOPE\n", r"lexicon.tsv:2: unknown label 'NOPE'"),
    ("两个维护\n", r"lexicon.tsv:1: expected term<TAB>label"),
    ("\tSLOGAN\n", r"lexicon.tsv:1: empty term"),
    ("两个维护\tSLOGAN\n#\n两个维护\tSLOGAN\n", r"lexicon.tsv:3: .* already on line 1"),
])
def test_a_bad_line_names_file_and_line_and_nothing_is_written(database, ids, tmp_path, content, message):
    lexicon.add_entry(database, "十项行动", ids["SLOGAN"])
    before = _lexicon(database)
    path = tmp_path / "lexicon.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        lexicon.import_tsv(database, path)
    assert _lexicon(database) == before


def test_a_file_that_is_not_utf8_is_refused(database, ids, tmp_path):
    path = tmp_path / "gbk.tsv"
    path.write_bytes("十项行动\tSLOGAN\n两个维护\tSLOGAN\n".encode("gbk"))
    with pytest.raises(LexiconError, match=r"gbk.tsv:1: not UTF-8"):
        lexicon.import_tsv(database, path)


def test_importing_a_rejected_term_accepts_it_again(database, ids, tmp_path):
    lexicon.reject_term(database, "两个维护", ids["SLOGAN"])
    path = tmp_path / "l.tsv"
    path.write_text("两个维护\tSLOGAN\n", encoding="utf-8")
    assert lexicon.import_tsv(database, path).updated == 1
    assert _lexicon(database) == [("两个维护", ids["SLOGAN"], (), "", False)]


def _store(database, events):
    return SpanStore(database, events)


def test_labelling_a_span_adds_its_text_to_the_lexicon_by_default(database, ids):
    events = EventBus()
    seen = []
    events.subscribe(seen.append)
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    assert lexicon.offer_mode(database) == OfferMode.AUTO
    AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9).redo(store)  # 两个维护
    assert _lexicon(database) == [("两个维护", ids["SLOGAN"], (), "", False)]
    assert LexiconChanged(("两个维护",)) in seen


def test_a_slip_undone_leaves_the_lexicon_as_it_was(database, ids):
    events = EventBus()
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    first = AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9)
    first.redo(store)
    second = AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 11, 15)  # the same term again
    second.redo(store)
    second.undo(store)
    assert [e[0] for e in _lexicon(database)] == ["两个维护"]  # the first span still stands for it
    first.undo(store)
    assert _lexicon(database) == []
    first.redo(store)  # redo offers it again
    assert [e[0] for e in _lexicon(database)] == ["两个维护"]


def test_a_relabelled_span_takes_its_term_to_the_new_label(database, ids):
    """Otherwise every other occurrence would be suggested with both labels."""
    from annotate.edits import relabel

    events = EventBus()
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    add = AddSpan(ids["simplified"], ids["TASK"], ids["amy"], 5, 9)
    add.redo(store)
    change = relabel(add.row.id, ids["SLOGAN"])
    change.redo(store)
    assert _lexicon(database) == [("两个维护", ids["SLOGAN"], (), "", False)]
    change.undo(store)
    assert _lexicon(database) == [("两个维护", ids["TASK"], (), "", False)]
    add.undo(store)
    assert _lexicon(database) == []


def test_an_entry_the_user_edited_is_not_withdrawn(database, ids):
    events = EventBus()
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    add = AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9)
    add.redo(store)
    entry = lexicon.all_entries(database)[0]
    lexicon.change_entry(database, entry.id, note="核心提法")
    add.undo(store)
    assert [e[3] for e in _lexicon(database)] == ["核心提法"]


def test_ask_mode_hands_the_offer_over_and_off_mode_says_nothing(database, ids):
    events = EventBus()
    offers = []
    lexicon.LexiconOffers(database, events, on_offer=offers.append)
    store = _store(database, events)
    lexicon.set_offer_mode(database, OfferMode.ASK)
    AddSpan(ids["simplified"], ids["INSTITUTION"], ids["amy"], 19, 24).redo(store)  # 市委组织部
    assert [(o.term, o.label_id) for o in offers] == [("市委组织部", ids["INSTITUTION"])]
    assert _lexicon(database) == []
    lexicon.accept_offer(database, offers[0])
    assert [e[0] for e in _lexicon(database)] == ["市委组织部"]
    lexicon.set_offer_mode(database, OfferMode.OFF)
    AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9).redo(store)
    assert len(offers) == 1


def test_a_declined_term_is_remembered_and_not_offered_again(database, ids):
    events = EventBus()
    offers = []
    lexicon.LexiconOffers(database, events, on_offer=offers.append)
    lexicon.set_offer_mode(database, OfferMode.ASK)
    store = _store(database, events)
    AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9).redo(store)
    lexicon.decline_offer(database, offers[0])
    AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 11, 15).redo(store)
    assert len(offers) == 1
    assert _lexicon(database) == [("两个维护", ids["SLOGAN"], (), "", True)]


def test_single_characters_and_imported_spans_are_not_offered(database, ids):
    from db.models import Origin

    events = EventBus()
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    AddSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 0, 1).redo(store)
    store.add(document_id=ids["simplified"], label_id=ids["SLOGAN"], annotator_id=ids["amy"], start=11, end=15,
              origin=Origin.IMPORTED)
    assert _lexicon(database) == []


def test_traditional_text_is_offered_in_simplified_form_with_the_original_as_variant(database, ids):
    events = EventBus()
    lexicon.LexiconOffers(database, events)
    AddSpan(ids["traditional"], ids["SLOGAN"], ids["amy"], 5, 9).redo(_store(database, events))
    assert _lexicon(database) == [("两个维护", ids["SLOGAN"], ("兩個維護",), "", False)]


def test_documents_a_term_touches_are_found_in_both_scripts(database, ids):
    assert lexicon.documents_with_terms(database, ["两个维护"]) == [ids["simplified"], ids["traditional"]]
    assert lexicon.documents_with_terms(database, ["组织部"]) == [ids["simplified"]]
    assert lexicon.documents_with_terms(database, ["不在这里"]) == []


def test_labelling_many_occurrences_at_once_offers_the_term_once(database, ids):
    from annotate.spans import NewSpan

    events = EventBus()
    changes = []
    events.subscribe(lambda e: changes.append(e) if isinstance(e, LexiconChanged) else None)
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    store.add_many([NewSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 5, 9),
                    NewSpan(ids["simplified"], ids["SLOGAN"], ids["amy"], 11, 15)])
    assert [e[0] for e in _lexicon(database)] == ["两个维护"] and len(changes) == 1


def test_a_new_term_becomes_one_token_in_the_documents_it_touches(database, ids):
    from corpus.segment import document_tokens

    text = "坚决做到“两个维护”。两个维护是根本。市委组织部"
    lexicon.add_entry(database, "是根本", ids["TASK"])  # not a word of any dictionary: 是|根本 without it
    assert lexicon.refresh_segmentation(database, ["是根本"]) == 1
    assert (text.index("是根本"), text.index("是根本") + 3) in document_tokens(database, ids["simplified"])


def test_a_keyboard_selection_offers_its_term_without_the_punctuation_around_it(database, stored):
    """Ctrl+Shift+→ stops before 、，“《: the span may hold them, the lexicon term must not."""
    ids = stored(annotators=["amy"], documents={"d": "印发《两个维护》，天津市委强调，要坚持“放管服”。"})
    events = EventBus()
    lexicon.LexiconOffers(database, events)
    store = _store(database, events)
    text = "印发《两个维护》，天津市委强调，要坚持“放管服”。"
    for piece in ("《两个维护》", "，天津市委", "强调，要", "“放管服”。"):
        start = text.index(piece)
        AddSpan(ids["d"], ids["SLOGAN"], ids["amy"], start, start + len(piece)).redo(store)
    assert [e[0] for e in _lexicon(database)] == ["两个维护", "天津市委", "放管服"]  # 强调，要: two clauses
    assert lexicon.term_text(" “两个维护” ") == "两个维护" and lexicon.term_text("街乡吹哨、部门报到") == "街乡吹哨、部门报到"
