#!/usr/bin/env python3
"""Build a demo database for the suggestions picture: the sample corpus, a few formulations labelled by hand
(their texts go into the lexicon, as in the window), one suggestion accepted, one rejected, and 十项行动
labelled inconsistently across documents so the concordance has something to flag.

    .venv/bin/python tools/demo_suggestions.py /tmp/suggestions.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python main.py --db /tmp/suggestions.db --annotator demo \\
        --screenshot docs/suggestions.png --open 03_专项督查通知.txt --concordance 十项行动
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotate.edits import AddSpan  # noqa: E402
from annotate.events import EventBus  # noqa: E402
from annotate.lexicon import LexiconOffers  # noqa: E402
from annotate.progress import DocumentProgress  # noqa: E402
from annotate.spans import SpanStore  # noqa: E402
from annotate.suggest import RejectSuggestions, Suggester, accept  # noqa: E402
from corpus.sample import ensure_sample_corpus  # noqa: E402
from db import annotators, documents, labels  # noqa: E402
from db.engine import open_database  # noqa: E402

BY_HAND = {  # document: [(text, label, which occurrence)]
    "01_市委常委会会议.txt": [("十项行动", "SLOGAN", 0), ("两个维护", "SLOGAN", 0), ("市委组织部", "INSTITUTION", 0),
                        ("推动京津冀协同发展走深走实", "TASK", 0)],
    "02_全会公报.txt": [("十项行动", "TASK", 0)],  # another label for the same formulation: an inconsistency
    "03_专项督查通知.txt": [("十项行动", "SLOGAN", 0), ("中共滨江市委办公室", "INSTITUTION", 0)],
}
ACCEPTED, REJECTED = "稳经济33条", "免申即享"  # in 03: one suggestion taken, one turned down


def main(path: str) -> None:
    if Path(path).exists():
        raise SystemExit(f"{path} exists; give a new file")
    database = open_database(path)
    ensure_sample_corpus(database)
    events = EventBus()
    LexiconOffers(database, events)  # labelling by hand offers each text to the lexicon (auto), as in the window
    DocumentProgress(database, events)  # and puts the document in progress
    store = SpanStore(database, events)
    with database.transaction() as session:
        ids = {label.name: label.id for label in labels.all_labels(session)}
        demo = annotators.annotator_id(session, "demo")
    for name, spans in BY_HAND.items():
        with database.session() as session:
            (document,) = documents.ids_by_name(session, name)
            text = documents.text_of(session, document)
        for phrase, label, nth in spans:
            start = -1
            for _ in range(nth + 1):
                start = text.index(phrase, start + 1)
            AddSpan(document, ids[label], demo, start, start + len(phrase)).redo(store)
    shown = Suggester(database).for_document(document, annotator_id=demo)
    accept(next(s for s in shown if s.text == ACCEPTED), demo).redo(store)
    RejectSuggestions([s for s in shown if s.text == REJECTED]).redo(store)
    database.close()
    print(f"{path}: sample corpus, {sum(map(len, BY_HAND.values()))} spans by hand, one suggestion accepted and "
          "one rejected")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "suggestions.db")
