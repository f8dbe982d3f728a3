"""`suggest`, `lexicon`, `rules` and `concordance` on the command line."""

from __future__ import annotations

import json

import pytest

from corpus.documents import store_text
from main import main


@pytest.fixture
def corpus(database):
    with database.transaction() as session:
        store_text(session, name="简", text="坚决做到“两个维护”，市委组织部要求落实“助企纾困15条”。")
        store_text(session, name="繁", text="更加自覺做到“兩個維護”。")
    return database


def run(db_path, capsysbinary, *args) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *args])
    captured = capsysbinary.readouterr()
    return code, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def test_suggest_prints_one_json_line_per_suggestion(db_path, corpus, capsysbinary):
    code, out, _ = run(db_path, capsysbinary, "suggest")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"doc": "简", "start": 5, "end": 9, "text": "两个维护", "label": "SLOGAN", "source": "quoted_numbered"},
        {"doc": "简", "start": 11, "end": 16, "text": "市委组织部", "label": "INSTITUTION", "source": "institution"},
        {"doc": "简", "start": 21, "end": 28, "text": "助企纾困15条", "label": "SLOGAN", "source": "numbered_package"},
        {"doc": "繁", "start": 7, "end": 11, "text": "兩個維護", "label": "SLOGAN", "source": "quoted_numbered"}]
    code, out, _ = run(db_path, capsysbinary, "suggest", "--doc", "繁", "--label", "INSTITUTION")
    assert (code, out) == (0, "")


@pytest.mark.parametrize("args,message", [
    (("suggest", "--doc", "nope"), "error: no document named 'nope'"),
    (("suggest", "--label", "NOPE"), "error: no label 'NOPE'"),
    (("rules", "disable", "nope"), "error: no rule 'nope'"),
    (("concordance",), "error: give a TERM or --spans-of LABEL"),
])
def test_mistakes_exit_1_with_one_line(db_path, corpus, capsysbinary, args, message):
    code, _, err = run(db_path, capsysbinary, *args)
    assert code == 1 and err.startswith(message) and err.count("\n") == 1


def test_lexicon_import_list_export_and_what_it_changes(db_path, corpus, capsysbinary, tmp_path):
    source = tmp_path / "in.tsv"
    source.write_text("要求落实\tTASK\n两个维护\tSLOGAN\t兩個維護\n", encoding="utf-8")
    code, _, err = run(db_path, capsysbinary, "lexicon", "import", str(source))
    assert (code, err) == (0, f"{source}: 2 added, 0 updated, 0 unchanged\n")
    code, out, _ = run(db_path, capsysbinary, "lexicon", "list")
    assert out == "两个维护\tSLOGAN\t兩個維護\n要求落实\tTASK\n"
    target = tmp_path / "out.tsv"
    assert run(db_path, capsysbinary, "lexicon", "export", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == "两个维护\tSLOGAN\t兩個維護\n要求落实\tTASK\n"
    _, out, _ = run(db_path, capsysbinary, "suggest", "--label", "TASK")
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["lexicon"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("放管服\tSLOGAN\n放管服\n", encoding="utf-8")
    code, _, err = run(db_path, capsysbinary, "lexicon", "import", str(bad))
    assert code == 1 and f"{bad}:2: expected term<TAB>label" in err
    assert run(db_path, capsysbinary, "lexicon", "offer")[1] == "auto\n"
    assert run(db_path, capsysbinary, "lexicon", "offer", "ask")[1] == "ask\n"


def test_rules_can_be_switched_and_added(db_path, corpus, capsysbinary):
    code, out, _ = run(db_path, capsysbinary, "rules", "disable", "institution")
    assert code == 0 and "institution\toff\tINSTITUTION\tbuilt-in" in out
    run(db_path, capsysbinary, "rules", "add", "要求", "要求[\u4e00-\u9fff]{2}", "--label", "TASK")
    _, out, _ = run(db_path, capsysbinary, "suggest", "--doc", "简")
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["两个维护", "要求落实", "助企纾困15条"]


def test_concordance_lines_and_summary(db_path, corpus, capsysbinary):
    code, out, err = run(db_path, capsysbinary, "concordance", "两个维护", "--context", "3")
    assert code == 0
    assert out.splitlines() == ["简\t5\t9\tnone\t做到“[两个维护]”，市", "繁\t7\t11\tnone\t做到“[兩個維護]”。"]
    assert err == "2 occurrences in 2 documents; compared with -: none 2\n"
    _, out, _ = run(db_path, capsysbinary, "concordance", "两个维护", "--json")
    assert json.loads(out.splitlines()[1])["text"] == "兩個維護"
