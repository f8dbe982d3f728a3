"""Data access for spans. Range checks against the text belong to the domain (annotate.spans)."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from db.engine import Executor
from db.models import Origin, Span, utcnow


class SpanRow(NamedTuple):
    id: int
    document_id: int
    label_id: int
    annotator_id: int
    start: int
    end: int
    origin: Origin
    note: str
    provenance: str | None = None


_COLUMNS = (Span.id, Span.document_id, Span.label_id, Span.annotator_id, Span.start, Span.end, Span.origin,
            Span.note, Span.provenance)
_SELECTED = ", ".join(f's."{c.key}"' for c in _COLUMNS)
# Built once: constructing a statement per edit costs more than executing it.
_INSERT = insert(Span).returning(Span.id)
_GET = select(*_COLUMNS).where(Span.id == bindparam("span_id"))
_DELETE = delete(Span).where(Span.id == bindparam("span_id"))


def insert_span(session: Executor, *, document_id: int, label_id: int, annotator_id: int, start: int, end: int,
                origin: Origin = Origin.MANUAL, note: str = "", provenance: str | None = None,
                span_id: int | None = None) -> SpanRow:
    """Insert one span; `span_id` restores a removed span under its old id (undo)."""
    values = dict(document_id=document_id, label_id=label_id, annotator_id=annotator_id, start=start, end=end,
                  origin=origin, note=note, provenance=provenance)
    if span_id is not None:
        values["id"] = span_id
    new_id = session.execute(_INSERT, values).scalar_one()
    return SpanRow(new_id, document_id, label_id, annotator_id, start, end, origin, note, provenance)


def get(session: Executor, span_id: int) -> SpanRow | None:
    row = session.execute(_GET, {"span_id": span_id}).one_or_none()
    return SpanRow(*row) if row else None


def find_exact(session: Executor, *, document_id: int, label_id: int, annotator_id: int, start: int,
               end: int) -> int | None:
    return session.scalar(select(Span.id).where(
        Span.document_id == document_id, Span.label_id == label_id, Span.annotator_id == annotator_id,
        Span.start == start, Span.end == end))


def delete_span(session: Executor, span_id: int) -> None:
    session.execute(_DELETE, {"span_id": span_id})


@lru_cache(maxsize=16)
def _update(columns: tuple[str, ...]):
    """UPDATE of these columns, built once per set of columns (a relabel, a note, a resize)."""
    return update(Span).where(Span.id == bindparam("span_id")).values(
        updated_at=bindparam("new_updated_at"), **{name: bindparam(f"new_{name}") for name in columns})


def update_span(session: Executor, span_id: int, **values) -> None:
    session.execute(_update(tuple(sorted(values))), {"span_id": span_id, "new_updated_at": utcnow(),
                                                     **{f"new_{name}": value for name, value in values.items()}})


def for_document(session: Session, document_id: int, annotator_ids: Sequence[int] | None = None) -> list[SpanRow]:
    """All spans of a document (of some annotators), in text order."""
    query = select(*_COLUMNS).where(Span.document_id == document_id)
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    query = query.order_by(Span.start, Span.end, Span.label_id, Span.id)
    return [SpanRow(*row) for row in session.execute(query)]


_NOTES = select(Span.id, Span.note).where(Span.document_id == bindparam("document_id"), Span.note != "")


def notes(session: Executor, document_id: int) -> dict[int, str]:
    """The notes of a document's spans, by span id (most spans have none: this reads only those that do)."""
    return dict(session.execute(_NOTES, {"document_id": document_id}).all())


def iter_spans(session: Session, *, document_ids: Sequence[int] | None = None,
               annotator_ids: Sequence[int] | None = None, batch: int = 10_000) -> Iterator[SpanRow]:
    """Stream spans ordered by document, annotator and position without loading them all."""
    query = select(*_COLUMNS)
    if document_ids is not None:
        query = query.where(Span.document_id.in_(list(document_ids)))
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    query = query.order_by(Span.document_id, Span.annotator_id, Span.start, Span.end, Span.label_id)
    result = session.execute(query.execution_options(yield_per=batch))
    for row in result:
        yield SpanRow(*row)


def overlapping(session: Session, places: Sequence[tuple[int, int, int]], *,
                annotator_ids: Sequence[int] | None = None, chunk: int = 5000) -> Iterator[SpanRow]:
    """Each span that overlaps one of `places` ((document id, start, end)), once. What a concordance needs
    to tell how its occurrences are labelled, without reading every span of every document they are in.
    The places are written into the statement as integers (bound one by one, compiling the statement
    took 20 times longer than running it)."""
    seen: set[int] = set()
    who = "" if annotator_ids is None else f" AND s.annotator_id IN ({','.join(str(int(a)) for a in annotator_ids)})"
    for first in range(0, len(places), chunk):
        rows = ",".join(f"({int(d)},{int(a)},{int(b)})" for d, a, b in places[first:first + chunk])
        if not rows:
            continue
        query = text(f'WITH places(document_id, start, "end") AS (VALUES {rows}) SELECT {_SELECTED} FROM spans s '
                     f'JOIN places p ON s.document_id = p.document_id AND s.start < p."end" AND s."end" > p.start'
                     f"{who}").columns(*(Span.__table__.c[c.key] for c in _COLUMNS))
        for row in session.execute(query):
            if row[0] not in seen:
                seen.add(row[0])
                yield SpanRow(*row)


def bulk_insert(session: Session, rows: Iterable[dict]) -> int:
    """Insert many spans with one executemany per chunk; each dict has Span's column names."""
    total = 0
    chunk: list[dict] = []
    now = utcnow()
    for row in rows:
        row.setdefault("created_at", now)
        row.setdefault("updated_at", now)
        row.setdefault("note", "")
        chunk.append(row)
        if len(chunk) >= 5000:
            session.execute(insert(Span), chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        session.execute(insert(Span), chunk)
        total += len(chunk)
    return total


def count(session: Session, annotator_ids: Sequence[int] | None = None) -> int:
    query = select(func.count()).select_from(Span)
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    return session.scalar(query) or 0


def counts_by_label(session: Session) -> dict[int, int]:
    return dict(session.execute(select(Span.label_id, func.count()).group_by(Span.label_id)).all())


_INSERT_MANY = insert(Span).returning(Span.id, sort_by_parameter_order=True)


def insert_many(session: Executor, rows: Sequence[dict]) -> list[int]:
    """Insert spans (dicts of Span's columns, `id` optional to restore) and return their ids in order."""
    ids: list[int] = []
    now = utcnow()
    for i in range(0, len(rows), 5000):
        chunk = [{"note": "", "provenance": None, "created_at": now, "updated_at": now, **row}
                 for row in rows[i:i + 5000]]
        ids.extend(session.execute(_INSERT_MANY, chunk).scalars())
    return ids


def get_many(session: Executor, span_ids: Sequence[int]) -> list[SpanRow]:
    found: list[SpanRow] = []
    for i in range(0, len(span_ids), 500):
        query = select(*_COLUMNS).where(Span.id.in_(list(span_ids[i:i + 500])))
        found.extend(SpanRow(*row) for row in session.execute(query))
    return found


def delete_many(session: Executor, span_ids: Sequence[int]) -> None:
    for i in range(0, len(span_ids), 500):
        session.execute(delete(Span).where(Span.id.in_(list(span_ids[i:i + 500]))))
