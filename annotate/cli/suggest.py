"""`suggest`: what the lexicon and the rules would suggest, one JSON line per suggestion."""

from __future__ import annotations

import argparse
import json

from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from annotate.suggest import Suggester
from db import annotators, documents, labels
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "suggest", help="print the suggestions of the lexicon and the rules as JSON lines",
        description='One line per suggestion: {"doc", "start", "end", "text", "label", "source"}, offsets in '
                    "code points of the stored text; source is 'lexicon' or the rule's name. Nothing is written.")
    parser.add_argument("--doc", metavar="NAME", help="only the document(s) with this name (default: all)")
    parser.add_argument("--label", metavar="L", action="append", help="only this label (repeatable)")
    parser.add_argument("--annotator", metavar="NAME",
                        help="leave out what this annotator labelled or rejected (default: everyone's labels)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    with database.session() as session:
        names = {label.id: label.name for label in labels.all_labels(session)}
        label_ids = None
        if args.label:
            unknown = [name for name in args.label if name not in names.values()]
            if unknown:
                raise CommandError(f"no label {unknown[0]!r} (labels: {', '.join(names.values())})")
            label_ids = [i for i, name in names.items() if name in args.label]
        if args.doc is not None:
            targets = [(i, args.doc) for i in documents.ids_by_name(session, args.doc)]
            if not targets:
                raise CommandError(f"no document named {args.doc!r} (see: main.py docs)")
        else:
            targets = [(info.id, info.name) for info in documents.all_infos(session)]
        annotator_id = None
        if args.annotator is not None:
            annotator_id = annotators.annotator_id(session, args.annotator, create=False)
            if annotator_id is None:
                raise CommandError(f"no annotator {args.annotator!r}")
    suggester = Suggester(database)
    with utf8_stdout() as out:
        for document_id, name in targets:
            for s in suggester.for_document(document_id, annotator_id=annotator_id, label_ids=label_ids):
                out.write(json.dumps({"doc": name, "start": s.start, "end": s.end, "text": s.text,
                                      "label": names[s.label_id], "source": s.source}, ensure_ascii=False) + "\n")
    return 0
