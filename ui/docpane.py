"""The open document: label palette, text view with its layers, find bar; turns keys and clicks into edits.

Edits go to the workspace as annotate.edits (undoable, committed at once); the span layer changes only when
the domain announces the change, so undo, redo, another window's edit and an import all show the same way.
"""

from __future__ import annotations

from typing import Callable, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog, QVBoxLayout, QWidget

from annotate.edits import AddSpan, RemoveSpan, relabel, set_note
from annotate.events import DocumentsChanged, LexiconChanged, SpansChanged
from db import annotators, documents, review
from db import spans as span_rows
from db.documents import DocumentInfo
from db.labels import LabelInfo
from db.models import Script
from ui.findbar import FindBar, find_all
from ui.layers import FindLayer, SpanLayer, TokenLayer, span_table
from ui.offsets import DisplayText
from ui.palette import LabelPalette
from ui.tasks import Task
from ui.textview import DocumentView
from ui.tokens import Tokens
from ui.workspace import Workspace

MAX_FIND_PREFILL = 40  # a selection longer than this is not copied into the find field


class PaneMode(Protocol):
    """A mode that takes over what keys and clicks on the text mean (the review view: a label key decides the
    current disagreement instead of labelling for yourself). Set `DocumentPane.mode`; None is labelling."""

    def label(self, label_id: int) -> None: ...
    def delete(self) -> None: ...
    def note(self) -> None: ...
    def click(self, position: int) -> None: ...
    def step(self, direction: int) -> None: ...


class DocumentPane(QWidget):
    opening = Signal(int)  # document id, before it is read: background work for it can start alongside
    opened = Signal(int)  # document id, after text and spans are shown
    tokensReady = Signal(int)  # document id, once its segmentation is there
    documentChanged = Signal()  # the open document's status or name changed
    message = Signal(str)  # a short status-bar message
    selectionDescribed = Signal(str)  # what is selected, for the status bar

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.palette_bar = LabelPalette(self)
        self.view = DocumentView(self)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.palette_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.find_bar)

        self.find_layer = FindLayer(self)
        self._match_visited = False  # whether Enter/F3 has gone to the current match (else the next goes to it)
        self.span_layer = SpanLayer(self)
        self.token_layer = TokenLayer(self)
        self.view.add_layer(self.find_layer, 10)
        self.view.add_layer(self.span_layer, 20)
        self.view.add_layer(self.token_layer, 30)

        self.workspace: Workspace | None = None
        self.document: DocumentInfo | None = None
        self.simplified = False
        self.labels: list[LabelInfo] = []
        self.mode: PaneMode | None = None
        # Asked before the spans when a click lands (outside a mode); True when one took it (a suggestion).
        self.click_handlers: list[Callable[[int], bool]] = []
        self._stored = ""
        self._conversion = None  # cached simplified view of the open document
        self._positions: dict[int, int] = {}  # where each document was left during this session

        self.palette_bar.labelChosen.connect(self.apply_label)
        self.view.labelKey.connect(self._label_key)
        self.view.deleteRequested.connect(self.delete_selected)
        self.view.clickedAt.connect(self._clicked)
        self.view.stepSpan.connect(self.step_span)
        self.view.escapePressed.connect(self._escape)
        self.view.selectionChanged.connect(self._selection_changed)
        self.find_bar.searched.connect(self._search)
        self.find_bar.stepped.connect(self._find_from_bar)
        self.view.enterPressed.connect(self._enter_in_text)
        self.find_bar.closed.connect(self.close_find)

    # --- workspace and documents -----------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self.document = None
        self._positions.clear()
        self._stored = ""
        self.view.tokens = None
        self.token_layer.set_tokens(None)
        self.find_layer.set_matches([])
        self.span_layer.load(None, span_table(()))
        self.view.set_display(DisplayText(""))
        if workspace is None:
            self.palette_bar.set_labels([])
            return
        workspace.bridge.spansChanged.connect(self._on_spans_changed)
        workspace.bridge.labelsChanged.connect(self._reload_labels)
        workspace.bridge.documentsChanged.connect(self._on_documents_changed)
        workspace.bridge.event.connect(self._on_any_event)
        self.span_layer.set_annotators(workspace.annotator_names(), workspace.annotator_id)
        self._reload_labels()

    def open_document(self, document_id: int, position: int | None = None) -> None:
        """Show a document: text and spans now, its segmentation as soon as the background task has it."""
        if self.workspace is None:
            return
        self.opening.emit(document_id)
        if self.document is not None:
            self._positions[self.document.id] = self.view.first_visible()
        with self.workspace.database.engine.connect() as connection:
            info = documents.info(connection, document_id)
            text = documents.text_of(connection, document_id)
            names = annotators.names(connection)
            # Packed columns, not rows: 10,000 spans cost a few milliseconds instead of tens.
            table = review.span_table(connection, document_id, list(names) or [self.workspace.annotator_id])
            notes = span_rows.notes(connection, document_id)
        self.span_layer.set_annotators(names, self.workspace.annotator_id)
        self.document = info
        self._stored = text
        self._conversion = None
        self.view.tokens = None
        self.token_layer.set_tokens(None)
        self.span_layer.load(document_id, table, notes)
        self._show(position if position is not None else self._positions.get(document_id, 0))
        if self.find_bar.isVisible():
            self._search(self.find_bar.field.text())
        self._segment(document_id)
        self.opened.emit(document_id)
        self._describe()

    def position(self) -> int:
        """The stored position at the top of the view (saved as the scroll position)."""
        return self.view.first_visible()

    def _show(self, top: int, selection: tuple[int, int] | None = None) -> None:
        conversion = None
        if self.simplified and self.document is not None and self.document.script is Script.TRADITIONAL:
            if self._conversion is None:
                from corpus.script import to_simplified  # OpenCC loads on first use, not at start-up

                self._conversion = to_simplified(self._stored)
            conversion = self._conversion
        self.view.set_display(DisplayText(self._stored, conversion))
        if selection is not None:
            self.view.select(*selection)
        self.view.scroll_to(top)  # after the selection, which would scroll itself into view

    def _segment(self, document_id: int) -> None:
        database = self.workspace.database

        def work(task: Task) -> tuple[int, Tokens | None]:
            from corpus.segment import document_token_lengths

            try:
                return document_id, Tokens.from_lengths(document_token_lengths(database, document_id))
            except LookupError:  # the document is gone; opening it says so
                return document_id, None

        task = Task(work)
        task.succeeded.connect(self._tokens_ready)
        task.failed.connect(self._tokens_failed)
        task.start()

    def _tokens_ready(self, result: tuple[int, Tokens]) -> None:
        document_id, tokens = result
        if self.document is None or document_id != self.document.id or tokens is None:
            return  # the user moved on meanwhile
        self.view.tokens = tokens
        self.token_layer.set_tokens(tokens)
        self.tokensReady.emit(document_id)

    def _tokens_failed(self, error: BaseException) -> None:
        self.message.emit(f"Segmentation failed, selections are not snapped to tokens: {error}")

    def set_simplified(self, on: bool) -> None:
        """Show a traditional document in simplified characters; spans, selection and scroll stay put."""
        if on == self.simplified:
            return
        top, selection = self.view.first_visible(), self.view.selection()
        self.simplified = on
        if self.document is not None:
            self._show(top, selection)
            if self.find_bar.isVisible():
                self._search(self.find_bar.field.text())

    # --- domain events ---------------------------------------------------------------------------------
    def _on_spans_changed(self, event: SpansChanged) -> None:
        if self.document is not None and event.document_id == self.document.id:
            self.span_layer.apply(event.added, event.removed, event.updated)
            self._describe()

    def _on_documents_changed(self, event: DocumentsChanged) -> None:
        if self.document is None or (event.ids and self.document.id not in event.ids):
            return
        with self.workspace.database.session() as session:
            try:
                self.document = documents.info(session, self.document.id)
            except LookupError:
                return
        self.documentChanged.emit()

    def _on_any_event(self, event: object) -> None:
        if isinstance(event, LexiconChanged) and self.document is not None:
            self._segment(self.document.id)  # user words changed: so may the tokens of the open document

    def _reload_labels(self, *_) -> None:
        self.labels = self.workspace.labels.all()
        self.span_layer.set_labels(self.labels)
        self.palette_bar.set_labels(self.labels)

    # --- labelling -------------------------------------------------------------------------------------
    def _label_key(self, key: str) -> None:
        label = next((label for label in self.labels if label.shortcut == key), None)
        if label is None:
            self.message.emit(f"No label has the key {key!r} (Edit labels… assigns keys).")
            return
        self.apply_label(label.id)

    def apply_label(self, label_id: int) -> None:
        """Label the selected text, or relabel the selected span."""
        if self.document is None or self.workspace is None:
            return
        if self.mode is not None:
            self.mode.label(label_id)
            return
        selected = self.span_layer.row(self.span_layer.selected) if self.span_layer.selected else None
        if selected is not None:
            if selected.label_id != label_id:
                self.workspace.push(relabel(selected.id, label_id))
            return
        selection = self.view.selection()
        if selection is None:
            self.message.emit("Select some text first (drag, or Shift/Ctrl+Shift+arrows), then press a label key.")
            return
        start, end = selection
        edit = AddSpan(self.document.id, label_id, self.workspace.annotator_id, start, end)
        if self.workspace.push(edit):
            self.view.set_caret(end)
            self.span_layer.select(edit.row.id)
            self._describe()

    def delete_selected(self) -> None:
        if self.mode is not None:
            self.mode.delete()
            return
        span_id = self.span_layer.selected
        if span_id is None:
            self.message.emit("Click a span (or Tab to it) to select it, then Delete removes it.")
            return
        self.workspace.push(RemoveSpan(span_id))

    def edit_note(self) -> None:
        if self.mode is not None:
            self.mode.note()
            return
        row = self.span_layer.row(self.span_layer.selected) if self.span_layer.selected else None
        if row is None:
            self.message.emit("Select a span first (click it), then add a note.")
            return
        quoted = self.view.display.view_slice(row.start, row.end)
        # One line: Enter saves it (in a multi-line box Enter added a line break to the note instead).
        note, ok = QInputDialog.getText(self, "Note", f"Note on “{quoted[:60]}”:", text=row.note)
        note = note.strip()
        if ok and note != row.note:
            self.workspace.push(set_note(row.id, note))

    def _clicked(self, position: int) -> None:
        if self.mode is not None:
            self.mode.click(position)
            return
        if any(handler(position) for handler in self.click_handlers):
            self._describe()
            return
        under = self.span_layer.spans_at(position)
        if not under:
            self.span_layer.select(None)
        else:
            ids = [row.id for row in under]
            current = self.span_layer.selected
            self.span_layer.select(ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0])
        self._describe()

    def step_span(self, direction: int) -> None:
        if self.mode is not None:
            self.mode.step(direction)
            return
        current = self.span_layer.row(self.span_layer.selected) if self.span_layer.selected else None
        here = (current.start, current.end, current.id) if current else (self.view.caret(), -1, -1)
        row = self.span_layer.step(here, direction)
        if row is None:
            return
        self.view.set_caret(row.start)
        self.span_layer.select(row.id)
        self.view.reveal(row.start)
        self._describe()

    def _escape(self) -> None:
        """Esc in the text: lets go of the selected span, else closes the find bar (the keys come to the text
        after Enter in it)."""
        if self.span_layer.selected is None and self.find_bar.isVisible():
            self.close_find()
        self.span_layer.select(None)
        self._describe()

    def _selection_changed(self) -> None:
        if self.view.selection() is not None and self.span_layer.selected is not None:
            self.span_layer.select(None)
        self._describe()

    def _describe(self) -> None:
        row = self.span_layer.row(self.span_layer.selected) if self.span_layer.selected else None
        if row is not None:
            text = self.view.display.view_slice(row.start, row.end)
            self.selectionDescribed.emit(
                f"Span {self.span_layer.label_text(row.label_id)} “{_clip(text)}” [{row.start}, {row.end})"
                + (f" note: {_clip(row.note)}" if row.note else "")
                + " · label key relabels · Delete removes · Ctrl+M note")
            return
        selection = self.view.selection()
        if selection is not None:
            start, end = selection
            self.selectionDescribed.emit(f"Selected “{_clip(self.view.display.view_slice(start, end))}” "
                                         f"[{start}, {end}), {end - start} characters · press a label key")
        else:
            self.selectionDescribed.emit("")

    # --- find ------------------------------------------------------------------------------------------
    def open_find(self) -> None:
        selection = self.view.selection()
        prefill = None
        if selection is not None and selection[1] - selection[0] <= MAX_FIND_PREFILL:
            prefill = self.view.display.view_slice(*selection)
        self.find_bar.open(prefill)
        self._search(self.find_bar.field.text())

    def close_find(self) -> None:
        self.find_bar.hide()
        self.find_layer.set_matches([])
        self.view.setFocus()

    def _search(self, needle: str) -> None:
        display = self.view.display
        if display.conversion is not None:  # the text shows 简: a term typed in 繁 is looked for as 简 too
            from corpus.script import t2s

            simplified = t2s(needle)
            found = sorted({*find_all(display.text, needle), *find_all(display.text, simplified)})
            to_source = display.conversion.to_source
            found = [(to_source(start), to_source(end)) for start, end in found]
        else:
            found = find_all(display.text, needle)
        caret = self.view.caret()
        current = next((i for i, (start, _) in enumerate(found) if start >= caret), 0 if found else -1)
        self.find_layer.set_matches(found, current)
        self._match_visited = False  # the current match is only highlighted: Enter goes to it first
        self.find_bar.show_count(current, len(found))
        if current >= 0:
            self.view.reveal(found[current][0])

    def _find_from_bar(self, direction: int) -> None:
        """Enter in the find field: go to the match and hand the keys to the text, so that a label key labels
        it; Enter there (or F3) goes on to the next match, Ctrl+F back to the field."""
        self.find_step(direction)
        if self.find_layer.current >= 0:
            self.view.setFocus()

    def _enter_in_text(self, direction: int) -> None:
        if self.find_bar.isVisible():
            self.find_step(direction)

    def find_step(self, direction: int) -> None:
        matches = self.find_layer.matches
        if not self.find_bar.isVisible():
            self.open_find()
            return
        if not matches:
            return
        current = (self.find_layer.current + direction) % len(matches)
        if not self._match_visited and self.find_layer.current >= 0 and direction > 0:
            current = self.find_layer.current  # Enter after typing selects the first match, then moves on
        self._match_visited = True
        self.find_layer.set_current(current)
        self.find_bar.show_count(current, len(matches))
        self.view.select(*matches[current])
        self.view.reveal(matches[current][0])


def _clip(text: str, length: int = 24) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= length else text[:length - 1] + "…"
