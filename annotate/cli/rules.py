"""`rules`: list the suggestion rules, switch them, give them a label, add your own regex rules."""

from __future__ import annotations

import argparse

from annotate import rules
from annotate.cli import CommandError
from annotate.cli.output import utf8_stdout
from annotate.rules import RuleError
from db.engine import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rules", help="list suggestion rules; enable/disable/label NAME; add NAME PATTERN --label L; remove NAME")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    for action, text in (("enable", "switch a rule on"), ("disable", "switch a rule off")):
        actions.add_parser(action, help=text).add_argument("name")
    relabel = actions.add_parser("label", help="give a rule's suggestions another label")
    relabel.add_argument("name")
    relabel.add_argument("label")
    add = actions.add_parser("add", help="add a regular-expression rule (its first group, if any, is the span)")
    add.add_argument("name")
    add.add_argument("pattern")
    add.add_argument("--label", required=True)
    remove = actions.add_parser("remove", help="remove one of your regex rules")
    remove.add_argument("name")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    try:
        with database.transaction() as session:
            if args.action in ("enable", "disable"):
                rules.set_enabled(session, args.name, args.action == "enable")
            elif args.action == "label":
                rules.set_label(session, args.name, args.label)
            elif args.action == "add":
                rules.add_pattern_rule(session, args.name, args.pattern, args.label)
            elif args.action == "remove":
                rules.remove_pattern_rule(session, args.name)
    except RuleError as error:
        raise CommandError(str(error)) from None
    with database.session() as session:
        infos = rules.rule_infos(session)
    with utf8_stdout() as out:
        for info in infos:
            state = "on" if info.enabled else "off"
            if info.enabled and info.label is None:
                state = "inactive (label missing)"
            kind = "built-in" if info.builtin else "regex"
            out.write(f"{info.name}\t{state}\t{info.label or '-'}\t{kind}\t{info.description}\n")
    return 0
