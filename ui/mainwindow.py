"""The main window: composes the document list, the document pane and the status bar, and owns the menus.

Panels from other features (review, suggestions) come in with `add_panel` as dock widgets, and draw on the
text with `pane.view.add_layer`; nothing here needs to change for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QProgressBar,
                               QToolButton, QWidget)

from annotate.events import DocumentsChanged, LabelsChanged
from db.models import ReviewStatus, Status
from ui import filedialogs
from ui.assist import Assist
from ui.dialogs import AnnotationImportOptions, CheatSheet, ExportOptions, ImportOptions, ask_annotator
from ui.docpane import DocumentPane
from ui.doclist import DocumentListPanel
from ui.elidedlabel import ElidedLabel
from ui.errors import environment_reason, refusal_reason, show_error
from ui.review import ReviewController
from ui.settings import Settings
from ui.tasks import Task, run_with_progress
from ui.textview import VIEW_KEYS
from ui.workspace import Workspace

DEFAULT_SIZE = QSize(1400, 900)
DOCUMENTS_WIDTH = 480  # the document list's first width (then the user's, kept in the settings)
SETTLE_FALLBACK_MS = 1500  # `settled` comes this long after `ready` even when nothing paints (a hidden window)


class MainWindow(QMainWindow):
    ready = Signal()  # a database is open and its document list and last document are shown
    # Once per window: what `ready` showed has been painted. Work the first screen does not need (jieba's
    # dictionary, the full-text index, suggestions) waits for it, so it never competes with the first paint.
    settled = Signal()
    workspaceChanged = Signal(object)  # Workspace | None: panels re-attach to the new database

    def __init__(self, settings: Settings, annotator: str):
        super().__init__()
        self.settings = settings
        filedialogs.remember_in(settings)  # the file dialogs open in the folder used last
        self.annotator = annotator
        self.workspace: Workspace | None = None
        self._sample_task: Task | None = None
        self._total = 0  # documents in the database, for the status bar
        self._background: list[Task] = []  # work on the open database that must stop before it closes
        self.unattended = False  # True when nobody is there to read a dialog (--screenshot)
        self.is_settled = False
        self._was_away = False  # the application was not the active one (see _application_state)
        self._awaiting_paint = False
        self.resize(DEFAULT_SIZE)

        self.pane = DocumentPane(self)
        self.setCentralWidget(self.pane)
        self.documents = DocumentListPanel(self)
        self.documents_dock = self.add_panel(self.documents, "Documents", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.documents_dock.setMinimumWidth(300)

        # Fixed widths: a count that grows by a digit must not relayout (and repaint) the whole status bar.
        self.position_label = QLabel(self)
        self.position_label.setFixedWidth(230)
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.corpus_progress = QProgressBar(self)
        self.corpus_progress.setMaximumWidth(180)
        self.corpus_progress.setFormat("%v/%m done")
        self.script_label = QLabel("繁 shown as 简", self)
        self.script_label.setToolTip("A traditional document shown in simplified characters (Ctrl+J switches); "
                                     "spans stay on the original text")
        self.script_label.setStyleSheet("color: #b5651d")
        self.script_label.hide()
        self.counts_label = QLabel(self)
        self.counts_label.setFixedWidth(300)
        self.counts_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.selection_label = ElidedLabel(self)
        status = self.statusBar()
        status.addWidget(self.selection_label, 1)
        status.addPermanentWidget(self.script_label)
        status.addPermanentWidget(self.position_label)
        status.addPermanentWidget(self.counts_label)
        status.addPermanentWidget(self.corpus_progress)

        self._build_menus()
        self.review = ReviewController(self)
        self.documents.documentActivated.connect(self.open_document)
        self.pane.opened.connect(self._document_opened)
        self.pane.documentChanged.connect(self._update_title)
        self.pane.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        QApplication.instance().applicationStateChanged.connect(self._application_state)
        self.pane.selectionDescribed.connect(self.selection_label.setText)
        self.assist = Assist(self)  # after the status bar's connections: it describes a current suggestion last
        self._update_title()
        geometry, state = settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        else:  # first start: wide enough for names like 01_市委常委会会议.txt beside the five other columns
            self.resizeDocks([self.documents_dock], [DOCUMENTS_WIDTH], Qt.Orientation.Horizontal)

    # --- extension point for other features' panels ------------------------------------------------------
    def add_panel(self, widget: QWidget, title: str,
                  area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Dock a panel (review, suggestions, ...) beside the text; its toggle lands in the View menu."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        if hasattr(self, "panels_menu"):
            self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def add_menu(self, title: str) -> QMenu:
        """A feature's own menu, placed before Help; its shortcuts are listed in the F1 cheat sheet."""
        menu = QMenu(title, self)
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
        self.feature_menus.append(menu)
        return menu

    # --- menus -----------------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot: Callable | None = None, shortcut=None, *, checkable: bool = False,
                checked: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if checkable:
            action.setCheckable(True)
            action.setChecked(checked)
            if slot is not None:
                action.toggled.connect(slot)
        elif slot is not None:
            action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work wherever the focus is in the window
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus: list[tuple[str, object]] = []
        file = bar.addMenu("&File")
        self._action(file, "&Open Database…", self.choose_database, QKeySequence.StandardKey.Open)
        self._action(file, "&New Database…", self.new_database, "Ctrl+Shift+N")
        file.addSeparator()
        self.import_files_action = self._action(file, "&Import Files…", self.import_files, "Ctrl+I")
        self.import_folder_action = self._action(file, "Import &Folder…", self.import_folder, "Ctrl+Shift+I")
        self.import_labels_action = self._action(file, "Import &Annotations (JSONL)…", self.import_annotations)
        self.export_action = self._action(file, "&Export Labels…", self.export, "Ctrl+E")
        file.addSeparator()
        self._action(file, "Change &Annotator…", self.change_annotator)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", self._undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit, "&Redo", self._redo, ["Ctrl+Shift+Z", "Ctrl+Y"])
        edit.addSeparator()
        self._action(edit, "&Delete Span\tDel", self.pane.delete_selected)
        self._action(edit, "Edit &Note…", self.pane.edit_note, "Ctrl+M")
        self._action(edit, "Next Span\tTab", lambda: self.pane.step_span(1))
        self._action(edit, "Previous Span\tShift+Tab", lambda: self.pane.step_span(-1))
        edit.addSeparator()
        self._action(edit, "&Find…", self.pane.open_find, QKeySequence.StandardKey.Find)
        self._action(edit, "Find Ne&xt", lambda: self.pane.find_step(1), ["F3", "Ctrl+G"])
        self._action(edit, "Find Pre&vious", lambda: self.pane.find_step(-1), ["Shift+F3", "Ctrl+Shift+G"])
        edit.addSeparator()
        self._action(edit, "&Labels…", self.edit_labels, "Ctrl+Shift+L")

        view = bar.addMenu("&View")
        flag = self.settings.flag
        self.tokens_action = self._action(view, "&Token Boundaries", self._show_tokens, "Ctrl+T", checkable=True,
                                          checked=flag("tokens", True))
        self.snap_action = self._action(view, "&Snap Selection to Tokens", self._snap, "Ctrl+Shift+T",
                                        checkable=True, checked=flag("snap", True))
        self.simplified_action = self._action(view, "Show Traditional as &Simplified (繁→简)", self._simplified,
                                              "Ctrl+J", checkable=True, checked=flag("simplified", False))
        self.others_action = self._action(view, "&Other Annotators' Spans", self._others, "Ctrl+Shift+A",
                                          checkable=True, checked=flag("others", False))
        view.addSeparator()
        self._action(view, "Zoom &In", lambda: self.pane.view.zoomIn(1), [QKeySequence.StandardKey.ZoomIn, "Ctrl+="])
        self._action(view, "Zoom &Out", lambda: self.pane.view.zoomOut(1), QKeySequence.StandardKey.ZoomOut)
        view.addSeparator()
        self.panels_menu = view.addMenu("&Panels")
        self.panels_menu.addAction(self.documents_dock.toggleViewAction())

        document = bar.addMenu("&Document")
        self.done_action = self._action(document, "Mark &Done, Open Next Unfinished", self.mark_done_and_next,
                                        ["Ctrl+Return", "Ctrl+Enter"])
        self._action(document, "Mark &In Progress", lambda: self.set_status(Status.IN_PROGRESS))
        self._action(document, "Mark &New", lambda: self.set_status(Status.NEW))
        document.addSeparator()
        self._action(document, "Ne&xt Unfinished", self.next_unfinished, "Ctrl+Shift+Return")
        self._action(document, "&Next Document", lambda: self.step_document(1), "Ctrl+PgDown")
        self._action(document, "&Previous Document", lambda: self.step_document(-1), "Ctrl+PgUp")
        self._action(document, "&Filter Documents", self.documents.focus_filter, "Ctrl+L")

        help_menu = self.help_menu = bar.addMenu("&Help")
        self.feature_menus: list[QMenu] = []
        self._action(help_menu, "&Keyboard Shortcuts", self.show_cheat_sheet, "F1")
        self._action(help_menu, "&About Zhubi", self.about)
        self.menus = [(menu.title(), menu.actions()) for menu in (file, edit, view, document)]
        toolbar = self.addToolBar("View")
        toolbar.setObjectName("toolbar-view")
        toolbar.setMovable(False)
        for action, text in ((self.simplified_action, "繁→简"), (self.tokens_action, "Tokens"),
                             (self.snap_action, "Snap"), (self.others_action, "Others"),
                             (self.done_action, "Done ✓ Next")):
            # On the action, not the button: a button takes them from its action again whenever the action
            # changes (the 繁→简 button turned into the menu's long text after the first Ctrl+J).
            action.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")
            action.setIconText(text)
            button = QToolButton(toolbar)
            button.setDefaultAction(action)
            toolbar.addWidget(button)
        self._apply_view_flags()
        self._set_enabled(False)

    def _apply_view_flags(self) -> None:
        self.pane.token_layer.set_visible(self.tokens_action.isChecked())
        self.pane.view.snap_to_tokens = self.snap_action.isChecked()
        self.pane.simplified = self.simplified_action.isChecked()
        self.pane.span_layer.set_show_others(self.others_action.isChecked())

    def _set_enabled(self, enabled: bool) -> None:
        for action in (self.import_files_action, self.import_folder_action, self.import_labels_action,
                       self.export_action):
            action.setEnabled(enabled)

    # --- view toggles ----------------------------------------------------------------------------------
    def _show_tokens(self, on: bool) -> None:
        self.settings.set_flag("tokens", on)
        self.pane.token_layer.set_visible(on)

    def _snap(self, on: bool) -> None:
        self.settings.set_flag("snap", on)
        self.pane.view.snap_to_tokens = on

    def _simplified(self, on: bool) -> None:
        self.settings.set_flag("simplified", on)
        self.pane.set_simplified(on)
        self._update_position()

    def _others(self, on: bool) -> None:
        self.settings.set_flag("others", on)
        self.pane.span_layer.set_show_others(on)

    # --- database and workspace ------------------------------------------------------------------------
    def open_database(self, location: str | None, *, sample_if_empty: bool = False) -> Task:
        """Open (and migrate) a database in the background; the window stays responsive meanwhile."""
        self.statusBar().showMessage(f"Opening {location or 'the default database'}…")

        def work(task: Task):
            from db.engine import open_database

            return open_database(location)

        task = Task(work)
        task.succeeded.connect(lambda database: self._database_opened(database, location, sample_if_empty))
        task.failed.connect(lambda error: self._database_failed(location, error))
        task.start()
        return task

    def _database_failed(self, location: str | None, error: BaseException) -> None:
        self.statusBar().clearMessage()
        self.report_error(f"Cannot open the database {location or '(default)'}.", error)
        self._emit_ready()

    def _database_opened(self, database, location: str | None, sample_if_empty: bool) -> None:
        try:
            workspace = Workspace(database, self.annotator, self)
        except Exception as error:  # noqa: BLE001 - locked or read-only database: say so, keep the window
            database.close()
            self._database_failed(location, error)
            return
        if location:
            self.settings.last_database = location
        self.set_workspace(workspace)
        self.statusBar().showMessage(f"Opened {database.display_name}", 4000)
        if sample_if_empty and self.documents.model.rowCount() == 0:
            self._import_sample()
        else:
            self.when_settled(self._index_texts)
        self._emit_ready()

    # --- start-up: the first screen before anything else ----------------------------------------------
    def _emit_ready(self) -> None:
        self.ready.emit()
        if not self.is_settled and not self._awaiting_paint:
            self._awaiting_paint = True
            self.pane.view.viewport().installEventFilter(self)  # the next paint shows what `ready` set up
            QTimer.singleShot(SETTLE_FALLBACK_MS, self._settle)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.pane.view.viewport() and not self.is_settled:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._settle)  # after this paint has reached the screen
        return super().eventFilter(watched, event)

    def _settle(self) -> None:
        if not self.is_settled:
            self.is_settled = True
            self.pane.view.viewport().removeEventFilter(self)
            self.settled.emit()

    def when_settled(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the first screen is painted (soon, if it is already); each such callback is
        an event of its own, so none holds up the others."""
        if self.is_settled:
            QTimer.singleShot(0, callback)
        else:
            self.settled.connect(lambda: QTimer.singleShot(0, callback), Qt.ConnectionType.SingleShotConnection)

    def set_workspace(self, workspace: Workspace | None) -> None:
        old = self.workspace
        if old is not None:
            self._remember_place()
            self._stop_background_work()
            old.close()
            old.deleteLater()
        self.workspace = workspace
        self.pane.set_workspace(workspace)
        self._set_enabled(workspace is not None)
        if workspace is None:
            self.documents.set_source(None, None)
            self.workspaceChanged.emit(None)
            self._update_title()
            return
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        workspace.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        workspace.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        workspace.undo_stack.undoTextChanged.connect(self._undo_text)
        workspace.undo_stack.redoTextChanged.connect(self._redo_text)
        workspace.refused.connect(self._refused)
        workspace.stale.connect(self._show_again)
        workspace.failed.connect(self._failed)
        workspace.bridge.spansChanged.connect(self.documents.model.on_spans_changed)
        workspace.bridge.spansChanged.connect(self._update_position)
        workspace.bridge.documentsChanged.connect(self.documents.model.on_documents_changed)
        workspace.bridge.documentsChanged.connect(self._update_counts)
        workspace.bridge.documentsChanged.connect(self.documents.update_count)
        self.documents.set_source(workspace.database, workspace.annotator_id)
        self.workspaceChanged.emit(workspace)
        document_id, position = self.settings.place(str(workspace.database.url))
        if document_id is None or self.documents.model.row_of(document_id) is None:
            document_id, position = self.documents.model.document_id(0), 0
        if document_id is not None:
            self.open_document(document_id, position)
        self._update_counts()
        self._update_title()

    def _import_sample(self) -> None:
        """First start on an empty default database: the shipped sample corpus, imported in the background."""
        database = self.workspace.database
        self.statusBar().showMessage("Importing the sample corpus…")

        def work(task: Task) -> int:
            from corpus.sample import ensure_sample_corpus

            return ensure_sample_corpus(database)

        def done(count: int) -> None:
            if self.workspace is None or self.workspace.database is not database:
                return
            self.statusBar().showMessage(f"Imported {count} sample documents.", 5000)
            self.workspace.events.emit(DocumentsChanged())
            self._index_texts()
            if self.pane.document is None and self.documents.model.rowCount():
                self.open_document(self.documents.model.document_id(0))

        task = Task(work)
        task.succeeded.connect(done)
        task.failed.connect(lambda error: self.report_error("The sample corpus could not be imported.", error))
        self._sample_task = task.start()
        self._background.append(task)

    def _index_texts(self) -> None:
        """Bring the full-text index up to date with new documents, in small committed chunks in the
        background (searches are complete without it, only slower)."""
        if self.workspace is None:
            return
        database = self.workspace.database

        def work(task: Task) -> int:
            from annotate.concordance import update_index

            return update_index(database, cancel=task.cancelled, chunk=50)

        task = Task(work)
        task.failed.connect(self._index_failed)
        self._background = [t for t in self._background if not t.is_done()] + [task.start()]

    def _index_failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(f"The full-text index was not updated (searches still work): {error}", 8000)

    def _stop_background_work(self) -> None:
        """Before a database closes: stop and wait for the background work that uses it."""
        for task in self._background:
            task.cancel()
        for task in self._background:
            task.wait(30)
        self._background.clear()

    def keep_until_closed(self, task: Task) -> Task:
        """Background work of a feature on the open database: cancelled and waited for before it closes."""
        self._background = [t for t in self._background if not t.is_done()] + [task]
        return task

    def choose_database(self) -> None:
        path = filedialogs.open_file(self, "Open database", "Zhubi databases (*.db *.sqlite *.sqlite3);;All files (*)")
        if path:
            self.open_database(path)

    def new_database(self) -> None:
        path = filedialogs.save_file(self, "New database", "annotations.db", "Zhubi databases (*.db)")
        if not path:
            return
        if Path(path).exists():
            QMessageBox.warning(self, "Zhubi", f"{path} already exists; open it with File ▸ Open Database.")
            return
        self.open_database(path)

    def change_annotator(self) -> None:
        name = ask_annotator(self, self.annotator)
        if not name or name == self.annotator:
            return
        self.annotator = self.settings.annotator = name
        old = self.workspace
        if old is not None:
            # Same database, new annotator: a fresh undo history (the old one holds the other name's edits).
            self._remember_place()
            workspace = Workspace(old.database, name, self)
            old.close(close_database=False)
            old.deleteLater()
            self.workspace = None
            self.set_workspace(workspace)
        self._update_title()

    # --- documents -------------------------------------------------------------------------------------
    def open_document(self, document_id: int, position: int | None = None) -> None:
        if self.workspace is None:
            return
        try:
            self.pane.open_document(document_id, position)
        except LookupError:
            self.statusBar().showMessage(f"Document {document_id} no longer exists.", 5000)
            return
        self.pane.view.setFocus()

    def _document_opened(self, document_id: int) -> None:
        self.documents.show_document(document_id)
        self._update_title()
        self._update_position()

    def mark_done_and_next(self) -> None:
        document = self.pane.document
        if document is None:
            return
        following = self.workspace.progress.mark_done(document.id)
        if following is None:
            self.statusBar().showMessage("Every document is done.", 8000)
        else:
            self.open_document(following)

    def next_unfinished(self) -> None:
        if self.workspace is None:
            return
        following = self.workspace.progress.next_unfinished(self.pane.document.id if self.pane.document else None)
        if following is None:
            self.statusBar().showMessage("Every document is done.", 8000)
        else:
            self.open_document(following)

    def set_status(self, status: Status) -> None:
        if self.pane.document is not None:
            self.workspace.progress.set_status(self.pane.document.id, status)

    def step_document(self, step: int) -> None:
        if self.pane.document is None:
            return
        following = self.documents.neighbour(self.pane.document.id, step)
        if following is not None:
            self.open_document(following)

    # --- undo ------------------------------------------------------------------------------------------
    def _undo_text(self, text: str) -> None:
        self.undo_action.setText(f"&Undo {text}".rstrip())

    def _redo_text(self, text: str) -> None:
        self.redo_action.setText(f"&Redo {text}".rstrip())

    def _refused(self, reason: str) -> None:
        self.statusBar().showMessage(reason, 6000)

    def _application_state(self, state: Qt.ApplicationState) -> None:
        """Coming back to the window from elsewhere: catch up with what changed meanwhile."""
        if state == Qt.ApplicationState.ApplicationActive and self._was_away and self.isVisible():
            self.catch_up()  # (a closed window that Python has not collected yet gets the signal too)
        self._was_away = state != Qt.ApplicationState.ApplicationActive

    def catch_up(self) -> None:
        """What other programs changed while the user was elsewhere (a teammate on a shared database, an import
        from the command line): new documents, statuses and span counts in the list, and the labels. The open
        document stays as it is, with the user's selection; it shows others' changes when opened again."""
        if self.workspace is None:
            return
        events = self.workspace.events
        events.emit(DocumentsChanged())  # documents added after the last row
        events.emit(DocumentsChanged(self.documents.model.loaded_ids()))
        events.emit(LabelsChanged())

    def _show_again(self) -> None:
        """The open document as the database has it now (another window removed a span drawn here)."""
        if self.pane.document is not None:
            document_id = self.pane.document.id
            self.open_document(document_id, self.pane.position())
            self.workspace.events.emit(DocumentsChanged((document_id,)))  # its row in the list, its counts

    def _failed(self, what: str, error: BaseException) -> None:
        self.report_error(what, error)

    def report_error(self, what: str, error: BaseException) -> None:
        """A dialog with the reason; without a user to click it away (--screenshot), one line on stderr."""
        if self.unattended:
            reason = environment_reason(error) or refusal_reason(error) or f"{type(error).__name__}: {error}"
            print(f"error: {what} {reason}".replace("\n", " "), file=sys.stderr)
        else:
            show_error(self, what, error)

    def _undo(self) -> None:
        if self.workspace is not None:
            self.workspace.undo_stack.undo()

    def _redo(self) -> None:
        if self.workspace is not None:
            self.workspace.undo_stack.redo()

    # --- long work: import and export ------------------------------------------------------------------
    def import_files(self) -> None:
        paths = filedialogs.open_files(self, "Import text files", "Text files (*.txt);;All files (*)")
        if paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        folder = filedialogs.choose_folder(self, "Import a folder of .txt files")
        if folder:
            self.import_paths([folder])

    def import_paths(self, paths: list[str], *, ask: bool = True) -> Task | None:
        join_lines = False
        if ask:
            options = ImportOptions(paths, self)
            if options.exec() != ImportOptions.DialogCode.Accepted:
                return None
            join_lines = options.join_lines.isChecked()
        database = self.workspace.database

        def work(task: Task):
            from corpus.importer import import_paths

            return import_paths(database, [Path(p) for p in paths], join_broken_lines=join_lines,
                                progress=task.report, cancel=task.cancelled)

        return run_with_progress(self, "Importing documents…", work, on_success=self._imported,
                                 on_error=lambda error: self.report_error("The import failed.", error))

    def _imported(self, report) -> None:
        if self.workspace is not None:
            self.workspace.events.emit(DocumentsChanged())
            self._index_texts()
        results = list(getattr(report, "results", []))
        outcomes = {name: [r for r in results if r.outcome == name] for name in ("imported", "duplicate", "refused")}
        summary = (f"Imported {len(outcomes['imported'])} document(s); {len(outcomes['duplicate'])} already there; "
                   f"{len(outcomes['refused'])} refused.")
        if getattr(report, "cancelled", False):
            summary = "Import cancelled. " + summary
        self.statusBar().showMessage(summary, 10000)
        if outcomes["refused"]:
            refused = [f"{r.path}: {r.reason}" for r in outcomes["refused"]]
            self._tell(QMessageBox.Icon.Warning, "Import", summary, "\n".join(refused[:10]), "\n".join(refused))
        if self.pane.document is None and self.documents.model.rowCount():
            self.open_document(self.documents.model.document_id(0))

    def import_annotations(self) -> None:
        path = filedialogs.open_file(self, "Import annotations", "JSON Lines and JSON (*.jsonl *.json);;All files (*)")
        if not path:
            return
        options = AnnotationImportOptions(path, self)
        if options.exec() != AnnotationImportOptions.DialogCode.Accepted:
            return
        self.import_annotations_from(path, annotator=options.annotator.text().strip() or None,
                                     offset_unit=options.unit.currentData())

    def import_annotations_from(self, path: str, *, annotator: str | None, offset_unit: str) -> Task:
        database = self.workspace.database

        def work(task: Task):
            from annotate.formats import import_jsonl

            return import_jsonl(database, path, annotator=annotator, offset_unit=offset_unit,
                                progress=task.report, cancel=task.cancelled)

        return run_with_progress(self, "Importing annotations…", work, on_success=self._annotations_imported,
                                 on_error=lambda error: self.report_error("The import failed.", error))

    def _annotations_imported(self, report) -> None:
        if report.refused:
            problems = [str(problem) for problem in report.problems]
            self._tell(QMessageBox.Icon.Warning, "Import annotations", report.summary(), "\n".join(problems[:10]),
                       "\n".join(problems))
            return
        self.statusBar().showMessage(report.summary(), 10000)
        if self.workspace is not None and report.imported:
            # The import wrote in one transaction of its own: show what it added.
            self.workspace.events.emit(DocumentsChanged())
            self.documents.model.reload()
            if self.pane.document is not None:
                self.open_document(self.pane.document.id, self.pane.position())
            self._index_texts()

    def export(self) -> None:
        if self.workspace is None:
            return
        names = sorted(set(self.workspace.annotator_names().values()) | {self.annotator})
        default = str(filedialogs.folder() / f"{Path(self.workspace.database.display_name).stem}-labels.jsonl")
        options = ExportOptions(names, self.annotator, default, self)
        if options.exec() != ExportOptions.DialogCode.Accepted:
            return
        self.export_to(options.path.text(), fmt=options.chosen_format(), annotators=options.chosen_annotators(),
                       statuses=options.chosen_statuses(), review_statuses=options.chosen_review_statuses(),
                       scheme=options.chosen_scheme(), offset_unit=options.chosen_offset_unit())

    def export_to(self, path: str, *, fmt: str, annotators: list[str], statuses: list[Status],
                  review_statuses: list[ReviewStatus] | None = None, scheme: str = "bio",
                  offset_unit: str = "codepoint") -> Task:
        database = self.workspace.database
        target = str(Path(path).expanduser())

        def work(task: Task):
            from annotate.formats import export_jsonl

            return export_jsonl(database, target, fmt=fmt, annotators=annotators, statuses=statuses,
                                review_statuses=review_statuses, scheme=scheme, offset_unit=offset_unit,
                                progress=task.report, cancel=task.cancelled)

        def done(report) -> None:
            if getattr(report, "cancelled", False):
                self.statusBar().showMessage("Export cancelled; no file was written.", 8000)
                return
            files = ", ".join(report.files) or "no file (no chosen annotator has spans there)"
            text = (f"Exported {report.spans} spans of {report.documents} documents "
                    f"({report.lines} {report.record_name}, {report.format}) to {files}.")
            self.statusBar().showMessage(text, 10000)
            if report.misaligned_count:
                self._tell(QMessageBox.Icon.Information, "Export", text,
                           f"{report.misaligned_count} span(s) do not fall on token boundaries; they are exported "
                           "exactly and their tokens cover them.", "\n".join(map(str, report.misaligned)))
            if report.dropped_count:
                self._tell(QMessageBox.Icon.Information, "Export", text,
                           f"{report.dropped_count} span(s) were left out: a character has one tag, so of nested "
                           "or overlapping spans only the outermost is written (and spans of whitespace alone "
                           "have nothing to write).", "\n".join(map(str, report.dropped)))

        return run_with_progress(self, "Exporting…", work, on_success=done,
                                 on_error=lambda error: self.report_error("The export failed.", error))

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str, informative: str, details: str) -> None:
        """A report the user reads when they like: it does not stop the window (or a test) while open."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(informative)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- labels, help ----------------------------------------------------------------------------------
    def edit_labels(self) -> None:
        if self.workspace is None:
            return
        from ui.labeleditor import LabelEditor

        LabelEditor(self.workspace.labels, self).exec()

    def show_cheat_sheet(self) -> None:
        labels = [(label.shortcut, f"{label.display or label.name} ({label.name})")
                  for label in self.pane.labels if label.shortcut]
        menus = self.menus + [(menu.title(), menu.actions()) for menu in self.feature_menus]
        CheatSheet(menus, VIEW_KEYS, labels, self).exec()

    def about(self) -> None:
        QMessageBox.about(self, "About Zhubi (朱笔)",
                          "Zhubi (朱笔): annotate Chinese political and news texts.\n\n"
                          "Every label is saved the moment it lands; there is no Save. Press F1 for the shortcuts.")

    # --- status bar and title --------------------------------------------------------------------------
    def _update_counts(self, *_) -> None:
        """Corpus progress (a query): when documents change, not on every span."""
        if self.workspace is None:
            self.counts_label.clear()
            self.position_label.clear()
            return
        counts = self.workspace.progress.counts()
        self._total = total = sum(counts.values())
        self.counts_label.setText(f"new {counts[Status.NEW]} · in progress {counts[Status.IN_PROGRESS]} · "
                                  f"done {counts[Status.DONE]}")
        # A maximum of 0 would make Qt animate the bar as "busy" for ever (and keep a CPU awake).
        self.corpus_progress.setMaximum(max(total, 1))
        self.corpus_progress.setValue(counts[Status.DONE])
        self.corpus_progress.setFormat("%v/%m done" if total else "no documents")
        self.pane.view.setPlaceholderText(
            "No document open." if total else
            "No documents yet: File ▸ Import Files… (Ctrl+I) or Import Folder… (Ctrl+Shift+I).")
        self._update_position()

    def _update_position(self, *_) -> None:
        self.script_label.setVisible(self.pane.view.display.converted)
        document = self.pane.document
        total = self._total
        if document is None:
            self.position_label.setText(f"{total:,} documents")
            return
        row = self.documents.model.row_of(document.id, fetch=False)
        where = f"document {row + 1} of {total:,}" if row is not None else f"{total:,} documents"
        own = self.pane.span_layer.own_count()
        self.position_label.setText(f"{where} · {own} span{'s' if own != 1 else ''}")

    def _update_title(self, *_) -> None:
        parts = []
        if self.pane.document is not None:
            parts.append(self.pane.document.name)
        if self.workspace is not None:
            parts.append(self.workspace.database.display_name)
        parts.append(self.annotator)
        parts.append("Zhubi")
        self.setWindowTitle(" — ".join(parts))

    # --- closing ---------------------------------------------------------------------------------------
    def _remember_place(self) -> None:
        if self.workspace is not None and self.pane.document is not None:
            self.settings.set_place(str(self.workspace.database.url), self.pane.document.id, self.pane.position())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._remember_place()
        self.settings.set_geometry(self.saveGeometry(), self.saveState())
        self.settings.sync()
        Task.cancel_all_and_wait()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
        super().closeEvent(event)


def first_document_named(window: MainWindow, name: str) -> int | None:
    from db import documents

    with window.workspace.database.session() as session:
        found = documents.ids_by_name(session, name)
        if not found:
            found = [info.id for info in documents.page(session, text=name, limit=1)]
    return found[0] if found else None
