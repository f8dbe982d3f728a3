"""Small dialogs: annotator name, import options, export options, the shortcut cheat sheet."""

from __future__ import annotations

import getpass
from html import escape
from pathlib import Path
from typing import Iterable, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QTextBrowser, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from db.models import Status
from ui.style import STATUS_TEXT


def ask_annotator(parent: QWidget | None, current: str = "") -> str | None:
    """The name every span is stored under; asked once, changeable from the File menu."""
    suggestion = current or _login_name()
    name, ok = QInputDialog.getText(parent, "Who is annotating?",
                                    "Your name (stored with every span you make, used for agreement and export):",
                                    QLineEdit.EchoMode.Normal, suggestion)
    name = name.strip()
    return name if ok and name else None


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return ""


class ImportOptions(QDialog):
    """Confirms what is imported and how (the only option changes text, so it is never silent)."""

    def __init__(self, paths: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import documents")
        shown = "\n".join(paths[:8]) + (f"\n… and {len(paths) - 8} more" if len(paths) > 8 else "")
        about = QLabel(f"Import .txt files (folders recursively) from:\n{shown}\n\n"
                       "Encodings are detected (UTF-8/16, GB18030/GBK, Big5); a file that is already in the "
                       "database is skipped; an unreadable one is refused with the reason.", self)
        about.setWordWrap(True)
        about.setMinimumWidth(520)  # a wrapped label needs a width to know its height
        self.join_lines = QCheckBox("Remove the spaces PDF extraction left inside Chinese words (新征 程上 → 新征程上)",
                                    self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.join_lines)
        layout.addWidget(buttons)


class AnnotationImportOptions(QDialog):
    """Whose labels a JSONL file holds, and in which unit its offsets count (doccano's own exports: UTF-16)."""

    def __init__(self, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import annotations")
        about = QLabel(f"Import the labels in\n{path}\n(doccano or Prodigy JSONL, or a Label Studio JSON export). "
                       "A file with any problem is refused whole, with the file and line of each problem.", self)
        about.setWordWrap(True)
        about.setMinimumWidth(480)
        self.annotator = QLineEdit(self)
        self.annotator.setPlaceholderText("as recorded in the file")
        self.unit = QComboBox(self)
        self.unit.addItem("code points (Zhubi, Prodigy, Label Studio)", "codepoint")
        self.unit.addItem("UTF-16 units (doccano's own exports)", "utf16")
        form = QFormLayout()
        form.addRow("Annotator", self.annotator)
        form.addRow("Offsets count", self.unit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)


class ExportOptions(QDialog):
    FORMATS = (("doccano JSONL", "doccano"), ("Prodigy / spaCy JSONL (with jieba tokens)", "prodigy"))

    def __init__(self, annotators: Iterable[str], current: str, default_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export JSONL")
        self.format = QComboBox(self)
        for text, value in self.FORMATS:
            self.format.addItem(text, value)
        self.annotators = QListWidget(self)
        self.annotators.setMaximumHeight(120)
        for name in annotators:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name == current else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        statuses = QGroupBox("Documents", self)
        self.statuses = {status: QCheckBox(STATUS_TEXT[status], statuses) for status in Status}
        status_row = QHBoxLayout(statuses)
        for status, box in self.statuses.items():
            box.setChecked(True)
            status_row.addWidget(box)
        self.path = QLineEdit(default_path, self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Annotators", self.annotators)
        form.addRow(statuses)
        form.addRow("File", path_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), "JSON Lines (*.jsonl);;All files (*)")
        if path:
            self.path.setText(path)

    def chosen_annotators(self) -> list[str]:
        return [self.annotators.item(i).text() for i in range(self.annotators.count())
                if self.annotators.item(i).checkState() == Qt.CheckState.Checked]

    def chosen_statuses(self) -> list[Status]:
        return [status for status, box in self.statuses.items() if box.isChecked()]

    def chosen_format(self) -> str:
        return self.format.currentData()

    def _accept(self) -> None:
        if not self.chosen_annotators():
            self.error.setText("Choose at least one annotator.")
        elif not self.chosen_statuses():
            self.error.setText("Choose at least one document status.")
        elif not self.path.text().strip():
            self.error.setText("Choose a file to write.")
        elif not Path(self.path.text()).expanduser().parent.is_dir():
            self.error.setText(f"The folder {Path(self.path.text()).expanduser().parent} does not exist.")
        else:
            self.accept()


class CheatSheet(QDialog):
    """Every shortcut: the menus' actions (read from the actions themselves) and the text view's keys."""

    def __init__(self, menus: Sequence[tuple[str, Sequence[QAction]]], view_keys: Sequence[tuple[str, str]],
                 label_keys: Sequence[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 720)
        parts = ["<h3>In the text</h3>", _table(view_keys)]
        if label_keys:
            parts += ["<h3>Labels</h3>", _table(label_keys)]
        for title, actions in menus:
            rows = [(action.shortcut().toString(), action.text().replace("&", "").split("\t")[0])
                    for action in actions
                    if not action.isSeparator() and action.isVisible() and action.shortcut().toString()]
            rows += [(action.text().split("\t")[1], action.text().replace("&", "").split("\t")[0])
                     for action in actions if "\t" in action.text() and not action.shortcut().toString()]
            if rows:
                parts += [f"<h3>{escape(title.replace('&', ''))}</h3>", _table(rows)]
        self.text = QTextBrowser(self)
        self.text.setHtml("".join(parts))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(close)


def _table(rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td style='padding-right:18px'><b>{escape(key)}</b></td><td>{escape(text)}</td></tr>"
                   for key, text in rows)
    return f"<table>{body}</table>"
