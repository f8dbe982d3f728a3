"""Data access for documents. Functions take the caller's session and never commit."""

from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import Integer, and_, bindparam, column, func, insert, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from db import fulltext
from db.engine import Executor
from db.models import Document, Origin, ReviewStatus, Script, Span, Status


class DocumentInfo(NamedTuple):
    """What lists and reports need about a document, without its text."""

    id: int
    name: str
    length: int
    script: Script
    status: Status
    review_status: ReviewStatus


_INFO_COLUMNS = (Document.id, Document.name, Document.length, Document.script, Document.status,
                 Document.review_status)


def add_document(session: Session, *, name: str, text: str, content_hash: str, script: Script,
                 source_path: str | None = None) -> int:
    document = Document(name=name, text=text, length=len(text), content_hash=content_hash,
                        script=script, source_path=source_path)
    session.add(document)
    session.flush()
    return document.id


def add_documents(session: Session, rows: Sequence[dict]) -> list[int]:
    """Insert many documents with one executemany (import); each row has add_document's keyword arguments
    and a content hash no stored document has. Returns the new ids in the order of `rows`."""
    if not rows:
        return []
    # No RETURNING: SQLite cannot promise its order, so SQLAlchemy would insert row by row.
    session.execute(insert(Document.__table__), [dict(row, length=len(row["text"])) for row in rows])
    ids = ids_by_hash(session, [row["content_hash"] for row in rows])
    return [ids[row["content_hash"]] for row in rows]


def all_hashes(session: Session) -> dict[str, int]:
    """Every stored content hash and its document id (import does not segment texts it already has)."""
    return dict(session.execute(select(Document.content_hash, Document.id)).all())


def ids_by_hash(session: Session, hashes: Iterable[str]) -> dict[str, int]:
    """Which of these content hashes are stored already, and under which document id."""
    found: dict[str, int] = {}
    wanted = list(set(hashes))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        found.update(session.execute(
            select(Document.content_hash, Document.id).where(Document.content_hash.in_(chunk))).all())
    return found


_LENGTH = select(Document.length).where(Document.id == bindparam("document_id"))


def length_of(session: Executor, document_id: int) -> int:
    """Length of the stored text in code points (without loading the text)."""
    length = session.scalar(_LENGTH, {"document_id": document_id})
    if length is None:
        raise LookupError(f"no document with id {document_id}")
    return length


def text_of(session: Session, document_id: int) -> str:
    text = session.scalar(select(Document.text).where(Document.id == document_id))
    if text is None:
        raise LookupError(f"no document with id {document_id}")
    return text


def info(session: Session, document_id: int) -> DocumentInfo:
    row = session.execute(select(*_INFO_COLUMNS).where(Document.id == document_id)).one_or_none()
    if row is None:
        raise LookupError(f"no document with id {document_id}")
    return DocumentInfo(*row)


def infos(session: Session, document_ids: Sequence[int]) -> list[DocumentInfo]:
    """Rows for these ids, in the order given (ids that do not exist are left out)."""
    rows: dict[int, DocumentInfo] = {}
    for i in range(0, len(document_ids), 500):
        chunk = document_ids[i:i + 500]
        for row in session.execute(select(*_INFO_COLUMNS).where(Document.id.in_(chunk))):
            rows[row[0]] = DocumentInfo(*row)
    return [rows[i] for i in document_ids if i in rows]


def all_infos(session: Session, *, statuses: Iterable[Status] | None = None,
              review_statuses: Iterable[ReviewStatus] | None = None) -> list[DocumentInfo]:
    query = _matching(session, select(*_INFO_COLUMNS), None, statuses, review_statuses).order_by(Document.id)
    return [DocumentInfo(*row) for row in session.execute(query)]


def ids_by_name(session: Session, name: str) -> list[int]:
    return list(session.scalars(select(Document.id).where(Document.name == name).order_by(Document.id)))


def set_status(session: Session, document_id: int, status: Status, *, only_from: Status | None = None) -> bool:
    """Set the status; with `only_from`, only if it is that now, decided by the database in the same statement,
    so a teammate's change made meanwhile is never overwritten. Returns whether it changed."""
    query = update(Document).where(Document.id == document_id).values(status=status)
    if only_from is not None:
        query = query.where(Document.status == only_from)
    return session.execute(query).rowcount > 0


_RESTART = update(Document).where(
    Document.id == bindparam("document_id"), Document.status == Status.IN_PROGRESS,
    ~select(Span.id).where(Span.document_id == bindparam("document_id"),
                           Span.origin.in_([Origin.MANUAL, Origin.SUGGESTED])).exists()).values(status=Status.NEW)


def restart_if_unlabelled(session: Session, document_id: int) -> bool:
    """In progress → new when no span an annotator made is left (their first label undone; imported spans did not
    start it and do not keep it), in one statement so that a span a teammate adds meanwhile keeps it in
    progress. Returns whether it changed."""
    return session.execute(_RESTART, {"document_id": document_id}).rowcount > 0


def set_review_status(session: Session, document_id: int, status: ReviewStatus, *,
                      only_from: ReviewStatus | None = None) -> bool:
    """Set the review status; `only_from` as in set_status. Returns whether it changed."""
    query = update(Document).where(Document.id == document_id).values(review_status=status)
    if only_from is not None:
        query = query.where(Document.review_status == only_from)
    return session.execute(query).rowcount > 0


def span_counts(session: Session, document_ids: Sequence[int] | None = None,
                annotator_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Number of spans per document (all annotators unless some are given)."""
    query = select(Span.document_id, func.count()).group_by(Span.document_id)
    if document_ids is not None:
        query = query.where(Span.document_id.in_(list(document_ids)))
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    return dict(session.execute(query).all())


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document)) or 0


def status_counts(session: Session) -> dict[Status, int]:
    return dict(session.execute(select(Document.status, func.count()).group_by(Document.status)).all())


def _contains(session: Session, forms: Sequence[str]):
    """Documents whose text contains one of `forms` (a term in each script): through the trigram index
    (db.fulltext) when there is one, so a 100,000-document corpus is not scanned; one index query for all the
    forms gives candidates, the exact test keeps true matches."""
    exact = or_(*(Document.text.contains(form, autoescape=True) for form in forms))
    if min(map(len, forms)) < fulltext.TRIGRAM or not fulltext.has_index(session):
        return exact
    either = " OR ".join(f"({fulltext.trigram_query(form)})" for form in forms)
    indexed = sql_text(f"SELECT rowid FROM {fulltext.INDEX} WHERE {fulltext.INDEX} MATCH :fts_query") \
        .bindparams(fts_query=either).columns(column("rowid", Integer))
    pending = sql_text(f"SELECT id FROM {fulltext.PENDING}").columns(column("id", Integer))
    return and_(or_(Document.id.in_(indexed), Document.id.in_(pending)), exact)


def _matching(session: Session, query, text: str | Sequence[str] | None, statuses: Iterable[Status] | None,
              review_statuses: Iterable[ReviewStatus] | None = None):
    """Narrow a document query to a name or full-text match (of `text`, or of any of several forms of it, such
    as its simplified and traditional spellings), to some statuses and to some review statuses."""
    forms = [text] if isinstance(text, str) else [form for form in text or () if form]
    if forms:
        named = or_(*(Document.name.icontains(form, autoescape=True) for form in forms))
        query = query.where(or_(named, _contains(session, forms)))
    if statuses is not None:
        query = query.where(Document.status.in_(list(statuses)))
    if review_statuses is not None:
        query = query.where(Document.review_status.in_(list(review_statuses)))
    return query


def page(session: Session, *, after_id: int | None = None, limit: int = 500, text: str | Sequence[str] | None = None,
         statuses: Iterable[Status] | None = None,
         review_statuses: Iterable[ReviewStatus] | None = None) -> list[DocumentInfo]:
    """The next `limit` documents in id order after `after_id` that match (name or text contains `text`)."""
    query = _matching(session, select(*_INFO_COLUMNS), text, statuses, review_statuses)
    if after_id is not None:
        query = query.where(Document.id > after_id)
    return [DocumentInfo(*row) for row in session.execute(query.order_by(Document.id).limit(limit))]


def count_matching(session: Session, *, text: str | Sequence[str] | None = None,
                   statuses: Iterable[Status] | None = None,
                   review_statuses: Iterable[ReviewStatus] | None = None) -> int:
    return session.scalar(_matching(session, select(func.count()).select_from(Document), text, statuses,
                                    review_statuses)) or 0


def next_unfinished(session: Session, after_id: int | None = None) -> int | None:
    """The first document not done after `after_id`, wrapping around to the start; None when all are done."""
    unfinished = select(Document.id).where(Document.status != Status.DONE).order_by(Document.id).limit(1)
    if after_id is not None:
        found = session.scalar(unfinished.where(Document.id > after_id))
        if found is not None:
            return found
        return session.scalar(unfinished.where(Document.id < after_id))
    return session.scalar(unfinished)
