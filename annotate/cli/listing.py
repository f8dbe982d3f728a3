"""`docs` and `stats`: what is in the database."""

from __future__ import annotations

import argparse

from db import annotators, documents, labels, spans
from db.engine import Database
from db.models import Status


def register(subparsers) -> None:
    docs = subparsers.add_parser("docs", help="list documents: id, name, characters, spans, status")
    docs.add_argument("--status", choices=[s.value for s in Status], action="append",
                      help="only documents with this status (repeatable)")
    docs.set_defaults(run=run_docs)
    stats = subparsers.add_parser("stats", help="counts of documents, spans per label and per annotator")
    stats.set_defaults(run=run_stats)


def run_docs(args: argparse.Namespace, database: Database) -> int:
    with database.session() as session:
        statuses = [Status(s) for s in args.status] if args.status else None
        rows = documents.all_infos(session, statuses=statuses)
        counts = documents.span_counts(session)
    for row in rows:
        print(f"{row.id}\t{row.name}\t{row.length}\t{counts.get(row.id, 0)}\t{row.status.value}")
    return 0


def run_stats(args: argparse.Namespace, database: Database) -> int:
    with database.session() as session:
        by_status = documents.status_counts(session)
        label_rows = labels.all_labels(session)
        by_label = spans.counts_by_label(session)
        names = annotators.names(session)
        by_annotator = {name: spans.count(session, [annotator]) for annotator, name in names.items()}
        total_docs = documents.count(session)
        total_spans = spans.count(session)
    print(f"database\t{database.display_name}")
    print(f"documents\t{total_docs}\t" + "\t".join(f"{s.value}={by_status.get(s, 0)}" for s in Status))
    print(f"spans\t{total_spans}")
    for label in label_rows:
        print(f"label\t{label.name}\t{label.display}\t{by_label.get(label.id, 0)}")
    for name, n in by_annotator.items():
        print(f"annotator\t{name}\t{n}")
    return 0
