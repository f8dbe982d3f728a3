#!/usr/bin/env python3
"""Build a small demo database: the sample corpus with some labels on the first document.

Used to make the README screenshot (see README, "The annotation window"):
    .venv/bin/python tools/demo_database.py /tmp/demo.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python main.py --db /tmp/demo.db --annotator demo \\
        --screenshot docs/screenshot.png --open 01_市委常委会会议.txt
With --review, two annotators (amy, bob) label the first document differently and rita has begun to review it
(the README's review screenshot, "Review workflow"):
    .venv/bin/python tools/demo_database.py --review /tmp/review.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python main.py --db /tmp/review.db --annotator rita \\
        --screenshot docs/review.png --open 01_市委常委会会议.txt --review amy,bob
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotate import review  # noqa: E402
from annotate.edits import AddSpan, set_note  # noqa: E402
from annotate.spans import SpanStore  # noqa: E402
from corpus.sample import ensure_sample_corpus  # noqa: E402
from db import annotators, documents, labels  # noqa: E402
from db.engine import open_database  # noqa: E402
from db.models import Status  # noqa: E402

LABELS = {  # text to label in 01_市委常委会会议.txt, by label; nested and overlapping on purpose
    "SLOGAN": ["两个确立", "四个意识", "四个自信", "两个维护", "十项行动", "上热中温下冷", "形式主义、官僚主义"],
    "TASK": ["深刻领悟“两个确立”的决定性意义", "扎实推进高质量发展“十项行动”", "推动京津冀协同发展走深走实",
             "持续整治形式主义、官僚主义", "市委组织部要把推进“十项行动”的实绩作为考核干部的重要依据"],
    "INSTITUTION": ["市委常委会", "市发展改革委", "市工业和信息化局", "市科技局", "市委组织部", "市纪委监委"],
}


# What bob does differently from amy (who labels LABELS): other boundaries, other labels, spans only one has.
BOB_CHANGES = {
    "深刻领悟“两个确立”的决定性意义": ("TASK", "深刻领悟“两个确立”"),       # boundary
    "推动京津冀协同发展走深走实": ("TASK", "推动京津冀协同发展"),               # boundary
    "市委常委会": ("SLOGAN", "市委常委会"),                                    # label
    "上热中温下冷": None,                                                      # missing on bob's side
    "市科技局": None,
}
BOB_EXTRA = [("TASK", "扎实推进高质量发展"), ("INSTITUTION", "市委")]


def review_layers(database, document_id: int, text: str, ids: dict[str, int]) -> str:
    """amy and bob label the document (bob with BOB_CHANGES); rita accepts the agreed spans and decides two
    disagreements. Returns a summary."""
    store = SpanStore(database)
    with database.transaction() as session:
        who = {name: annotators.annotator_id(session, name) for name in ("amy", "bob")}
    for name in ("amy", "bob"):
        marks = []
        for label, phrases in LABELS.items():
            for phrase in phrases:
                change = BOB_CHANGES.get(phrase, (label, phrase)) if name == "bob" else (label, phrase)
                if change is not None:
                    marks.append(change)
        if name == "bob":
            marks += BOB_EXTRA
        for label, phrase in marks:
            start = text.find(phrase)
            if start >= 0:
                AddSpan(document_id, ids[label], who[name], start, start + len(phrase)).redo(store)
    state = review.load(database, document_id, ["amy", "bob"])
    review.accept_agreed(state, reviewer="rita").redo(store)
    first, third = state.disagreements[0], state.disagreements[2]   # the second stays open for the picture
    review.accept(state, first, "amy", reviewer="rita").redo(store)
    review.reject(state, third, reviewer="rita").redo(store)
    return f"amy and bob: {len(state.disagreements)} disagreements, 2 decided by rita"


def main(path: str, *, reviewed: bool = False) -> None:
    if Path(path).exists():
        raise SystemExit(f"{path} exists; give a new file")
    database = open_database(path)
    ensure_sample_corpus(database)
    with database.transaction() as session:
        (first,) = documents.ids_by_name(session, "01_市委常委会会议.txt")
        (second,) = documents.ids_by_name(session, "02_全会公报.txt")
        text = documents.text_of(session, first)
        ids = {label.name: label.id for label in labels.all_labels(session)}
        demo = annotators.annotator_id(session, "demo")
        documents.set_status(session, second, Status.DONE)
    if reviewed:
        summary = review_layers(database, first, text, ids)
        database.close()
        print(f"{path}: sample corpus; on 01_市委常委会会议.txt {summary}")
        return
    store = SpanStore(database)
    for label, phrases in LABELS.items():
        for phrase in phrases:
            start = text.find(phrase)
            while start >= 0:
                AddSpan(first, ids[label], demo, start, start + len(phrase)).redo(store)
                start = text.find(phrase, start + len(phrase)) if label == "SLOGAN" else -1
    noted = next(row for row in store.for_document(first) if text[row.start:row.end] == "上热中温下冷")
    set_note(noted.id, "喻指政策传导层层衰减").redo(store)
    with database.transaction() as session:
        documents.set_status(session, first, Status.IN_PROGRESS)
    database.close()
    print(f"{path}: sample corpus with {len(store.for_document(first))} spans on 01_市委常委会会议.txt")


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if argument != "--review"]
    main(arguments[0] if arguments else "demo.db", reviewed="--review" in sys.argv[1:])
