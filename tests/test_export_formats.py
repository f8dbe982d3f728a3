"""CLUENER, Label Studio and CoNLL export: exact layouts, offsets after 𠀀 and emoji, nested spans in flat tags,
a file per annotator, and the checks on import."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from annotate.formats import ExportError, detect_format, export_jsonl, import_jsonl
from annotate.formats.conll import outermost, sentence_breaks, tag
from annotated_corpus import build
from db import comments
from db.engine import open_database
from db.spans import find_exact
from db.transfer import insert_spans

FORMATS = Path(__file__).parent / "data" / "formats"
# Stored as “两个确立”😀\n市委组织部𠀀发布。他说：“好！”: a quote, an emoji, a Windows line end, a character
# beyond U+FFFF, and a sentence that ends inside closing quotes.
TINY_TEXT = "“两个确立”😀\r\n市委组织部𠀀发布。他说：“好！”"
TINY_SPANS = [  # annotator, label, start, end, note
    ("amy", "SLOGAN", 1, 5, ""),          # 两个确立
    ("amy", "INSTITUTION", 8, 14, "含𠀀"),  # 市委组织部𠀀
    ("amy", "INSTITUTION", 10, 13, ""),   # 组织部: nested in the one above
    ("amy", "TASK", 6, 10, ""),           # 😀\n市委: overlaps it
    ("bob", "TASK", 5, 10, ""),           # ”😀\n市委: crosses the line break
    ("bob", "INSTITUTION", 13, 14, ""),   # 𠀀: one character
    ("bob", "SLOGAN", 21, 22, ""),        # 好
]
COMMENT_TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture
def tiny(database, stored):
    ids = stored(annotators=["amy", "bob", "rev"], documents={"公告.txt": TINY_TEXT})
    doc = ids["公告.txt"]
    with database.transaction() as session:
        insert_spans(session, [(doc, ids[label], ids[who], start, end, note, None)
                               for who, label, start, end, note in TINY_SPANS])
        span = find_exact(session, document_id=doc, label_id=ids["INSTITUTION"], annotator_id=ids["amy"],
                          start=8, end=14)
        comments.add_comment(session, document_id=doc, annotator_id=ids["rev"], text="全称？", span_id=span,
                             created_at=COMMENT_TIME)
        comments.add_comment(session, document_id=doc, annotator_id=ids["rev"], text="标题", created_at=COMMENT_TIME)
    return ids


@pytest.fixture
def empty_database(tmp_path):
    database = open_database(str(tmp_path / "empty.db"))
    yield database
    database.close()


def exported(database, tmp_path, name, **options) -> str:
    report = export_jsonl(database, tmp_path / name, **options)
    assert report.files == [str(tmp_path / name)]
    return (tmp_path / name).read_text(encoding="utf-8")


# -- CLUENER ----------------------------------------------------------------------------------------------------

def test_cluener_lines_are_exact(database, tiny, tmp_path):
    assert exported(database, tmp_path, "out.jsonl", fmt="cluener") == \
        (FORMATS / "tiny.cluener.jsonl").read_text(encoding="utf-8")


def test_cluener_ends_are_inclusive_and_slice_the_span_text(database, tmp_path):
    corpus = build(database)
    export_jsonl(database, tmp_path / "out.jsonl", fmt="cluener")
    found = {}
    for raw in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines():
        assert raw == json.dumps(json.loads(raw), ensure_ascii=False)
        line = json.loads(raw)
        for label, entities in line["label"].items():
            for words, places in entities.items():
                for start, end in places:
                    assert line["text"][start:end + 1] == words
                    key = next(k for k, i in corpus.ids.items() if i == line["meta"]["id"])
                    found.setdefault((key, line["meta"]["annotator"]), set()).add((label, words))
    assert found == corpus.expected


def test_cluener_file_is_detected_and_imported_with_its_texts_checked(database, tmp_path):
    path = FORMATS / "cluener_style.jsonl"
    assert detect_format(path) == "cluener"
    report = import_jsonl(database, path, annotator="lin")
    assert report.imported, report.problems
    assert (report.spans_added, report.documents_created) == (5, 3)
    assert sorted(report.labels_created) == ["address", "government", "slogan"]
    out = io.StringIO()
    export_jsonl(database, out, fmt="cluener", annotators=["lin"])
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["label"] == {"address": {"杭州": [[7, 8]]}, "government": {"浙江省委": [[0, 3]]},
                              "slogan": {"两个确立": [[23, 26]]}}


def test_cluener_span_text_that_does_not_match_is_refused_with_file_and_line(database, tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = (FORMATS / "cluener_style.jsonl").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("[[9, 14]]", "[[9, 13]]")  # one character short: "稳经济33"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_jsonl(database, path, annotator="lin")
    assert report.refused and report.problem_count == 1
    [problem] = report.problems
    assert (problem.path, problem.line) == (str(path), 2)
    assert '"稳经济33"' in problem.message and '"稳经济33条"' in problem.message
    assert report.spans_added == 0


def test_cluener_label_of_the_wrong_shape_is_a_problem(database, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "两个确立", "label": {"slogan": {"两个确立": [0, 3]}}}\n', encoding="utf-8")
    report = import_jsonl(database, path, fmt="cluener", annotator="lin")
    assert report.refused and report.problems[0].line == 1 and "[start, end]" in report.problems[0].message


# -- Label Studio -----------------------------------------------------------------------------------------------

def test_labelstudio_tasks_are_exact(database, tiny, tmp_path):
    assert exported(database, tmp_path, "out.json", fmt="labelstudio") == \
        (FORMATS / "tiny.labelstudio.json").read_text(encoding="utf-8")


def test_labelstudio_utf16_offsets_count_javascript_string_units(database, tiny, tmp_path):
    text = exported(database, tmp_path, "out.json", fmt="labelstudio", offset_unit="utf16")
    assert text == (FORMATS / "tiny.labelstudio.utf16.json").read_text(encoding="utf-8")
    [task] = json.loads(text)
    units = task["data"]["text"].encode("utf-16-le")
    for annotation in task["annotations"]:
        for result in annotation["result"]:
            value = result["value"]
            assert units[2 * value["start"]:2 * value["end"]].decode("utf-16-le") == value["text"]
    assert task["meta"]["offset_unit"] == "utf16"


def test_labelstudio_export_is_one_json_array_with_a_task_a_line(database, tmp_path):
    build(database)
    export_jsonl(database, tmp_path / "out.json", fmt="labelstudio", include_empty=True)
    raw = (tmp_path / "out.json").read_text(encoding="utf-8")
    tasks = json.loads(raw)
    lines = raw.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(tasks) + 2 == 5
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == tasks
    assert [[a["meta"]["annotator"] for a in task["annotations"]] for task in tasks] == [
        ["amy", "bob", "gold"], ["amy", "bob"], []]
    assert [a["ground_truth"] for a in tasks[0]["annotations"]] == [False, False, True]
    for task in tasks:
        for annotation in task["annotations"]:
            for result in annotation["result"]:
                value = result["value"]
                assert task["data"]["text"][value["start"]:value["end"]] == value["text"]
                assert (result["from_name"], result["to_name"], result["type"]) == ("label", "text", "labels")


def test_labelstudio_empty_export_is_an_empty_array(database, tmp_path):
    export_jsonl(database, tmp_path / "out.json", fmt="labelstudio")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == []


def test_labelstudio_export_after_label_studio_keeps_documents_and_names_its_users(database, empty_database, tmp_path):
    """What Label Studio gives back after importing our tasks: its own annotation fields (completed_by, no
    annotation meta), our task meta kept."""
    build(database)
    export_jsonl(database, tmp_path / "out.json", fmt="labelstudio", annotators=["bob"])
    tasks = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    for number, task in enumerate(tasks, 1):
        task["id"] = number
        for annotation in task["annotations"]:
            del annotation["meta"]
            annotation.update(completed_by=1, was_cancelled=False, lead_time=3.5)
    (tmp_path / "back.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    report = import_jsonl(empty_database, tmp_path / "back.json")
    assert report.imported, report.problems
    assert report.annotators == ["labelstudio-1"] and report.spans_added == 6 and report.comments_added == 1
    out = io.StringIO()
    export_jsonl(empty_database, out)
    assert [(line["meta"]["document"], line["meta"]["status"]) for line in map(json.loads, out.getvalue().splitlines())] \
        == [("通知.txt", "done"), ("發佈會.txt", "in_progress")]


# -- CoNLL ------------------------------------------------------------------------------------------------------

def test_conll_blocks_are_exact_and_nested_spans_are_reported(database, tiny, tmp_path):
    report = export_jsonl(database, tmp_path / "amy.conll", fmt="conll", annotators=["amy"])
    assert (tmp_path / "amy.conll").read_text(encoding="utf-8") == \
        (FORMATS / "tiny.amy.bio.conll").read_text(encoding="utf-8")
    assert report.lines == 3 and report.spans == 4 and report.dropped_count == 2
    assert [(d.annotator, d.label, d.text, d.reason) for d in report.dropped] == [
        ("amy", "TASK", "😀\n市委", "overlaps INSTITUTION [8, 14) '市委组织部𠀀'"),
        ("amy", "INSTITUTION", "组织部", "inside INSTITUTION [8, 14) '市委组织部𠀀'")]
    assert str(report.dropped[1]) == \
        "公告.txt (id 1) amy [10, 13) INSTITUTION '组织部': inside INSTITUTION [8, 14) '市委组织部𠀀'"
    report = export_jsonl(database, tmp_path / "bob.conll", fmt="conll", annotators=["bob"], scheme="bioes")
    assert (tmp_path / "bob.conll").read_text(encoding="utf-8") == \
        (FORMATS / "tiny.bob.bioes.conll").read_text(encoding="utf-8")
    assert report.dropped_count == 0 and report.lines == 2  # no break inside bob's TASK across the line end


def test_conll_lines_are_a_character_and_a_tag(database, tmp_path):
    build(database)
    export_jsonl(database, tmp_path / "gold.conll", fmt="conll", annotators=["gold"], scheme="bmes")
    blocks = (tmp_path / "gold.conll").read_text(encoding="utf-8").split("\n\n")
    assert blocks[-1] == ""
    for block in blocks[:-1]:
        for line in block.split("\n"):
            char, tag_ = line.split("\t")
            assert len(char) == 1 and not char.isspace() and tag_[:2] in {"O", "B-", "M-", "E-", "S-"}
    text = "".join(line.split("\t")[0] for block in blocks for line in block.split("\n") if line)
    assert text == "关于学习贯彻“两个确立”的通知市委组织部𠀀、市工业和信息化局😀：推动京津冀协同发展走深走实。"


def test_conll_several_annotators_get_a_file_each(database, tmp_path):
    build(database)
    (tmp_path / "out").mkdir()
    report = export_jsonl(database, tmp_path / "out" / "labels.conll", fmt="conll", include_empty=True)
    names = ["labels.amy.conll", "labels.bob.conll", "labels.gold.conll"]  # not rev: no spans
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names
    assert report.files == [str(tmp_path / "out" / name) for name in names]
    plain = "稳\tO\n经\tO\n济\tO\n3\tO\n3\tO\n条\tO\n落\tO\n地\tO\n见\tO\n效\tO\n。\tO\n\n"
    for name in names:  # the document nobody labelled, all O, in every file
        assert (tmp_path / "out" / name).read_text(encoding="utf-8").endswith(plain)
    gold = (tmp_path / "out" / "labels.gold.conll").read_text(encoding="utf-8")
    assert "两\tB-SLOGAN\n" in gold and "發" not in gold  # gold labelled only the first document


def test_conll_to_a_stream_needs_one_annotator(database, tmp_path):
    build(database)
    with pytest.raises(ExportError, match="one annotator"):
        export_jsonl(database, io.StringIO(), fmt="conll")
    out = io.StringIO()
    export_jsonl(database, out, fmt="conll", annotators=["gold"])
    assert out.getvalue().startswith("关\tO\n")


def test_cancelled_conll_export_leaves_no_file(database, tmp_path):
    build(database)
    (tmp_path / "out").mkdir()
    report = export_jsonl(database, tmp_path / "out" / "labels.conll", fmt="conll", cancel=lambda: True)
    assert report.cancelled and list((tmp_path / "out").iterdir()) == []


def test_options_other_formats_do_not_have_are_refused(database):
    with pytest.raises(ExportError, match="code points"):
        export_jsonl(database, io.StringIO(), fmt="cluener", offset_unit="utf16")
    with pytest.raises(ExportError, match="tagging scheme"):
        export_jsonl(database, io.StringIO(), fmt="conll", scheme="bilou")


def test_outermost_keeps_the_longest_then_the_first_then_the_label_first_by_name():
    spans = [(0, 4, "TASK"), (2, 6, "SLOGAN"), (2, 6, "INSTITUTION"), (8, 9, "A"), (8, 9, "B"), (1, 3, "X")]
    kept, dropped = outermost(spans)
    assert kept == [(0, 4, "TASK"), (8, 9, "A")]
    assert {(span, other) for span, other in dropped} == {
        ((2, 6, "INSTITUTION"), (0, 4, "TASK")), ((2, 6, "SLOGAN"), (0, 4, "TASK")),
        ((8, 9, "B"), (8, 9, "A")), ((1, 3, "X"), (0, 4, "TASK"))}
    assert outermost([(3, 5, "A"), (0, 3, "B"), (5, 9, "C")])[0] == [(0, 3, "B"), (3, 5, "A"), (5, 9, "C")]


def test_sentences_end_after_terminators_and_their_closing_quotes():
    text = "他说：“好！”然后。。很好？﹗行｡\n\n新段"
    pieces = [text[a:b] for a, b in zip([0, *sentence_breaks(text)], [*sentence_breaks(text), len(text)])]
    assert pieces == ["他说：“好！”", "然后。。", "很好？﹗", "行｡", "\n", "\n", "新段"]
    block, sentences, _ = tag(text, [], sentence_breaks(text), "bio")
    assert sentences == 5 and block.count("\n\n") == 5


def test_whitespace_is_not_written_and_a_span_of_whitespace_alone_is_dropped():
    text = "市委　组织部 推动"
    block, sentences, blank = tag(text, [(0, 6, "INSTITUTION"), (6, 7, "X")], [], "bio")
    assert block == ("市\tB-INSTITUTION\n委\tI-INSTITUTION\n组\tI-INSTITUTION\n织\tI-INSTITUTION\n"
                     "部\tI-INSTITUTION\n推\tO\n动\tO\n\n")
    assert blank == [(6, 7, "X")]
    block, _, _ = tag(" 两个", [(0, 3, "SLOGAN")], [], "bmes")
    assert block == "两\tB-SLOGAN\n个\tE-SLOGAN\n\n"  # the first written character begins the span
