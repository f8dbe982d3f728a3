"""Long work off the GUI thread: a Task runs in Qt's thread pool and reports back through signals.

Signals emitted in the worker reach the GUI thread queued, so results, progress and errors are always
handled on the main thread. Work functions get the task to report progress and to poll for cancel.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

Work = Callable[["Task"], Any]


class Task(QObject):
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)  # the work's result
    failed = Signal(object)  # the exception
    finished = Signal()  # after succeeded or failed

    _running: set["Task"] = set()  # keeps tasks alive until their thread is done

    def __init__(self, work: Work, parent: QObject | None = None):
        super().__init__(parent)
        self.work = work
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def start(self) -> "Task":
        Task._running.add(self)
        self.finished.connect(self._forget)  # queued: the task is released on the GUI thread
        runnable = _Runnable(self)
        runnable.setAutoDelete(False)
        self._runnable = runnable
        QThreadPool.globalInstance().start(runnable)
        return self

    # Called by the work function in the worker thread.
    def report(self, done: int, total: int) -> None:
        self.progressed.emit(int(done), int(total))

    def cancelled(self) -> bool:
        """Whether the work was asked to stop while it ran."""
        return self._cancel.is_set()

    # Called on the GUI thread.
    def cancel(self) -> None:
        """Ask the work to stop. Once it has finished this is a no-op: its result is complete, and
        `cancelled()` stays False (closing a progress dialog after the work is not a cancel)."""
        if not self._done.is_set():
            self._cancel.set()

    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            self.result = self.work(self)
        except BaseException as error:  # noqa: BLE001 - delivered to the GUI thread as a signal
            self.error = error
        self._done.set()
        if self.error is None:
            self.succeeded.emit(self.result)
        else:
            self.failed.emit(self.error)
        self.finished.emit()

    def _forget(self) -> None:
        Task._running.discard(self)

    @classmethod
    def cancel_all_and_wait(cls, timeout: float = 10.0) -> None:
        """At exit: ask every running task to stop and wait for the threads."""
        for task in list(cls._running):
            task.cancel()
        QThreadPool.globalInstance().waitForDone(int(timeout * 1000))


class _Runnable(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._run()


def run_with_progress(parent: QWidget, title: str, work: Work, *, on_success: Callable[[Any], None],
                      on_error: Callable[[BaseException], None]) -> Task:
    """Run `work` in the background behind a progress dialog with Cancel; the window stays responsive."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Zhubi")
    dialog.setMinimumDuration(400)  # quick work never flashes a dialog
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    task = Task(work, parent)

    def progressed(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    def finished() -> None:
        dialog.canceled.disconnect()  # QProgressDialog says "canceled" when it is closed, even now
        dialog.close()
        dialog.deleteLater()
        if task.error is not None:
            on_error(task.error)
        else:
            on_success(task.result)

    task.progressed.connect(progressed)
    task.finished.connect(finished)
    dialog.canceled.connect(task.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText(f"{title}\nCancelling…"))
    task.start()
    return task
