"""Lines are parsed quickly (msgspec, Prodigy tokens never built) but judged as before: what json refuses is
refused with json's reason and the line, what json reads (NaN, a lone surrogate) reaches the same checks."""

from __future__ import annotations

import json

from annotate.formats import import_jsonl
from annotate.formats.records import Record, read_records


def write(path, *lines: str):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_prodigy_tokens_are_skipped_but_must_be_json(database, tmp_path):
    tokens = [{"text": "两个", "start": 0, "end": 2, "id": 0}, {"text": "确立", "start": 2, "end": 4, "id": 1}]
    good = json.dumps({"text": "两个确立", "tokens": tokens, "spans": [{"start": 0, "end": 4, "label": "SLOGAN"}],
                       "_annotator_id": "amy"}, ensure_ascii=False)
    broken = good.replace('"id": 1}', '"id": 1,}')
    report = import_jsonl(database, write(tmp_path / "p.jsonl", good, broken), fmt="prodigy")
    assert report.refused and [(p.line, p.message.split(" (")[0]) for p in report.problems] == [(2, "not valid JSON")]
    report = import_jsonl(database, write(tmp_path / "p.jsonl", good), fmt="prodigy")
    assert report.imported and report.annotators == ["amy"] and report.spans_added == 1


def test_what_only_json_reads_gets_the_usual_checks(tmp_path):
    path = write(tmp_path / "odd.jsonl",
                 '{"text": "两个确立", "label": [[0, NaN, "SLOGAN"]]}',     # NaN: a float, not an offset
                 '{"text": "\\ud800两个", "label": []}',                   # a lone surrogate
                 '{"text": "两个确立", "label": [[0, 4, "SLOGAN"]], "meta": {"annotator": "a"}}',
                 '["not", "an", "object"]')
    items = list(read_records(path, "doccano"))
    problems = [(item.line, item.message) for item in items if hasattr(item, "message")]
    assert problems[0][0] == 1 and "label 0 is" in problems[0][1]
    assert problems[1] == (2, "the text contains an unpaired UTF-16 surrogate (a broken emoji or rare character)")
    assert problems[2] == (4, "not a JSON object")
    assert [item.spans for item in items if isinstance(item, Record)] == [[(0, 4, "SLOGAN", "", None)]]


def test_lines_checked_as_a_whole_and_one_by_one_agree(tmp_path):
    """The quick path (every span well formed, labels seen before) gives what the span-by-span checks give."""
    spans = [[0, 2, "TASK"], [2, 4, "TASK"], [0, 4, "SLOGAN"]]
    lines = [json.dumps({"text": "两个确立", "label": spans[:k], "meta": {"annotator": "a",
                         "notes": {"0": "看"} if k else {}}}, ensure_ascii=False) for k in (1, 3, 3)]
    records = [item for item in read_records(write(tmp_path / "a.jsonl", *lines), "doccano")
               if isinstance(item, Record)]
    assert [record.spans for record in records] == [
        [(0, 2, "TASK", "看", None)],
        [(0, 2, "TASK", "看", None), (2, 4, "TASK", "", None), (0, 4, "SLOGAN", "", None)],
        [(0, 2, "TASK", "看", None), (2, 4, "TASK", "", None), (0, 4, "SLOGAN", "", None)]]


def test_prodigy_spans_of_another_shape_get_the_careful_checks(tmp_path):
    def line(spans) -> str:
        return json.dumps({"text": "两个确立", "tokens": [], "spans": spans, "_annotator_id": "amy"}, ensure_ascii=False)

    path = write(tmp_path / "p.jsonl",
                 line([{"start": 0, "end": 4, "label": "SLOGAN", "text": ""}]),        # empty text: nothing to check
                 line([{"start": True, "end": 4, "label": "SLOGAN"}]),
                 line(None),
                 line([{"start": 0, "end": 2, "label": "SLOGAN", "text": 2}]),       # a text that is not one
                 line([{"start": 0, "end": 2, "label": "SLOGAN", "text": "确立"}]))
    items = list(read_records(path, "prodigy"))
    problems = [(item.line, item.message) for item in items if hasattr(item, "message")]
    assert [(record.line, record.spans) for record in items if isinstance(record, Record)] == [
        (1, [(0, 4, "SLOGAN", "", None)]), (4, [(0, 2, "SLOGAN", "", None)])]
    assert [line for line, _ in problems] == [2, 3, 5]
    assert problems[0][1] == 'span 0 is not {"start": int, "end": int, "label": "LABEL"}'
    assert problems[1][1] == '"spans" is not a list'
    assert 'the text there is "两个", the file says "确立"' in problems[2][1]
