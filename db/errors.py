"""Database failures that come from the user's machine, not from Zhubi: told apart from bugs, with what to do.

Locked, full, read-only, not a database, server gone: every front end says so in words (the command line in
one line, the window in a message) instead of a traceback or a crash report. Anything not recognized here is
treated as a bug by the caller.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

# Substrings of the drivers' messages (lower case) and what the user can do about each.
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
# PostgreSQL error codes (SQLSTATE) with the same meanings; a two-character key is a whole class.
SQLSTATES = {
    "55P03": "Another session held a lock on the data too long. Try again in a moment.",
    "25006": "The database server only allows reading here. Open a database you may write to.",
    "42501": "Your database role may not do this. Ask the database's owner for write access.",
    "53": "The database server is out of disk space or memory. Nothing was lost; try again later.",
    "08": "The connection to the database server failed or was lost. Check the server and try again.",
    "57P": "The database server is shutting down or restarting. Try again in a moment.",
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error that SQLAlchemy wrapped in it, and their causes."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        orig = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's exception
        if isinstance(orig, BaseException):
            yield orig
        error = error.__cause__ or error.__context__


def environment_reason(error: BaseException) -> str | None:
    """What to do about `error` and the driver's words, as "advice\\n\\n(message)"; None when it is not a
    problem of the machine (a refusal with its own reason, or a bug)."""
    for link in _chain(error):
        sqlstate = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(sqlstate, str):
            advice = SQLSTATES.get(sqlstate) or SQLSTATES.get(sqlstate[:3]) or SQLSTATES.get(sqlstate[:2])
            if advice:
                return f"{advice}\n\n({str(link).strip()})"
        if isinstance(link, (sqlite3.OperationalError, sqlite3.DatabaseError)) or \
                type(link).__name__ in {"OperationalError", "DatabaseError"}:
            text = str(link).lower()
            for needle, advice in ENVIRONMENT:
                if needle in text:
                    return f"{advice}\n\n({str(getattr(link, 'orig', None) or link).strip()})"
        if isinstance(link, OSError) and not isinstance(link, (FileNotFoundError, IsADirectoryError)):
            return f"The system refused: {link.strerror or link} ({link.filename or ''})".replace(" ()", "")
    return None


def one_line(reason: str) -> str:
    """A reason from environment_reason as one line (the command line's error message)."""
    return " ".join(part.strip() for part in reason.split("\n") if part.strip())
