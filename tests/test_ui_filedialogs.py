"""File dialogs open in the folder the user chose last (remembered across runs), never in the working directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ui import filedialogs
from ui.settings import Settings


def test_the_next_dialog_opens_where_the_last_one_chose(tmp_path, monkeypatch, qtbot):
    settings = Settings(tmp_path / "zhubi.ini")
    filedialogs.remember_in(settings)
    texts = tmp_path / "texts"
    texts.mkdir()
    asked = []

    def answer(method: str, result) -> None:  # the dialog the user would see, answered
        monkeypatch.setattr(QFileDialog, method,
                            staticmethod(lambda parent, title, start, *filters: asked.append(start) or result))

    answer("getOpenFileNames", ([str(texts / "a.txt")], ""))
    assert filedialogs.open_files(None, "Import", "*.txt") == [str(texts / "a.txt")]
    answer("getSaveFileName", (str(tmp_path / "out" / "x.jsonl"), ""))
    filedialogs.save_file(None, "Export", "labels.jsonl", "*.jsonl")
    assert asked == [str(Path.home()), str(texts / "labels.jsonl")]  # then the suggested name in the last folder
    assert Settings(tmp_path / "zhubi.ini").last_folder == str(tmp_path / "out")  # kept for the next run
    answer("getExistingDirectory", "")
    assert filedialogs.choose_folder(None, "Folder") == ""  # cancelled: nothing remembered
    assert settings.last_folder == str(tmp_path / "out")
    assert filedialogs.folder() == Path.home()  # out/ does not exist: home, not a folder that is gone
