"""`main.py import` leaves the full-text index up to date, and says plainly when the database stayed locked."""

from __future__ import annotations

import json
import sqlite3

import pytest

from db import fulltext, transfer
from db.engine import open_database
from main import main


def pending(db_path) -> int:
    database = open_database(str(db_path))
    try:
        with database.session() as session:
            return fulltext.pending_count(session)
    finally:
        database.close()


def test_imported_texts_and_label_files_are_indexed_for_search(tmp_path, db_path, backend, capsys):
    (tmp_path / "a.txt").write_text("市委组织部要把推进“十项行动”作为重要任务", encoding="utf-8")
    assert main(["--db", str(db_path), "import", str(tmp_path / "a.txt")]) == 0
    if backend == "sqlite":  # PostgreSQL has no index to bring up to date (searches scan; see db.fulltext)
        assert "1 new texts added to the search index" in capsys.readouterr().err
    assert pending(db_path) == 0
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"text": "推动京津冀协同发展", "label": [[0, 9, "TASK"]]}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    assert main(["--db", str(db_path), "import", "--annotator", "lin", str(labels)]) == 0
    assert pending(db_path) == 0
    assert main(["--db", str(db_path), "concordance", "京津冀"]) == 0
    assert "京津冀" in capsys.readouterr().out


@pytest.mark.sqlite_only
def test_a_database_locked_too_long_refuses_the_label_file_and_says_why(tmp_path, db_path, capsys, monkeypatch):
    main(["--db", str(db_path), "docs"])
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"text": "两个确立", "label": [[0, 4, "SLOGAN"]]}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    monkeypatch.setattr(transfer, "WRITE_WAIT_MS", 200)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        code = main(["--db", str(db_path), "import", "--annotator", "lin", str(labels)])
    finally:
        other.close()
    out = capsys.readouterr().out
    assert code == 1
    assert f"refused\t{labels}\tanother program kept the database locked for 0.2 s; nothing was imported" in out
