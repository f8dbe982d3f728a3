#!/usr/bin/env python3
"""Build a small demo database: the sample corpus with some labels on the first document.

Used to make the README screenshot (see README, "The annotation window"):
    .venv/bin/python tools/demo_database.py /tmp/demo.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python main.py --db /tmp/demo.db --annotator demo \\
        --screenshot docs/screenshot.png --open 01_市委常委会会议.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def main(path: str) -> None:
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
    main(sys.argv[1] if len(sys.argv) > 1 else "demo.db")
