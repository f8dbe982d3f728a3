"""`review`: compare annotators on one document and adjudicate into the gold layer, without the window.

    review show DOC --annotators A B [--all]
    review decide DOC --annotators A B --group N (--accept NAME | --accept-all | --reject | --edit S:E:LABEL ...)
    review accept-agreed DOC --annotators A B
    review clear DOC --annotators A B --group N
    review status DOC [unreviewed|in_review|adjudicated] [--annotators A B] [--force]
    review comment DOC TEXT [--span ID]

DOC is a document id or name; N is the number `show` prints; decisions need --reviewer NAME.
"""

from __future__ import annotations

import argparse

from annotate import review
from annotate.cli import CommandError
from annotate.comments import AddComment, CommentError
from annotate.spans import SpanStore
from db import documents, labels
from db.engine import Database
from db.models import ReviewStatus

EXCERPT = 24


def register(subparsers) -> None:
    parser = subparsers.add_parser("review", help="compare annotators on a document and build the gold set",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def command(name: str, help: str, *, compare: bool = True, decides: bool = False):
        sub = actions.add_parser(name, help=help)
        sub.add_argument("document", metavar="DOC", help="document id or name")
        if compare:
            sub.add_argument("--annotators", nargs="+", required=True, metavar="NAME",
                             help="two or more annotators to compare")
        if decides:
            sub.add_argument("--reviewer", required=True, metavar="NAME", help="who decides (kept as provenance)")
        return sub

    show = command("show", "list the disagreements (numbered) and how they were decided")
    show.add_argument("--all", action="store_true", help="list the agreed groups too")
    decide = command("decide", "decide one disagreement", decides=True)
    decide.add_argument("--group", type=int, required=True, metavar="N", help="number from 'review show'")
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", metavar="NAME", help="gold gets this annotator's spans of the group")
    choice.add_argument("--accept-all", action="store_true", help="gold gets every span of the group")
    choice.add_argument("--reject", action="store_true", help="gold gets nothing; the group counts as decided")
    choice.add_argument("--edit", nargs="+", metavar="START:END:LABEL", help="gold gets these spans instead")
    command("accept-agreed", "accept every undecided agreed span into gold", decides=True)
    clear = command("clear", "withdraw the decision on one disagreement (and the gold spans it made)")
    clear.add_argument("--group", type=int, required=True, metavar="N")
    status = command("status", "show or set the document's review status", compare=False)
    status.add_argument("status", nargs="?", choices=[s.value for s in ReviewStatus])
    status.add_argument("--annotators", nargs="+", metavar="NAME",
                        help="for 'adjudicated': the annotators compared (every group must be decided)")
    status.add_argument("--force", action="store_true", help="mark adjudicated even with undecided groups")
    comment = command("comment", "leave a comment on the document or on one span", compare=False, decides=True)
    comment.add_argument("text", help="the comment")
    comment.add_argument("--span", type=int, metavar="ID", help="span id (default: the document)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, database: Database) -> int:
    document_id = _document(database, args.document)
    store = SpanStore(database)
    try:
        if args.action == "status":
            return _status(args, database, store, document_id)
        if args.action == "comment":
            AddComment(document_id, args.reviewer, args.text, span_id=args.span).redo(store)
            print(f"comment added to document {document_id}" + (f", span {args.span}" if args.span else ""))
            return 0
        state = review.load(database, document_id, args.annotators)
        if args.action == "show":
            _show(state, show_all=args.all)
        elif args.action == "accept-agreed":
            change = review.accept_agreed(state, reviewer=args.reviewer)
            change.redo(store)
            print(f"accepted {len(change.plans)} agreed spans into gold")
        elif args.action == "decide":
            group = _group(state, args.group)
            if args.accept:
                change = review.accept(state, group, args.accept, reviewer=args.reviewer)
            elif args.accept_all:
                change = review.accept_all(state, group, reviewer=args.reviewer)
            elif args.reject:
                change = review.reject(state, group, reviewer=args.reviewer)
            else:
                change = review.edit(state, group, [_span(database, text) for text in args.edit],
                                     reviewer=args.reviewer)
            change.redo(store)
            print(f"#{args.group} {change.text.lower()}")
        elif args.action == "clear":
            review.ClearDecision(document_id, _group(state, args.group).key).redo(store)
            print(f"#{args.group} decision cleared")
    except (review.ReviewError, CommentError) as error:
        raise CommandError(str(error)) from None
    return 0


def _document(database: Database, text: str) -> int:
    with database.session() as session:
        if text.isdigit():
            try:
                return documents.info(session, int(text)).id
            except LookupError:
                pass
        found = documents.ids_by_name(session, text)
    if not found:
        raise CommandError(f"no document with id or name {text!r}")
    if len(found) > 1:
        raise CommandError(f"{len(found)} documents are named {text!r}; use an id: {', '.join(map(str, found))}")
    return found[0]


def _group(state: review.ReviewState, number: int) -> review.Group:
    if not 1 <= number <= len(state.disagreements):
        raise CommandError(f"no disagreement #{number} (this document has {len(state.disagreements)})")
    return state.disagreements[number - 1]


def _span(database: Database, text: str) -> tuple[int, int, int]:
    try:
        start, end, name = text.split(":", 2)
        start, end = int(start), int(end)
    except ValueError:
        raise CommandError(f"{text!r} is not START:END:LABEL") from None
    with database.session() as session:
        label = labels.by_name(session, name)
    if label is None:
        raise CommandError(f"no label named {name!r}")
    return start, end, label.id


def _show(state: review.ReviewState, *, show_all: bool) -> None:
    names = dict(zip(state.annotator_ids, state.annotators))
    counts = state.counts()
    print(f"document {state.document_id} ({state.review_status.value}): "
          + ", ".join(f"{counts[kind.value]} {kind.value}" for kind in review.Kind)
          + f"; {counts['decided']} of {len(state.disagreements)} disagreements decided")
    numbers = {id(group): i + 1 for i, group in enumerate(state.disagreements)}
    for group in state.groups if show_all else state.disagreements:
        decision = state.decision(group)
        number = f"#{numbers[id(group)]}" if id(group) in numbers else "  "
        verdict = f"  → {decision.action}" if decision else ""
        print(f"{number} {group.kind.value:8} [{group.start},{group.end}) {_excerpt(state.text, group)}{verdict}")
        if group.kind == review.Kind.AGREED:
            continue
        for annotator_id in state.annotator_ids:
            side = group.side(annotator_id)
            spans = "; ".join(f"[{s.start},{s.end}) {state.labels[s.label_id].name} "
                              f"{state.text[s.start:s.end]}" for s in side) or "—"
            print(f"      {names[annotator_id]}: {spans}")


def _excerpt(text: str, group: review.Group) -> str:
    piece = text[group.start:group.end].replace("\n", " ")
    return piece if len(piece) <= EXCERPT else piece[:EXCERPT - 1] + "…"


def _status(args: argparse.Namespace, database: Database, store: SpanStore, document_id: int) -> int:
    if args.status is None:
        with database.session() as session:
            print(documents.info(session, document_id).review_status.value)
        return 0
    status = ReviewStatus(args.status)
    if status == ReviewStatus.ADJUDICATED:
        if not args.annotators and not args.force:
            raise CommandError("name the --annotators compared (to check every group is decided), or --force")
        if args.annotators:
            change = review.mark_adjudicated(review.load(database, document_id, args.annotators), force=args.force)
        else:
            change = review.SetReviewStatus(document_id, status)
    else:
        change = review.SetReviewStatus(document_id, status)
    change.redo(store)
    print(f"document {document_id}: {status.value}")
    return 0
