"""`lexicon`: import, export, list and edit the project lexicon; choose how labelled spans offer terms."""

from __future__ import annotations

import argparse
import sys

from annotate import lexicon
from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from annotate.lexicon import LexiconError, OfferMode
from db import labels
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lexicon", help="the project lexicon: import/export TSV, list, add, reject, offer mode",
        description="TSV lines: term<TAB>label[<TAB>variants[<TAB>note]], variants separated by '|'.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("import", help="add or update the entries of a TSV file (all or nothing)").add_argument(
        "file", metavar="FILE.tsv")
    export = actions.add_parser("export", help="write the accepted entries as TSV ('-': stdout)")
    export.add_argument("file", metavar="FILE.tsv")
    listing = actions.add_parser("list", help="one line per entry: term, label, variants, note, rejected")
    listing.add_argument("--label", metavar="L", help="only this label")
    add = actions.add_parser("add", help="add an entry (or replace its variants and note)")
    add.add_argument("term")
    add.add_argument("label")
    add.add_argument("--variants", default="", help="variants and abbreviations separated by '|'")
    add.add_argument("--note", default="")
    reject = actions.add_parser("reject", help="keep a term out of suggestions and offers for a label")
    reject.add_argument("term")
    reject.add_argument("label")
    offer = actions.add_parser("offer", help="what labelling a span does: auto (add its text), ask, off")
    offer.add_argument("mode", nargs="?", choices=[mode.value for mode in OfferMode],
                       help="set the mode (without: show it)")
    parser.set_defaults(run=run)


def _label_id(database: Database, name: str) -> int:
    with database.session() as session:
        label = labels.by_name(session, name)
        if label is None:
            known = ", ".join(row.name for row in labels.all_labels(session))
            raise CommandError(f"no label {name!r} (labels: {known})")
        return label.id


def run(args: argparse.Namespace, database: Database) -> int:
    try:
        return ACTIONS[args.action](args, database) or 0
    except LexiconError as error:
        raise CommandError(str(error).replace("\n", "\n  ")) from None


def _import(args, database: Database) -> None:
    report = lexicon.import_tsv(database, args.file)
    print(f"{args.file}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged",
          file=sys.stderr)


def _export(args, database: Database) -> None:
    if args.file == "-":
        with utf8_stdout() as out:
            count = lexicon.export_tsv(database, out)
    else:
        count = lexicon.export_tsv_file(database, args.file)
    print(f"exported {count} entries to {'stdout' if args.file == '-' else args.file}", file=sys.stderr)


def _list(args, database: Database) -> None:
    label_id = _label_id(database, args.label) if args.label else None
    with database.session() as session:
        names = {label.id: label.name for label in labels.all_labels(session)}
    with utf8_stdout() as out:
        for entry in lexicon.all_entries(database, label_id=label_id):
            out.write("\t".join([entry.term, names[entry.label_id], "|".join(entry.variants), entry.note,
                                 "rejected" if entry.rejected else ""]).rstrip("\t") + "\n")


def _add(args, database: Database) -> None:
    lexicon.add_entry(database, args.term, _label_id(database, args.label),
                      variants=[v for v in args.variants.split("|") if v], note=args.note)


def _reject(args, database: Database) -> None:
    lexicon.reject_term(database, args.term, _label_id(database, args.label))


def _offer(args, database: Database) -> None:
    if args.mode:
        lexicon.set_offer_mode(database, OfferMode(args.mode))
    print(lexicon.offer_mode(database).value)


ACTIONS = {"import": _import, "export": _export, "list": _list, "add": _add, "reject": _reject, "offer": _offer}
