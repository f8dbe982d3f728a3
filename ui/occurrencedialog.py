"""Label all occurrences: the counts in the document and in the corpus, shown before anything is written."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from annotate.occurrences import OccurrencePlan


def _details(plan: OccurrencePlan) -> str:
    parts = []
    if plan.already:
        parts.append(f"{plan.already} labelled so already")
    if plan.skipped:
        parts.append(f"{plan.skipped} left alone (labelled otherwise, crossing a span, or rejected)")
    return f" ({'; '.join(parts)})" if parts else ""


class OccurrenceDialog(QDialog):
    """Choose where to label: `chosen` is the plan to apply once the dialog is accepted."""

    def __init__(self, text: str, label: str, here: OccurrencePlan, corpus: OccurrencePlan,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Label all occurrences")
        self.here, self.corpus = here, corpus
        self.chosen: OccurrencePlan | None = None
        shown = text if len(text) <= 30 else text[:29] + "…"
        summary = QLabel(
            f"<p>Label every occurrence of “<b>{shown}</b>” as <b>{label}</b>:</p>"
            f"<p>In this document: <b>{here.count}</b> to label{_details(here)}.</p>"
            f"<p>In the whole corpus: <b>{corpus.count}</b> to label in {corpus.documents} "
            f"document{'s' if corpus.documents != 1 else ''}{_details(corpus)}.</p>"
            "<p>Either is one step: Ctrl+Z takes it back.</p>", self)
        summary.setWordWrap(True)
        summary.setMinimumWidth(460)
        self.summary = summary
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.here_button = QPushButton(f"Label {here.count} here", self)
        self.corpus_button = QPushButton(f"Label {corpus.count} in the corpus", self)
        self.here_button.setEnabled(here.count > 0)
        self.corpus_button.setEnabled(corpus.count > 0)
        buttons.addButton(self.here_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.corpus_button, QDialogButtonBox.ButtonRole.AcceptRole)
        (self.here_button if here.count else self.corpus_button).setDefault(True)
        self.here_button.clicked.connect(lambda: self._choose(here))
        self.corpus_button.clicked.connect(lambda: self._choose(corpus))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(buttons)

    def _choose(self, plan: OccurrencePlan) -> None:
        self.chosen = plan
        self.accept()
