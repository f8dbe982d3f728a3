"""`main.py --screenshot FILE [--open NAME]`: the real window rendered offscreen at 1400×900."""

from __future__ import annotations

import argparse

from PySide6.QtGui import QImage

from corpus.documents import store_text
from ui.app import screenshot


def args(db_path, out, name=None) -> argparse.Namespace:
    return argparse.Namespace(db=str(db_path), screenshot=str(out), open_name=name, gui_annotator="tester")


def test_the_screenshot_shows_the_named_document_with_its_spans(qapp, database, db_path, tmp_path, capsys):
    text = "坚决做到“两个维护”，推动京津冀协同发展走深走实。市委组织部召开会议。\n" * 5
    with database.transaction() as session:
        store_text(session, name="first.txt", text="第一篇\n")
        chosen, _ = store_text(session, name="chosen.txt", text=text)
    from annotate.spans import SpanStore
    from db import annotators

    with database.transaction() as session:
        me = annotators.annotator_id(session, "tester")
    SpanStore(database).add(document_id=chosen, label_id=1, annotator_id=me, start=5, end=9)
    out = tmp_path / "shot.png"
    assert screenshot(qapp, args(db_path, out, "chosen.txt")) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    colours = {image.pixel(x, y) for x in range(0, 1400, 7) for y in range(0, 900, 7)}
    assert len(colours) > 60  # text, list, palette and a span: far from a blank window
    slogan_red = [image.pixelColor(x, y) for x in range(380, 1400, 2) for y in range(60, 140, 2)]
    assert any(c.red() > c.green() + 40 and c.red() > c.blue() + 40 for c in slogan_red)  # the SLOGAN box
    assert "1400×900" in capsys.readouterr().out


def test_an_unknown_document_name_is_an_error(qapp, database, db_path, tmp_path, capsys):
    with database.transaction() as session:
        store_text(session, name="only.txt", text="一篇\n")
    assert screenshot(qapp, args(db_path, tmp_path / "x.png", "missing.txt")) == 1
    assert "no document named 'missing.txt'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_a_file_that_is_not_a_database_is_refused_with_the_reason(qapp, tmp_path, capsys):
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("just some notes\n" * 100, encoding="utf-8")
    assert screenshot(qapp, args(not_a_database, tmp_path / "x.png")) == 1
    assert "not a Zhubi (SQLite) database" in capsys.readouterr().err
    assert not_a_database.read_text(encoding="utf-8").startswith("just some notes")  # left as it was


def test_the_readme_screenshot_command_prints_no_qt_noise(database, db_path, tmp_path):
    """The offscreen platform's "does not support propagateSizeHints()" read like a warning on every run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    with database.transaction() as session:
        store_text(session, name="one.txt", text="两个维护。\n")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(root / "main.py"), "--db", str(db_path), "--annotator", "tester",
                             "--screenshot", str(tmp_path / "shot.png")], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0 and result.stderr == ""
    assert "1400×900" in result.stdout
