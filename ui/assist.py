"""Suggestions, lexicon, rules, label-all-occurrences and concordance in the main window: the Suggestions
menu, the two panels, and the work behind them.

- Suggestions: ui.suggestions draws and steps through them; accepting and rejecting are undo steps.
- Lexicon offers: every span labelled by hand offers its text (annotate.lexicon.LexiconOffers). The offer is
  made after the edit has been painted, in a worker (in order, one batch at a time), not inside the key press;
  an automatic addition is announced in the status bar with "undo" (take it out again) and "reject" (never
  offer it again); in "ask" mode the note asks.
- Each lexicon change re-segments, in the background, the documents containing its terms, so their tokens
  agree with the labels when they are opened.
- Label all occurrences counts in the document and the corpus first (in the background), then applies the
  chosen plan as one undo step.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu

from annotate import lexicon
from annotate.events import EventBus, LexiconChanged, SpansChanged
from annotate.lexicon import LexiconOffers, Offer, OfferMode
from db.lexicon import LexiconRow
from ui.concordancepanel import ConcordancePanel
from ui.lexiconpanel import LexiconPanel
from ui.suggestions import SuggestionController
from ui.tasks import Task, run_with_progress

OFFER_DELAY_MS = 400  # offers wait for a pause in labelling: never in the way of the next key press
RESEGMENT_DELAY_MS = 1500  # other documents are re-segmented once labelling pauses (the open one at once)
NOTE_MS = 12_000  # how long a lexicon note stays in the status bar
OFFER_MODES = ((OfferMode.AUTO, "Add Its Text to the &Lexicon"), (OfferMode.ASK, "&Ask Each Time"),
               (OfferMode.OFF, "Do &Nothing"))


class Assist(QObject):
    offerTaken = Signal(object)  # LexiconRow added automatically (emitted by the offers' worker)
    offerMade = Signal(object)  # Offer to ask about (ask mode)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.workspace = None
        self.offers: LexiconOffers | None = None
        self._pending: list[SpansChanged] = []  # span edits whose lexicon offers wait for the repaint
        self._offering: Task | None = None  # the worker making offers
        self._offer_timer = QTimer(self, singleShot=True, interval=OFFER_DELAY_MS)
        self._offer_timer.timeout.connect(self._make_offers)
        self._note_timer = QTimer(self, singleShot=True, interval=NOTE_MS)
        self._note_timer.timeout.connect(self._hide_note)
        self._note_actions: dict[str, Callable[[], None]] = {}
        self._note_term: str | None = None  # the term the note speaks of
        self._terms: set[str] = set()  # lexicon terms whose documents wait for re-segmentation
        self._segmenting: Task | None = None
        self._resegment_timer = QTimer(self, singleShot=True, interval=RESEGMENT_DELAY_MS)
        self._resegment_timer.timeout.connect(self._resegment)
        self.occurrence_dialog = None

        self.controller = SuggestionController(window.pane, window)
        window.when_settled(self.controller.begin)
        self.controller.message.connect(self._say)
        self.controller.described.connect(window.selection_label.setText)
        self.lexicon_panel = LexiconPanel(window)
        self.lexicon_panel.message.connect(self._say)
        self.lexicon_dock = window.add_panel(self.lexicon_panel, "Lexicon")
        self.concordance = ConcordancePanel(window)
        self.concordance.jump.connect(self.show_occurrence)
        self.concordance_dock = window.add_panel(self.concordance, "Concordance")
        window.tabifyDockWidget(self.lexicon_dock, self.concordance_dock)
        for dock in (self.lexicon_dock, self.concordance_dock):
            dock.hide()  # until asked for (the window's saved layout may show them again)
        self.note = QLabel(window)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.linkActivated.connect(self._note_link)
        self.note.hide()
        window.statusBar().addPermanentWidget(self.note)
        self._build_menu()
        self.offerTaken.connect(self._offer_taken)
        self.offerMade.connect(self._ask_offer)
        window.workspaceChanged.connect(self.set_workspace)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self._offer_before_closing()
            self.set_workspace(None)  # nothing starts on the database the window is about to close
        return False

    def _offer_before_closing(self) -> None:
        """A span labelled just before the window closes still offers its text; nothing follows the lexicon
        change any more (no re-segmentation or suggestions on a database about to close)."""
        if self._offering is not None:
            self._offering.wait()
        offers, pending, self._pending = self.offers, self._pending, []
        if offers is not None and pending:
            offers.events = EventBus()
            for event in pending:
                offers.handle(event)

    # --- menu ------------------------------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot: Callable | None, shortcut: str | None = None, *,
                checkable: bool = False, checked: bool = False) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
            action.toggled.connect(slot)
        elif slot is not None:
            action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.window.addAction(action)  # the shortcut works wherever the focus is
        return action

    def _build_menu(self) -> None:
        window, controller = self.window, self.controller
        menu = self.menu = window.add_menu("S&uggestions")
        a = self._action
        shown = window.settings.flag("suggestions", True)
        self.show_action = a(menu, "&Show Suggestions", self._show, "Ctrl+Shift+S", checkable=True, checked=shown)
        controller.set_shown(shown)
        menu.addSeparator()
        self.next_action = a(menu, "&Next Suggestion", lambda: controller.step(1), "Alt+Right")
        self.previous_action = a(menu, "&Previous Suggestion", lambda: controller.step(-1), "Alt+Left")
        a(menu, "&Accept Suggestion\tEnter", controller.accept_current)
        a(menu, "&Reject Suggestion\tBackspace", controller.reject_current)
        a(menu, "Accept All of This &Term\tShift+Enter", controller.accept_term)
        self.accept_all_action = a(menu, "Accept A&ll in Document", controller.accept_everything, "Alt+Shift+Return")
        menu.addSeparator()
        self.occurrences_action = a(menu, "Label All &Occurrences…", self.label_all_occurrences, "Ctrl+Shift+O")
        self.concordance_action = a(menu, "&Concordance…", self.open_concordance, "Ctrl+Shift+F")
        self.lexicon_action = a(menu, "Le&xicon", self.open_lexicon, "Ctrl+Shift+K")
        a(menu, "R&ules…", self.edit_rules)
        offers = menu.addMenu("When You Label a &Span")
        self.offer_actions: dict[OfferMode, QAction] = {}
        group = QActionGroup(self)
        for mode, text in OFFER_MODES:
            action = QAction(text, self.window)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, mode=mode: self.set_offer_mode(mode))
            group.addAction(action)
            offers.addAction(action)
            self.offer_actions[mode] = action
        offers.aboutToShow.connect(self._show_offer_mode)

    def _show(self, on: bool) -> None:
        self.window.settings.set_flag("suggestions", on)
        self.controller.set_shown(on)

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # --- workspace -------------------------------------------------------------------------------------
    def set_workspace(self, workspace) -> None:
        if self.offers is not None:
            self.offers.unsubscribe()
        self._pending.clear()
        self._terms.clear()
        self._resegment_timer.stop()
        self._hide_note()
        self.workspace = workspace
        self.controller.set_workspace(workspace)
        self.lexicon_panel.set_workspace(workspace)
        self.concordance.set_workspace(workspace)
        if workspace is None:
            self.offers = None
            return
        self.offers = LexiconOffers(workspace.database, workspace.events, on_offer=self.offerMade.emit,
                                    on_added=self.offerTaken.emit, listen=False)
        workspace.bridge.spansChanged.connect(self._span_edited)
        workspace.bridge.event.connect(self._on_event)
        self._show_offer_mode()

    def _on_event(self, event: object) -> None:
        if isinstance(event, LexiconChanged) and event.terms:
            self._terms.update(event.terms)
            self._resegment_timer.start()
            if self._note_term in event.terms:  # undone, rejected or edited since: the note is out of date
                self._hide_note()

    # --- lexicon offers, after the repaint -------------------------------------------------------------
    def _span_edited(self, event: SpansChanged) -> None:
        self._pending.append(event)
        self._offer_timer.start()

    def _make_offers(self) -> None:
        """Hand the waiting span edits to LexiconOffers in a worker: one batch at a time, so in order."""
        if self._offering is not None or not self._pending or self.offers is None:
            return
        pending, self._pending, offers = self._pending, [], self.offers

        def work(task: Task) -> None:
            for event in pending:
                offers.handle(event)

        task = Task(work)
        # The label is saved whatever happens here; only the lexicon missed its text.
        task.failed.connect(lambda error: self.window.report_error("The lexicon could not take a new term.", error))
        task.finished.connect(self._offered)
        self._offering = task.start()
        self.window.keep_until_closed(task)

    def _offered(self) -> None:
        self._offering = None
        if self._pending:
            self._offer_timer.start()

    def _offer_taken(self, entry: LexiconRow) -> None:
        label = self.window.pane.span_layer.label_text(entry.label_id)
        self._show_note(f"Added “{escape(entry.term)}” to the lexicon — ",
                        {"undo": lambda: self._take_back(entry),
                         "reject": lambda: self._reject(entry.term, entry.label_id)},
                        f"“{entry.term}” ({label}) is in the lexicon now: its other occurrences are suggested.\n"
                        "undo: take it out again · reject: never suggest nor offer it again", entry.term)

    def _ask_offer(self, offer: Offer) -> None:
        label = self.window.pane.span_layer.label_text(offer.label_id)
        self._show_note(f"Add “{escape(offer.term)}” to the lexicon? — ",
                        {"add": lambda: self._accept(offer), "never": lambda: self._reject(offer.term, offer.label_id)},
                        f"Add “{offer.term}” ({label}) to the lexicon, so that its other occurrences are "
                        "suggested?", offer.term)

    def _take_back(self, entry: LexiconRow) -> None:
        lexicon.remove_entry(self.workspace.database, entry.id, events=self.workspace.events)
        self._say(f"“{entry.term}” is out of the lexicon again (labelling it again offers it again).")

    def _accept(self, offer: Offer) -> None:
        lexicon.accept_offer(self.workspace.database, offer, events=self.workspace.events)
        self._say(f"Added “{offer.term}” to the lexicon.")

    def _reject(self, term: str, label_id: int) -> None:
        lexicon.reject_term(self.workspace.database, term, label_id, events=self.workspace.events)
        self._say(f"“{term}” is rejected: it will not be suggested nor offered again (the lexicon panel can "
                  "change that).")

    def _show_note(self, html: str, actions: dict[str, Callable[[], None]], tip: str, term: str) -> None:
        links = " / ".join(f'<a href="{name}">{name}</a>' for name in actions)
        self._note_actions = actions
        self._note_term = term
        self.note.setText(html + links)
        self.note.setToolTip(tip)
        self.note.show()
        self._note_timer.start()

    def _note_link(self, name: str) -> None:
        action = self._note_actions.get(name)
        self._hide_note()
        if action is not None and self.workspace is not None:
            try:
                action()
            except Exception as error:  # noqa: BLE001 - a locked database: say so
                self.window.report_error("The lexicon was not changed.", error)

    def _hide_note(self) -> None:
        self._note_timer.stop()
        self._note_actions = {}
        self._note_term = None
        self.note.hide()
        self.note.clear()

    def set_offer_mode(self, mode: OfferMode) -> None:
        if self.workspace is not None:
            lexicon.set_offer_mode(self.workspace.database, mode)
            self._say({OfferMode.AUTO: "Labelling a span adds its text to the lexicon (undo or reject it from "
                                       "the status bar).",
                       OfferMode.ASK: "Labelling a span asks whether to add its text to the lexicon.",
                       OfferMode.OFF: "Labelling a span leaves the lexicon alone."}[mode])
        self._show_offer_mode()

    def _show_offer_mode(self) -> None:
        mode = lexicon.offer_mode(self.workspace.database) if self.workspace is not None else None
        for each, action in self.offer_actions.items():
            action.setEnabled(self.workspace is not None)
            action.setChecked(each == mode)

    # --- segmentation of the documents a lexicon change touches ----------------------------------------
    def _resegment(self) -> None:
        if self._segmenting is not None or not self._terms or self.workspace is None:
            return  # the running refresh picks the new terms up when it ends
        terms, self._terms = sorted(self._terms), set()
        database = self.workspace.database

        def work(task: Task) -> int:
            return lexicon.refresh_segmentation(database, terms, cancel=task.cancelled)

        task = Task(work)
        task.failed.connect(lambda error: self._say(f"Re-segmenting after a lexicon change failed: {error}"))
        task.finished.connect(self._resegmented)
        self._segmenting = task.start()
        self.window.keep_until_closed(task)

    def _resegmented(self) -> None:
        self._segmenting = None
        self._resegment()

    def is_idle(self) -> bool:
        """No offer, suggestion or segmentation work is waiting (for tests and the screenshot)."""
        return not (self._pending or self._offer_timer.isActive() or self._offering is not None
                    or self._segmenting is not None or self.controller.is_busy())

    # --- label all occurrences -------------------------------------------------------------------------
    def label_all_occurrences(self) -> Task | None:
        pane = self.window.pane
        span_id = pane.span_layer.selected
        if self.workspace is None or span_id is None:
            self._say("Select a span first (click it, or Tab to it): its label goes on every occurrence of its text.")
            return None
        row = pane.span_layer.row(span_id)
        text, label = pane.view.display.stored[row.start:row.end], pane.span_layer.label_text(row.label_id)
        database = self.workspace.database

        def work(task: Task):
            from annotate.occurrences import plan_from_span

            here = plan_from_span(database, span_id)
            return here, None if task.cancelled() else plan_from_span(database, span_id, corpus=True)

        def counted(plans) -> None:
            if not task.cancelled() and self.workspace is not None:  # Cancel: nothing to choose from
                self._choose_occurrences(text, label, *plans)

        task = run_with_progress(self.window, f"Counting the occurrences of “{text[:20]}”…", work,
                                 on_success=counted,
                                 on_error=lambda error: self.window.report_error("Counting failed.", error))
        return task

    def _choose_occurrences(self, text: str, label: str, here, corpus) -> None:
        from ui.occurrencedialog import OccurrenceDialog

        dialog = self.occurrence_dialog = OccurrenceDialog(text, label, here, corpus, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._apply_occurrences(dialog.chosen))
        dialog.finished.connect(self._back_to_the_text)
        dialog.destroyed.connect(lambda: setattr(self, "occurrence_dialog", None))
        dialog.open()

    def _back_to_the_text(self) -> None:
        """After a dialog: keys go to the text again (Ctrl+Z right away undoes what it did)."""
        self.window.activateWindow()
        self.window.pane.view.setFocus()

    def _apply_occurrences(self, plan) -> None:
        if plan is None or self.workspace is None or not plan.count:
            return
        if self.workspace.push(plan.edit()):
            self._say(f"Labelled {plan.count} occurrence{'s' if plan.count != 1 else ''} of “{plan.text}” in "
                      f"{plan.documents} document{'s' if plan.documents != 1 else ''} — Ctrl+Z takes them back.")

    # --- panels ----------------------------------------------------------------------------------------
    def open_lexicon(self) -> None:
        self._show_dock(self.lexicon_dock, 520)
        self.lexicon_panel.filter.setFocus()

    def _show_dock(self, dock, width: int) -> None:
        dock.show()
        dock.raise_()
        if dock.width() < width and not dock.isFloating():
            self.window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def open_concordance(self) -> Task | None:
        """Show the concordance of what is selected (a span, a suggestion or text), else focus the field."""
        self._show_dock(self.concordance_dock, 620)
        term = self._selected_text()
        if term:
            return self.concordance.search_term(term)
        self.concordance.term.setFocus()
        self.concordance.term.selectAll()
        return None

    def _selected_text(self) -> str:
        pane = self.window.pane
        if pane.document is None:
            return ""
        stored = pane.view.display.stored
        if pane.span_layer.selected is not None:
            row = pane.span_layer.row(pane.span_layer.selected)
            return stored[row.start:row.end].strip() if row is not None else ""
        selection = pane.view.selection()
        if selection is not None and selection[1] - selection[0] <= 64:
            return stored[selection[0]:selection[1]].strip()
        return ""

    def show_occurrence(self, document_id: int, start: int, end: int) -> None:
        """Open a document (when another is open) with [start, end) selected and in view."""
        pane = self.window.pane
        if pane.document is None or pane.document.id != document_id:
            self.window.open_document(document_id)
        if pane.document is None or pane.document.id != document_id:
            return
        pane.span_layer.select(None)
        pane.view.select(start, end)
        pane.view.reveal(start)

    def edit_rules(self) -> None:
        if self.workspace is None:
            return
        from ui.rulesdialog import RulesDialog

        RulesDialog(self.workspace, self.window).exec()
