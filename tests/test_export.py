"""JSONL export: offsets that slice exactly the labelled text, Prodigy tokens, filters, gold, atomic output."""

from __future__ import annotations

import io
import json

import pytest

from annotate.formats import ExportError, GOLD, export_jsonl
from annotated_corpus import PROVENANCE, build, read_jsonl
from corpus.documents import store_text
from corpus.segment import document_tokens
from db import annotators, labels
from db.models import Status
from db.transfer import insert_spans


@pytest.fixture
def corpus(database):
    return build(database)


def spans_of(line: dict, fmt: str) -> list[tuple[int, int, str]]:
    if fmt == "doccano":
        return [tuple(item) for item in line["label"]]
    return [(item["start"], item["end"], item["label"]) for item in line["spans"]]


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_offsets_slice_exactly_the_labelled_text_after_astral_emoji_and_crlf(database, corpus, tmp_path, fmt):
    out = tmp_path / f"{fmt}.jsonl"
    report = export_jsonl(database, out, fmt=fmt)
    lines = read_jsonl(out)
    found = {}
    for line in lines:
        key = next(k for k, i in corpus.ids.items() if i == (line["id"] if fmt == "doccano" else line["meta"]["id"]))
        assert line["text"] == corpus.texts[key] and "\r" not in line["text"]
        found[(key, line["meta"]["annotator"])] = {(label, line["text"][start:end])
                                                   for start, end, label in spans_of(line, fmt)}
    assert found == corpus.expected
    assert report.lines == len(lines) == 5 and report.spans == 15 and report.documents == 2
    # ensure_ascii=False: the file holds the characters themselves, not \u escapes.
    raw = out.read_text(encoding="utf-8")
    assert "两个确立" in raw and "𠀀" in raw and "😀" in raw and "\\u" not in raw


def test_doccano_line_layout_is_exact(database, corpus, tmp_path):
    export_jsonl(database, tmp_path / "out.jsonl", annotators=["bob"], statuses=["in_progress"])
    [raw] = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    text = corpus.texts["trad"]
    assert raw == json.dumps({
        "id": corpus.ids["trad"], "text": text,
        "label": [[0, 6, "INSTITUTION"], [9, 13, "SLOGAN"], [22, 26, "SLOGAN"]],
        "meta": {"annotator": "bob", "document": "發佈會.txt", "review_status": "unreviewed", "status": "in_progress"}},
        ensure_ascii=False)
    assert [text[0:6], text[9:13], text[22:26]] == ["市發展改革委", "十項行動", "兩個維護"]


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_every_line_is_what_json_dumps_writes(database, corpus, tmp_path, fmt):
    export_jsonl(database, tmp_path / "out.jsonl", fmt=fmt)
    for raw in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines():
        assert raw == json.dumps(json.loads(raw), ensure_ascii=False)


def test_lines_are_ordered_by_document_then_annotator_name_and_spans_by_position(database, corpus, tmp_path):
    export_jsonl(database, tmp_path / "out.jsonl")
    lines = read_jsonl(tmp_path / "out.jsonl")
    assert [(line["id"], line["meta"]["annotator"]) for line in lines] == [
        (corpus.ids["crlf"], "amy"), (corpus.ids["crlf"], "bob"), (corpus.ids["crlf"], "gold"),
        (corpus.ids["trad"], "amy"), (corpus.ids["trad"], "bob")]
    for line in lines:
        assert line["label"] == sorted(line["label"])


def test_prodigy_tokens_cover_the_text_and_token_end_is_inclusive(database, corpus, tmp_path):
    report = export_jsonl(database, tmp_path / "out.jsonl", fmt="prodigy", annotators=["amy"])
    for line in read_jsonl(tmp_path / "out.jsonl"):
        tokens = line["tokens"]
        assert [t["id"] for t in tokens] == list(range(len(tokens)))
        assert "".join(t["text"] for t in tokens) == line["text"]
        assert all(line["text"][t["start"]:t["end"]] == t["text"] for t in tokens)
        assert [(t["start"], t["end"]) for t in tokens] == document_tokens(database, line["meta"]["id"])
        for span in line["spans"]:
            first, last = tokens[span["token_start"]], tokens[span["token_end"]]
            assert first["start"] <= span["start"] < first["end"]      # holds the span's first character
            assert last["start"] < span["end"] <= last["end"]          # holds its last one (inclusive end)
    assert report.misaligned_count == len(report.misaligned)


def test_a_span_off_token_boundaries_is_exported_exactly_and_reported(database, tmp_path):
    text = "推动京津冀协同发展走深走实"
    with database.transaction() as session:
        doc, _ = store_text(session, name="d", text=text)
        amy = annotators.annotator_id(session, "amy")
        task = labels.by_name(session, "TASK").id
    tokens = document_tokens(database, doc)
    number, (start, end) = next((i, t) for i, t in enumerate(tokens) if t[1] - t[0] >= 2)
    with database.transaction() as session:  # one span from inside a word to its end, one on the first word
        insert_spans(session, [(doc, task, amy, start + 1, end, "", None), (doc, task, amy, *tokens[0], "", None)])
    report = export_jsonl(database, tmp_path / "out.jsonl", fmt="prodigy")
    [line] = read_jsonl(tmp_path / "out.jsonl")
    odd = next(span for span in line["spans"] if span["start"] == start + 1)
    assert odd == {"start": start + 1, "end": end, "token_start": number, "token_end": number, "label": "TASK"}
    assert report.misaligned_count == 1
    [reported] = report.misaligned
    assert (reported.document_id, reported.annotator, reported.start, reported.end, reported.label,
            reported.text) == (doc, "amy", start + 1, end, "TASK", text[start + 1:end])


def test_filters_by_annotator_and_status(database, corpus):
    out = io.StringIO()
    export_jsonl(database, out, annotators=["amy"], statuses=[Status.DONE])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["id"], line["meta"]["annotator"]) for line in lines] == [(corpus.ids["crlf"], "amy")]
    out = io.StringIO()
    report = export_jsonl(database, out, statuses=["new"])
    assert out.getvalue() == "" and report.lines == 0
    out = io.StringIO()  # the adjudicated documents, whatever their work status
    export_jsonl(database, out, review_statuses=["adjudicated"], include_empty=True)
    assert {json.loads(line)["id"] for line in out.getvalue().splitlines()} == {corpus.ids["crlf"]}
    out = io.StringIO()
    export_jsonl(database, out, review_statuses=["unreviewed"], statuses=["done"])
    assert out.getvalue() == ""  # both filters hold: the done document is adjudicated


def test_include_empty_writes_documents_without_spans_once(database, corpus):
    out = io.StringIO()
    export_jsonl(database, out, annotators=["bob"], include_empty=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["id"], line["meta"]["annotator"], len(line["label"])) for line in lines] == [
        (corpus.ids["crlf"], "bob", 3), (corpus.ids["trad"], "bob", 3), (corpus.ids["plain"], None, 0)]


def test_gold_export_carries_review_status_provenance_and_comments(database, corpus):
    out = io.StringIO()
    export_jsonl(database, out, annotators=[GOLD])
    [line] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert line["label"] == [[7, 11, "SLOGAN"], [16, 21, "INSTITUTION"]]
    assert [line["text"][7:11], line["text"][16:21]] == ["两个确立", "市委组织部"]
    meta = line["meta"]
    assert meta["annotator"] == "gold" and meta["review_status"] == "adjudicated" and meta["status"] == "done"
    assert meta["provenance"] == {"0": PROVENANCE, "1": PROVENANCE}
    assert [(c["span"], c["author"], c["text"]) for c in meta["comments"]] == [
        (None, "rev", "标题里的引号要算进去吗？"), (0, "rev", "amy 与 bob 一致")]
    assert all(c["created_at"].endswith("+00:00") for c in meta["comments"])


def test_span_notes_travel_in_meta_by_span_index(database, corpus):
    out = io.StringIO()
    export_jsonl(database, out, annotators=["amy"], statuses=["done"])
    line = json.loads(out.getvalue())
    notes = {line["text"][line["label"][int(i)][0]:line["label"][int(i)][1]]: note
             for i, note in line["meta"]["notes"].items()}
    assert notes == {"市工业和信息化局": "局, not 委", "京津冀协同发展": "nested in the task"}
    # The document comment is on every line of its document; the span comment only with the gold span.
    assert [c["span"] for c in line["meta"]["comments"]] == [None]


def test_unknown_annotator_is_refused_before_anything_is_written(database, corpus, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    with pytest.raises(ExportError, match="unknown annotator 'zoe'.*known: amy, bob, gold, rev"):
        export_jsonl(database, out, annotators=["amy", "zoe"])
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in out.parent.iterdir()] == ["out.jsonl"]


def test_cancelled_export_keeps_the_previous_file_and_leaves_no_temporary(database, corpus, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    calls = []
    report = export_jsonl(database, out, progress=lambda done, total: calls.append((done, total)),
                          cancel=lambda: len(calls) >= 1)
    assert report.cancelled and calls == [(11, 15)]  # the first document's 11 spans of 15
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in out.parent.iterdir()] == ["out.jsonl"]


def test_progress_reaches_the_total(database, corpus, tmp_path):
    calls = []
    export_jsonl(database, tmp_path / "out.jsonl", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(11, 15), (15, 15)]


def test_export_into_a_missing_folder_fails_cleanly(database, corpus, tmp_path):
    with pytest.raises(ExportError, match="No such file or directory"):
        export_jsonl(database, tmp_path / "missing" / "out.jsonl")


@pytest.mark.seeds
def test_seed_documents_export_with_exact_offsets(database, seeds, tmp_path):
    phrases = {"000": ["两个确立", "稳经济33条"], "001": ["主题教育"], "002": ["新征 程上"],
               "003": ["市委"], "004": ["十項行動", "兩個確立"]}
    with database.transaction() as session:
        amy = annotators.annotator_id(session, "amy")
        slogan = labels.by_name(session, "SLOGAN").id
        rows = []
        for path in sorted(seeds.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            doc, _ = store_text(session, name=path.name, text=text)
            for phrase in phrases[path.name[:3]]:
                at = text.find(phrase)
                while at != -1:
                    rows.append((doc, slogan, amy, at, at + len(phrase), "", None))
                    at = text.find(phrase, at + 1)
        insert_spans(session, rows)
    assert len(rows) > 20
    for fmt in ("doccano", "prodigy"):
        report = export_jsonl(database, tmp_path / f"{fmt}.jsonl", fmt=fmt)
        lines = read_jsonl(tmp_path / f"{fmt}.jsonl")
        assert report.spans == len(rows) and len(lines) == 5
        for line in lines:
            for start, end, label in spans_of(line, fmt):
                assert line["text"][start:end] in {p for ps in phrases.values() for p in ps}


def test_edits_committed_while_an_export_runs_wait_for_the_next_export(database, corpus, tmp_path, monkeypatch):
    """The export reads one snapshot: a label, annotator and spans committed after it read the annotator names
    (here: just before it starts reading spans) neither appear half-way nor break it."""
    from db import comments

    def edit_then_answer(session):
        with database.transaction() as other:
            doc, _ = store_text(other, name="新.txt", text="新质生产力")
            new_label = labels.add_label(other, name="NEW").id
            zoe = annotators.annotator_id(other, "zoe")
            insert_spans(other, [(doc, new_label, zoe, 0, 5, "", None),
                                 (corpus.ids["trad"], new_label, zoe, 0, 2, "", None)])
        return documents_with_comments(session)

    documents_with_comments = comments.documents_with_comments
    monkeypatch.setattr(comments, "documents_with_comments", edit_then_answer)
    first = export_jsonl(database, tmp_path / "first.jsonl")
    assert first.spans == 15 and first.annotators == ["amy", "bob", "gold"]
    monkeypatch.undo()
    second = export_jsonl(database, tmp_path / "second.jsonl")
    assert second.spans == 17 and second.annotators == ["amy", "bob", "gold", "zoe"]
