"""`export OUT`: spans as doccano, Prodigy/spaCy or CLUENER JSONL, Label Studio tasks or character-level CoNLL;
OUT '-' writes to stdout, anything else atomically."""

from __future__ import annotations

import argparse
import sys

from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from annotate.formats import (EXPORT_FORMATS, GOLD, OFFSET_UNITS, SCHEMES, UTF16_FORMATS, ExportError, export_jsonl,
                              file_per_annotator)
from db.engine import Database
from db.models import ReviewStatus, Status

SHOWN = 5  # misaligned or dropped spans printed


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="export spans (doccano, prodigy, cluener, labelstudio, conll)",
        description="Write the spans of the chosen annotators and documents, offsets in code points of the stored "
                    "text. JSONL formats write one line per document and annotator; labelstudio one task per "
                    "document with an annotation per annotator; conll one character a line, with one file per "
                    "annotator (labels.amy.conll for OUT labels.conll) unless a single annotator is chosen.")
    parser.add_argument("out", metavar="OUT", help="output file (replaced only when the export succeeds), - for stdout")
    parser.add_argument("--format", choices=EXPORT_FORMATS, default="doccano", help="default: doccano")
    parser.add_argument("--annotator", action="append", metavar="NAME",
                        help="only this annotator's spans (repeatable; default: every annotator)")
    parser.add_argument("--gold", action="store_true", help=f"the adjudicated set (same as --annotator {GOLD})")
    parser.add_argument("--status", action="append", choices=[status.value for status in Status],
                        help="only documents with this status (repeatable; default: all)")
    parser.add_argument("--review-status", action="append", choices=[status.value for status in ReviewStatus],
                        help="only documents with this review status (repeatable; default: all), e.g. "
                             "--gold --review-status adjudicated")
    parser.add_argument("--include-empty", action="store_true",
                        help="also write documents without spans (a line with annotator null; a task without "
                             "annotations; conll: all O)")
    parser.add_argument("--scheme", choices=SCHEMES,
                        help="conll tags: bio (default), bioes or bmes")
    parser.add_argument("--offset-unit", choices=OFFSET_UNITS, default="codepoint",
                        help=f"what {' and '.join(UTF16_FORMATS)} offsets count: code points (default; current "
                             "Label Studio) or UTF-16 units (doccano, older Label Studio)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    names = list(args.annotator or [])
    if args.gold and GOLD not in names:
        names.append(GOLD)
    if args.scheme and args.format != "conll":
        raise CommandError("--scheme is for --format conll")
    if args.out == "-" and file_per_annotator(args.format, names or None):
        raise CommandError("conll writes one file per annotator: choose one annotator (--annotator NAME or --gold) "
                           "to write to stdout")
    options = dict(fmt=args.format, annotators=names or None, statuses=args.status,
                   review_statuses=args.review_status,
                   include_empty=args.include_empty, scheme=args.scheme or "bio", offset_unit=args.offset_unit)
    try:
        if args.out == "-":
            with utf8_stdout() as stream:  # UTF-8 with \n line ends whatever the locale says
                report = export_jsonl(database, stream, **options)
        else:
            report = export_jsonl(database, args.out, **options)
    except ExportError as error:
        raise CommandError(str(error)) from None
    except BrokenPipeError:  # `export - | head`: the reader has all it wanted
        raise
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from None
    where = "stdout" if args.out == "-" else ", ".join(report.files) or "no file (no annotator had spans)"
    print(f"exported {report.spans} spans in {report.lines} {report.record_name} from {report.documents} documents "
          f"({args.format}) to {where}", file=sys.stderr)
    if report.misaligned_count:
        print(f"{report.misaligned_count} spans do not start and end on token boundaries (exported exactly; "
              "their token_start/token_end are the tokens holding their first and last character):", file=sys.stderr)
        for span in report.misaligned[:SHOWN]:
            print(f"  {span}", file=sys.stderr)
    if report.dropped_count:
        print(f"{report.dropped_count} spans left out: nested in or overlapping a longer span (a character has "
              "one tag), or whitespace only:", file=sys.stderr)
        for span in report.dropped[:SHOWN]:
            print(f"  {span}", file=sys.stderr)
    return 0
