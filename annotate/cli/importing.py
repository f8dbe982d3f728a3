"""`import PATH...`: .txt files and folders become documents; doccano, Prodigy, CLUENER and Label Studio files
add spans.

One line per file (imported / duplicate / refused and why), then a summary. The exit status is 1 when any
file was refused; everything else is imported all the same. Ctrl-C stops between files and keeps what was
imported. New texts are then added to the full-text index (searches are complete without it, only slower).
A label file is read and checked first, without blocking anyone, and then written in one transaction: other
programs' edits wait for that transaction (seconds), and the import waits for theirs.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from annotate.cli import CommandError
from corpus.importer import ImportReport, import_paths
from db.engine import Database

FORMATS = ("auto", "txt", "doccano", "prodigy", "cluener", "labelstudio")
PROBLEMS_SHOWN = 20


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import .txt files and folders as documents, or labels from JSONL files",
        description="Folders are searched for .txt files (recursively, hidden ones skipped). Text files may be "
                    "UTF-8, UTF-16 with BOM, GB18030/GBK or Big5; a file already in the database (same text) is "
                    "a duplicate, a binary or undecodable one is refused, the others are imported anyway.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .txt file, a folder, or a JSONL/JSON label file")
    parser.add_argument("--format", choices=FORMATS, default="auto",
                        help="auto (default): folders and .txt files are text, other files are recognized by "
                             "their content")
    parser.add_argument("--annotator", metavar="NAME",
                        help="whose spans the labels in JSONL files are (default: the name in each record)")
    parser.add_argument("--join-broken-lines", action="store_true",
                        help="remove the spaces PDF extraction leaves where printed lines ended, inside words "
                             "(新征 程上 → 新征程上); real spaces and paragraph breaks are kept")
    parser.add_argument("--offset-unit", choices=("codepoint", "utf16"), default="codepoint",
                        help="what JSONL offsets count: code points (default) or UTF-16 units (doccano's own "
                             "exports); Zhubi's own exports say which in their meta")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    texts, label_files = _sort_paths(args.paths, args.format)
    refused = 0
    if texts:
        report = _import_texts(database, texts, args.join_broken_lines)
        for result in report.results:
            print(_describe(result))
        print(report.summary())
        refused += len(report.refused)
        if report.cancelled:
            raise CommandError(f"import cancelled after {len(report.results)} of {report.total} files; "
                               "what was imported is kept (run the same command to import the rest)")
    for path, fmt in label_files:
        refused += not _import_labels(database, path, fmt, args)
    _index_texts(database)
    if refused:
        total = len(label_files) + (report.total if texts else 0)
        others = " (the others are in the database: imported now or before)" if refused < total else ""
        raise CommandError(f"{refused} of {total} files refused{others}")
    return 0


def _sort_paths(paths: list[str], fmt: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Which paths are text to import and which are label files (with their format)."""
    if fmt == "txt":
        return list(paths), []
    texts, label_files = [], []
    for path in paths:
        if Path(path).is_dir():
            if fmt != "auto":
                raise CommandError(f"{path} is a folder: only text files are imported from folders "
                                   f"(give {fmt} files one by one)")
            texts.append(path)
        elif fmt != "auto":
            label_files.append((path, fmt))
        elif path.lower().endswith(".txt") or not Path(path).is_file():
            texts.append(path)  # a missing path is reported with the text files
        else:
            detected = _detect(path)
            if detected == "txt":
                texts.append(path)
            else:
                label_files.append((path, detected))
    return texts, label_files


def _detect(path: str) -> str:
    from annotate.formats import detect_format

    try:
        return detect_format(path)
    except OSError:
        return "txt"  # the text import says why it cannot be read


def _import_texts(database: Database, paths: list[str], join_broken_lines: bool) -> ImportReport:
    cancelled = False

    def stop(_signal, _frame) -> None:
        nonlocal cancelled
        cancelled = True

    def progress(done: int, total: int) -> None:
        print(f"\rreading {done}/{total} files", end="" if done < total else "\n", file=sys.stderr, flush=True)

    in_main_thread = threading.current_thread() is threading.main_thread()  # where signal handlers can be set
    previous = signal.signal(signal.SIGINT, stop) if in_main_thread else None
    try:
        return import_paths(database, paths, join_broken_lines=join_broken_lines,
                            progress=progress if sys.stderr.isatty() else None, cancel=lambda: cancelled)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


def _describe(result) -> str:
    if result.outcome == "refused":
        return f"refused\t{result.path}\t{result.reason}"
    if result.outcome == "duplicate":
        return f"duplicate\t{result.path}\t{result.reason}"
    details = [f"document #{result.document_id}", f"{result.characters:,} characters", result.encoding,
               result.script.value]
    if result.joined:
        details.append(f"{result.joined} line-break spaces removed")
    return f"imported\t{result.path}\t" + ", ".join(details)


def _import_labels(database: Database, path: str, fmt: str, args: argparse.Namespace) -> bool:
    """Import one label file; prints its outcome and returns whether it was imported."""
    from sqlalchemy.exc import OperationalError

    from annotate.formats import FormatError, import_jsonl
    from db.engine import is_busy
    from db.transfer import WRITE_WAIT_MS

    def progress(done: int, total: int) -> None:
        if done < total:
            print(f"\rchecking {path}: {done * 100 // max(total, 1)}%", end="", file=sys.stderr, flush=True)
        else:
            print(f"\rchecked {path}; writing it in one transaction…", file=sys.stderr, flush=True)

    try:
        report = import_jsonl(database, path, fmt=fmt, annotator=args.annotator, offset_unit=args.offset_unit,
                              progress=progress if sys.stderr.isatty() else None)
    except FormatError as error:
        print(f"refused\t{path}\t{error}")
        return False
    except OperationalError as error:
        if not is_busy(error):
            raise
        print(f"refused\t{path}\tanother program kept the database locked for {WRITE_WAIT_MS / 1000:g} s; "
              "nothing was imported (run the same command again)")
        return False
    summary = report.summary().removeprefix(str(report.path)).lstrip(": ")
    if report.refused:
        print(f"refused\t{path}\t{summary}")
        for problem in report.problems[:PROBLEMS_SHOWN]:
            print(f"  {problem}")
        return False
    print(f"imported\t{path}\t{summary}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return True


def _index_texts(database: Database) -> None:
    """Add the texts this import brought to the full-text index, a committed chunk at a time (Ctrl-C leaves
    the rest queued: searches read queued texts directly, and the next import or concordance indexes them)."""
    from annotate.concordance import update_index

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rindexing texts for search: {done}/{total}", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)

    try:
        indexed = update_index(database, progress=progress)
    except KeyboardInterrupt:
        print("\nindexing stopped; the remaining texts are indexed next time", file=sys.stderr)
        return
    if indexed:
        print(f"{indexed} new texts added to the search index", file=sys.stderr)
