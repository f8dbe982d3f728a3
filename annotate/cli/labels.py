"""`labels`: list the label set, or add a label."""

from __future__ import annotations

import argparse
import re

from sqlalchemy.exc import IntegrityError

from annotate.cli import CommandError
from db import labels
from db.engine import Database

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def register(subparsers) -> None:
    parser = subparsers.add_parser("labels", help="list labels; 'labels add NAME' adds one")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="add a label")
    add.add_argument("name", help="key name used in exports, e.g. POLICY")
    add.add_argument("--display", default="", help="name shown to annotators, e.g. 政策")
    add.add_argument("--color", default="#f4a261", help="colour as #rrggbb")
    add.add_argument("--key", help="shortcut key, one character (1-9)")
    add.add_argument("--description", default="")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    if args.action == "add":
        if not COLOR.match(args.color):
            raise CommandError(f"colour {args.color!r} is not #rrggbb")
        if args.key is not None and len(args.key) != 1:
            raise CommandError(f"shortcut {args.key!r} must be one character")
        try:
            with database.transaction() as session:
                labels.add_label(session, name=args.name, display=args.display, color=args.color,
                                 shortcut=args.key, description=args.description)
        except IntegrityError:
            raise CommandError(f"label {args.name!r} or shortcut {args.key!r} is already in use") from None
    with database.session() as session:
        rows = labels.all_labels(session)
    for label in rows:
        print(f"{label.name}\t{label.display}\t{label.color}\t{label.shortcut or ''}")
    return 0
