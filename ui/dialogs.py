"""Small dialogs: annotator name, import options, export options, the shortcut cheat sheet."""

from __future__ import annotations

import getpass
from html import escape
from pathlib import Path
from typing import Callable, Iterable, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QTextBrowser, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from db.models import ReviewStatus, Status
from ui import filedialogs
from ui.style import REVIEW_TEXT, STATUS_TEXT


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


def ok_cancel(dialog: QDialog, ok_text: str, on_ok: Callable[[], None] | None = None) -> QDialogButtonBox:
    """OK (named for what it does: Import, Export, …) and Cancel; OK calls `on_ok` (default: accept)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(on_ok or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


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
        buttons = ok_cancel(self, "Import")
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.join_lines)
        layout.addWidget(buttons)


class AnnotationImportOptions(QDialog):
    """Whose labels a JSONL file holds, and in which unit its offsets count (doccano's own exports: UTF-16)."""

    def __init__(self, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import annotations")
        about = QLabel(f"Import the labels in\n{path}\n(doccano, Prodigy or CLUENER JSONL, or a Label Studio JSON "
                       "export). "
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
        buttons = ok_cancel(self, "Import")
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(buttons)


class ExportOptions(QDialog):
    """Format (and its options), annotators, document statuses and file of an export."""

    FORMATS = (("doccano JSONL", "doccano"), ("Prodigy / spaCy JSONL (with jieba tokens)", "prodigy"),
               ("CLUENER JSONL (Chinese NER)", "cluener"), ("Label Studio tasks (JSON)", "labelstudio"),
               ("CoNLL: a character and its tag a line", "conll"))
    SCHEMES = (("BIO", "bio"), ("BIOES", "bioes"), ("BMES", "bmes"))
    UNITS = (("code points (Zhubi, current Label Studio)", "codepoint"),
             ("UTF-16 units (what doccano itself counts; older Label Studio)", "utf16"))

    def __init__(self, annotators: Iterable[str], current: str, default_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export labels")
        self.format = QComboBox(self)
        for text, value in self.FORMATS:
            self.format.addItem(text, value)
        self.scheme = QComboBox(self)
        for text, value in self.SCHEMES:
            self.scheme.addItem(text, value)
        self.unit = QComboBox(self)
        for text, value in self.UNITS:
            self.unit.addItem(text, value)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.annotators = QListWidget(self)
        self.annotators.setMaximumHeight(120)
        for name in annotators:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name == current else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        statuses = QGroupBox("Documents", self)
        self.statuses = {status: QCheckBox(STATUS_TEXT[status], statuses) for status in Status}
        self.review_statuses = {status: QCheckBox(REVIEW_TEXT[status], statuses) for status in ReviewStatus}
        status_rows = QFormLayout(statuses)
        for name, boxes in (("Status", self.statuses), ("Review", self.review_statuses)):
            row = QHBoxLayout()
            for box in boxes.values():
                box.setChecked(True)
                row.addWidget(box)
            row.addStretch(1)
            status_rows.addRow(name, row)
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
        form.addRow("Tags", self.scheme)
        form.addRow("Offsets count", self.unit)
        form.addRow("Annotators", self.annotators)
        form.addRow(statuses)
        form.addRow("File", path_row)
        buttons = ok_cancel(self, "Export", self._accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.annotators.itemChanged.connect(self._describe)
        self.path.textChanged.connect(self._describe)
        self._format_changed()

    def _format_changed(self) -> None:
        from annotate.formats import SUFFIXES, UTF16_FORMATS  # (not at start: the window opens without it)

        fmt = self.chosen_format()
        self.scheme.setEnabled(fmt == "conll")
        self.unit.setEnabled(fmt in UTF16_FORMATS)
        if fmt not in UTF16_FORMATS:
            self.unit.setCurrentIndex(0)
        path = Path(self.path.text())
        if path.suffix in {".jsonl", *SUFFIXES.values()}:  # a name the user typed with another ending keeps it
            self.path.setText(str(path.with_suffix(SUFFIXES.get(fmt, ".jsonl"))))
        self._describe()

    def _describe(self) -> None:
        """Say where a CoNLL export of several annotators goes (a file each)."""
        from annotate.formats import annotator_path

        chosen = self.chosen_annotators()
        if self.chosen_format() == "conll" and len(chosen) > 1 and self.path.text().strip():
            target = Path(self.path.text()).expanduser()
            self.note.setText("CoNLL holds one annotator's labels per file (for those with spans): "
                              + ", ".join(annotator_path(target, name).name for name in chosen)
                              + ". Nested or overlapping spans keep the outermost one; the others are listed after.")
        elif self.chosen_format() == "conll":
            self.note.setText("Nested or overlapping spans keep the outermost one; the others are listed after.")
        else:
            self.note.setText("")

    def _browse(self) -> None:
        path = filedialogs.save_file(self, "Export to", self.path.text(),
                                     "JSON Lines, JSON, CoNLL (*.jsonl *.json *.conll);;All files (*)")
        if path:
            self.path.setText(path)

    def chosen_annotators(self) -> list[str]:
        return [self.annotators.item(i).text() for i in range(self.annotators.count())
                if self.annotators.item(i).checkState() == Qt.CheckState.Checked]

    def chosen_statuses(self) -> list[Status]:
        return [status for status, box in self.statuses.items() if box.isChecked()]

    def chosen_review_statuses(self) -> list[ReviewStatus]:
        return [status for status, box in self.review_statuses.items() if box.isChecked()]

    def chosen_format(self) -> str:
        return self.format.currentData()

    def chosen_scheme(self) -> str:
        return self.scheme.currentData()

    def chosen_offset_unit(self) -> str:
        return self.unit.currentData()

    def _accept(self) -> None:
        if not self.chosen_annotators():
            self.error.setText("Choose at least one annotator.")
        elif not self.chosen_statuses() or not self.chosen_review_statuses():
            self.error.setText("Choose at least one document status and one review status.")
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
