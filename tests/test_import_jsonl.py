"""JSONL/JSON import: documents matched or created, offsets translated, bad files refused whole with file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotate.formats import FormatError, detect_format, import_jsonl
from conftest import DATA
from corpus.documents import store_text
from db import annotators, documents, labels, spans
from db.models import Annotator, Comment, Document, Label, Origin, Span, Status

FORMATS = DATA / "formats"


def write_lines(path: Path, items) -> Path:
    path.write_text("".join((item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n"
                            for item in items), encoding="utf-8")
    return path


def stored(database, annotator: str | None = None) -> set[tuple[str, str, str]]:
    """(annotator, label, the text the span covers) for every stored span."""
    with database.session() as session:
        names = annotators.names(session)
        label_names = {label.id: label.name for label in labels.all_labels(session)}
        found = set()
        for info in documents.all_infos(session):
            text = documents.text_of(session, info.id)
            for row in spans.for_document(session, info.id):
                if annotator in (None, names[row.annotator_id]):
                    found.add((names[row.annotator_id], label_names[row.label_id], text[row.start:row.end]))
        return found


def table_counts(database) -> dict[str, int]:
    with database.session() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Document, Label, Annotator, Span, Comment)}


def test_doccano_lines_create_documents_labels_and_imported_spans(database, tmp_path):
    path = write_lines(tmp_path / "team.jsonl", [
        {"text": "推动京津冀协同发展走深走实", "label": [[0, 13, "TASK"], [2, 5, "PLACE"]]},
        {"text": "坚决做到“两个维护”", "label": [[5, 9, "SLOGAN"]]}])
    report = import_jsonl(database, path, annotator="lin")
    assert report.imported and report.format == "doccano"
    assert (report.spans_added, report.documents_created, report.labels_created) == (3, 2, ["PLACE"])
    assert stored(database) == {("lin", "TASK", "推动京津冀协同发展走深走实"), ("lin", "PLACE", "京津冀"),
                                ("lin", "SLOGAN", "两个维护")}
    with database.session() as session:
        place = labels.by_name(session, "PLACE")
        assert place.color.startswith("#") and len(place.color) == 7
        assert {row.origin for info in documents.all_infos(session)
                for row in spans.for_document(session, info.id)} == {Origin.IMPORTED}
        names = sorted(info.name for info in documents.all_infos(session))
    assert names == ["team.jsonl:1", "team.jsonl:2"]


def test_documents_are_matched_by_their_normalized_text(database, tmp_path):
    with database.transaction() as session:
        existing, _ = store_text(session, name="通知.txt", text="第一行\n推动京津冀协同发展")
    raw = "第一行\r\n推动京津冀协同发展"
    start = raw.index("京津冀协同发展")
    path = write_lines(tmp_path / "a.jsonl", [{"text": raw, "label": [[start, start + 7, "TASK"]]}])
    report = import_jsonl(database, path, annotator="lin")
    assert (report.documents_created, report.documents_matched) == (0, 1)
    with database.session() as session:
        [row] = spans.for_document(session, existing)
        assert documents.text_of(session, existing)[row.start:row.end] == "京津冀协同发展"  # offsets moved past \r\n


def test_crlf_offsets_are_mapped_through_normalization(database, tmp_path):
    text = "标题\r\n\r\n市委组织部𠀀负责😀\r\n推动落实"
    items = [("市委组织部𠀀", "INSTITUTION"), ("😀\r\n推动", "TASK"), ("标题\r\n", "SLOGAN")]
    label = [[text.index(part), text.index(part) + len(part), name] for part, name in items]
    path = write_lines(tmp_path / "crlf.jsonl", [{"text": text, "label": label}])
    assert import_jsonl(database, path, annotator="lin").imported
    assert stored(database) == {("lin", "INSTITUTION", "市委组织部𠀀"), ("lin", "TASK", "😀\n推动"),
                                ("lin", "SLOGAN", "标题\n")}


def test_doccano_export_with_utf16_offsets_needs_the_utf16_option(database, tmp_path):
    path = FORMATS / "doccano_utf16.jsonl"
    report = import_jsonl(database, path, annotator="doccano", offset_unit="utf16")
    assert report.imported and report.spans_added == 5 and not report.warnings
    assert stored(database) == {("doccano", "INSTITUTION", "天津市委组织部"), ("doccano", "SLOGAN", "两个维护"),
                                ("doccano", "INSTITUTION", "市工业和信息化局"), ("doccano", "SLOGAN", "十项行动"),
                                ("doccano", "TASK", "推动“十项行动”")}


def test_code_point_reading_of_a_file_with_astral_characters_and_no_span_texts_warns(database, tmp_path):
    report = import_jsonl(database, FORMATS / "doccano_utf16.jsonl", annotator="doccano")
    assert report.imported and report.unconfirmed_lines == 2
    assert "line 1" in report.warnings[0] and "UTF-16" in report.warnings[0]
    assert ("doccano", "SLOGAN", "两个维护") not in stored(database)  # what the warning is about


def test_utf16_offset_inside_a_surrogate_pair_is_a_problem(database, tmp_path):
    path = write_lines(tmp_path / "split.jsonl", [{"text": "A😀B", "label": [[2, 4, "SLOGAN"]]}])
    report = import_jsonl(database, path, annotator="lin", offset_unit="utf16")
    assert report.refused
    assert "split.jsonl:1: span 0 [2, 4) SLOGAN: UTF-16 offset 2 splits a character" in str(report.problems[0])


def test_malformed_file_is_refused_whole_with_every_problem_and_its_line(database, tmp_path):
    path = write_lines(tmp_path / "bad.jsonl", [
        {"text": "稳经济33条", "label": [[0, 6, "SLOGAN"]]},           # 1: good, but must not be imported
        '{"text": "两个确立", "label": [[0, 4, "SLOGAN"]]',              # 2: bad JSON
        {"text": "两个确立", "label": [[0, "4", "SLOGAN"]]},             # 3: wrong type
        {"text": "两个确立", "label": [[0, 9, "SLOGAN"]]},               # 4: out of range
        {"text": "两个确立", "label": [[3, 3, "SLOGAN"]]},               # 5: start >= end
        "",                                                              # 6: blank lines are allowed
        ["not", "an", "object"],                                         # 7
        {"label": []},                                                   # 8: no text
        {"text": "两个确立", "label": [[0, 2, "TWO WORDS"]]},            # 9: label with a space
    ])
    before = table_counts(database)
    report = import_jsonl(database, path, annotator="lin")
    assert report.refused and not report.imported and report.spans_added == 0
    assert [problem.line for problem in report.problems] == [2, 3, 4, 5, 7, 8, 9]
    shown = [str(problem) for problem in report.problems]
    unfinished = '{"text": "两个确立", "label": [[0, 4, "SLOGAN"]]'
    # the column where the line stops, not "column 1" of what follows its line end
    assert shown[0] == f"{path}:2: not valid JSON (Expecting ',' delimiter at column {len(unfinished) + 1})"
    assert "label 0 is" in shown[1] and 'not [start, end, "LABEL"]' in shown[1]
    assert shown[2].endswith("span 0 [0, 9) SLOGAN: outside the text (0..4 characters)")
    assert shown[3].endswith("span 0 [3, 3) SLOGAN: start is not before end")
    assert "refused" in report.summary() and "7 problem" in report.summary()
    assert table_counts(database) == before


def test_problems_are_listed_up_to_a_cap_and_all_counted(database, tmp_path):
    path = write_lines(tmp_path / "many.jsonl", [{"text": "两个确立", "label": [[0, 9, "SLOGAN"]]}] * 150)
    report = import_jsonl(database, path, annotator="lin")
    assert report.problem_count == 150 and len(report.problems) == 100
    assert "(50 not listed)" in report.summary()


def test_a_problem_found_late_rolls_back_what_was_already_written(database, tmp_path):
    good = [{"text": f"第{i}号文件：推动落实", "label": [[0, 4, "TASK"]]} for i in range(12_000)]
    path = write_lines(tmp_path / "late.jsonl", good + [{"text": "两个确立", "label": [[0, 9, "SLOGAN"]]}])
    before = table_counts(database)
    report = import_jsonl(database, path, annotator="lin")
    assert report.refused and [p.line for p in report.problems] == [12_001]
    assert table_counts(database) == before


def test_reimporting_the_same_file_adds_nothing_and_counts_duplicates(database, tmp_path):
    path = write_lines(tmp_path / "a.jsonl", [
        {"text": "推动京津冀协同发展", "label": [[0, 9, "TASK"], [2, 5, "INSTITUTION"], [0, 9, "TASK"]]}])
    first = import_jsonl(database, path, annotator="lin")
    assert (first.spans_added, first.duplicates) == (2, 1)  # the repeated line item is a duplicate too
    second = import_jsonl(database, path, annotator="lin")
    assert (second.spans_added, second.duplicates, second.documents_matched) == (0, 3, 1)
    assert table_counts(database)["Span"] == 2
    # The same spans for another annotator are not duplicates.
    assert import_jsonl(database, path, annotator="wu").spans_added == 2


def test_a_file_without_annotator_names_needs_one(database, tmp_path):
    path = write_lines(tmp_path / "anon.jsonl", [{"text": "两个确立", "label": [[0, 4, "SLOGAN"]]}])
    report = import_jsonl(database, path)
    assert report.refused and "no annotator" in report.problems[0].message
    with pytest.raises(FormatError):
        import_jsonl(database, path, annotator="  ")


def test_label_studio_export(database):
    path = FORMATS / "labelstudio_export.json"
    assert detect_format(path) == "labelstudio"
    report = import_jsonl(database, path)
    assert report.imported, report.problems
    assert report.annotators == ["labelstudio-3"] and report.spans_added == 3 and report.documents_created == 2
    assert report.skipped == {"cancelled Label Studio annotation": 1, 'Label Studio result of type "choices"': 1}
    assert stored(database) == {("labelstudio-3", "SLOGAN", "两个确立"), ("labelstudio-3", "INSTITUTION", "市委组织部"),
                                ("labelstudio-3", "SLOGAN", "稳中求进工作总基调")}
    assert import_jsonl(database, path, annotator="zhou").annotators == ["zhou"]


def test_label_studio_text_mismatch_names_the_task_line_and_suggests_utf16(database, tmp_path):
    text = "强调“两个确立”😀。市委组织部负责落实。"
    start = text.index("市委组织部") + 1  # what a JavaScript front end counts after the emoji
    tasks = [{"data": {"text": "坚持稳中求进"}, "annotations": []},
             {"data": {"text": text}, "annotations": [{"completed_by": 1, "result": [
                 {"type": "labels", "value": {"start": start, "end": start + 5, "text": "市委组织部",
                                              "labels": ["INSTITUTION"]}}]}]}]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    report = import_jsonl(database, path)
    [problem] = report.problems
    task_starts = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                   if line == " {"]
    assert problem.line == task_starts[1]  # where the second task starts in the file
    assert "task 2" in problem.message and '"市委组织部"' in problem.message and "UTF-16" in problem.message
    assert import_jsonl(database, path, offset_unit="utf16").imported
    assert stored(database) == {("labelstudio-1", "INSTITUTION", "市委组织部")}


def test_prodigy_output_skips_rejected_and_ignored_answers(database):
    path = FORMATS / "prodigy_ner.jsonl"
    assert detect_format(path) == "prodigy"
    report = import_jsonl(database, path)
    assert report.imported, report.problems
    assert report.annotators == ["zhubi_ner-lin"] and report.spans_added == 4
    assert report.skipped == {"Prodigy answer 'reject'": 1, "Prodigy answer 'ignore'": 1}
    assert stored(database) == {("zhubi_ner-lin", "TASK", "推动京津冀协同发展走深走实"),
                                ("zhubi_ner-lin", "INSTITUTION", "京津冀"),
                                ("zhubi_ner-lin", "INSTITUTION", "市发展改革委"),
                                ("zhubi_ner-lin", "SLOGAN", "稳经济33条")}


def test_prodigy_span_text_is_checked(database, tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [{"text": "两个确立", "spans": [
        {"start": 0, "end": 2, "label": "SLOGAN", "text": "确立"}]}])
    report = import_jsonl(database, path, annotator="lin")
    assert report.refused and 'the text there is "两个", the file says "确立"' in report.problems[0].message


def test_detect_format(tmp_path):
    assert detect_format(write_lines(tmp_path / "d.jsonl", [{"text": "x", "label": []}])) == "doccano"
    assert detect_format(write_lines(tmp_path / "e.jsonl", [{"text": "x", "entities": []}])) == "doccano"
    assert detect_format(write_lines(tmp_path / "p.jsonl", [{"text": "x", "spans": []}])) == "prodigy"
    (tmp_path / "t.txt").write_text("两个确立", encoding="utf-8")
    assert detect_format(tmp_path / "t.txt") == "txt"


def test_a_text_file_is_not_imported_as_annotations(database, tmp_path):
    (tmp_path / "t.txt").write_text("两个确立", encoding="utf-8")
    report = import_jsonl(database, tmp_path / "t.txt", annotator="lin")
    assert report.refused and "not a doccano, Prodigy or CLUENER JSONL" in str(report.problems[0])


def test_progress_and_cancel(database, tmp_path):
    path = write_lines(tmp_path / "a.jsonl", [{"text": f"文件{i}", "label": [[0, 2, "TASK"]]} for i in range(5)])
    calls = []
    report = import_jsonl(database, path, annotator="lin", progress=lambda done, total: calls.append((done, total)))
    assert report.imported and calls[-1] == (path.stat().st_size,) * 2 and len(calls) == 5
    before = table_counts(database)
    other = write_lines(tmp_path / "b.jsonl", [{"text": f"通知{i}", "label": [[0, 2, "TASK"]]} for i in range(5)])
    report = import_jsonl(database, other, annotator="lin", cancel=lambda: True)
    assert report.cancelled and not report.imported and table_counts(database) == before


def test_meta_status_applies_only_to_documents_the_import_creates(database, tmp_path):
    with database.transaction() as session:
        old, _ = store_text(session, name="old", text="旧文件")
    path = write_lines(tmp_path / "s.jsonl", [
        {"text": "旧文件", "label": [], "meta": {"status": "done", "document": "renamed", "annotator": "a"}},
        {"text": "新文件", "label": [], "meta": {"status": "done", "document": "新文件.txt", "annotator": "a"}}])
    assert import_jsonl(database, path).imported
    with database.session() as session:
        assert [(i.name, i.status) for i in documents.all_infos(session)] == [
            ("old", Status.NEW), ("新文件.txt", Status.DONE)]


def test_a_jsonl_file_saved_on_windows_with_bom_and_crlf_line_ends(database, tmp_path):
    lines = [json.dumps({"text": "两个确立", "label": [[0, 4, "SLOGAN"]]}, ensure_ascii=False),
             json.dumps({"text": "十项行动", "label": [[0, 4, "SLOGAN"]]}, ensure_ascii=False)]
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    assert detect_format(path) == "doccano"
    report = import_jsonl(database, path, annotator="lin")
    assert report.imported and report.spans_added == 2
    assert stored(database) == {("lin", "SLOGAN", "两个确立"), ("lin", "SLOGAN", "十项行动")}


@pytest.mark.parametrize("chunk", [7, 64, 1 << 22])
def test_a_label_studio_export_is_read_a_task_at_a_time_whatever_the_window(database, tmp_path, monkeypatch, chunk):
    """Read through a window of a few characters, every task is cut somewhere (inside strings, emoji, 𠀀 and
    the UTF-8 bytes of a character): the result is the same as reading the whole file, problems keep their lines."""
    from annotate.formats import records

    monkeypatch.setattr(records._JsonArray, "CHUNK", chunk)
    long = "推动京津冀协同发展走深走实😀𠀀。" * 40
    tasks = [{"data": {"text": long + "两个确立"}, "annotations": [{"completed_by": 1, "result": [
                 {"type": "labels", "value": {"start": len(long), "end": len(long) + 4, "text": "两个确立",
                                              "labels": ["SLOGAN"]}}]}]},
             {"data": {"text": "市委组织部负责落实。"}, "annotations": [{"completed_by": 1, "result": [
                 {"type": "labels", "value": {"start": 0, "end": 5, "text": "市委组织部", "labels": ["INSTITUTION"]}}]}]}]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    report = import_jsonl(database, path)
    assert report.imported and report.spans_added == 2
    assert stored(database) == {("labelstudio-1", "SLOGAN", "两个确立"), ("labelstudio-1", "INSTITUTION", "市委组织部")}

    broken = tmp_path / "broken.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    second = max(number for number, line in enumerate(lines) if line == " {")  # where task 2 starts (0-based)
    assert lines[second + 2].lstrip().startswith('"text"')  # its text, on line second + 3 (1-based)
    lines[second + 2] = lines[second + 2].replace('"', "", 1)  # a quote missing there
    broken.write_text("\n".join(lines), encoding="utf-8")
    [problem] = import_jsonl(database, broken).problems
    assert problem.line == second + 3 and problem.message.startswith("not valid JSON")
    cut = tmp_path / "cut.json"
    cut.write_text(path.read_text(encoding="utf-8").rstrip().rstrip("]"), encoding="utf-8")
    assert "not closed" in import_jsonl(database, cut).problems[0].message
    bad_bytes = tmp_path / "bad.json"
    bad_bytes.write_bytes(path.read_bytes().replace("市委组织部负责".encode(), b"\xff\xfe", 1))
    [problem] = import_jsonl(database, bad_bytes).problems
    assert problem.message.startswith("not UTF-8") and problem.line == second + 3  # the line of "text": …
