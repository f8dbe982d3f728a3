"""`agree`: inter-annotator agreement (span F1, Cohen's and Fleiss' kappa, Krippendorff's alpha).

The definitions are in annotate/agreement.py and the README ("Review and agreement").
"""

from __future__ import annotations

import argparse
import json
import sys
from unicodedata import east_asian_width

from annotate.agreement import AgreementError, AgreementResult, measure
from annotate.cli import CommandError
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "agree", help="agreement between annotators: span F1, Cohen's/Fleiss' kappa, Krippendorff's alpha",
        description="Agreement over the documents in which every named annotator has a span (or whose status "
                    "is done): pairwise span F1 (exact and overlap) and Cohen's kappa per label and overall, "
                    "Fleiss' kappa and Krippendorff's alpha over all of them, on character categories.")
    parser.add_argument("--annotators", nargs="+", required=True, metavar="NAME",
                        help="two or more annotators to compare")
    parser.add_argument("--label", metavar="LABEL", help="compare spans of this label only")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--csv", metavar="FILE", help="also write the figures as CSV to FILE ('-' for stdout)")
    parser.add_argument("--per-document", action="store_true",
                        help="show (and write) the per-document table instead: most disagreeing documents first")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    try:
        result = measure(database, args.annotators, label=args.label)
    except AgreementError as error:
        raise CommandError(str(error)) from None
    if args.csv:
        write = result.write_documents_csv if args.per_document else result.write_csv
        if args.csv == "-":
            write(sys.stdout)
        else:
            try:
                with open(args.csv, "w", encoding="utf-8", newline="") as out:
                    write(out)
            except OSError as error:
                raise CommandError(f"cannot write {args.csv}: {error.strerror}") from None
    if args.json:
        if args.per_document:
            document = {"annotators": list(result.annotators),
                        "per_document": [row.as_json(result.annotators) for row in result.per_document]}
        else:
            document = result.as_json()
        print(json.dumps(document, ensure_ascii=False))
    elif args.csv != "-":
        print(_documents_table(result) if args.per_document else _table(result))
    return 0


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _table(result: AgreementResult) -> str:
    lines = [f"annotators   {', '.join(result.annotators)}",
             f"documents    {result.documents:,} (every annotator has a span, or marked done)",
             f"characters   {result.characters:,}", ""]
    header = ("pair", "label", "spans a", "spans b", "F1 exact", "F1 overlap", "kappa")
    rows = []
    for pair in result.pairs:
        for label, scores in [("(all)", pair.overall), *pair.per_label.items()]:
            rows.append((f"{pair.a} / {pair.b}" if label == "(all)" else "", label, str(scores.spans_a),
                         str(scores.spans_b), _number(scores.f1_exact), _number(scores.f1_overlap),
                         _number(scores.kappa)))
    lines += _columns(header, rows)
    lines += ["", f"Fleiss' kappa         {_number(result.fleiss_kappa)}",
              f"Krippendorff's alpha  {_number(result.krippendorff_alpha)}"]
    return "\n".join(lines)


def _documents_table(result: AgreementResult) -> str:
    header = ("id", "name", "characters", "disagreeing", "share", "F1 exact", "alpha",
              "spans " + "/".join(result.annotators))
    rows = [(str(row.document_id), row.name, str(row.characters), str(row.disagreeing_characters),
             f"{row.disagreement:.1%}", _number(row.f1_exact), _number(row.alpha),
             "/".join(str(n) for n in row.spans)) for row in result.per_document]
    return "\n".join(_columns(header, rows))


def _columns(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows)]
    text_columns = {0, 1}

    def padded(i: int, cell: str, width: int) -> str:
        padding = " " * (width - _width(cell))
        return cell + padding if i in text_columns else padding + cell

    return ["  ".join(padded(i, cell, width) for i, (cell, width) in enumerate(zip(line, widths))).rstrip()
            for line in [header, *rows]]


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters (document names) take two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)
