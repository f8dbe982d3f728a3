"""Review: group two or more annotators' spans of a document into agreements and disagreements, and adjudicate
them into the gold layer (the annotator named `gold`).

Grouping, for the m annotators compared (other annotators' spans, gold included, are not grouped):
- A proposal is a (start, end, label); each annotator makes a proposal at most once (the schema forbids
  exact duplicates).
- AGREED: a proposal made by all m annotators. One group per proposal.
- Every other span is open. Two open spans of *different* annotators are linked when they have the same range
  (any labels) or share at least one character and have the same label. A group is a connected set of open
  spans under these links, so chains join: A [0,4) TASK – B [0,4) SLOGAN – C [0,6) SLOGAN is one group.
- Its kind: MISSING when it holds one proposal only (made by some annotators, not all: with two annotators,
  "one annotator only"); else LABEL when all its spans have the same range; else BOUNDARY when all have the
  same label; else MIXED (a label and a boundary conflict chained together, as above).
- Not linked: spans of one annotator (nested or overlapping: unless another annotator's span links them, e.g.
  B's one span over A's two short ones is one BOUNDARY group), and overlapping spans of different labels and
  different ranges (an institution inside a task is normal): each is its own MISSING group.

Deciding a group (each decision is an Edit, committed at once and undoable; a decision is recorded per group in
`review_decisions`, so a rejection, which leaves no span, still shows as decided):
- accept a side: gold gets that annotator's spans of the group (nothing, if the annotator had none there);
- accept all: gold gets every distinct proposal of the group;
- reject: gold gets nothing;
- edit: gold gets the spans the reviewer gives (checked against the text);
- accept agreed: every undecided AGREED group at once, as one step.
Apart from the groups, the reviewer can add a gold span nobody proposed (`add`): it decides no group, carries
the action `add` and no sources in its provenance, and starts the review like a decision.
A proposal already in gold is reused, not duplicated (and left in place when the decision is undone). Each gold
span made carries `origin = adjudicated` and provenance JSON: who decided, when, the action, the annotators
compared, the group, and the annotators' spans it came from.

Review status (Document.review_status): `unreviewed` until the first decision, which moves it to `in_review`
(undoing that decision moves it back); `adjudicated` only when the reviewer says so, and only once every group,
agreed ones included, is decided (unless forced); the reviewer can set any status back.
"""

from __future__ import annotations

import enum
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache, partial
from hashlib import blake2b
from itertools import repeat
from typing import NamedTuple, Sequence

import numpy as np
from sqlalchemy.exc import IntegrityError

from annotate.edits import Edit
from annotate.events import CommentsChanged, DecisionsChanged, DocumentsChanged, Event, SpansChanged
from annotate.intervals import connected, spread
from annotate.spans import SpanError, SpanStore, check_range
from db import annotators as annotator_rows
from db import comments as comment_rows
from db import documents as document_rows
from db import labels as label_rows
from db import review as review_rows
from db import spans as span_rows
from db.comments import CommentRow
from db.engine import Database
from db.labels import LabelInfo
from db.models import Origin, ReviewStatus, utcnow
from db.review import DecisionRow
from db.spans import SpanRow

GOLD = "gold"


class ReviewError(ValueError):
    """A review step that cannot be taken (unknown annotator, group already decided, open disagreements)."""


class Kind(str, enum.Enum):
    AGREED = "agreed"
    LABEL = "label"
    BOUNDARY = "boundary"
    MIXED = "mixed"
    MISSING = "missing"


class Action(str, enum.Enum):
    ACCEPT = "accept"
    ACCEPT_ALL = "accept_all"
    REJECT = "reject"
    EDIT = "edit"
    ADD = "add"                     # a gold span of the reviewer's own, outside every group (not a decision)


class Member(NamedTuple):
    """A span as review sees it (notes and timestamps stay in the database). Fields in text order, so plain
    tuple order is text order and `span[:3]` is its proposal."""

    start: int
    end: int
    label_id: int
    annotator_id: int
    id: int

    @property
    def proposal(self) -> tuple[int, int, int]:
        return self[:3]


class Group(NamedTuple):
    kind: Kind
    start: int                      # extent of all its spans
    end: int
    spans: tuple[Member, ...]       # in text order
    compared: tuple[int, ...]       # ids of the annotators compared (sorted)

    @property
    def key(self) -> str:
        """Stable identity of the group: its extent, then what it holds and who was compared (ids of annotators
        and labels, so renaming either keeps decisions). An agreed group is its label and the annotators
        compared; any other group is a hash of its spans. Computed on demand: hashing every group of a large
        document would cost more than grouping it."""
        if self.kind is Kind.AGREED:
            return f"{self.start}-{self.end}-{self.spans[0].label_id}-{_context(self.compared)}"
        content = repr((self.compared, [span[:4] for span in self.spans])).encode("ascii")
        return f"{self.start}-{self.end}-{blake2b(content, digest_size=16).hexdigest()}"

    def side(self, annotator_id: int) -> tuple[Member, ...]:
        """What one annotator has in this group (empty when they have nothing there)."""
        return tuple(span for span in self.spans if span.annotator_id == annotator_id)

    def proposals(self) -> list[tuple[int, int, int]]:
        """Distinct (start, end, label_id) of the group, in text order."""
        return sorted({span[:3] for span in self.spans})


@lru_cache(maxsize=64)
def _context(compared: tuple[int, ...]) -> str:
    return blake2b(repr(compared).encode("ascii"), digest_size=8).hexdigest()


def _extent(key: str) -> tuple[int, int]:
    start, end, _ = key.split("-", 2)
    return int(start), int(end)


def group_spans(spans: Sequence[Member] | np.ndarray, annotator_ids: Sequence[int]) -> list[Group]:
    """All groups of the compared annotators' spans, in text order (see the module docstring).

    `spans` are Members or an (n, 5) array of their fields. Vectorized with numpy (sorts, runs and a connected-
    components pass over the links), so a document with 3 × 10,000 spans groups in tens of milliseconds."""
    compared = tuple(sorted(annotator_ids))
    table = np.asarray(spans, dtype=np.int64).reshape(-1, 5)
    table = table[np.isin(table[:, 3], compared)]
    table = table[np.lexsort(table[:, ::-1].T)]                 # text order: start, end, label, annotator, id
    n = len(table)
    proposal_starts = np.flatnonzero(np.concatenate(([True], np.any(table[1:, :3] != table[:-1, :3], axis=1))))
    run_sizes = np.diff(np.append(proposal_starts, n))
    agreed_runs = proposal_starts[run_sizes == len(compared)]   # one span per annotator and proposal (schema)
    agreed = np.zeros(n, dtype=bool)
    agreed[np.repeat(agreed_runs, len(compared)) + np.tile(np.arange(len(compared)), len(agreed_runs))] = True
    open_rows = np.flatnonzero(~agreed)
    component = _components(table[open_rows])

    # Every group as a run of rows: agreed ones, then components (rows in text order within each).
    order = np.argsort(component, kind="stable")
    rows = np.concatenate((np.flatnonzero(agreed), open_rows[order]))
    group_of_row = np.concatenate((np.repeat(np.arange(len(agreed_runs)), len(compared)),
                                   len(agreed_runs) + component[order]))
    ordered = table[rows]
    firsts = np.flatnonzero(np.concatenate(([True], group_of_row[1:] != group_of_row[:-1]))) if n else rows
    starts = ordered[firsts, 0]
    ends = np.maximum.reduceat(ordered[:, 1], firsts) if n else starts
    kinds = _kinds(ordered, firsts, len(agreed_runs))
    # Text order of groups: extent, agreed first, then the first span's label and annotator.
    first_rows = ordered[firsts]
    group_order = np.lexsort((first_rows[:, 3], first_rows[:, 2], kinds != 0, ends, starts))
    bounds = np.append(firsts, n)
    sizes = np.diff(bounds)[group_order]
    spans_in_order = np.repeat(bounds[group_order] - (np.cumsum(sizes) - sizes), sizes) + np.arange(n)
    members = list(map(_member, ordered[spans_in_order].tolist()))
    edges = np.cumsum(sizes).tolist()
    spans_of = [tuple(members[a:b]) for a, b in zip([0] + edges[:-1], edges)]
    return list(map(_group, zip(_KIND_OBJECTS[kinds[group_order]].tolist(), starts[group_order].tolist(),
                                ends[group_order].tolist(), spans_of, repeat(compared))))


# Members and Groups straight from sequences, without a Python-level call per span or group.
_member = partial(tuple.__new__, Member)
_group = partial(tuple.__new__, Group)
_KINDS = (Kind.AGREED, Kind.MISSING, Kind.LABEL, Kind.BOUNDARY, Kind.MIXED)
_KIND_OBJECTS = np.array(_KINDS, dtype=object)


def _kinds(ordered: np.ndarray, firsts: np.ndarray, n_agreed: int) -> np.ndarray:
    """Kind code (index into _KINDS) of each run of rows starting at `firsts`; the first n_agreed are agreed."""
    if not len(firsts):
        return np.zeros(0, dtype=np.int64)
    same_range = np.concatenate(([False], np.all(ordered[1:, :2] == ordered[:-1, :2], axis=1)))
    new_range = ~same_range
    new_range[firsts] = True
    ranges = np.add.reduceat(new_range.astype(np.int64), firsts)
    group = np.repeat(np.arange(len(firsts)), np.diff(np.append(firsts, len(ordered))))
    by_label = np.lexsort((ordered[:, 2], group))
    new_label = np.concatenate(([True], (ordered[by_label, 2][1:] != ordered[by_label, 2][:-1])
                                | (group[by_label][1:] != group[by_label][:-1])))
    labels = np.bincount(group[by_label], weights=new_label, minlength=len(firsts))
    kinds = np.where(ranges == 1, np.where(labels == 1, 1, 2), np.where(labels == 1, 3, 4))
    kinds[:n_agreed] = 0
    return kinds


def _components(table: np.ndarray) -> np.ndarray:
    """Component number of each open span (rows in text order) under the links of the module docstring,
    numbered in order of first appearance."""
    n = len(table)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start, end, label, who = table[:, 0], table[:, 1], table[:, 2], table[:, 3]
    # Same label, sharing a character: sorted by label and start, span i overlaps exactly the later spans of its
    # label that start before it ends.
    by_label = np.lexsort((end, start, label))
    shift = label[by_label] * (int(end.max()) + 1)
    stop = np.searchsorted(start[by_label] + shift, end[by_label] + shift)
    later, owner = spread(np.arange(1, n + 1), np.maximum(stop, np.arange(1, n + 1)))
    first, second = by_label[owner], by_label[later]
    keep = who[first] != who[second]
    # Same range: neighbours in text order. A run of one range with two or more annotators is linked as a
    # whole (each of its spans has another annotator's span there).
    same = np.concatenate(([False], np.all(table[1:, :2] == table[:-1, :2], axis=1)))
    head = np.maximum.accumulate(np.where(same, 0, np.arange(n)))
    mixed = np.zeros(n, dtype=bool)
    mixed[head[same & (who != who[head])]] = True
    joined = np.flatnonzero(same & mixed[head])
    return connected(n, np.concatenate((first[keep], head[joined])), np.concatenate((second[keep], joined)))


@dataclass
class ReviewState:
    """Everything the review view shows for one document and a set of annotators.

    Built by `load`; kept current by `apply(event)` for decisions and gold spans. A change to the compared
    annotators' own spans needs a new `load` (apply returns True then); comments and `review_status` are as
    loaded (CommentsChanged and DocumentsChanged say when to read them again)."""

    document_id: int
    text: str
    annotators: tuple[str, ...]
    annotator_ids: tuple[int, ...]
    gold_id: int | None
    labels: dict[int, LabelInfo]
    groups: list[Group]                           # all of them, agreed included, in text order
    disagreements: list[Group]                    # the groups to step through, in text order
    decisions: dict[str, DecisionRow]             # every decision of the document, by group key
    gold: dict[int, Member]                       # gold spans by id
    comments: list[CommentRow]
    review_status: ReviewStatus
    _verdicts: dict[int, DecisionRow] = field(default_factory=dict, repr=False)     # id(group) → decision
    _by_extent: dict[tuple[int, int], list[Group]] = field(default_factory=dict, repr=False)
    _own: set[int] = field(default_factory=set, repr=False)                        # id() of its groups
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [group.start for group in self.disagreements]
        for row in self.decisions.values():
            self._match(row, row)

    def _match(self, row: DecisionRow, verdict: DecisionRow | None) -> None:
        """Attach (or detach, with None) a decision to the group it was made on, if that group is here."""
        if not self._by_extent:
            for group in self.groups:
                self._by_extent.setdefault((group.start, group.end), []).append(group)
        for group in self._by_extent.get(_extent(row.key), ()):
            if group.key == row.key:
                if verdict is None:
                    self._verdicts.pop(id(group), None)
                else:
                    self._verdicts[id(group)] = verdict

    @property
    def spans(self) -> dict[int, list[Member]]:
        """The compared annotators' spans, by annotator id."""
        found: dict[int, list[Member]] = {i: [] for i in self.annotator_ids}
        for group in self.groups:
            for span in group.spans:
                found[span.annotator_id].append(span)
        return found

    def decision(self, group: Group) -> DecisionRow | None:
        """The decision on a group (of this state, or an equal group of an earlier load), None if undecided."""
        verdict = self._verdicts.get(id(group))
        if verdict is not None:
            return verdict
        if not self._own:
            self._own = {id(g) for g in self.groups}
        return None if id(group) in self._own else self.decisions.get(group.key)

    def loose_gold(self) -> list[Member]:
        """Gold spans that no decision made or reused (added by the reviewer with `add`, or imported): they go
        by removing the span, not by withdrawing a decision."""
        tied = {span_id for row in self.decisions.values() for key in ("gold", "reused")
                for span_id in json.loads(row.detail).get(key, [])}
        return [member for member in self.gold.values() if member.id not in tied]

    def undecided(self, kinds: Sequence[Kind] | None = None) -> list[Group]:
        pool = self.disagreements if kinds is None else [g for g in self.groups if g.kind in kinds]
        return [group for group in pool if id(group) not in self._verdicts]

    def step(self, current: int | None, *, forward: bool = True, undecided_only: bool = True) -> int | None:
        """Index in `disagreements` of the next (or previous) one after `current`; None at the end.
        `current` None starts from the beginning (or the end, going back)."""
        indices = range(len(self.disagreements))
        if current is not None:
            indices = range(current + 1, len(self.disagreements)) if forward else range(current - 1, -1, -1)
        elif not forward:
            indices = range(len(self.disagreements) - 1, -1, -1)
        for index in indices:
            if not undecided_only or id(self.disagreements[index]) not in self._verdicts:
                return index
        return None

    def disagreement_at(self, offset: int) -> int | None:
        """Index of the last disagreement starting at or before a text offset (where the caret is)."""
        index = bisect_right(self._starts, offset) - 1
        return index if index >= 0 else None

    def counts(self) -> dict[str, int]:
        """Groups per kind, plus how many disagreements are decided: for the side panel's header."""
        found = {kind.value: 0 for kind in Kind}
        for group in self.groups:
            found[group.kind.value] += 1
        found["decided"] = sum(1 for group in self.disagreements if id(group) in self._verdicts)
        return found

    def apply(self, event: Event) -> bool:
        """Follow a domain event; True when the grouping itself is stale and the state must be reloaded."""
        if isinstance(event, DecisionsChanged) and event.document_id == self.document_id:
            for row in event.removed:
                self.decisions.pop(row.key, None)
                self._match(row, None)
            for row in event.added:
                self.decisions[row.key] = row
                self._match(row, row)
        elif isinstance(event, SpansChanged) and event.document_id == self.document_id:
            changed = list(event.added) + list(event.removed) + [row for pair in event.updated for row in pair]
            if any(row.annotator_id in self.annotator_ids for row in changed):
                return True
            for row in event.removed:
                self.gold.pop(row.id, None)
            for row in list(event.added) + [new for _, new in event.updated]:
                if row.annotator_id == self.gold_id or (self.gold_id is None and row.origin == Origin.ADJUDICATED):
                    self.gold_id = row.annotator_id
                    self.gold[row.id] = Member(row.start, row.end, row.label_id, row.annotator_id, row.id)
        return False


def load(database: Database, document_id: int, annotators: Sequence[str]) -> ReviewState:
    """The review state of one document for two or more annotators (by name)."""
    if len(annotators) < 2 or len(set(annotators)) != len(annotators):
        raise ReviewError("choose at least two different annotators to review")
    if GOLD in annotators:
        raise ReviewError(f"'{GOLD}' holds the adjudicated spans; compare the annotators who made them")
    with database.session() as session:
        ids = []
        for name in annotators:
            found = annotator_rows.annotator_id(session, name, create=False)
            if found is None:
                raise ReviewError(f"no annotator named {name!r} in this database")
            ids.append(found)
        gold_id = annotator_rows.annotator_id(session, GOLD, create=False)
        info = document_rows.info(session, document_id)
        text = document_rows.text_of(session, document_id)
        labels = {label.id: label for label in label_rows.all_labels(session)}
        table = review_rows.span_table(session, document_id, ids + ([gold_id] if gold_id is not None else []))
        core = session.connection()                  # plain rows: no ORM bookkeeping for thousands of them
        decisions = {row.key: row for row in review_rows.decisions_for_document(core, document_id)}
        comments = comment_rows.for_document(core, document_id)
    groups = group_spans(table, ids)
    gold = {m.id: m for m in map(_member, table[table[:, 3] == gold_id].tolist())}
    return ReviewState(document_id, text, tuple(annotators), tuple(ids), gold_id, labels, groups,
                       [group for group in groups if group.kind is not Kind.AGREED], decisions, gold, comments,
                       info.review_status)


# ---- decisions as edits ---------------------------------------------------------------------------------------

class Plan(NamedTuple):
    """What to decide for one group: the action and the (start, end, label_id) that go into gold."""

    group: Group
    action: Action
    proposals: tuple[tuple[int, int, int], ...]
    side: str | None = None


@dataclass
class Decide(Edit):
    """One or more decisions as one undo step, written in one committed transaction."""

    document_id: int
    reviewer: str
    annotators: tuple[str, ...]
    annotator_ids: tuple[int, ...]
    plans: list[Plan]
    text: str = "Decide"
    _decisions: list[DecisionRow] = field(default_factory=list, init=False, repr=False)
    _created: list[SpanRow] = field(default_factory=list, init=False, repr=False)
    _status_before: ReviewStatus | None = field(default=None, init=False, repr=False)

    def redo(self, store: SpanStore) -> None:
        if not self.plans:
            return
        try:
            with store.database.transaction() as session:
                if self._decisions:
                    span_rows.insert_many(session, [row._asdict() for row in self._created])
                    review_rows.insert_decisions(session, [row._asdict() for row in self._decisions])
                else:
                    self._write(session)
                self._start_review(session)
        except IntegrityError:
            raise ReviewError("gold or the decisions changed since (the same span or decision is there); "
                              "nothing was written") from None
        self._announce(store, added=True)

    def _start_review(self, session) -> None:
        # Decided by the database: another reviewer's status set meanwhile is never overwritten.
        started = document_rows.set_review_status(session, self.document_id, ReviewStatus.IN_REVIEW,
                                                  only_from=ReviewStatus.UNREVIEWED)
        self._status_before = ReviewStatus.UNREVIEWED if started else None

    def undo(self, store: SpanStore) -> None:
        if not self.plans:
            return
        with store.database.transaction() as session:
            review_rows.delete_decisions(session, [row.id for row in self._decisions])
            span_rows.delete_many(session, [row.id for row in self._created])
            if self._status_before is not None and review_rows.decisions_for_document(session, self.document_id):
                self._status_before = None          # other decisions remain: the document stays in review
            if self._status_before is not None:
                document_rows.set_review_status(session, self.document_id, self._status_before)
        self._announce(store, added=False)

    def _write(self, session) -> None:
        keys = [plan.group.key for plan in self.plans]          # hashed once here, used three times
        if len(set(keys)) != len(keys):
            raise ReviewError("the same group is decided twice in one step")
        if review_rows.decided_keys(session, self.document_id, keys):
            raise ReviewError("this disagreement is decided already; undo or clear that decision first")
        reviewer_id = annotator_rows.annotator_id(session, self.reviewer)
        gold_id = annotator_rows.annotator_id(session, GOLD)
        length = document_rows.length_of(session, self.document_id)
        names = dict(zip(self.annotator_ids, self.annotators))
        labels = {label.id: label.name for label in label_rows.all_labels(session)}
        in_gold: dict[tuple[int, int, int], int | None] = {
            (start, end, label_id): i
            for start, end, label_id, _, i in review_rows.span_keys(session, self.document_id, [gold_id])}
        now = utcnow()
        stamp = now.isoformat(timespec="seconds")
        new_spans: list[dict] = []
        records: list[dict] = []
        for plan, key in zip(self.plans, keys):
            made, reused = [], []
            for start, end, label_id in plan.proposals:
                if label_id not in labels:
                    raise ReviewError(f"no label with id {label_id}")
                try:
                    check_range(start, end, length)
                except SpanError as error:
                    raise ReviewError(str(error)) from None
                if (start, end, label_id) in in_gold:
                    reused.append(in_gold[(start, end, label_id)])
                    continue
                sources = [m for m in plan.group.spans
                           if plan.action == Action.EDIT or m.proposal == (start, end, label_id)]
                provenance = {"adjudicated_by": self.reviewer, "at": stamp, "action": plan.action.value,
                              "compared": list(self.annotators), "group": key,
                              "from": [_describe(m, names, labels) for m in sources]}
                new_spans.append(dict(document_id=self.document_id, label_id=label_id, annotator_id=gold_id,
                                      start=start, end=end, origin=Origin.ADJUDICATED,
                                      provenance=json.dumps(provenance, ensure_ascii=False)))
                in_gold[(start, end, label_id)] = None      # made by this step: the next plan reuses it
                made.append(len(new_spans) - 1)
            records.append(dict(made=made, reused=reused, plan=plan, key=key))
        core = session.connection()                     # Core executemany: one batched INSERT, not one per row
        ids = span_rows.insert_many(core, new_spans)
        self._created = [SpanRow(i, row["document_id"], row["label_id"], gold_id, row["start"], row["end"],
                                 Origin.ADJUDICATED, "", row["provenance"]) for i, row in zip(ids, new_spans)]
        decision_rows = []
        for record in records:
            plan: Plan = record["plan"]
            detail = {"compared": list(self.annotators),
                      "members": [_describe(m, names, labels) for m in plan.group.spans],
                      "gold": [ids[k] for k in record["made"]], "reused": [i for i in record["reused"] if i]}
            if plan.side is not None:
                detail["side"] = plan.side
            decision_rows.append(dict(document_id=self.document_id, key=record["key"], kind=plan.group.kind.value,
                                      action=plan.action.value, reviewer_id=reviewer_id,
                                      detail=json.dumps(detail, ensure_ascii=False), created_at=now))
        decision_ids = review_rows.insert_decisions(core, decision_rows)
        self._decisions = [DecisionRow(i, **row) for i, row in zip(decision_ids, decision_rows)]

    def _announce(self, store: SpanStore, *, added: bool) -> None:
        rows, decisions = tuple(self._created), tuple(self._decisions)
        if rows:
            store.events.emit(SpansChanged(self.document_id, added=rows) if added
                              else SpansChanged(self.document_id, removed=rows))
        store.events.emit(DecisionsChanged(self.document_id, added=decisions) if added
                          else DecisionsChanged(self.document_id, removed=decisions))
        if self._status_before is not None:
            store.events.emit(DocumentsChanged((self.document_id,)))


def _describe(member: Member, names: dict[int, str], labels: dict[int, str]) -> dict:
    return {"annotator": names.get(member.annotator_id, str(member.annotator_id)), "span_id": member.id,
            "start": member.start, "end": member.end, "label": labels.get(member.label_id, str(member.label_id))}


def _decide(state: ReviewState, reviewer: str, plans: list[Plan], text: str) -> Decide:
    if not reviewer or reviewer == GOLD:
        raise ReviewError("name the reviewer (any annotator name except 'gold')")
    for plan in plans:
        if state.decision(plan.group) is not None:
            raise ReviewError("this disagreement is decided already; undo or clear that decision first")
    return Decide(state.document_id, reviewer, state.annotators, state.annotator_ids, plans, text=text)


def accept(state: ReviewState, group: Group, annotator: str, *, reviewer: str) -> Decide:
    """Gold gets what `annotator` has in the group (nothing, if they have nothing there)."""
    if annotator not in state.annotators:
        raise ReviewError(f"{annotator!r} is not one of the annotators compared")
    side = group.side(state.annotator_ids[state.annotators.index(annotator)])
    return _decide(state, reviewer, [Plan(group, Action.ACCEPT, tuple(sorted(m.proposal for m in side)), annotator)],
                   f"Accept {annotator}")


def accept_all(state: ReviewState, group: Group, *, reviewer: str) -> Decide:
    """Gold gets every distinct proposal of the group ("accept both")."""
    return _decide(state, reviewer, [Plan(group, Action.ACCEPT_ALL, tuple(group.proposals()))], "Accept all")


def reject(state: ReviewState, group: Group, *, reviewer: str) -> Decide:
    """Nothing goes into gold, and the group shows as decided."""
    return _decide(state, reviewer, [Plan(group, Action.REJECT, ())], "Reject")


def edit(state: ReviewState, group: Group, spans: Sequence[tuple[int, int, int]], *, reviewer: str) -> Decide:
    """Gold gets the reviewer's own (start, end, label_id) spans for this group."""
    if not spans:
        raise ReviewError("an edit needs at least one span (to keep nothing, reject)")
    return _decide(state, reviewer, [Plan(group, Action.EDIT, tuple(sorted(set(map(tuple, spans)))))], "Edit")


def accept_agreed(state: ReviewState, *, reviewer: str) -> Decide:
    """Every undecided agreed group into gold, as one step."""
    plans = [Plan(group, Action.ACCEPT_ALL, tuple(group.proposals())) for group in state.undecided([Kind.AGREED])]
    return _decide(state, reviewer, plans, f"Accept {len(plans)} agreed")


@dataclass
class AddGold(Edit):
    """A gold span that no annotator proposed, added by the reviewer where no group lies. It decides no
    group; like a decision it starts the review, and undoing it takes the span (and that start) back."""

    document_id: int
    start: int
    end: int
    label_id: int
    reviewer: str
    annotators: tuple[str, ...]
    text: str = "Add to gold"
    _row: SpanRow | None = field(default=None, init=False, repr=False)
    _status_before: ReviewStatus | None = field(default=None, init=False, repr=False)

    def redo(self, store: SpanStore) -> None:
        try:
            with store.database.transaction() as session:
                if self._row is None:
                    self._row = self._write(session)
                else:
                    span_rows.insert_many(session, [self._row._asdict()])
                started = document_rows.set_review_status(session, self.document_id, ReviewStatus.IN_REVIEW,
                                                          only_from=ReviewStatus.UNREVIEWED)
                self._status_before = ReviewStatus.UNREVIEWED if started else None
        except IntegrityError:
            raise ReviewError("gold has this span already; nothing was written") from None
        store.events.emit(SpansChanged(self.document_id, added=(self._row,)))
        if self._status_before is not None:
            store.events.emit(DocumentsChanged((self.document_id,)))

    def _write(self, session) -> SpanRow:
        if self.label_id not in {label.id for label in label_rows.all_labels(session)}:
            raise ReviewError(f"no label with id {self.label_id}")
        try:
            check_range(self.start, self.end, document_rows.length_of(session, self.document_id))
        except SpanError as error:
            raise ReviewError(str(error)) from None
        gold_id = annotator_rows.annotator_id(session, GOLD)
        provenance = json.dumps({"adjudicated_by": self.reviewer, "at": utcnow().isoformat(timespec="seconds"),
                                 "action": Action.ADD.value, "compared": list(self.annotators), "from": []},
                                ensure_ascii=False)
        row = dict(document_id=self.document_id, label_id=self.label_id, annotator_id=gold_id, start=self.start,
                   end=self.end, origin=Origin.ADJUDICATED, provenance=provenance)
        (span_id,) = span_rows.insert_many(session.connection(), [row])
        return SpanRow(span_id, self.document_id, self.label_id, gold_id, self.start, self.end, Origin.ADJUDICATED,
                       "", provenance)

    def undo(self, store: SpanStore) -> None:
        assert self._row is not None
        with store.database.transaction() as session:
            span_rows.delete_many(session, [self._row.id])
            if self._status_before is not None and (
                    review_rows.decisions_for_document(session, self.document_id)
                    or review_rows.span_keys(session, self.document_id, [self._row.annotator_id])):
                self._status_before = None          # other decisions or gold spans remain: still in review
            if self._status_before is not None:
                document_rows.set_review_status(session, self.document_id, self._status_before)
        store.events.emit(SpansChanged(self.document_id, removed=(self._row,)))
        if self._status_before is not None:
            store.events.emit(DocumentsChanged((self.document_id,)))


def add(state: ReviewState, start: int, end: int, label_id: int, *, reviewer: str) -> AddGold:
    """Gold gets the reviewer's own span [start, end) with this label, outside the groups (a span nobody
    proposed). Refused when gold has it already."""
    if not reviewer or reviewer == GOLD:
        raise ReviewError("name the reviewer (any annotator name except 'gold')")
    if any(member.proposal == (start, end, label_id) for member in state.gold.values()):
        raise ReviewError("gold has this span already")
    return AddGold(state.document_id, start, end, label_id, reviewer, state.annotators)


@dataclass
class ClearDecision(Edit):
    """Withdraw a recorded decision (also one made in an earlier session): its record and the gold spans it
    made go; undo puts both back."""

    document_id: int
    key: str
    text: str = "Clear decision"
    _decision: DecisionRow | None = field(default=None, init=False, repr=False)
    _removed: list[SpanRow] = field(default_factory=list, init=False, repr=False)
    _comments: list[dict] = field(default_factory=list, init=False, repr=False)  # on the removed spans

    def redo(self, store: SpanStore) -> None:
        with store.database.transaction() as session:
            decision = review_rows.decision_by_key(session, self.document_id, self.key)
            if decision is None:
                raise ReviewError("this group has no decision to clear")
            made = json.loads(decision.detail).get("gold", [])
            self._removed = span_rows.get_many(session, made)
            self._comments = comment_rows.on_spans(session, made)
            span_rows.delete_many(session, made)
            review_rows.delete_decisions(session, [decision.id])
            self._decision = decision
        if self._removed:
            store.events.emit(SpansChanged(self.document_id, removed=tuple(self._removed)))
        store.events.emit(DecisionsChanged(self.document_id, removed=(decision,)))

    def undo(self, store: SpanStore) -> None:
        assert self._decision is not None
        with store.database.transaction() as session:
            span_rows.insert_many(session, [row._asdict() for row in self._removed])
            comment_rows.put_back(session, self._comments)
            review_rows.insert_decisions(session, [self._decision._asdict()])
        if self._removed:
            store.events.emit(SpansChanged(self.document_id, added=tuple(self._removed)))
        if self._comments:
            store.events.emit(CommentsChanged(self.document_id))
        store.events.emit(DecisionsChanged(self.document_id, added=(self._decision,)))


@dataclass
class SetReviewStatus(Edit):
    document_id: int
    status: ReviewStatus
    text: str = "Set review status"
    _before: ReviewStatus | None = field(default=None, init=False, repr=False)

    def redo(self, store: SpanStore) -> None:
        with store.database.transaction() as session:
            self._before = document_rows.info(session, self.document_id).review_status
            document_rows.set_review_status(session, self.document_id, self.status)
        store.events.emit(DocumentsChanged((self.document_id,)))

    def undo(self, store: SpanStore) -> None:
        assert self._before is not None
        with store.database.transaction() as session:
            document_rows.set_review_status(session, self.document_id, self._before)
        store.events.emit(DocumentsChanged((self.document_id,)))


def mark_adjudicated(state: ReviewState, *, force: bool = False) -> SetReviewStatus:
    """The reviewer's "done": refused while disagreements (or agreed groups) are undecided, unless forced."""
    open_groups = state.undecided(list(Kind))
    if open_groups and not force:
        count = len(open_groups)
        raise ReviewError(f"{count} {'group is' if count == 1 else 'groups are'} not decided yet (accept the "
                          "agreed ones in bulk, decide the rest, or force)")
    return SetReviewStatus(state.document_id, ReviewStatus.ADJUDICATED, text="Mark adjudicated")
