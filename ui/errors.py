"""Errors sorted the way a user can act on them.

- environment (the database is locked, the disk is full or read-only, a file cannot be opened): a message
  saying what to do; nothing is wrong with Zhubi.
- refusals (a duplicate span, a malformed file, a bad label colour): the domain's one-line reason.
- anything else is a bug: a crash dialog with the details to report; labels already saved stay saved.
"""

from __future__ import annotations

import sys
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from db.errors import environment_reason

OUR_PACKAGES = ("annotate.", "corpus.", "db.")


def refusal_reason(error: BaseException) -> str | None:
    """The domain's own one-line reason for refusing bad input, if this is such a refusal."""
    module = type(error).__module__ + "."
    if isinstance(error, (FileNotFoundError, IsADirectoryError, UnicodeError)):
        return str(error)
    if module.startswith(OUR_PACKAGES) and isinstance(error, (ValueError, LookupError, RuntimeError)):
        return str(error)
    if type(error).__name__ in {"CommandError", "SchemaError"}:
        return str(error)
    return None


def is_bug(error: BaseException) -> bool:
    return environment_reason(error) is None and refusal_reason(error) is None


def show_error(parent: QWidget | None, what: str, error: BaseException) -> None:
    """Tell the user what failed and why: a message for environment and refusals, a crash dialog for bugs."""
    reason = environment_reason(error) or refusal_reason(error)
    if reason is not None:
        QMessageBox.warning(parent, "Zhubi", f"{what}\n\n{reason}")
        return
    show_crash(parent, error, what)


def show_crash(parent: QWidget | None, error: BaseException, what: str = "Zhubi hit a bug.") -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, "Zhubi — unexpected error",
                      f"{what}\n\n{type(error).__name__}: {error}\n\n"
                      "Every label you saw land is saved. Please report this with the details below.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    box.exec()


def install_excepthook() -> None:
    """An exception escaping a slot shows the crash dialog instead of vanishing into a terminal."""
    previous = sys.excepthook
    showing = []

    def hook(kind, error, tb):
        previous(kind, error, tb)
        if showing or not isinstance(error, Exception):
            return
        showing.append(True)
        try:
            error.__traceback__ = tb
            show_crash(None, error)
        finally:
            showing.clear()

    sys.excepthook = hook
