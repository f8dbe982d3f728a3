"""File dialogs that open where the user last was.

One folder is remembered for all of them (the folder of the last file or folder chosen), across runs through
the window's settings; the home folder before that. Never the working directory: for ./run.sh that is the
program's own folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ui.settings import Settings

_settings: Settings | None = None


def remember_in(settings: Settings) -> None:
    """Keep the last folder in these settings (the window's)."""
    global _settings
    _settings = settings


def folder() -> Path:
    """Where the next dialog opens: the last folder used, while it exists, else home."""
    last = _settings.last_folder if _settings is not None else None
    return Path(last) if last and Path(last).is_dir() else Path.home()


def _chosen(path: str, *, is_folder: bool = False) -> str:
    if path and _settings is not None:
        _settings.last_folder = str(Path(path) if is_folder else Path(path).parent)
    return path


def open_file(parent: QWidget | None, title: str, filters: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, str(folder()), filters)
    return _chosen(path)


def open_files(parent: QWidget | None, title: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(folder()), filters)
    if paths:
        _chosen(paths[0])
    return paths


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> str:
    """`suggested`: a file name (put in the last folder) or a whole path (kept)."""
    start = Path(suggested) if Path(suggested).is_absolute() else folder() / suggested
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    return _chosen(path)


def choose_folder(parent: QWidget | None, title: str) -> str:
    return _chosen(QFileDialog.getExistingDirectory(parent, title, str(folder())), is_folder=True)
