"""Starting the window: the application object, the annotator's name, the database, and `--screenshot`.

The window paints before anything slow happens: the database opens in a worker thread, the last document is
shown (`MainWindow.ready`), and only once that has been painted (`MainWindow.settled`) do jieba's dictionary,
the full-text index and the suggestions start in the background, so none of them competes with the first
paint for the interpreter. The sample corpus (first start on an empty default database) imports in the
background too.

The database layer (SQLAlchemy and the schema) and numpy are imported before Qt on purpose: once PySide6 is
loaded, its `__feature__` import hook reads the source of every module imported after it, which costs about
0.1 s over those libraries' few hundred modules (bench/bench_ui_startup.py).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy  # noqa: F401 - before Qt (see above): the span layers' arrays
import db.models  # noqa: F401 - before Qt (see above): SQLAlchemy and the schema
from PySide6.QtCore import QEventLoop, QThread, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from ui.settings import Settings

SCREENSHOT_SIZE = (1400, 900)
GC_THRESHOLDS = (50_000, 20, 20)  # young collections wait for more allocations (see tune_garbage_collector)


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Zhubi")
    app.setApplicationDisplayName("Zhubi")
    app.setDesktopFileName("zhubi")
    from ui.style import app_icon, ui_font

    app.setWindowIcon(app_icon())
    app.setFont(ui_font())
    return app


OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def quiet_offscreen_noise() -> None:
    """The offscreen platform (--screenshot without a display) says OFFSCREEN_NOISE for every window with a
    layout: nothing wrong with Zhubi, but it reads like a warning. Every other message goes where it went."""
    def handler(kind, context, message: str) -> None:
        if message == OFFSCREEN_NOISE:
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


def database_location(requested: str | None, settings: Settings) -> tuple[str | None, bool]:
    """Which database to open (--db, else the last one, else the default) and whether it is the default."""
    from db.engine import default_location, resolve_url

    location = requested or settings.last_database
    if not requested and location and "://" not in location and not Path(location).exists():
        location = None  # the last database was moved or deleted: the default one, not a new empty file there
    if location and "://" not in location:
        location = str(Path(location).expanduser().resolve())
    return location, resolve_url(location) == resolve_url(default_location())


def tune_garbage_collector() -> None:
    """Opening a large document allocates 200,000+ small objects (token and span rows) in one burst, which
    makes Python's collector rescan everything alive several times (measured: a third of the open time).
    Objects alive after start-up (modules, Qt wrappers) are frozen out of the scans, and young collections
    wait for more allocations. Memory is still freed by reference counting as before."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def start_window(settings: Settings, annotator: str, requested: str | None, *, unattended: bool = False):
    """Show the window at once and open the database behind it; returns the window."""
    from ui.mainwindow import MainWindow

    gc.set_threshold(*GC_THRESHOLDS)  # the last document opens with them already (the freeze comes later)
    window = MainWindow(settings, annotator)
    window.unattended = unattended
    window.show()
    location, is_default = database_location(requested, settings)
    window.open_database(location, sample_if_empty=is_default)
    # Once the first document is on the screen, not while it is being painted: the dictionary loads, and what
    # start-up left alive is frozen out of the collector's scans.
    window.when_settled(_warm_up_segmenter)
    window.when_settled(tune_garbage_collector)
    return window


def _warm_up_segmenter() -> None:
    from ui.tasks import Task

    def work(task: Task) -> None:
        import corpus.segment as segment

        warm_up = getattr(segment, "warm_up", None)
        if warm_up is not None:
            warm_up()

    Task(work).start()


def run_app(args: argparse.Namespace) -> int:
    app = make_application()
    if args.screenshot:
        quiet_offscreen_noise()
        return screenshot(app, args)
    settings = Settings()
    annotator = args.gui_annotator or settings.annotator
    if not annotator:
        from ui.dialogs import _login_name, ask_annotator

        annotator = ask_annotator(None) or _login_name() or "annotator"
        settings.annotator = annotator
    from ui.errors import install_excepthook

    install_excepthook()
    window = start_window(settings, annotator, args.db)
    code = app.exec()
    del window
    return code


def wait_until(app: QApplication, condition: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until `condition()` holds (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QThread.msleep(5)
    return True


def show_review(app: QApplication, window, args: argparse.Namespace) -> bool:
    """--review A,B: the open document in the review view, on its first disagreement."""
    names = [name.strip() for name in args.review_names.split(",") if name.strip()]
    loaded = []
    window.review.loaded.connect(lambda: loaded.append(True))
    window.review.open_review(window.pane.document.id, names)
    wait_until(app, lambda: bool(loaded), 60)
    if window.review.state is None:
        print(f"error: cannot review {', '.join(names)}: {window.review.panel.message.text()}", file=sys.stderr)
        return False
    window.review.step_disagreement(1)
    return True


def show_concordance(app: QApplication, window, term: str) -> bool:
    """--concordance TERM: the concordance panel beside the text, with TERM looked up."""
    panel = window.assist.concordance
    found = []
    panel.finished.connect(lambda: found.append(True))
    window.assist.open_concordance()
    if panel.search_term(term) is None or not wait_until(app, lambda: bool(found), 60):
        print(f"error: the concordance of {term!r} did not come", file=sys.stderr)
        return False
    return True


def screenshot(app: QApplication, args: argparse.Namespace) -> int:
    """Render the window at 1400×900 with a document open (by --open NAME, else the first) to a PNG; exit."""
    from ui.dialogs import _login_name
    from ui.mainwindow import first_document_named
    from ui.tasks import Task

    with tempfile.TemporaryDirectory() as scratch:  # the user's own settings are neither read nor changed
        settings = Settings(Path(scratch) / "screenshot.ini")
        annotator = args.gui_annotator or Settings().annotator or _login_name() or "annotator"
        window = start_window(settings, annotator, args.db, unattended=True)
        window.resize(*SCREENSHOT_SIZE)
        try:
            opened = []
            window.ready.connect(lambda: opened.append(True))
            if not wait_until(app, lambda: bool(opened), 60):
                print("error: the database did not open within 60 s", file=sys.stderr)
                return 1
            if window.workspace is None:  # the reason is on stderr already
                return 1
            sample = window._sample_task
            wait_until(app, lambda: sample is None or (sample.is_done() and sample not in Task._running), 120)
            document_id = first_document_named(window, args.open_name) if args.open_name else None
            if args.open_name and document_id is None:
                print(f"error: no document named {args.open_name!r}", file=sys.stderr)
                return 1
            if document_id is None and window.pane.document is None:
                document_id = window.documents.model.document_id(0)
            if document_id is not None:
                window.open_document(document_id, 0)
            pane = window.pane
            wait_until(app, lambda: pane.document is None or pane.view.tokens is not None, 60)
            if getattr(args, "review_names", None) and pane.document is not None and not show_review(app, window, args):
                return 1
            if getattr(args, "concordance_term", None) and not show_concordance(app, window, args.concordance_term):
                return 1
            layer = window.assist.controller.layer  # the suggestions of the document are drawn too
            wait_until(app, lambda: pane.document is None or (window.assist.is_idle()
                                                              and layer.document_id == pane.document.id), 60)
            wait_until(app, lambda: False, 0.2)  # let the last repaint and layout settle
            image = window.grab()
            if not image.save(args.screenshot):
                print(f"error: cannot write {args.screenshot}", file=sys.stderr)
                return 1
            print(f"{args.screenshot}: {image.width()}×{image.height()}")
            return 0
        finally:
            window.close()
