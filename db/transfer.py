"""Bulk span reads and writes for export and import: a million spans without a million objects.

Rows travel as plain tuples in fixed column order. Reading streams in batches (memory flat in the number of
spans); writing compiles its INSERT once and converts the values that are the same on every row (origin,
timestamps) once, so the driver's executemany does the per-row work. SQLAlchemy's per-row bind processing
would otherwise cost more than SQLite's own insert.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Iterable, Iterator, Sequence

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from db.engine import Executor
from db.models import Document, Origin, Span, Status, utcnow

# (document_id, annotator_id, label_id, start, end, note, provenance, id)
EXPORT_COLUMNS = (Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end, Span.note,
                  Span.provenance, Span.id)
# (document_id, label_id, annotator_id, start, end, note, provenance)
INSERT_COLUMNS = ("document_id", "label_id", "annotator_id", "start", "end", "note", "provenance")
_CONSTANT_COLUMNS = ("origin", "created_at", "updated_at")


def _connection(session: Executor) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def read_snapshot(session: Executor) -> None:
    """Make every later read of this transaction see one moment of the database, whatever is committed
    meanwhile (an export must not meet a label or span younger than its document list). Call it first.

    SQLite through the sqlite3 module otherwise runs each SELECT in its own implicit transaction.
    """
    connection = _connection(session)
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _layer_filter(query, annotator_ids: Sequence[int] | None, statuses: Iterable[Status] | None):
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    if statuses is not None:
        # A subquery, not a join: SQLite keeps walking the spans index in document order instead of sorting.
        query = query.where(Span.document_id.in_(
            select(Document.id).where(Document.status.in_(list(statuses))).scalar_subquery()))
    return query


def count_layers(session: Executor, *, annotator_ids: Sequence[int] | None = None,
                 statuses: Iterable[Status] | None = None) -> int:
    return session.scalar(_layer_filter(select(func.count()).select_from(Span), annotator_ids, statuses)) or 0


def stream_layers(session: Executor, *, annotator_ids: Sequence[int] | None = None,
                  statuses: Iterable[Status] | None = None, batch: int = 20_000) -> Iterator[tuple]:
    """Spans as EXPORT_COLUMNS tuples, ordered by document then annotator (position order is the caller's).

    Reads in batches inside the caller's transaction, so the stream is one consistent snapshot.
    """
    query = _layer_filter(select(*EXPORT_COLUMNS), annotator_ids, statuses).order_by(
        Span.document_id, Span.annotator_id)
    connection = _connection(session)
    if connection.dialect.name != "sqlite":
        for rows in connection.execute(query.execution_options(yield_per=batch)).partitions():
            yield from rows
        return
    # sqlite3 cursors step through the result as it is read, and these columns need no conversion: reading the
    # DBAPI cursor directly skips building a Row per span, 40% of the cost of the read.
    result = connection.execute(query)
    try:
        while rows := result.cursor.fetchmany(batch):
            yield from rows
    finally:
        result.close()


def insert_spans(session: Executor, rows: Iterable[tuple], *, origin: Origin = Origin.IMPORTED,
                 chunk: int = 5_000) -> tuple[int, int]:
    """Insert INSERT_COLUMNS tuples, skipping exact duplicates (same document, annotator, label, start, end)
    already stored or earlier in `rows`. Returns (inserted, skipped)."""
    connection = _connection(session)
    dialect = connection.dialect
    statement = _dialect_insert(dialect.name)
    compiled = statement.compile(dialect=dialect)
    now = utcnow()
    constants = {name: _bind(dialect, name, value)
                 for name, value in zip(_CONSTANT_COLUMNS, (origin, now, now))}
    processors = [_processor(dialect, name) for name in INSERT_COLUMNS]
    order = list(compiled.positiontup) if compiled.positional else None
    sql = str(compiled)

    if order is not None:
        # Each parameter's place in the compiled statement, picked from the row followed by the constants.
        constant_names = [name for name in order if name not in INSERT_COLUMNS]
        constant_values = tuple(constants[name] for name in constant_names)
        pick = itemgetter(*[INSERT_COLUMNS.index(name) if name in INSERT_COLUMNS
                            else len(INSERT_COLUMNS) + constant_names.index(name) for name in order])

    def params(batch: list[tuple]):
        if any(processors):
            batch = [tuple(p(v) if p else v for p, v in zip(processors, row)) for row in batch]
        if order is None:
            return [{**dict(zip(INSERT_COLUMNS, row)), **constants} for row in batch]
        return [pick(row + constant_values) for row in batch]

    inserted = attempted = 0
    pending: list[tuple] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= chunk:
            inserted += connection.exec_driver_sql(sql, params(pending)).rowcount
            attempted += len(pending)
            pending = []
    if pending:
        inserted += connection.exec_driver_sql(sql, params(pending)).rowcount
        attempted += len(pending)
    return inserted, attempted - inserted


def _dialect_insert(dialect_name: str):
    names = INSERT_COLUMNS + _CONSTANT_COLUMNS
    values = {name: bindparam(name) for name in names}
    if dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        raise NotImplementedError(f"bulk span import is not implemented for {dialect_name}")
    return dialect_insert(Span).values(values).on_conflict_do_nothing()


def _processor(dialect, name: str):
    return Span.__table__.c[name].type.dialect_impl(dialect).bind_processor(dialect)


def _bind(dialect, name: str, value):
    processor = _processor(dialect, name)
    return processor(value) if processor else value
