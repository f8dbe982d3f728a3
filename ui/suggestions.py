"""Suggestions in the text view: short dashes in their label's colour, computed off the GUI thread, accepted
(Enter) or rejected (Backspace) as steps on the window's undo stack.

Nothing here is a label until it is accepted: the layer only draws what annotate.suggest.Suggester returns
(which never covers, moves or hides a span the user made), and accepting pushes an AddSpan with origin
`suggested`. A new span of yours hides the suggestions it touches at once; otherwise the suggestions of the
open document are recomputed in the background whenever its spans, the lexicon, the rules or the rejections
change, and a computation that an edit overtook is thrown away and run again, so the layer never shows a
suggestion over a span that has just been made. What the GUI thread does with a result is a swap and the
repaint of the lines that changed; the sorting and comparing happen in the worker.

Selection: a span and a suggestion are never selected at the same time. Alt+→/Alt+← (or a click) makes a
suggestion current: its text is selected in the view, so a label key labels it with another label, Enter
accepts it, Backspace (or Delete) rejects it; either then moves on to the next one. With a span selected
instead, Delete and Backspace remove the span as before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from html import escape
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent

from annotate.events import LabelsChanged, LexiconChanged, SpansChanged, SuggestionsChanged
from db.labels import LabelInfo
from ui.layers import Layer, Mark, Style
from ui.style import label_title
from ui.tasks import Task

if TYPE_CHECKING:  # annotate.suggest loads numpy, the rules and OpenCC: when a document opens, not at start-up
    from annotate.suggest import Suggester, Suggestion

Key = tuple[int, int, int]  # start, end, label id: text order, and what identifies a suggestion in a document
# The computation waits this long so that it does not compete (for the GIL) with painting: after an edit, for
# the repaint of the new span; after opening a document, for its first paint and its tokens (or at most
# AFTER_OPEN_MS, when the segmentation takes longer).
AFTER_EDIT_MS, AFTER_TOKENS_MS, AFTER_OPEN_MS = 30, 40, 300


def _order(suggestion: Suggestion) -> Key:
    return suggestion.start, suggestion.end, suggestion.label_id


def source_text(source: str) -> str:
    from annotate.suggest import LEXICON

    return "the lexicon" if source == LEXICON else f"rule {source}"


def _of_term(suggestions: Iterable[Suggestion], example: Suggestion) -> list[Suggestion]:
    from annotate.suggest import of_term

    return of_term(suggestions, example)


class Prepared(NamedTuple):
    """Suggestions ready to be shown: sorted, their keys made, and where they differ from `before`."""

    document_id: int | None
    suggestions: list[Suggestion]
    keys: list[Key]
    longest: int
    changed: tuple[int, int] | None  # the stretch to repaint; None: nothing changed

    @classmethod
    def of(cls, document_id: int | None, suggestions: Iterable[Suggestion],
           before: Sequence[Suggestion] = ()) -> "Prepared":
        """Runs in the worker that computed them (or for a few, on the GUI thread)."""
        ordered = sorted(suggestions, key=_order)
        differ = set(before).symmetric_difference(ordered)
        changed = (min(s.start for s in differ), max(s.end for s in differ)) if differ else None
        return cls(document_id, ordered, [_order(s) for s in ordered],
                   max((s.end - s.start for s in ordered), default=0), changed)


class SuggestionLayer(Layer):
    """The suggestions of the open document, in text order; one of them may be current."""

    stacks = True  # nested suggestions (an institution inside a slogan) stack like spans
    shown = Signal(bool)  # made visible or hidden (by the toggle, or by the review view while it is on)

    def __init__(self, parent: QObject | None = None):
        super().__init__("suggestions", parent)
        self.document_id: int | None = None
        self.suggestions: list[Suggestion] = []
        self.current: Suggestion | None = None
        self._keys: list[Key] = []
        self._longest = 0
        self._labels: dict[int, LabelInfo] = {}
        self._colors: dict[int, QColor] = {}

    def set_visible(self, visible: bool) -> None:
        if visible != self.visible:
            super().set_visible(visible)
            self.shown.emit(visible)

    def set_labels(self, labels: Sequence[LabelInfo]) -> None:
        self._labels = {label.id: label for label in labels}
        self._colors = {label.id: QColor(label.color) for label in labels}
        self.changed.emit()

    def set_suggestions(self, document_id: int | None, suggestions: Iterable[Suggestion]) -> None:
        self.show(Prepared.of(document_id, suggestions, self.suggestions if document_id == self.document_id else ()))

    def show(self, prepared: Prepared) -> None:
        """Show prepared suggestions; the current one stays current when it is still among them. Only the
        stretch where they differ from the ones shown is repainted (a recomputation after an edit changes
        a line or two; repainting the whole screen each time would slow the next key press)."""
        same_document = prepared.document_id == self.document_id
        self.document_id, self.suggestions, self._keys, self._longest, changed = prepared
        if self.current is not None and self.index(self.current) is None:
            self.current = None
        if not same_document:
            self.changed.emit()
        elif changed is not None:
            self.changedRange.emit(*changed)

    def remove(self, gone: Iterable[Suggestion]) -> None:
        """Take accepted or rejected suggestions off at once, before the recomputation confirms it."""
        gone = list(dict.fromkeys(gone))
        if len(gone) > 16:
            kept = set(self.suggestions) - set(gone)
            self.set_suggestions(self.document_id, [s for s in self.suggestions if s in kept])
            return
        for suggestion in gone:  # one or a few (Enter, Backspace): no need to rebuild 30,000 keys
            i = self.index(suggestion)
            if i is not None:
                del self.suggestions[i], self._keys[i]
                self.changedRange.emit(suggestion.start, suggestion.end)
        if self.current in gone:
            self.current = None

    def index(self, suggestion: Suggestion) -> int | None:
        i = bisect_left(self._keys, _order(suggestion))
        while i < len(self._keys) and self._keys[i] == _order(suggestion):
            if self.suggestions[i] == suggestion:
                return i
            i += 1
        return None

    def set_current(self, suggestion: Suggestion | None) -> None:
        if suggestion == self.current:
            return
        for changed in (self.current, suggestion):
            if changed is not None:
                self.changedRange.emit(changed.start, changed.end)
        self.current = suggestion

    def following(self, reference: Key, direction: int) -> Suggestion | None:
        """The next (+1) or previous (-1) suggestion after `reference` = (start, end, label id), wrapping."""
        if not self.suggestions:
            return None
        i = bisect_right(self._keys, reference) if direction > 0 else bisect_left(self._keys, reference) - 1
        return self.suggestions[i % len(self.suggestions)]

    def overlapping(self, start: int, end: int) -> list[Suggestion]:
        lo = bisect_left(self._keys, (start - self._longest,))
        hi = bisect_left(self._keys, (end,))
        return [s for s in self.suggestions[lo:hi] if s.end > start]

    def at(self, position: int) -> list[Suggestion]:
        """The suggestions covering a position, innermost (shortest) first."""
        return sorted(self.overlapping(position, position + 1), key=lambda s: (s.end - s.start, s.start))

    def marks(self, start: int, end: int) -> list[Mark]:
        fallback = QColor("#888888")
        current = self.current
        return [Mark(s.start, s.end, self._colors.get(s.label_id, fallback), Style.SUGGESTED, s, s == current)
                for s in self.overlapping(start, end)]

    def label_text(self, label_id: int) -> str:
        return label_title(self._labels.get(label_id), label_id)

    def describe(self, position: int) -> list[str]:
        lines = []
        for s in self.at(position):
            lines.append(f"Suggested <b>{escape(self.label_text(s.label_id))}</b> — {escape(source_text(s.source))}"
                         "<br/>&nbsp;&nbsp;<i>not a label yet: Enter accepts, Backspace rejects</i>")
        return lines


class SuggestionController(QObject):
    """Keeps the suggestion layer of a DocumentPane current and turns keys into accept/reject edits."""

    updated = Signal(int)  # document id: its suggestions were recomputed and are shown
    message = Signal(str)  # a short status-bar message
    described = Signal(str)  # the current suggestion, for the status bar

    def __init__(self, pane, parent: QObject | None = None):
        super().__init__(parent)
        self.pane = pane
        self.view = pane.view
        self.layer = SuggestionLayer(self)
        self.view.add_layer(self.layer, 25)  # over the spans, under the token underlines
        self.workspace = None
        self.suggester: Suggester | None = None
        self._task: Task | None = None
        self._dirty = False  # something changed while a computation ran: its result is stale
        self._selecting = False  # the view's selection is being set to the current suggestion
        self._clicked: Suggestion | None = None  # the suggestion the last click selected
        self._begun = False  # nothing is computed before `begin` (the window's first screen is painted)
        self._soon = QTimer(self, singleShot=True)
        self._soon.timeout.connect(self.refresh)
        self.layer.shown.connect(self._shown)
        pane.opened.connect(self._opened)
        pane.tokensReady.connect(self._tokens_ready)
        pane.click_handlers.append(self._click)
        pane.selectionDescribed.connect(self._pane_described)
        self.view.selectionChanged.connect(self._selection_changed)
        self.view.installEventFilter(self)

    # --- following the workspace -----------------------------------------------------------------------
    def set_workspace(self, workspace) -> None:
        self._soon.stop()
        self.workspace = workspace
        self.suggester = None  # made when first needed, in the worker that computes
        self.layer.set_current(None)
        self.layer.set_suggestions(None, [])
        if workspace is None:
            return
        workspace.bridge.event.connect(self._on_event)
        self.layer.set_labels(self.pane.labels)

    def _on_event(self, event: object) -> None:
        document = self.pane.document
        if document is None:
            return
        if isinstance(event, SpansChanged) and event.document_id == document.id:
            own = self.workspace.annotator_id
            if event.removed or event.updated:
                rows = [*event.added, *event.removed, *(row for pair in event.updated for row in pair)]
                if any(row.annotator_id == own for row in rows):
                    self._soon.start(AFTER_EDIT_MS)  # suggestions may come back: ask the Suggester
            else:
                self._hide_under([row for row in event.added if row.annotator_id == own])
        elif isinstance(event, SuggestionsChanged) and event.document_id in (None, document.id):
            self._soon.start(AFTER_EDIT_MS)
        elif isinstance(event, LexiconChanged):
            self._soon.start(AFTER_EDIT_MS)
        elif isinstance(event, LabelsChanged):
            self.layer.set_labels(self.pane.labels)
            self._soon.start(AFTER_EDIT_MS)

    def _hide_under(self, spans) -> None:
        """New spans of yours only hide suggestions (those they touch): done here, at once, without asking
        the Suggester again — a label key press stays one quick repaint."""
        from annotate.suggest import conflicts

        gone = [s for row in spans for s in self.layer.overlapping(row.start, row.end)
                if conflicts(s.start, s.end, s.label_id, row)]
        if gone:
            if self.layer.current in gone:
                self.layer.set_current(None)
            self.layer.remove(gone)
        if self._task is not None:
            self._dirty = True  # a computation that started before these spans would show them again

    def _opened(self, document_id: int) -> None:
        self._clicked = None
        self.layer.set_current(None)
        self.layer.set_suggestions(document_id, [])
        self._soon.start(AFTER_OPEN_MS)

    def _tokens_ready(self, document_id: int) -> None:
        if self._soon.isActive() and self.layer.document_id == document_id:
            self._soon.start(AFTER_TOKENS_MS)  # painted with its tokens: the suggestions may come now

    # --- computing off the GUI thread ------------------------------------------------------------------
    def begin(self) -> None:
        """Start computing (at start-up, once the first document is on the screen: loading the suggestion
        engine takes the interpreter for a few hundred milliseconds)."""
        if not self._begun:
            self._begun = True
            self.refresh()

    def refresh(self) -> None:
        """Recompute the open document's suggestions in the background (coalesced)."""
        self._soon.stop()
        if not self._begun or self.workspace is None or self.pane.document is None or not self.layer.visible:
            return
        if self._task is not None:
            self._dirty = True
            return
        workspace = self.workspace
        document_id, annotator_id = self.pane.document.id, workspace.annotator_id
        before = list(self.layer.suggestions) if self.layer.document_id == document_id else []

        def work(task: Task) -> Prepared:
            if self.suggester is None or self.suggester.database is not workspace.database:
                from annotate.suggest import Suggester

                self.suggester = Suggester(workspace.database)  # one computation runs at a time
            return Prepared.of(document_id, self.suggester.for_document(document_id, annotator_id=annotator_id),
                               before)

        task = Task(work)
        task.succeeded.connect(lambda found: self._computed(workspace, document_id, found))
        task.failed.connect(self._failed)
        task.finished.connect(self._finished)
        self._task = task.start()
        keep = getattr(self.parent(), "keep_until_closed", None)
        if keep is not None:
            keep(task)

    def _computed(self, workspace, document_id: int, found: Prepared) -> None:
        document = self.pane.document
        if workspace is not self.workspace or document is None or document.id != document_id or self._dirty:
            return  # overtaken by an edit or another document: the rerun brings the right ones
        self.layer.show(found)
        self._describe()
        self.updated.emit(document_id)

    def _failed(self, error: BaseException) -> None:
        self.message.emit(f"Suggestions could not be computed: {error}")

    def _finished(self) -> None:
        self._task = None
        if self._dirty:
            self._dirty = False
            self.refresh()

    def is_busy(self) -> bool:
        """A computation is waiting or running."""
        waiting = not self._begun and self.pane.document is not None and self.layer.visible
        return waiting or self._task is not None or self._soon.isActive()

    def set_shown(self, shown: bool) -> None:
        self.layer.set_visible(shown)

    def _shown(self, shown: bool) -> None:
        if shown:
            self.refresh()  # what changed while they were hidden
        else:
            self.layer.set_current(None)

    # --- choosing a suggestion -------------------------------------------------------------------------
    def _usable(self) -> bool:
        if self.workspace is None or self.pane.document is None or self.pane.mode is not None:
            return False
        if not self.layer.visible:
            self.message.emit("Suggestions are hidden (View ▸ Suggestions, Ctrl+Shift+S shows them).")
            return False
        return True

    def step(self, direction: int) -> None:
        """Make the next (+1) or previous (-1) suggestion current: after the current one, or the caret."""
        if not self._usable():
            return
        current = self.layer.current
        reference = _order(current) if current is not None else (self.view.caret(), -1, -1)
        found = self.layer.following(reference, direction)
        if found is None:
            self.message.emit("No suggestions in this document." if not self.is_busy()
                              else "Suggestions are still being computed…")
            return
        self.select(found)

    def select(self, suggestion: Suggestion | None) -> None:
        self.layer.set_current(suggestion)
        if suggestion is None:
            self._describe()
            return
        self.pane.span_layer.select(None)
        self._selecting = True
        try:
            self.view.select(suggestion.start, suggestion.end)
        finally:
            self._selecting = False
        self.view.reveal(suggestion.start)
        self._describe()

    def _selection_changed(self) -> None:
        if not self._selecting and self.layer.current is not None:
            self.layer.set_current(None)

    def _click(self, position: int) -> bool:
        """A click selects the suggestion under it before the spans there, then the spans, then again."""
        here = self.layer.at(position) if self.layer.visible else []
        previous, self._clicked = self._clicked, None
        if not here:
            return False
        spans = [row.id for row in self.pane.span_layer.spans_at(position)]
        if previous in here:
            following = here.index(previous) + 1
            if following < len(here):
                chosen = here[following]
            elif spans:
                return False  # on to the spans under the click
            else:
                chosen = here[0]
        else:
            selected = self.pane.span_layer.selected
            if selected in spans and spans.index(selected) < len(spans) - 1:
                return False  # the pane goes on to the next span here
            chosen = here[0]
        self._clicked = chosen
        self.select(chosen)
        return True

    # --- accepting and rejecting -----------------------------------------------------------------------
    def _advance(self, done: Iterable[Suggestion], after: Suggestion) -> None:
        """Take `done` off the layer and make the next suggestion after `after` current."""
        done = list(done)
        self.layer.remove(done)
        following = self.layer.following(_order(after), 1)
        if following is not None and _order(following) <= _order(after):
            following = None  # wrapped around: the end of the document
        if following is None:
            self.layer.set_current(None)
            self.view.set_caret(after.end)
            self._describe()
        else:
            self.select(following)

    def accept_current(self) -> None:
        current = self.layer.current
        if current is None or not self._usable():
            self.message.emit("No suggestion is selected: Alt+→ goes to the next one.")
            return
        from annotate.suggest import accept

        if self.workspace.push(accept(current, self.workspace.annotator_id)):
            self._advance([current], current)

    def reject_current(self) -> None:
        current = self.layer.current
        if current is None or not self._usable():
            self.message.emit("No suggestion is selected: Alt+→ goes to the next one.")
            return
        from annotate.suggest import RejectSuggestions

        if self.workspace.push(RejectSuggestions([current], text=f"Reject {current.text}")):
            self._advance([current], current)

    def accept_term(self) -> None:
        """Accept every suggestion of the current one's text and label in this document (one undo step)."""
        current = self.layer.current
        if current is None or not self._usable():
            self.message.emit("Select a suggestion first (Alt+→): all suggestions of its term are accepted.")
            return
        from annotate.suggest import accept_all

        group = _of_term(self.layer.suggestions, current)
        edit = accept_all(group, self.workspace.annotator_id, text=f"Accept {len(group)} × {current.text}")
        if self.workspace.push(edit):
            self.message.emit(f"Accepted {len(group)} suggestion{'s' if len(group) != 1 else ''} "
                              f"of “{current.text}” — Ctrl+Z takes them back.")
            self._advance(group, current)

    def accept_everything(self) -> None:
        """Accept every suggestion shown in the document (one undo step)."""
        if not self._usable():
            return
        shown = list(self.layer.suggestions)
        if not shown:
            self.message.emit("No suggestions in this document.")
            return
        from annotate.suggest import accept_all

        edit = accept_all(shown, self.workspace.annotator_id, text=f"Accept {len(shown)} suggestions")
        if self.workspace.push(edit):
            self.layer.set_current(None)
            self.layer.remove(shown)
            self._describe()
            self.message.emit(f"Accepted {len(shown)} suggestion{'s' if len(shown) != 1 else ''} — "
                              "Ctrl+Z takes them back.")

    # --- keys in the text view -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() != QEvent.Type.KeyPress or self.layer.current is None or not self.layer.visible
                or self.pane.mode is not None):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if modifiers == Qt.KeyboardModifier.NoModifier:
                self.accept_current()
                return True
            if modifiers == Qt.KeyboardModifier.ShiftModifier:
                self.accept_term()
                return True
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and modifiers == Qt.KeyboardModifier.NoModifier:
            self.reject_current()
            return True
        return False

    # --- status bar ------------------------------------------------------------------------------------
    def _pane_described(self, _text: str) -> None:
        if self.layer.current is not None:
            self._describe()

    def _describe(self) -> None:
        current = self.layer.current
        if current is None:
            return
        same = len(_of_term(self.layer.suggestions, current))
        text = current.text.replace("\n", "⏎")
        text = text if len(text) <= 24 else text[:23] + "…"
        self.described.emit(
            f"Suggestion {self.layer.label_text(current.label_id)} “{text}” from {source_text(current.source)}"
            f" · Enter accepts · Backspace rejects"
            + (f" · Shift+Enter accepts all {same} of this term" if same > 1 else "") + " · Alt+→ next")
