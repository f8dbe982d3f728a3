"""Errors sorted the way a user can act on them.

- environment (the database is locked, the disk is full or read-only, a file cannot be opened): a message
  saying what to do; nothing is wrong with Zhubi.
- refusals (a duplicate span, a malformed file, a bad label colour): the domain's one-line reason.
- anything else is a bug: a crash dialog with the details to report; labels already saved stay saved.
"""

from __future__ import annotations

import sqlite3
import sys
import traceback
from typing import Iterator

from PySide6.QtWidgets import QMessageBox, QWidget

# Substrings of the database's messages and what the user can do about each.
ENVIRONMENT = (
    ("database is locked", "The database is locked by another program (or another Zhubi). Try again in a moment."),
    ("database table is locked", "The database is locked by another program. Try again in a moment."),
    ("disk is full", "The disk is full. Free some space and try again; nothing was lost."),
    ("readonly database", "The database file is read-only. Open a copy you may write to."),
    ("read-only", "The database file is read-only. Open a copy you may write to."),
    ("unable to open database", "The database file cannot be opened (missing folder or no permission)."),
    ("disk i/o error", "The disk reported an I/O error while saving. Check the disk and try again."),
    ("file is not a database", "This file is not a Zhubi (SQLite) database."),
    # PostgreSQL (a team database)
    ("lock timeout", "A teammate's import or another program kept the database busy. Try again in a moment."),
    ("connection failed", "The database server cannot be reached. Check the network or ask whoever runs it."),
    ("server closed the connection", "The connection to the database server was lost. Try again in a moment."),
    ("terminating connection", "The database server closed the connection. Try again in a moment."),
)
OUR_PACKAGES = ("annotate.", "corpus.", "db.")


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's exception
        if isinstance(orig, BaseException):
            yield orig
        error = error.__cause__ or error.__context__


def environment_reason(error: BaseException) -> str | None:
    for link in _chain(error):
        if isinstance(link, (sqlite3.OperationalError, sqlite3.DatabaseError)) or \
                type(link).__name__ in {"OperationalError", "DatabaseError"}:
            text = str(link).lower()
            for needle, advice in ENVIRONMENT:
                if needle in text:
                    return f"{advice}\n\n({str(getattr(link, 'orig', None) or link).strip()})"
        if isinstance(link, OSError) and not isinstance(link, (FileNotFoundError, IsADirectoryError)):
            return f"The system refused: {link.strerror or link} ({link.filename or ''})".replace(" ()", "")
    return None


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
