"""`labels`: list the label set, or add a label (checked by annotate.labelset, like the window's label editor)."""

from __future__ import annotations

import argparse

from annotate.cli import CommandError
from annotate.events import EventBus
from annotate.labelset import LabelError, LabelSet, free_key
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser("labels", help="list labels; 'labels add NAME' adds one")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="add a label")
    add.add_argument("name", help="key name used in exports, one word, e.g. POLICY")
    add.add_argument("--display", default="", help="name shown to annotators, e.g. 政策")
    add.add_argument("--color", help="colour as #rrggbb (default: the first of the palette no label has)")
    add.add_argument("--key", help="shortcut key, one character (default: the first of 1-9 no label has)")
    add.add_argument("--description", default="")
    remove = actions.add_parser("remove", help="remove a label no span has (its lexicon entries and own rules go "
                                               "with it)")
    remove.add_argument("name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    label_set = LabelSet(database, EventBus())
    if args.action == "add":
        try:
            label_set.add(name=args.name, display=args.display, color=args.color,
                          shortcut=args.key if args.key is not None else free_key(label_set.all()),
                          description=args.description)
        except LabelError as error:
            raise CommandError(str(error)) from None
    elif args.action == "remove":
        found = next((label for label in label_set.all() if label.name == args.name), None)
        if found is None:
            raise CommandError(f"no label named {args.name!r}")
        try:
            label_set.remove(found.id)
        except LabelError as error:
            raise CommandError(str(error)) from None
    for label in label_set.all():
        print(f"{label.name}\t{label.display}\t{label.color}\t{label.shortcut or ''}")
    return 0
