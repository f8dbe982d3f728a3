"""A small annotated corpus for export/import tests: the texts that break offsets, several annotators, a gold set.

Spans are placed by searching their text in the stored document, so every expected slice is written out here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from annotate.spans import SpanStore
from corpus.documents import store_text
from db import annotators, comments, documents, labels
from db.models import ReviewStatus, Status

# Windows line ends (stored as \n), a CJK Extension B character and an emoji before the spans that follow them.
CRLF_TEXT = ("关于学习贯彻“两个确立”的通知\r\n"
             "市委组织部𠀀、市工业和信息化局😀：\r\n"
             "推动京津冀协同发展走深走实。")
TRADITIONAL_TEXT = "市發展改革委介紹“十項行動”進展，堅決做到“兩個維護”。"
PLAIN_TEXT = "稳经济33条落地见效。"

# (document key, annotator, label, text of the span, occurrence, note)
SPANS = [
    ("crlf", "amy", "SLOGAN", "两个确立", 0, ""),
    ("crlf", "amy", "INSTITUTION", "市委组织部", 0, ""),
    ("crlf", "amy", "INSTITUTION", "市工业和信息化局", 0, "局, not 委"),
    ("crlf", "amy", "TASK", "推动京津冀协同发展走深走实", 0, ""),
    ("crlf", "amy", "SLOGAN", "京津冀协同发展", 0, "nested in the task"),
    ("crlf", "amy", "TASK", "😀：\n推动", 0, ""),  # crosses the emoji and the (CRLF-origin) line break
    ("crlf", "bob", "INSTITUTION", "市委组织部𠀀", 0, ""),
    ("crlf", "bob", "TASK", "推动京津冀协同发展", 0, ""),
    ("crlf", "bob", "SLOGAN", "协同发展走深走实", 0, ""),  # overlaps bob's task
    ("trad", "bob", "INSTITUTION", "市發展改革委", 0, ""),
    ("trad", "bob", "SLOGAN", "十項行動", 0, ""),
    ("trad", "bob", "SLOGAN", "兩個維護", 0, ""),
    ("trad", "amy", "SLOGAN", "十項行動", 0, ""),
    ("crlf", "gold", "SLOGAN", "两个确立", 0, ""),
    ("crlf", "gold", "INSTITUTION", "市委组织部", 0, ""),
]
PROVENANCE = {"reviewer": "rev", "decided_at": "2026-11-20T09:00:00+00:00", "from": ["amy", "bob"],
              "action": "accept"}


def occurrence(text: str, part: str, n: int = 0) -> int:
    at = -1
    for _ in range(n + 1):
        at = text.index(part, at + 1)
    return at


@dataclass
class Corpus:
    ids: dict[str, int] = field(default_factory=dict)       # document key -> id
    texts: dict[str, str] = field(default_factory=dict)     # document key -> stored text
    expected: dict[tuple[str, str], set] = field(default_factory=dict)  # (key, annotator) -> {(label, text)}


def build(database) -> Corpus:
    """Three documents (done, in progress, new), amy/bob/gold spans, notes, provenance and two comments."""
    corpus = Corpus()
    store = SpanStore(database)
    with database.transaction() as session:
        for key, name, text in (("crlf", "通知.txt", CRLF_TEXT), ("trad", "發佈會.txt", TRADITIONAL_TEXT),
                                ("plain", "稳经济.txt", PLAIN_TEXT)):
            corpus.ids[key], _ = store_text(session, name=name, text=text)
            corpus.texts[key] = documents.text_of(session, corpus.ids[key])
        documents.set_status(session, corpus.ids["crlf"], Status.DONE)
        documents.set_status(session, corpus.ids["trad"], Status.IN_PROGRESS)
        documents.set_review_status(session, corpus.ids["crlf"], ReviewStatus.ADJUDICATED)
        label_ids = {label.name: label.id for label in labels.all_labels(session)}
        people = {name: annotators.annotator_id(session, name) for name in ("amy", "bob", "gold", "rev")}
    rows = {}
    for key, who, label, part, n, note in SPANS:
        start = occurrence(corpus.texts[key], part, n)
        provenance = json.dumps(PROVENANCE) if who == "gold" else None
        rows[(key, who, part)] = store.add(document_id=corpus.ids[key], label_id=label_ids[label],
                                           annotator_id=people[who], start=start, end=start + len(part), note=note,
                                           provenance=provenance)
        corpus.expected.setdefault((key, who), set()).add((label, part))
    with database.transaction() as session:
        comments.add_comment(session, document_id=corpus.ids["crlf"], annotator_id=people["rev"],
                             text="标题里的引号要算进去吗？")
        comments.add_comment(session, document_id=corpus.ids["crlf"], annotator_id=people["rev"],
                             text="amy 与 bob 一致", span_id=rows[("crlf", "gold", "两个确立")].id)
    return corpus


def read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
