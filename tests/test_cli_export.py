"""`main.py export`: every format to a file or stdout, filters, one-line errors, never a half-written file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from annotated_corpus import build
from conftest import ROOT
from corpus.documents import store_text
from corpus.segment import document_tokens
from db import annotators, labels
from db.transfer import insert_spans
from main import main


@pytest.fixture
def corpus(database):
    return build(database)


def run(db_path, *args) -> int:
    return main(["--db", str(db_path), "export", *args])


def test_export_to_stdout_is_utf8_jsonl(db_path, corpus, capsysbinary):
    assert run(db_path, "-", "--annotator", "bob") == 0
    captured = capsysbinary.readouterr()
    lines = [json.loads(line) for line in captured.out.decode("utf-8").splitlines()]
    assert [line["meta"]["annotator"] for line in lines] == ["bob", "bob"]
    assert {line["text"][s:e] for line in lines for s, e, _ in line["label"]} == {
        "市委组织部𠀀", "推动京津冀协同发展", "协同发展走深走实", "市發展改革委", "十項行動", "兩個維護"}
    assert captured.err.decode("utf-8").strip() == \
        "exported 6 spans in 2 lines from 2 documents (doccano) to stdout"


def test_export_to_a_file_with_gold_and_status_filters(db_path, corpus, tmp_path, capsys):
    out = tmp_path / "gold.jsonl"
    assert run(db_path, str(out), "--gold", "--status", "done", "--format", "prodigy") == 0
    [line] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert line["meta"]["annotator"] == "gold" and len(line["spans"]) == 2 and line["tokens"]
    assert "exported 2 spans in 1 lines from 1 documents (prodigy)" in capsys.readouterr().err
    assert run(db_path, str(out), "--gold", "--review-status", "adjudicated") == 0
    assert [json.loads(line)["meta"]["review_status"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "adjudicated"]
    assert run(db_path, str(out), "--gold", "--review-status", "in_review") == 0
    assert out.read_text(encoding="utf-8") == ""


def test_unknown_annotator_exits_non_zero_with_one_line_and_keeps_the_old_file(db_path, corpus, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    assert run(db_path, str(out), "--annotator", "zoe") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: unknown annotator 'zoe'")
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"


def test_gold_before_adjudication_is_an_error(database, db_path, tmp_path, capsys):
    with database.transaction() as session:
        store_text(session, name="d", text="两个确立")
    assert run(db_path, str(tmp_path / "gold.jsonl"), "--gold") == 1
    assert "unknown annotator 'gold'" in capsys.readouterr().err
    assert not (tmp_path / "gold.jsonl").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_unwritable_folder_is_an_error_and_leaves_nothing(db_path, corpus, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert run(db_path, str(folder / "out.jsonl")) == 1
        assert "Permission denied" in capsys.readouterr().err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_missing_folder_file_as_folder_and_directory_target_are_errors(db_path, corpus, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    assert run(db_path, str(tmp_path / "missing" / "out.jsonl")) == 1
    assert run(db_path, str(tmp_path / "notes.txt" / "out.jsonl")) == 1
    assert run(db_path, str(tmp_path)) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3 and all(error.startswith("error: ") for error in errors)
    assert "No such file or directory" in errors[0] and "Not a directory" in errors[1]
    assert "is a directory" in errors[2]


def test_misaligned_spans_are_counted_on_stderr(database, db_path, tmp_path, capsys):
    with database.transaction() as session:
        doc, _ = store_text(session, name="任务.txt", text="推动京津冀协同发展走深走实")
        amy = annotators.annotator_id(session, "amy")
        task = labels.by_name(session, "TASK").id
    start, end = next(t for t in document_tokens(database, doc) if t[1] - t[0] >= 2)
    with database.transaction() as session:
        insert_spans(session, [(doc, task, amy, start + 1, end, "", None)])
    assert run(db_path, str(tmp_path / "p.jsonl"), "--format", "prodigy") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[1].startswith("1 spans do not start and end on token boundaries")
    assert err[2].strip().startswith("任务.txt (id 1) amy") and "TASK" in err[2]


def test_stdout_is_utf8_whatever_the_locale(db_path, corpus):
    done = subprocess.run([sys.executable, "main.py", "--db", str(db_path), "export", "-", "--annotator", "amy"],
                          cwd=ROOT, capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2 and "两个确立" in lines[0] and "\\u" not in lines[0]


def test_help_names_every_format_and_its_options(capsys):
    with pytest.raises(SystemExit) as done:
        main(["export", "--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "{doccano,prodigy,cluener,labelstudio,conll}" in out
    assert "--scheme {bio,bioes,bmes}" in out and "--offset-unit {codepoint,utf16}" in out
    assert "labels.amy.conll" in out


def test_conll_of_several_annotators_names_its_files_and_the_dropped_spans(db_path, corpus, tmp_path, capsys):
    assert run(db_path, str(tmp_path / "labels.conll"), "--format", "conll", "--annotator", "amy",
               "--annotator", "bob", "--scheme", "bmes") == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"exported 13 spans in 8 sentences from 2 documents (conll) to {tmp_path / 'labels.amy.conll'}, "
                      f"{tmp_path / 'labels.bob.conll'}")
    assert err[1].startswith("3 spans left out: nested in or overlapping a longer span")
    assert err[2] == "  通知.txt (id 1) amy [36, 43) SLOGAN '京津冀协同发展': inside TASK [34, 47) '推动京津冀协同发展走深走实'"
    assert len(err) == 5
    assert "推\tB-TASK\n动\tM-TASK\n" in (tmp_path / "labels.bob.conll").read_text(encoding="utf-8")


def test_conll_to_stdout_needs_one_annotator_and_scheme_needs_conll(db_path, corpus, capsysbinary):
    assert run(db_path, "-", "--format", "conll") == 1
    assert run(db_path, "-", "--scheme", "bioes") == 1
    assert run(db_path, "-", "--format", "cluener", "--offset-unit", "utf16") == 1
    errors = capsysbinary.readouterr().err.decode("utf-8").splitlines()
    assert errors == ["error: conll writes one file per annotator: choose one annotator (--annotator NAME or --gold) "
                      "to write to stdout", "error: --scheme is for --format conll",
                      "error: cluener offsets are code points (UTF-16 units are for doccano and labelstudio)"]
    assert run(db_path, "-", "--format", "conll", "--gold") == 0
    assert capsysbinary.readouterr().out.decode("utf-8").startswith("关\tO\n于\tO\n")


def test_labelstudio_to_a_file(db_path, corpus, tmp_path, capsys):
    assert run(db_path, str(tmp_path / "tasks.json"), "--format", "labelstudio", "--offset-unit", "utf16") == 0
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 2 and all(task["meta"]["offset_unit"] == "utf16" for task in tasks)
    assert "exported 15 spans in 2 tasks from 2 documents (labelstudio)" in capsys.readouterr().err
