"""The review view: compare two or more annotators on the open document and adjudicate into the gold set.

While it is on (Review ▸ Review View, Ctrl+R) the text shows the chosen annotators' spans grouped by agreement
plus gold (ui.reviewlayer) instead of your own spans, and keys mean decisions: F8/Shift+F8 step through the
undecided disagreements, Alt+1…9 accept an annotator's side, Alt+0 all sides, Delete/Alt+Delete rejects, a label
key on a selection (or on a group whose spans share one range) gives gold that span. Every decision is an
annotate.review edit on the window's undo stack, committed at once; what the view shows follows the domain's
events (DecisionsChanged, SpansChanged), never the command. The grouping itself is computed by annotate.review
in a worker thread, so opening a large document stays responsive.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from annotate import review
from annotate.edits import Edit, RemoveSpan
from annotate.events import DecisionsChanged, SpansChanged
from annotate.review import GOLD, Group, Kind, ReviewError, ReviewState
from db import annotators as annotator_rows
from db import documents
from db import spans as span_rows
from db.models import ReviewStatus
from ui.commentspanel import CommentsPanel
from ui.reviewlayer import ReviewLayer
from ui.reviewmodel import DisagreementFilter, DisagreementModel, decision_text
from ui.reviewpanel import ReviewPanel
from ui.tasks import Task

if TYPE_CHECKING:
    from ui.mainwindow import MainWindow

MAX_SIDES = 9  # Alt+1 … Alt+9
KEPT_LAYERS = ("find", "tokens")  # layers that stay on in the review view


class ReviewController(QObject):
    loaded = Signal()          # a review state is shown (or cleared): tests and the benchmark wait for it

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.pane = window.pane
        self.state: ReviewState | None = None
        self.current: Group | None = None
        self.annotators: list[str] = []
        self.active = False
        self._generation = 0          # loads started; a result of an older one is dropped
        self._agreement = None
        self._annotator_names: dict[int, str] = {}
        self._hidden: list = []           # layers the review view hid, shown again when it is turned off
        self._loading: int | None = None  # the document a load is running for

        self.layer = ReviewLayer(self)
        self.layer.set_visible(False)
        self.pane.view.add_layer(self.layer, 25)
        self.model = DisagreementModel(self)
        self.proxy = DisagreementFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build_actions()
        self.panel = ReviewPanel(self.model, self.proxy, self.actions, self.side_actions, window)
        self.panel.setMinimumWidth(380)
        self.dock = window.add_panel(self.panel, "Review")
        self.dock.hide()
        self.dock.visibilityChanged.connect(lambda visible: visible and self._refresh_choices())
        self.comments = CommentsPanel(window)
        self.comments.targets = self.comment_targets
        self.comments.describe = self.describe_span
        self.comments_dock = window.add_panel(self.comments, "Comments")
        self.comments_dock.hide()
        window.tabifyDockWidget(self.dock, self.comments_dock)
        self.dock.raise_()

        self.panel.annotatorsChosen.connect(self.set_annotators)
        self.panel.rowActivated.connect(lambda row: self.set_current(self.model.group(row)))
        window.workspaceChanged.connect(self._workspace_changed)
        self.pane.opening.connect(self._document_opening)
        self.pane.opened.connect(self._document_opened)
        self.pane.documentChanged.connect(self._show_status)
        self.pane.view.viewport().installEventFilter(self)
        self._enable()

    # --- actions and menu ------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable, shortcut: str | None = None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _=False: slot())
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.actions = {
            "mode": a("&Review View", self.set_active, "Ctrl+R", checkable=True),
            "next": a("&Next Disagreement", lambda: self.step_disagreement(1), "F8"),
            "previous": a("&Previous Disagreement", lambda: self.step_disagreement(-1), "Shift+F8"),
            "accept_all": a("Accept A&ll Sides", self.accept_all, "Alt+0"),
            "reject": a("Re&ject", self.reject, "Alt+Del"),
            "clear": a("&Withdraw Decision", self.withdraw, "Alt+Backspace"),
            "agreed": a("Accept A&greed Spans", self.accept_agreed, "Ctrl+Alt+A"),
            "comment": a("&Comment…", self.note, "Ctrl+Alt+M"),
            "adjudicated": a("Mark A&djudicated", self.ask_adjudicated, "Ctrl+Alt+Return"),
            "in_review": a("Mark In Re&view", lambda: self.set_status(ReviewStatus.IN_REVIEW)),
            "unreviewed": a("Mark &Unreviewed", lambda: self.set_status(ReviewStatus.UNREVIEWED)),
            "agreement": a("A&greement…", self.open_agreement, "Ctrl+Alt+K"),
        }
        self.actions["mode"].setToolTip("Compare annotators and adjudicate the gold set (Ctrl+R)")
        self.side_actions = [a(f"Accept Side {i + 1}", lambda i=i: self.accept_side(i), f"Alt+{i + 1}")
                             for i in range(MAX_SIDES)]
        menu = self.window.add_menu("Re&view")
        menu.addAction(self.actions["mode"])
        menu.addAction(self.actions["agreement"])
        menu.addSeparator()
        for name in ("next", "previous"):
            menu.addAction(self.actions[name])
        menu.addSeparator()
        for action in self.side_actions:
            menu.addAction(action)
        for name in ("accept_all", "reject", "clear", "agreed"):
            menu.addAction(self.actions[name])
        menu.addSeparator()
        for name in ("comment", "adjudicated", "in_review", "unreviewed"):
            menu.addAction(self.actions[name])

    def _enable(self) -> None:
        ready = self.active and self.state is not None
        for name in ("next", "previous", "accept_all", "reject", "clear", "adjudicated"):
            self.actions[name].setEnabled(ready)
        self.actions["agreed"].setEnabled(ready and self.layer.counts()["agreed_open"] > 0)
        has_document = self.window.workspace is not None and self.pane.document is not None
        for name in ("in_review", "unreviewed", "comment"):
            self.actions[name].setEnabled(has_document)
        self.actions["agreement"].setEnabled(self.window.workspace is not None)
        for index, action in enumerate(self.side_actions):
            # Hidden ones have no shortcut; two always show, so the menu and F1 list Alt+1 and Alt+2.
            action.setVisible(index < max(len(self.annotators), 2))
            action.setEnabled(ready and index < len(self.annotators))
            action.setText(f"Accept {self.annotators[index]}" if index < len(self.annotators)
                           else f"Accept Side {index + 1}")
        self.panel.show_sides(self.annotators)

    # --- workspace, document, annotators ---------------------------------------------------------------
    def _workspace_changed(self, workspace) -> None:
        self._generation += 1
        self._clear()
        self.comments.set_workspace(workspace)
        if workspace is not None:
            workspace.bridge.event.connect(self._on_event)
            workspace.bridge.labelsChanged.connect(self._labels_changed)
            remembered = self.window.settings.review_annotators(str(workspace.database.url))
            self.annotators = [name for name in remembered if name in self._names()]
        else:
            self.annotators = []
        self._labels_changed()
        self._refresh_choices()
        self._enable()

    def _names(self) -> list[str]:
        """Annotators to choose from: everyone but gold (the result, not a side)."""
        if self.window.workspace is None:
            return []
        return sorted(name for name in self.window.workspace.annotator_names().values() if name != GOLD)

    def _counts_here(self) -> dict[str, int]:
        """Spans of each annotator in the open document (shown beside their names)."""
        workspace, document = self.window.workspace, self.pane.document
        if workspace is None or document is None:
            return {}
        with workspace.database.session() as session:
            return {name: documents.span_counts(session, [document.id], [annotator_id]).get(document.id, 0)
                    for annotator_id, name in annotator_rows.names(session).items() if name != GOLD}

    def _counts_everywhere(self) -> dict[str, int]:
        """Spans of each annotator in the whole database (the agreement window's first choice)."""
        if self.window.workspace is None:
            return {}
        with self.window.workspace.database.session() as session:
            return {name: span_rows.count(session, [annotator_id])
                    for annotator_id, name in annotator_rows.names(session).items() if name != GOLD}

    def _refresh_choices(self) -> None:
        counts = self._counts_here()
        if len(self.annotators) < 2:
            self.annotators = self._default_annotators(counts)
        self.panel.set_annotators(self._names(), self.annotators, counts)

    def _default_annotators(self, counts: dict[str, int]) -> list[str]:
        """Those with spans (here, or wherever `counts` counted), without the reviewer unless needed."""
        present = [name for name in self._names() if counts.get(name)]
        others = [name for name in present if name != self.window.annotator]
        chosen = others if len(others) >= 2 else present
        return chosen if len(chosen) >= 2 else []

    def set_annotators(self, names: list[str]) -> None:
        if list(names) == self.annotators:
            return
        self.annotators = list(names)
        if self.window.workspace is not None and len(names) >= 2:
            self.window.settings.set_review_annotators(str(self.window.workspace.database.url), list(names))
        self.panel.set_annotators(self._names(), self.annotators, self._counts_here())
        self._enable()
        if self.active:
            self._load()

    def _document_opening(self, document_id: int) -> None:
        if self.active and len(self.annotators) >= 2:
            self._load(document_id)      # grouping runs while the pane reads and shows the text

    def _document_opened(self, document_id: int) -> None:
        document = self.pane.document
        self.comments.show_document(document_id, document.name if document else None)
        if self.active or self.dock.isVisible():   # the counts beside the names are for the open document
            self._refresh_choices()
        self._show_status()
        self._enable()
        if self.active and self._loading != document_id and (self.state is None
                                                               or self.state.document_id != document_id):
            self._load()

    def _labels_changed(self, *_) -> None:
        self.layer.set_labels(self.pane.labels)
        self.model.set_labels(self.pane.labels)

    def _show_status(self) -> None:
        document = self.pane.document
        self.panel.show_status(document.review_status if document is not None else None)

    # --- the mode --------------------------------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        if on and len(self.annotators) < 2:
            self._refresh_choices()
        if on == self.active:
            return
        self.active = on
        if self.actions["mode"].isChecked() != on:
            self.actions["mode"].setChecked(on)
        self.pane.mode = self if on else None
        self._show_other_layers(not on)
        self.layer.set_visible(on)
        if on:
            self.dock.show()
            self.dock.raise_()
            self._load()
        else:
            self._generation += 1
            self._clear()
            self.window.statusBar().showMessage("Review view off: labelling for yourself again.", 4000)
        self._enable()

    def _show_other_layers(self, show: bool) -> None:
        """The review view shows the chosen annotators and gold only: your own spans and any other feature's
        marks (suggestions) hide while it is on, and come back as they were."""
        if not show:
            self._hidden = [layer for layer in self.pane.view.layers()
                            if layer.visible and layer is not self.layer and layer.name not in KEPT_LAYERS]
            for layer in self._hidden:
                layer.set_visible(False)
        else:
            for layer in self._hidden:
                layer.set_visible(True)
            self._hidden = []

    def open_review(self, document_id: int, annotators: list[str]) -> None:
        """Open a document in the review view comparing these annotators (from the agreement window)."""
        self.annotators = []
        self.set_annotators(list(annotators))
        if self.pane.document is None or self.pane.document.id != document_id:
            self.window.open_document(document_id)   # loads the review when the view is on
        if not self.active:
            self.set_active(True)
        elif self.state is None or self.state.document_id != document_id:
            self._load()
        self.dock.show()
        self.dock.raise_()

    def _clear(self) -> None:
        self.state = None
        self.current = None
        self.layer.load(None)
        self.model.set_state(None)
        self.panel.show_counts(None)
        self.panel.show_current(None, [])
        self.panel.show_message("" if self.active else "Turn on the review view (Ctrl+R) to compare annotators.")

    def _load(self, document_id: int | None = None) -> None:
        """Group a document's spans (the open one unless given) for the chosen annotators, in the background."""
        self._generation += 1
        generation = self._generation
        workspace = self.window.workspace
        if document_id is None and self.pane.document is not None:
            document_id = self.pane.document.id
        keep = (self.current.start, self.current.end, self.current.kind) if self.current is not None else None
        if workspace is None or document_id is None or len(self.annotators) < 2:
            self._loading = None
            self._clear()
            self.panel.show_message("Tick two or more annotators to compare." if document_id is not None else "")
            self._enable()
            self.loaded.emit()
            return
        if self.state is None or self.state.document_id != document_id:
            self._clear()
            keep = None
        self.panel.show_message("Comparing…")
        self._loading = document_id
        database, names = workspace.database, tuple(self.annotators)

        def work(task: Task):
            try:
                return generation, keep, review.load(database, document_id, names)
            except Exception as error:  # noqa: BLE001 - shown on the GUI thread, with the load it belongs to
                return generation, keep, error

        task = Task(work)
        task.succeeded.connect(self._loaded)
        task.start()

    def _loaded(self, result) -> None:
        generation, keep, state = result
        if generation != self._generation or not self.active:
            return
        self._loading = None
        if isinstance(state, Exception):
            self._load_failed(state)
            return
        self.state = state
        self.layer.load(state)
        self.model.set_state(state)
        self.panel.show_message("" if state.disagreements else
                                "No disagreements: accept the agreed spans, then mark the document adjudicated.")
        self._show_counts()
        current = None
        if keep is not None:
            start, end, kind = keep
            current = next((g for g in state.groups if (g.start, g.end, g.kind) == keep), None) or next(
                (g for g in state.disagreements if g.start >= start), None)
        self.set_current(current, reveal=False)
        self._enable()
        self.loaded.emit()

    def _load_failed(self, error: Exception) -> None:
        reason = str(error) if isinstance(error, (ReviewError, LookupError)) else f"{type(error).__name__}: {error}"
        self.panel.show_message(f"Cannot compare: {reason}")
        if not isinstance(error, (ReviewError, LookupError)):
            self.window.report_error("The review could not be loaded.", error)
        self.loaded.emit()

    # --- following the domain --------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        state = self.state
        if state is None:
            return
        if isinstance(event, DecisionsChanged) and event.document_id == state.document_id:
            state.apply(event)
            self.layer.refresh_decisions()
            self.model.refresh_decisions()
            self._show_counts()
            self._show_current()
        elif isinstance(event, SpansChanged) and event.document_id == state.document_id:
            if state.apply(event):
                self._load()           # an annotator's own spans changed (an import): group again
            else:
                self.layer.refresh_gold()

    def _show_counts(self) -> None:
        if self.state is not None:
            counts = self.layer.counts()
            agreed = counts["agreed_open"]
            self.panel.show_counts(counts, agreed)
            self.actions["agreed"].setEnabled(self.active and agreed > 0)

    # --- the current group -----------------------------------------------------------------------------
    def set_current(self, group: Group | None, *, reveal: bool = True) -> None:
        self.current = group
        self.layer.set_current(self.layer.index_of(group) if group is not None else None)
        if group is not None and reveal:
            self.pane.view.reveal(group.start)
        self._show_current()

    def _show_current(self) -> None:
        group = self.current
        if group is None or self.state is None:
            self.panel.show_current(None, [])
            self.pane.selectionDescribed.emit("")
            return
        decision = self.state.decision(group)
        self.panel.show_current(group, self.layer.describe_group(group), decision_text(decision))
        text = self.state.text[group.start:group.end].replace("\n", "⏎")
        state = "decided" if decision is not None else "Alt+1… accept a side · Alt+0 all · Delete rejects"
        self.pane.selectionDescribed.emit(f"{group.kind.value} “{text[:24]}” [{group.start}, {group.end}) · {state}")

    def step_disagreement(self, direction: int, *, undecided_only: bool = True) -> Group | None:
        """The next (+1) or previous (-1) disagreement, undecided ones only unless asked, wrapping around."""
        state = self.state
        if state is None:
            return None
        here = self.model.row_of(self.current) if self.current is not None else None
        if here is None and self.current is not None:   # an agreed group: from where it is
            here = state.disagreement_at(self.current.start)
            if here is not None and direction < 0:
                here += 1
        forward = direction > 0
        found = state.step(here, forward=forward, undecided_only=undecided_only)
        if found is None:
            found = state.step(None, forward=forward, undecided_only=undecided_only)
        if found is None:
            self._say("Every disagreement is decided: accept the agreed spans, then mark the document adjudicated."
                      if undecided_only else "There are no disagreements.")
            return None
        self.set_current(state.disagreements[found])
        return self.current

    def _target(self) -> Group | None:
        if self.state is None:
            self._say("Turn on the review view (Ctrl+R) with two or more annotators first.")
            return None
        if self.current is None:
            self._say("Choose a disagreement first: F8 goes to the next one, or click it in the text.")
        return self.current

    # --- decisions -------------------------------------------------------------------------------------
    def _decide(self, make: Callable[[], Edit], *, advance: bool) -> bool:
        try:
            edit = make()
        except ReviewError as error:
            self._say(str(error))
            return False
        done = self.window.workspace.push(edit)
        if done and advance:
            self.step_disagreement(1)
        return done

    def accept_side(self, index: int) -> bool:
        group = self._target()
        if group is None or index >= len(self.state.annotators):
            return False
        name, state = self.state.annotators[index], self.state
        return self._decide(lambda: review.accept(state, group, name, reviewer=self.window.annotator), advance=True)

    def accept_all(self) -> bool:
        group, state = self._target(), self.state
        return group is not None and self._decide(
            lambda: review.accept_all(state, group, reviewer=self.window.annotator), advance=True)

    def reject(self) -> bool:
        group, state = self._target(), self.state
        return group is not None and self._decide(
            lambda: review.reject(state, group, reviewer=self.window.annotator), advance=True)

    def withdraw(self) -> bool:
        group = self._target()
        if group is None:
            return False
        if self.state.decision(group) is None:
            self._say("This group is not decided.")
            return False
        return self.window.workspace.push(review.ClearDecision(self.state.document_id, group.key))

    def accept_agreed(self) -> bool:
        state = self.state
        if state is None:
            return False
        if not state.undecided([Kind.AGREED]):
            self._say("Every agreed span is accepted already.")
            return False
        return self._decide(lambda: review.accept_agreed(state, reviewer=self.window.annotator), advance=False)

    def edit(self, label_id: int, selection: tuple[int, int] | None) -> bool:
        """Gold gets `selection` with this label for the group it is on (the current one first); without a
        selection, the group's own range. A group already decided by an edit gets the span added to it. A
        selection where no group lies gives gold a span nobody proposed."""
        state = self.state
        if state is None:
            self._say("The review is still comparing, or fewer than two annotators are ticked.")
            return False
        group = self._edit_target(selection)
        if group is None and selection is not None:
            return self._add(label_id, selection)
        if group is None:
            self._say("Select text on a disagreement (or pick one with F8), then press the label key." if selection
                      else "Choose a disagreement first (F8), or select the range gold should have.")
            return False
        if selection is None:
            if len({(m.start, m.end) for m in group.spans}) != 1:
                self._say("Its annotators marked different ranges: select the range gold should have, then press "
                          "the label key (or accept a side with Alt+1…).")
                return False
            selection = (group.start, group.end)
        spans = [(selection[0], selection[1], label_id)]
        decision = state.decision(group)
        reviewer = self.window.annotator
        if decision is None:
            done = self._decide(lambda: review.edit(state, group, spans, reviewer=reviewer), advance=False)
        elif decision.action == review.Action.EDIT.value:
            detail = json.loads(decision.detail)
            earlier = [state.gold[i] for i in detail.get("gold", []) + detail.get("reused", []) if i in state.gold]
            spans = sorted({*spans, *((m.start, m.end, m.label_id) for m in earlier)})
            stack = self.window.workspace.undo_stack
            stack.beginMacro("Edit")
            try:
                done = self.window.workspace.push(review.ClearDecision(state.document_id, group.key)) and \
                    self._decide(lambda: review.edit(state, group, spans, reviewer=reviewer), advance=False)
            finally:
                stack.endMacro()
        else:
            self._say(f"Decided already ({decision_text(decision)[2:]}): Alt+Backspace withdraws the decision.")
            return False
        if done:
            self.set_current(group, reveal=False)
            self.pane.view.set_caret(selection[1])
        return done

    def _add(self, label_id: int, selection: tuple[int, int]) -> bool:
        state, (start, end) = self.state, selection
        done = self._decide(lambda: review.add(state, start, end, label_id, reviewer=self.window.annotator),
                            advance=False)
        if done:
            text = state.text[start:end].replace("\n", "⏎")
            self._say(f"Gold has {self.pane.span_layer.label_text(label_id)} “{text[:24]}” now, which nobody "
                      "proposed — Ctrl+Z takes it back.")
            self.pane.view.set_caret(end)
        return done

    def _edit_target(self, selection: tuple[int, int] | None) -> Group | None:
        if selection is None:
            return self.current
        indices = self.layer.groups_overlapping(*selection)
        if not indices:
            return None
        groups = [self.state.groups[i] for i in indices]
        if self.current is not None and any(g is self.current for g in groups):
            return self.current
        undecided = [g for g in groups if g.kind is not Kind.AGREED and self.state.decision(g) is None]
        return (undecided or groups)[0]

    # --- document review status ------------------------------------------------------------------------
    def mark_adjudicated(self, *, force: bool = False) -> bool:
        state = self.state
        if state is None:
            self._say("Turn on the review view (Ctrl+R) first: adjudicated means every group of the chosen "
                      "annotators is decided.")
            return False
        return self._decide(lambda: review.mark_adjudicated(state, force=force), advance=False)

    def ask_adjudicated(self) -> None:
        state = self.state
        if state is None:
            self.mark_adjudicated()
            return
        open_groups = len(state.undecided(list(Kind)))
        if open_groups:
            answer = QMessageBox.question(
                self.window, "Mark adjudicated",
                f"{open_groups} group(s) are not decided yet (agreed ones included). Mark the document "
                "adjudicated anyway?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.mark_adjudicated(force=bool(open_groups))

    def set_status(self, status: ReviewStatus) -> None:
        document = self.pane.document
        if document is not None and self.window.workspace is not None:
            self.window.workspace.push(review.SetReviewStatus(document.id, status,
                                                              text=f"Mark {status.value.replace('_', ' ')}"))

    # --- the pane's keys and clicks (PaneMode) ---------------------------------------------------------
    def label(self, label_id: int) -> None:
        self.edit(label_id, self.pane.view.selection())

    def delete(self) -> None:
        self.reject()

    def note(self) -> None:
        self.comments_dock.show()
        self.comments_dock.raise_()
        self.comments.ask()

    def click(self, position: int) -> None:
        indices = self.layer.groups_at(position)
        if not indices:
            self.set_current(None)
            return
        here = self.layer.index_of(self.current) if self.current is not None else None
        index = indices[(indices.index(here) + 1) % len(indices)] if here in indices else indices[0]
        self.set_current(self.state.groups[index], reveal=False)

    def step(self, direction: int) -> None:
        """Tab and Shift+Tab: through every disagreement, decided ones too (F8 skips those)."""
        self.step_disagreement(direction, undecided_only=False)

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    # --- comments --------------------------------------------------------------------------------------
    def comment_targets(self) -> list[tuple[int, str]]:
        """Spans a comment can go on now: the current group's spans and gold spans on it (review view), or
        your selected span."""
        if self.active and self.current is not None and self.state is not None:
            group, order = self.current, self.state.annotator_ids
            found = [(m.id, self.describe_span(m.id))
                     for m in sorted(group.spans, key=lambda m: (order.index(m.annotator_id), m.start))]
            found += [(m.id, self.describe_span(m.id)) for m in self.state.gold.values()
                      if m.start < group.end and m.end > group.start]
            return found
        selected = self.pane.span_layer.selected
        return [(selected, self.describe_span(selected))] if selected is not None else []

    def describe_span(self, span_id: int) -> str:
        row = self.pane.span_layer.row(span_id)
        if row is None:
            return f"span {span_id} (removed)"
        if row.annotator_id not in self._annotator_names and self.window.workspace is not None:
            self._annotator_names = self.window.workspace.annotator_names()
        who = self._annotator_names.get(row.annotator_id, "?")
        text = self.pane.view.display.view_slice(row.start, row.end).replace("\n", "⏎")
        text = text if len(text) <= 16 else text[:15] + "…"
        return f"{who}'s {self.pane.span_layer.label_text(row.label_id)} “{text}” [{row.start}, {row.end})"

    # --- right-click on the text -----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ContextMenu and self.window.workspace is not None \
                and self.pane.document is not None:
            self._context_menu(event)
            return True
        return super().eventFilter(watched, event)

    def _context_menu(self, event: QContextMenuEvent) -> None:
        """Right-click: decide the disagreement under the mouse, comment on a span there or on the document."""
        view = self.pane.view
        position = view.char_at(event.pos())
        menu = QMenu(view)
        if self.active and self.state is not None:
            if position is not None and self.layer.groups_at(position):
                self.click(position)
            if self.current is not None:
                for action in [*self.side_actions[:len(self.state.annotators)], self.actions["accept_all"],
                               self.actions["reject"], self.actions["clear"]]:
                    menu.addAction(action)
                menu.addSeparator()
            loose = [m for m in self.state.loose_gold() if position is not None and m.start <= position < m.end]
            for member in loose:   # no decision to withdraw: the span itself goes (one undo step)
                text = self.state.text[member.start:member.end].replace("\n", "⏎")
                menu.addAction(f"Remove Gold {self.pane.span_layer.label_text(member.label_id)} “{text[:16]}” "
                               f"[{member.start}, {member.end})",
                               lambda span_id=member.id: self.window.workspace.push(RemoveSpan(span_id)))
            if loose:
                menu.addSeparator()
            targets = self.comment_targets()
        else:
            under = self.pane.span_layer.spans_at(position) if position is not None else []
            targets = [(row.id, self.describe_span(row.id)) for row in under]
        for span_id, text in targets:
            menu.addAction(f"Comment on {text}…", lambda span_id=span_id: self._comment(span_id))
        menu.addAction("Comment on the document…", lambda: self._comment(None, document=True))
        menu.addSeparator()
        copy = menu.addAction("Copy", view.copy)
        copy.setEnabled(view.selection() is not None)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    def _comment(self, span_id: int | None, *, document: bool = False) -> None:
        self.comments_dock.show()
        self.comments_dock.raise_()
        dialog = self.comments.ask(span_id)
        if dialog is not None and document:
            dialog.target.setCurrentIndex(0)

    # --- agreement -------------------------------------------------------------------------------------
    def open_agreement(self) -> None:
        if self.window.workspace is None:
            return
        from ui.agreementwindow import AgreementWindow

        if self._agreement is None or self._agreement.workspace is not self.window.workspace:
            if self._agreement is not None:
                self._agreement.close()
            chosen = self.annotators if len(self.annotators) >= 2 else self._default_annotators(self._counts_everywhere())
            self._agreement = AgreementWindow(self.window.workspace, self._names(), chosen, self.window)
            self._agreement.documentChosen.connect(self.open_review)
        if self._agreement.isVisible():
            self._agreement.raise_()    # already open somewhere: bring it to the front
        self._agreement.show()
        self._agreement.activateWindow()
