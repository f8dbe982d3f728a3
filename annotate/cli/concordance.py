"""`concordance`: every occurrence of a term across the corpus, in context, and how it is labelled."""

from __future__ import annotations

import argparse
import json
import sys

from annotate import concordance
from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from db import annotators, labels
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "concordance", help="every occurrence of TERM (or of all texts labelled L) in context, with its labels",
        description="One line per occurrence: document, start, end, status, left[TERM]right. Status compares "
                    "with --label (default: the label most often given to exactly this text): same, inside "
                    "(within a longer span of it), overlap, other (another label), none.")
    parser.add_argument("term", nargs="?", help="the text to look for (also found in the other script)")
    parser.add_argument("--spans-of", metavar="L", help="instead of TERM: every text labelled L, everywhere")
    parser.add_argument("--label", metavar="L", help="the label to compare with")
    parser.add_argument("--annotator", metavar="NAME", action="append", help="only this annotator's spans (repeatable)")
    parser.add_argument("--context", type=int, default=concordance.CONTEXT, help="characters each side (default: 20)")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of text")
    parser.set_defaults(run=run)


def _label_id(session, name: str | None) -> int | None:
    if name is None:
        return None
    label = labels.by_name(session, name)
    if label is None:
        raise CommandError(f"no label {name!r}")
    return label.id


def run(args: argparse.Namespace, database: Database) -> int:
    if (args.term is None) == (args.spans_of is None):
        raise CommandError("give a TERM or --spans-of LABEL (one of the two)")
    if args.term is not None and not args.term.strip():
        raise CommandError("the term is empty")
    with database.session() as session:
        names = {label.id: label.name for label in labels.all_labels(session)}
        people = annotators.names(session)
        label_id = _label_id(session, args.label)
        spans_of = _label_id(session, args.spans_of)
        annotator_ids = None
        if args.annotator:
            wanted = {name: i for i, name in people.items()}
            missing = [name for name in args.annotator if name not in wanted]
            if missing:
                raise CommandError(f"no annotator {missing[0]!r}")
            annotator_ids = [wanted[name] for name in args.annotator]
    concordance.update_index(database)
    if spans_of is not None:
        result = concordance.label_concordance(database, spans_of, annotator_ids=annotator_ids, context=args.context)
    else:
        result = concordance.concordance(database, args.term, label_id=label_id, annotator_ids=annotator_ids,
                                         context=args.context)
    with utf8_stdout() as out:
        for line in result.lines:
            if args.json:
                out.write(json.dumps({
                    "doc": line.document, "start": line.start, "end": line.end, "text": line.match,
                    "left": line.left, "right": line.right, "status": line.status.value,
                    "labels": [{"label": names[r.label_id], "annotator": people.get(r.annotator_id),
                                "start": r.start, "end": r.end} for r in line.spans]}, ensure_ascii=False) + "\n")
            else:
                left, right = (part.replace("\n", "⏎") for part in (line.left, line.right))
                out.write(f"{line.document}\t{line.start}\t{line.end}\t{line.status.value}\t{left}[{line.match}]{right}\n")
    reference = names.get(result.label_id, "-") if result.label_id else "-"
    counts = ", ".join(f"{status.value} {n}" for status, n in sorted(result.by_status.items()))
    print(f"{len(result.lines)} occurrences in {len(result.per_document)} documents; compared with {reference}: "
          f"{counts or 'nothing found'}", file=sys.stderr)
    return 0
