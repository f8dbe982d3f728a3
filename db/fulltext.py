"""Substring search over the corpus: which documents contain a term.

SQLite databases with FTS5 carry a trigram index (`documents_fts`, migration 0003). New documents
are queued in `documents_fts_pending` and indexed by `index_pending`, in the background; until
then they are scanned, so every answer is complete. Terms shorter than three characters have no
trigram: `documents_containing` scans for them with instr(), while `positions` reads them from the
trigrams they start (a range of the index's vocabulary) and the texts' last two characters.
Everything is scanned on a database without the index (another engine, or an SQLite built without
FTS5).

Answers are candidates: the trigram index folds case, so callers check each text for the exact
term (they read the texts anyway, to find the offsets).
"""

from __future__ import annotations

from typing import Iterator, Sequence

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from db.engine import Executor
from db.models import Document, Script

INDEX = "documents_fts"
PENDING = "documents_fts_pending"
INSTANCES = "documents_fts_instances"  # fts5vocab: (trigram, document, offset) of every trigram (migration 0004)
TRIGRAM = 3

_HAS_INDEX = text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (:index, :pending)")
_MATCH = text(f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH :query")
# The queue drives the lookup (an IN over rowids): only queued documents are read.
_PENDING_CONTAINING = text(
    f"SELECT id FROM documents WHERE id IN (SELECT id FROM {PENDING}) AND instr(text, :term) > 0")
_PENDING_COUNT = text(f"SELECT count(*) FROM {PENDING}")
_INDEX_CHUNK = text(
    f"INSERT INTO {INDEX} (rowid, text) SELECT id, text FROM documents "
    f"WHERE id IN (SELECT id FROM {PENDING} ORDER BY id LIMIT :limit)")
_DEQUEUE_CHUNK = text(f"DELETE FROM {PENDING} WHERE id IN (SELECT id FROM {PENDING} ORDER BY id LIMIT :limit)")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic comparisons: the index and its shadow tables live outside the ORM models."""
    return not (type_ == "table" and name is not None and name.startswith(INDEX))


def has_index(session: Executor) -> bool:
    if session.get_bind().dialect.name != "sqlite":
        return False
    return session.scalar(_HAS_INDEX, {"index": INDEX, "pending": PENDING}) == 2


def trigram_query(term: str) -> str:
    """An FTS5 query that every document containing `term` (3+ characters) matches."""
    grams = dict.fromkeys(term[i:i + TRIGRAM] for i in range(len(term) - TRIGRAM + 1))
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _scan(session: Executor, term: str) -> list[int]:
    if session.get_bind().dialect.name == "sqlite":
        condition = func.instr(Document.text, term) > 0
    else:
        condition = Document.text.contains(term, autoescape=True)
    return list(session.scalars(select(Document.id).where(condition).order_by(Document.id)))


def documents_containing(session: Executor, term: str) -> list[int]:
    """Ids (ascending) of documents that may contain `term`: a superset, never missing one."""
    if not term:
        return []
    if len(term) < TRIGRAM or not has_index(session):
        return _scan(session, term)
    found = set(session.scalars(_MATCH, {"query": trigram_query(term)}))
    found.update(session.scalars(_PENDING_CONTAINING, {"term": term}))
    return sorted(found)


_HAS_POSITIONS = text("SELECT count(*) FROM sqlite_master WHERE name = :instances")
_INSTANCES = text(f"SELECT doc, offset FROM {INSTANCES} WHERE term = :gram")
# Every trigram that starts with a shorter term: a range of the (binary-ordered) vocabulary.
_PREFIXED = text(f"SELECT doc, offset FROM {INSTANCES} WHERE term >= :low AND term < :high ORDER BY doc, offset")
# The last characters of each indexed text, which start no trigram (the bytes of the last 2 characters at most:
# a blob's tail is cut without reading the text as characters).
TAIL_BYTES = 8
_TAILS = text(
    f"SELECT id, length, substr(CAST(text AS BLOB), -{TAIL_BYTES}) FROM documents"
    f" WHERE instr(substr(CAST(text AS BLOB), -{TAIL_BYTES}), :term) > 0 AND id NOT IN (SELECT id FROM {PENDING})")
_PENDING_TEXTS = text(
    f"SELECT id, text FROM documents WHERE id IN (SELECT id FROM {PENDING}) AND instr(text, :term) > 0")


def positions(session: Executor, term: str) -> dict[int, list[int]] | None:
    """Where `term` occurs: {document id: [start offsets, ascending, non-overlapping]}, read from the
    index's positions without reading the indexed texts (queued documents are read). None when the
    index cannot answer exactly: no positions in this database, or letters with case (the index folds
    case).

    A term of three characters or more is where all its trigrams line up; a shorter one starts every
    trigram that begins with it (one range of the vocabulary), or lies in the last two characters of a
    text, where no trigram starts (read from the tails of the texts)."""
    if not term or term.lower() != term.upper() or not has_index(session):
        return None
    if not session.scalar(_HAS_POSITIONS, {"instances": INSTANCES}):
        return None
    found = _trigram_starts(session, term) if len(term) >= TRIGRAM else _short_starts(session, term)
    if found is None:
        return None
    result: dict[int, list[int]] = {}
    for doc, start in found:
        starts = result.setdefault(doc, [])
        if not starts or start >= starts[-1] + len(term):  # non-overlapping, like str.find
            starts.append(start)
    for doc, body in session.execute(_PENDING_TEXTS, {"term": term}):
        starts = result[doc] = []
        i = body.find(term)
        while i >= 0:
            starts.append(i)
            i = body.find(term, i + len(term))
    return result


def _trigram_starts(session: Executor, term: str) -> list[tuple[int, int]]:
    # Trigrams at 0, 3, 6, … and the last one cover every character of the term.
    steps = sorted(set(range(0, len(term) - TRIGRAM + 1, TRIGRAM)) | {len(term) - TRIGRAM})
    found: set[tuple[int, int]] | None = None
    for step in steps:
        at = {(doc, offset - step) for doc, offset in session.execute(_INSTANCES, {"gram": term[step:step + TRIGRAM]})}
        found = at if found is None else found & at
        if not found:
            break
    return sorted(found or ())


def _short_starts(session: Executor, term: str) -> list[tuple[int, int]] | None:
    following = ord(term[-1]) + 1
    following += 0x800 if 0xD800 <= following <= 0xDFFF else 0  # no surrogates in UTF-8
    if following > 0x10FFFF:
        return None
    prefixed = session.execute(_PREFIXED, {"low": term, "high": term[:-1] + chr(following)})
    found = [(doc, offset) for doc, offset in prefixed]
    endings = []
    for doc, length, tail in session.execute(_TAILS, {"term": term.encode("utf-8")}):
        ending = bytes(tail).decode("utf-8", "ignore")[-(TRIGRAM - 1):]  # a cut first character is dropped
        endings += [(doc, length - len(ending) + i) for i in range(len(ending) - len(term) + 1)
                    if ending.startswith(term, i)]
    return sorted(found + endings) if endings else found


_CONTEXTS = text(
    "SELECT substr(d.text, max(1, (h.value ->> 1) + 1 - :width), min(:width, h.value ->> 1)),"
    " substr(d.text, (h.value ->> 1) + 1 + (h.value ->> 2), :width)"
    " FROM json_each(:hits) h JOIN documents d ON d.id = (h.value ->> 0) ORDER BY h.key")


def contexts(session: Executor, hits: Sequence[tuple[int, int, int]], width: int) -> list[tuple[str, str]]:
    """(left, right) context of each (document, start, end), cut from the texts by the database."""
    import json

    found: list[tuple[str, str]] = []
    for i in range(0, len(hits), 2000):
        chunk = [(doc, start, end - start) for doc, start, end in hits[i:i + 2000]]
        found.extend(tuple(row) for row in session.execute(_CONTEXTS, {"hits": json.dumps(chunk), "width": width}))
    return found


def pending_count(session: Executor) -> int:
    return session.scalar(_PENDING_COUNT) if has_index(session) else 0


def index_pending(session: Executor, limit: int = 200) -> int:
    """Index up to `limit` queued documents; returns how many were queued before (0: up to date)."""
    queued = pending_count(session)
    if queued:
        session.execute(_INDEX_CHUNK, {"limit": limit})
        session.execute(_DEQUEUE_CHUNK, {"limit": limit})
    return queued


def document_ids(session: Executor) -> list[int]:
    return list(session.scalars(select(Document.id).order_by(Document.id)))


_TEXTS = (select(Document.id, Document.name, Document.script, Document.text)
          .where(Document.id.in_(bindparam("ids", expanding=True))).order_by(Document.id))


def texts(session: Session, document_ids: Sequence[int], chunk: int = 200
          ) -> Iterator[tuple[int, str, Script, str]]:
    """(id, name, script, text) of these documents in id order, a chunk at a time."""
    for i in range(0, len(document_ids), chunk):
        for row in session.execute(_TEXTS, {"ids": list(document_ids[i:i + chunk])}):
            yield tuple(row)
