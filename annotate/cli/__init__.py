"""The command line: one module per command, each with `register(subparsers)` and `run(args, database)`.

Every command exits non-zero with a one-line reason on an error a user can fix; nothing prints a traceback
for bad input.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = ("listing", "labels", "importing", "exporting", "agree", "review", "suggest", "lexicon", "rules", "concordance")


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def add_global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--db", metavar="PATH|URL",
                        help="database file or SQLAlchemy URL (default: $ZHUBI_DB, else the user data directory)")
    parser.add_argument("--screenshot", metavar="FILE", help="render the window to FILE (PNG) and exit")
    parser.add_argument("--open", metavar="NAME", dest="open_name", help="document to open with --screenshot")
    parser.add_argument("--review", metavar="A,B", dest="review_names",
                        help="with --screenshot: show the review view comparing these annotators")
    parser.add_argument("--concordance", metavar="TERM", dest="concordance_term",
                        help="with --screenshot: show the concordance panel for TERM")
    parser.add_argument("--annotator", dest="gui_annotator", metavar="NAME",
                        help="annotator name for this window session (default: the saved one)")
    return parser


def window_arguments(argv: list[str] | None) -> argparse.Namespace | None:
    """The options when no command is given (open the window), without importing any command module:
    the window starts faster than `build_parser` could (some commands load numpy or compile rules)."""
    options, rest = add_global_options(argparse.ArgumentParser(add_help=False)).parse_known_args(argv)
    if rest:
        return None
    options.command = None
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = add_global_options(argparse.ArgumentParser(
        prog="main.py", description="Zhubi (朱笔): annotate Chinese political and news texts."))
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        import_module(f"annotate.cli.{name}").register(subparsers)
    return parser


def run_command(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from db.engine import open_database
    from db.errors import environment_reason, one_line
    from db.migrate import SchemaError

    for stream in (sys.stdout, sys.stderr):
        _speak_utf8(stream)
    try:
        database = open_database(args.db)
    except SchemaError as error:  # names the database itself
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (DBAPIError, ArgumentError, ImportError) as error:
        if isinstance(error, ImportError):  # a URL whose driver is not installed (mysql://, ...)
            reason = f"its database driver is not installed ({error})"
        else:
            reason = getattr(error, "orig", None) or error
        print(f"error: cannot open database {_shown(args.db)}: {one_line(str(reason))}", file=sys.stderr)
        return 1
    try:
        return args.run(args, database) or 0
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `main.py export - | head`
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (DBAPIError, OSError) as error:  # locked, read-only, full: the machine's doing, said in one line
        reason = environment_reason(error)
        if reason is None:
            raise  # a bug: the traceback is what to report
        print(f"error: {one_line(reason)}", file=sys.stderr)
        return 1
    finally:
        database.close()


def _speak_utf8(stream) -> None:
    """Names and texts are Chinese: a terminal or pipe whose locale is not UTF-8 (LANG=C on an old system,
    PYTHONIOENCODING=ascii) gets UTF-8 anyway instead of a UnicodeEncodeError halfway through the output."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")


def _shown(location: str | None) -> str:
    """The database meant (--db, else $ZHUBI_DB, else the default file), without the password of a URL."""
    from sqlalchemy.exc import ArgumentError

    from db.engine import resolve_url

    try:
        url = resolve_url(location)
    except ArgumentError:
        return location or ""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)
