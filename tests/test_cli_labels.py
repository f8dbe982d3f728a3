"""`main.py labels`: the list, and `labels add` refusing what the window's label editor refuses, with its words."""

from __future__ import annotations

import pytest

from main import main


def run(capsys, db_path, *argv: str) -> tuple[int, list[str], str]:
    code = main(["--db", str(db_path), "labels", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_labels_are_listed_and_added(db_path, capsys):
    code, lines, _ = run(capsys, db_path)
    assert code == 0 and lines == ["SLOGAN\t口号/提法\t#e76f51\t1", "TASK\t任务\t#2a9d8f\t2",
                                   "INSTITUTION\t机构\t#457b9d\t3"]
    code, lines, _ = run(capsys, db_path, "add", "POLICY", "--display", "政策", "--color", "#112233", "--key", "4")
    assert code == 0 and lines[-1] == "POLICY\t政策\t#112233\t4"
    code, lines, _ = run(capsys, db_path, "add", "EVENT")  # a colour and a key no label has yet
    assert code == 0 and lines[-1] == "EVENT\t\t#e9c46a\t5"
    code, lines, _ = run(capsys, db_path, "remove", "EVENT")
    assert code == 0 and lines[-1] == "POLICY\t政策\t#112233\t4"
    code, _, err = run(capsys, db_path, "remove", "NOPE")
    assert code == 1 and "no label named 'NOPE'" in err


@pytest.mark.parametrize("argv, reason", [
    (["add", "TWO WORDS"], "label name 'TWO WORDS' must be one word without spaces"),
    (["add", "POLICY", "--color", "red"], "colour 'red' is not #rrggbb"),
    (["add", "POLICY", "--key", "12"], "shortcut '12' must be a single key"),
    (["add", "SLOGAN"], "a label named 'SLOGAN' exists already"),
    (["add", "L" * 65], f"label name '{'L' * 65}' must be one word without spaces, at most 64 characters"),
    (["add", "POLICY", "--display", "政" * 129], "display name"),
    (["add", "POLICY", "--key", "1"], "the key '1' is SLOGAN's already: give SLOGAN another key (or none) first"),
])
def test_a_label_that_cannot_be_saved_is_refused_with_the_reason(db_path, capsys, argv, reason):
    code, _, err = run(capsys, db_path, *argv)
    assert code == 1 and err.startswith(f"error: {reason}")
    _, lines, _ = run(capsys, db_path)
    assert len(lines) == 3
