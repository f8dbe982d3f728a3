"""`export OUT`: spans as doccano or Prodigy/spaCy JSONL; OUT '-' writes to stdout, anything else atomically."""

from __future__ import annotations

import argparse
import sys

from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from annotate.formats import EXPORT_FORMATS, GOLD, ExportError, export_jsonl
from db.engine import Database
from db.models import Status

MISALIGNED_SHOWN = 5


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="export spans as JSONL (doccano or prodigy)",
        description="Write one JSON line per document and annotator, offsets in code points of the stored text.")
    parser.add_argument("out", metavar="OUT", help="output file (replaced only when the export succeeds), - for stdout")
    parser.add_argument("--format", choices=EXPORT_FORMATS, default="doccano", help="default: doccano")
    parser.add_argument("--annotator", action="append", metavar="NAME",
                        help="only this annotator's spans (repeatable; default: every annotator)")
    parser.add_argument("--gold", action="store_true", help=f"the adjudicated set (same as --annotator {GOLD})")
    parser.add_argument("--status", action="append", choices=[status.value for status in Status],
                        help="only documents with this status (repeatable; default: all)")
    parser.add_argument("--include-empty", action="store_true",
                        help="also write documents without spans (one line each, annotator null)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    names = list(args.annotator or [])
    if args.gold and GOLD not in names:
        names.append(GOLD)
    options = dict(fmt=args.format, annotators=names or None, statuses=args.status,
                   include_empty=args.include_empty)
    try:
        if args.out == "-":
            with utf8_stdout() as stream:  # JSONL is UTF-8 with \n line ends whatever the locale says
                report = export_jsonl(database, stream, **options)
        else:
            report = export_jsonl(database, args.out, **options)
    except ExportError as error:
        raise CommandError(str(error)) from None
    except BrokenPipeError:  # `export - | head`: the reader has all it wanted
        raise
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from None
    where = "stdout" if args.out == "-" else args.out
    print(f"exported {report.spans} spans in {report.lines} lines from {report.documents} documents "
          f"({args.format}) to {where}", file=sys.stderr)
    if report.misaligned_count:
        print(f"{report.misaligned_count} spans do not start and end on token boundaries (exported exactly; "
              "their token_start/token_end are the tokens holding their first and last character):", file=sys.stderr)
        for span in report.misaligned[:MISALIGNED_SHOWN]:
            print(f"  {span}", file=sys.stderr)
    return 0

