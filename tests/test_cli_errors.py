"""Every command, given bad input or a database it cannot use, exits non-zero with a one-line reason and no
traceback; `--help` works on every command and sub-command."""

from __future__ import annotations

import argparse
import json
import sqlite3

import pytest

from annotate.cli import build_parser
from main import main


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of the parser, as the words that name it."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*prefix, name))
                found += commands(sub, (*prefix, name))
    return found


ALL_COMMANDS = commands(build_parser())


def test_every_command_is_listed():
    assert {"import", "export", "docs", "labels", "stats", "agree", "review", "suggest", "lexicon", "rules",
            "concordance"} <= {words[0] for words in ALL_COMMANDS}
    assert ("review", "decide") in ALL_COMMANDS and ("lexicon", "offer") in ALL_COMMANDS


@pytest.mark.parametrize("words", [(), *ALL_COMMANDS], ids=lambda words: " ".join(words) or "main.py")
def test_help_works_on_every_command(words, capsys):
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert out.startswith(f"usage: main.py {' '.join(words)}".rstrip())


def one_line_error(capsys) -> str:
    """stderr of a failed command: exactly one line, "error: ...", and no traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture
def reviewed(db_path, tmp_path, capsys):
    """A database with one document labelled differently by amy and bob."""
    for name, labels in (("amy", [[0, 4, "SLOGAN"]]), ("bob", [[0, 4, "TASK"]])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text(json.dumps({"text": "两个确立和两个维护", "label": labels, "meta": {"annotator": name}},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        assert main(["--db", str(db_path), "import", str(path)]) == 0
    capsys.readouterr()
    return db_path


BAD_INPUT = [
    (["export", "{tmp}/missing/out.jsonl"], "cannot write beside"),
    (["export", "{tmp}"], "is a directory"),
    (["export", "-", "--annotator", "nobody"], "unknown annotator 'nobody'"),
    (["import", "--format", "prodigy", "{tmp}"], "is a folder"),
    (["import", "{tmp}/missing.txt"], "1 of 1 files refused"),
    (["labels", "add", "TWO WORDS"], "must be one word"),
    (["labels", "add", "SLOGAN"], "a label named 'SLOGAN' exists already"),
    (["agree", "--annotators", "amy"], "at least two"),
    (["agree", "--annotators", "amy", "nobody"], "no annotator named 'nobody'"),
    (["agree", "--annotators", "amy", "bob", "--label", "NOPE"], "no label named 'NOPE'"),
    (["agree", "--annotators", "amy", "bob", "--csv", "{tmp}/missing/x.csv"], "cannot write"),
    (["review", "show", "nothing.txt", "--annotators", "amy", "bob"], "no document with id or name"),
    (["review", "show", "1", "--annotators", "amy", "nobody"], "no annotator named 'nobody'"),
    (["review", "decide", "1", "--annotators", "amy", "bob", "--group", "9", "--reject", "--reviewer", "rita"],
     "no disagreement #9"),
    (["review", "decide", "1", "--annotators", "amy", "bob", "--group", "1", "--accept", "cy", "--reviewer", "rita"],
     "'cy' is not one of the annotators compared"),
    (["review", "decide", "1", "--annotators", "amy", "bob", "--group", "1", "--edit", "0:99:SLOGAN",
      "--reviewer", "rita"], "outside the text"),
    (["review", "decide", "1", "--annotators", "amy", "bob", "--group", "1", "--edit", "zero:4:SLOGAN",
      "--reviewer", "rita"], "is not START:END:LABEL"),
    (["review", "clear", "1", "--annotators", "amy", "bob", "--group", "1"], "no decision to clear"),
    (["review", "status", "1", "adjudicated"], "name the --annotators"),
    (["review", "comment", "1", " ", "--reviewer", "rita"], "a comment needs some text"),
    (["review", "comment", "1", "why?", "--reviewer", "rita", "--span", "999"], "span 999 is not in this document"),
    (["suggest", "--doc", "nothing.txt"], "no document named"),
    (["suggest", "--label", "NOPE"], "no label 'NOPE'"),
    (["suggest", "--annotator", "nobody"], "no annotator 'nobody'"),
    (["lexicon", "import", "{tmp}/missing.tsv"], "cannot read"),
    (["lexicon", "export", "{tmp}/missing/x.tsv"], "cannot write"),
    (["lexicon", "add", "两个维护", "NOPE"], "no label 'NOPE'"),
    (["lexicon", "add", " ", "SLOGAN"], "cannot be empty"),
    (["rules", "enable", "nope"], "no rule 'nope'"),
    (["rules", "add", "mine", "(", "--label", "SLOGAN"], "not a valid regular expression"),
    (["rules", "remove", "quoted_phrase"], "built-in rules can only be switched off"),
    (["concordance"], "give a TERM or --spans-of LABEL"),
    (["concordance", "两个", "--label", "NOPE"], "no label 'NOPE'"),
    (["concordance", "--spans-of", "NOPE"], "no label 'NOPE'"),
]


@pytest.mark.parametrize("argv, reason", BAD_INPUT, ids=lambda value: " ".join(value) if isinstance(value, list)
                         else None)
def test_bad_input_is_one_line_and_exit_status_1(reviewed, tmp_path, capsys, argv, reason):
    argv = [word.replace("{tmp}", str(tmp_path)) for word in argv]
    assert main(["--db", str(reviewed), *argv]) == 1
    assert reason in one_line_error(capsys)


def test_a_lone_refused_file_does_not_speak_of_others(reviewed, tmp_path, capsys):
    assert main(["--db", str(reviewed), "import", str(tmp_path / "missing.txt")]) == 1
    assert one_line_error(capsys).endswith("1 of 1 files refused")


def test_what_argparse_refuses_is_exit_status_2_with_its_reason_last(reviewed, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(reviewed), "export", "-", "--format", "brat"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("main.py export: error: argument --format: invalid choice: 'brat'")


def newer_database(path) -> None:
    main(["--db", str(path), "docs"])
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()


def foreign_database(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text)")
    connection.close()


@pytest.mark.parametrize("make, location, reason", [
    (lambda path: path.write_text("not a database\n" * 100), "{path}", "file is not a database"),
    (lambda path: path.mkdir(), "{path}", "unable to open database file"),
    (newer_database, "{path}", "schema version 9999 was written by a newer Zhubi"),
    (foreign_database, "{path}", "not a Zhubi database"),
    (None, "mysql://amy:secret@localhost/zhubi", "its database driver is not installed"),
    (None, "nosuchengine://localhost/zhubi", "Can't load plugin"),
])
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, capsys, make, location, reason):
    path = tmp_path / "zhubi.db"
    if make is not None:
        make(path)
    assert main(["--db", location.format(path=path), "docs"]) == 1
    line = one_line_error(capsys)
    assert reason in line and "secret" not in line


def test_a_read_only_database_is_read_and_refuses_writes_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path / ".")
    db_path = tmp_path / "zhubi.db"  # SQLite's own read-only mode
    main(["--db", str(db_path), "docs"])
    read_only = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    assert main(["--db", read_only, "labels"]) == 0
    capsys.readouterr()
    for argv in (["labels", "add", "POLICY"], ["lexicon", "offer", "off"], ["rules", "disable", "quoted_phrase"]):
        assert main(["--db", read_only, *argv]) == 1
        assert "read-only" in one_line_error(capsys)
    assert not (tmp_path / "file:").exists()  # no folder named after the URI in the working directory


def test_a_database_another_program_keeps_locked_is_one_line(tmp_path, capsys, monkeypatch):
    import db.engine

    db_path = tmp_path / "zhubi.db"  # an SQLite file that another program writes to
    main(["--db", str(db_path), "docs"])
    capsys.readouterr()
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert main(["--db", str(db_path), "labels"]) == 0  # reading goes on
        capsys.readouterr()
        assert main(["--db", str(db_path), "labels", "add", "POLICY"]) == 1
    finally:
        other.close()
    assert "locked by another program" in one_line_error(capsys)
    assert main(["--db", str(db_path), "labels", "add", "POLICY"]) == 0  # and nothing was left half-done


class FakeServerError(Exception):
    """What a PostgreSQL driver raises: a message and its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate, advice", [
    ("55P03", "held a lock"), ("25006", "only allows reading"), ("53100", "out of disk space"),
    ("08006", "connection to the database server failed"), ("57P01", "shutting down"), ("42P01", None),
])
def test_server_errors_are_sorted_by_their_code(sqlstate, advice):
    from sqlalchemy.exc import OperationalError

    from db.errors import environment_reason

    error = OperationalError("INSERT …", {}, FakeServerError("server says no", sqlstate))
    reason = environment_reason(error)
    if advice is None:  # undefined table: a bug, not the machine
        assert reason is None
    else:
        assert advice in reason and reason.endswith("(server says no)")



def test_output_is_utf8_whatever_the_terminal_encoding(tmp_path):
    """A pipe or terminal that says ASCII still gets the names, in UTF-8, not a UnicodeEncodeError."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    text = tmp_path / "两个维护.txt"
    text.write_text("坚决做到“两个维护”", encoding="utf-8")

    def run(*argv: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, str(root / "main.py"), "--db", str(tmp_path / "zhubi.db"), *argv],
                                capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"}, timeout=120)
        assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
        return result

    assert run("import", str(text)).returncode == 0
    listed = run("docs")
    assert listed.returncode == 0 and listed.stdout.decode("utf-8").split("\t")[1] == "两个维护.txt"
    assert "口号/提法" in run("labels").stdout.decode("utf-8")
    missing = run("suggest", "--doc", "没有")
    assert missing.returncode == 1
    assert missing.stderr.decode("utf-8") == "error: no document named '没有' (see: main.py docs)\n"
