"""What the window remembers between runs (per user, not per database): annotator, last database,
last document and scroll position per database, window layout and view toggles.

An INI file in the user config directory, resolved when opened so tests and users can redirect it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from db.engine import APP_NAME


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "zhubi.ini"


class Settings:
    def __init__(self, path: Path | None = None):
        self._store = QSettings(str(path or settings_path()), QSettings.Format.IniFormat)

    @property
    def annotator(self) -> str:
        return str(self._store.value("annotator", "") or "")

    @annotator.setter
    def annotator(self, name: str) -> None:
        self._store.setValue("annotator", name)

    @property
    def last_database(self) -> str | None:
        return self._store.value("last_database") or None

    @last_database.setter
    def last_database(self, location: str) -> None:
        self._store.setValue("last_database", location)

    @property
    def last_folder(self) -> str | None:
        """Where the file dialogs last chose something (ui.filedialogs)."""
        return self._store.value("last_folder") or None

    @last_folder.setter
    def last_folder(self, folder: str) -> None:
        self._store.setValue("last_folder", folder)

    def flag(self, name: str, default: bool) -> bool:
        value = self._store.value(f"view/{name}", default)
        return value if isinstance(value, bool) else str(value).lower() == "true"

    def set_flag(self, name: str, value: bool) -> None:
        self._store.setValue(f"view/{name}", value)

    def place(self, database_url: str) -> tuple[int | None, int]:
        """The document last open in this database and the code point shown at the top of the view."""
        group = self._group(database_url)
        document = self._store.value(f"{group}/document")
        return (int(document) if document not in (None, "") else None,
                int(self._store.value(f"{group}/position", 0) or 0))

    def set_place(self, database_url: str, document_id: int, position: int) -> None:
        group = self._group(database_url)
        self._store.setValue(f"{group}/document", document_id)
        self._store.setValue(f"{group}/position", position)

    def review_annotators(self, database_url: str) -> list[str]:
        """The annotators last compared in the review view of this database."""
        value = self._store.value(f"{self._group(database_url)}/review_annotators", "")
        return [name for name in (value if isinstance(value, list) else str(value or "").split("\n")) if name]

    def set_review_annotators(self, database_url: str, names: list[str]) -> None:
        self._store.setValue(f"{self._group(database_url)}/review_annotators", "\n".join(names))

    def geometry(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self._store.value("window/geometry"), self._store.value("window/state")

    def set_geometry(self, geometry: QByteArray, state: QByteArray) -> None:
        self._store.setValue("window/geometry", geometry)
        self._store.setValue("window/state", state)

    def sync(self) -> None:
        self._store.sync()

    @staticmethod
    def _group(database_url: str) -> str:
        return "databases/" + hashlib.sha1(database_url.encode()).hexdigest()[:16]
