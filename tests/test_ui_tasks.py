"""Background work behind a progress dialog: cancelled only when the user cancels.

QProgressDialog says "canceled" whenever it is closed, also when run_with_progress closes it because the
work is done; a success handler must still be told the truth."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from ui.tasks import Task, run_with_progress


def run(qtbot, work, *, press_cancel_when=None):
    parent = QWidget()
    qtbot.addWidget(parent)
    outcome = {}

    def succeeded(result) -> None:
        outcome.update(result=result, cancelled=task.cancelled())

    task = run_with_progress(parent, "Working…", work, on_success=succeeded,
                             on_error=lambda error: outcome.update(error=error))
    if press_cancel_when is not None:
        assert press_cancel_when.wait(10)
        parent.findChild(QProgressDialog).findChild(QPushButton).click()  # its Cancel button
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    return task, outcome


def test_a_finished_task_is_not_cancelled_when_its_dialog_closes(qtbot):
    task, outcome = run(qtbot, lambda task: 42)
    assert outcome == {"result": 42, "cancelled": False}


def test_a_task_whose_dialog_was_shown_is_not_cancelled_when_it_closes(qtbot):
    def work(task: Task) -> str:
        task.report(1, 3)
        threading.Event().wait(0.6)  # past the dialog's minimum duration: it shows
        return "done"

    task, outcome = run(qtbot, work)
    assert outcome == {"result": "done", "cancelled": False}


def test_cancel_pressed_while_the_work_runs_reaches_the_work_and_the_handler(qtbot):
    started, stopped = threading.Event(), threading.Event()

    def work(task: Task) -> str:
        started.set()
        for _ in range(1000):  # at most 10 s
            if task.cancelled():
                stopped.set()
                break
            threading.Event().wait(0.01)
        return "partial"

    task, outcome = run(qtbot, work, press_cancel_when=started)
    assert stopped.is_set()
    assert outcome == {"result": "partial", "cancelled": True}


def test_cancel_after_the_work_finished_changes_nothing(qtbot):
    task = Task(lambda task: "whole").start()
    assert task.wait(10)
    task.cancel()
    assert not task.cancelled() and task.result == "whole"
    qtbot.waitUntil(lambda: task not in Task._running, timeout=5_000)
