"""Precision and recall of the suggestions against the gold set (tests/data/suggestions/gold.jsonl).

    python bench/eval_suggestions.py [--seeds DIR]

Three measurements, exact matches of (label, start, end):
1. rules alone, per rule and together, on an empty lexicon (what a new project gets);
2. lexicon transfer: the gold terms of one document in the lexicon (as labelling it would have
   left them there), suggestions on the other;
3. an annotator working through each document from the top with offers on (the default): how
   many gold spans were already suggested when reached (clicks saved), and how many wrong
   suggestions were shown on the way.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotate import lexicon, rules  # noqa: E402
from annotate.suggest import Suggester  # noqa: E402
from corpus.documents import store_text  # noqa: E402
from corpus.script import t2s  # noqa: E402
from db import labels  # noqa: E402
from db.engine import Database, open_database  # noqa: E402

GOLD = ROOT / "tests" / "data" / "suggestions" / "gold.jsonl"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
LABELS = ("SLOGAN", "INSTITUTION")

Item = tuple[str, int, int]  # label, start, end


def load_gold(path: Path = GOLD) -> dict[str, set[Item]]:
    gold: dict[str, set[Item]] = defaultdict(set)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            gold[row["doc"]].add((row["label"], row["start"], row["end"]))
    return dict(gold)


def gold_texts(path: Path = GOLD) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = defaultdict(list)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            rows[row["doc"]].append(row)
    return dict(rows)


@dataclass(frozen=True)
class Score:
    true: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.gold if self.gold else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(self.true + other.true, self.predicted + other.predicted, self.gold + other.gold)

    def __str__(self) -> str:
        return (f"P {self.precision:.3f} ({self.true}/{self.predicted})  "
                f"R {self.recall:.3f} ({self.true}/{self.gold})")


def score(predicted: set[Item], gold: set[Item], label: str | None = None) -> Score:
    if label is not None:
        predicted = {p for p in predicted if p[0] == label}
        gold = {g for g in gold if g[0] == label}
    return Score(len(predicted & gold), len(predicted), len(gold))


class Workbench:
    """The gold documents in a scratch database, and suggestions for them."""

    def __init__(self, seeds: Path, folder: Path, gold: dict[str, set[Item]]):
        self.gold = gold
        self.database: Database = open_database(str(folder / "eval.db"))
        with self.database.transaction() as session:
            self.ids = {name: store_text(session, name=name, text=(seeds / name).read_text(encoding="utf-8"))[0]
                        for name in gold}
            self.label_ids = {label.name: label.id for label in labels.all_labels(session)}
        self.names = {i: name for name, i in self.label_ids.items()}

    def predicted(self, name: str) -> set[Item]:
        suggestions = Suggester(self.database).for_document(self.ids[name])
        return {(self.names[s.label_id], s.start, s.end) for s in suggestions}

    def only_rules(self, enabled: set[str]) -> None:
        with self.database.transaction() as session:
            for rule in rules.BUILTIN:
                rules.set_enabled(session, rule.name, rule.name in enabled)

    def clear_lexicon(self) -> None:
        for entry in lexicon.all_entries(self.database):
            lexicon.remove_entry(self.database, entry.id)

    def learn(self, name: str, spans: set[Item]) -> None:
        """Put the text of these spans in the lexicon, as offers from labelling them would."""
        text = self.text(name)
        for label, start, end in spans:
            lexicon.add_entry(self.database, t2s(text[start:end]), self.label_ids[label])

    def text(self, name: str) -> str:
        from db import documents

        with self.database.session() as session:
            return documents.text_of(session, self.ids[name])

    def close(self) -> None:
        self.database.close()


def rules_alone(bench: Workbench, *, each: bool = True) -> dict[str, dict[str, Score]]:
    """Per rule (each alone) and all rules together: {rule: {label: Score}}."""
    results = {}
    everything = {rule.name for rule in rules.BUILTIN}
    for name in [rule.name for rule in rules.BUILTIN if each] + ["all rules"]:
        bench.only_rules(everything if name == "all rules" else {name})
        per_label: dict[str, Score] = {}
        for label in LABELS:
            per_label[label] = sum((score(bench.predicted(doc), gold, label) for doc, gold in bench.gold.items()),
                                   Score(0, 0, 0))
        results[name] = per_label
    bench.only_rules(everything)
    return results


def transfer(bench: Workbench) -> dict[str, dict[str, Score]]:
    """Lexicon learned from the other gold document, rules on: {target doc: {label: Score}}."""
    results = {}
    for target in bench.gold:
        bench.clear_lexicon()
        for source, spans in bench.gold.items():
            if source != target:
                bench.learn(source, spans)
        predicted = bench.predicted(target)
        results[target] = {label: score(predicted, bench.gold[target], label) for label in LABELS}
    bench.clear_lexicon()
    return results


@dataclass(frozen=True)
class Walk:
    gold: int
    suggested: int      # gold spans shown as a suggestion when the annotator reached them
    wrong_shown: int    # distinct wrong suggestions shown on the way (each costs a Backspace, or is ignored)


def walk(bench: Workbench) -> dict[str, Walk]:
    """Labelling each document from the top with offers on: the lexicon grows span by span."""
    from annotate.spans import SpanStore

    results = {}
    with bench.database.transaction() as session:
        from db import annotators

        amy = annotators.annotator_id(session, "amy")
    store = SpanStore(bench.database)
    for name, gold in bench.gold.items():
        bench.clear_lexicon()
        suggested = 0
        wrong: set[Item] = set()
        for label, start, end in sorted(gold, key=lambda g: (g[1], -g[2])):
            shown = bench.predicted(name) - _labelled(store, bench, name)
            wrong |= {s for s in shown if s not in gold and s[1] < end}  # passed on the way here
            if (label, start, end) in shown:
                suggested += 1
            store.add(document_id=bench.ids[name], label_id=bench.label_ids[label], annotator_id=amy,
                      start=start, end=end)
            bench.learn(name, {(label, start, end)})
        wrong |= {s for s in bench.predicted(name) - _labelled(store, bench, name) if s not in gold}  # to the end
        results[name] = Walk(len(gold), suggested, len(wrong))
        for row in store.for_document(bench.ids[name]):
            store.remove(row.id)
    bench.clear_lexicon()
    return results


def _labelled(store, bench: Workbench, name: str) -> set[Item]:
    return {(bench.names[r.label_id], r.start, r.end) for r in store.for_document(bench.ids[name])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    args = parser.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"seed corpus not found at {args.seeds}", file=sys.stderr)
        return 1
    gold = load_gold()
    with tempfile.TemporaryDirectory() as folder:
        bench = Workbench(args.seeds, Path(folder), gold)
        try:
            print("1. rules alone (empty lexicon), both documents, exact matches")
            for name, per_label in rules_alone(bench).items():
                for label, result in per_label.items():
                    if result.predicted or name == "all rules":
                        print(f"   {name:20} {label:12} {result}")
                if name == "all rules":
                    print(f"   {name:20} {'both labels':12} {sum(per_label.values(), Score(0, 0, 0))}")
            print("2. lexicon learned from the other document + rules")
            for target, per_label in transfer(bench).items():
                for label, result in per_label.items():
                    print(f"   {target[:3]:20} {label:12} {result}")
            print("3. labelling from the top, offers on: gold spans already suggested when reached")
            for name, result in walk(bench).items():
                print(f"   {name[:3]:20} {result.suggested}/{result.gold} ({result.suggested / result.gold:.0%}) "
                      f"already suggested when reached (Enter instead of select + key), "
                      f"{result.wrong_shown} wrong suggestions shown")
        finally:
            bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
