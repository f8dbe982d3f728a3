"""Bulk span reads and writes for export and import: a million spans without a million objects.

Rows travel as plain tuples in fixed column order. Reading streams in batches (memory flat in the number of
spans); writing compiles its INSERT once and converts the values that are the same on every row (origin,
timestamps) once, so the driver's executemany does the per-row work. SQLAlchemy's per-row bind processing
would otherwise cost more than SQLite's own insert.

An import gathers its checked rows in an ImportSpool first: temporary tables of one connection, which other
programs never wait for. Only then does it take the write lock, once, for one INSERT … SELECT that the
database runs without a Python call per row (about three times the speed of an executemany), so the window's
edits wait seconds at most while a million spans go in.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from operator import itemgetter
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import (Column, Connection, Engine, Integer, MetaData, Table, Text, and_, bindparam, func, literal,
                        select, true)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from db import documents
from db.engine import BUSY_TIMEOUT_MS, Executor, conflict_insert, serialize_imports
from db.models import Document, Origin, ReviewStatus, Script, Span, Status, utcnow

# (document_id, annotator_id, label_id, start, end, note, provenance, id)
EXPORT_COLUMNS = (Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end, Span.note,
                  Span.provenance, Span.id)
# (document_id, label_id, annotator_id, start, end, note, provenance)
INSERT_COLUMNS = ("document_id", "label_id", "annotator_id", "start", "end", "note", "provenance")
_CONSTANT_COLUMNS = ("origin", "created_at", "updated_at")
# How many rows an INSERT added is kept only on request (psycopg forgets it when SQLAlchemy closes the cursor).
_ROWCOUNT = {"preserve_rowcount": True}


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


def _layer_filter(query, annotator_ids: Sequence[int] | None, statuses: Iterable[Status] | None,
                  review_statuses: Iterable[ReviewStatus] | None = None):
    if annotator_ids is not None:
        query = query.where(Span.annotator_id.in_(list(annotator_ids)))
    if statuses is not None or review_statuses is not None:
        # A subquery, not a join: SQLite keeps walking the spans index in document order instead of sorting.
        chosen = select(Document.id)
        if statuses is not None:
            chosen = chosen.where(Document.status.in_(list(statuses)))
        if review_statuses is not None:
            chosen = chosen.where(Document.review_status.in_(list(review_statuses)))
        query = query.where(Span.document_id.in_(chosen.scalar_subquery()))
    return query


def count_layers(session: Executor, *, annotator_ids: Sequence[int] | None = None,
                 statuses: Iterable[Status] | None = None,
                 review_statuses: Iterable[ReviewStatus] | None = None) -> int:
    query = _layer_filter(select(func.count()).select_from(Span), annotator_ids, statuses, review_statuses)
    return session.scalar(query) or 0


def stream_layers(session: Executor, *, annotator_ids: Sequence[int] | None = None,
                  statuses: Iterable[Status] | None = None, review_statuses: Iterable[ReviewStatus] | None = None,
                  batch: int = 20_000) -> Iterator[tuple]:
    """Spans as EXPORT_COLUMNS tuples, ordered by document then annotator (position order is the caller's).

    Reads in batches inside the caller's transaction, so the stream is one consistent snapshot.
    """
    query = _layer_filter(select(*EXPORT_COLUMNS), annotator_ids, statuses, review_statuses).order_by(
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
            inserted += connection.exec_driver_sql(sql, params(pending), execution_options=_ROWCOUNT).rowcount
            attempted += len(pending)
            pending = []
    if pending:
        inserted += connection.exec_driver_sql(sql, params(pending), execution_options=_ROWCOUNT).rowcount
        attempted += len(pending)
    return inserted, attempted - inserted


def _dialect_insert(dialect_name: str):
    values = {name: bindparam(name) for name in INSERT_COLUMNS + _CONSTANT_COLUMNS}
    return conflict_insert(dialect_name, Span).values(values).on_conflict_do_nothing()


def _processor(dialect, name: str):
    return Span.__table__.c[name].type.dialect_impl(dialect).bind_processor(dialect)


def _bind(dialect, name: str, value):
    processor = _processor(dialect, name)
    return processor(value) if processor else value


# -- import: checked rows wait in temporary tables, then one short write -----------------------------------------

WRITE_WAIT_MS = 120_000  # how long an import waits for another program's write to finish before it gives up
DOCUMENT, LABEL, ANNOTATOR = 0, 1, 2  # kinds of key in the spool

_SPOOL = MetaData()
_SPOOL_DOCUMENTS = Table(
    "zhubi_import_documents", _SPOOL, Column("key", Integer, primary_key=True), Column("content_hash", Text),
    Column("name", Text), Column("text", Text), Column("script", Text), Column("status", Text),
    Column("review_status", Text), Column("source_path", Text), prefixes=["TEMPORARY"])
_SPOOL_SPANS = Table(
    "zhubi_import_spans", _SPOOL, Column("document_key", Integer), Column("label_key", Integer),
    Column("annotator_key", Integer), Column("start", Integer), Column("end", Integer), Column("note", Text),
    Column("provenance", Text), prefixes=["TEMPORARY"])
_SPOOL_KEYS = Table(
    "zhubi_import_keys", _SPOOL, Column("kind", Integer, primary_key=True), Column("key", Integer, primary_key=True),
    Column("id", Integer), prefixes=["TEMPORARY"])
# (key, content_hash, name, text, script, status, review_status, source_path)
SPOOL_DOCUMENT_COLUMNS = tuple(column.name for column in _SPOOL_DOCUMENTS.c)
# (document_key, label_key, annotator_key, start, end, note, provenance)
SPOOL_SPAN_COLUMNS = tuple(column.name for column in _SPOOL_SPANS.c)


class Interrupted(Exception):
    """The spool's write was cancelled; its transaction was rolled back."""


class ImportSpool:
    """Rows of an import on their way in, held by one connection of the database.

    Documents, spans and keys go into temporary tables (invisible to other connections, and writing them takes
    no lock on the database); labels, annotators and documents are referred to by keys the caller chose, which
    `write` maps to ids inside the one transaction that also inserts the spans, so what was found then is what
    the spans point at. Use as a context manager: closing drops the tables, whatever happened.
    """

    def __init__(self, engine: Engine):
        self.connection = engine.connect()
        self.sqlite = self.connection.dialect.name == "sqlite"
        try:
            _SPOOL.drop_all(self.connection)  # left over by a spool that could not clean up
            _SPOOL.create_all(self.connection)
            self.connection.commit()
        except BaseException:
            self.connection.close()
            raise
        self._add_documents = _executemany_statement(self.connection, _SPOOL_DOCUMENTS, SPOOL_DOCUMENT_COLUMNS)
        self._add_spans = _executemany_statement(self.connection, _SPOOL_SPANS, SPOOL_SPAN_COLUMNS)
        self._add_keys = _executemany_statement(self.connection, _SPOOL_KEYS, ("kind", "key", "id"))
        self.spans = 0

    def __enter__(self) -> ImportSpool:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        connection = self.connection
        try:
            connection.rollback()
            _SPOOL.drop_all(connection)
            connection.commit()
        except Exception:  # noqa: BLE001 - the tables go with the connection: never hand it back with them
            connection.invalidate()
        finally:
            connection.close()

    def stored_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these texts the database holds (a hint, maybe from the first call's snapshot: `write`
        decides again)."""
        return set(documents.ids_by_hash(self.connection, hashes))

    def add(self, document_rows: Sequence[tuple], span_rows: Sequence[tuple]) -> None:
        """Documents as SPOOL_DOCUMENT_COLUMNS tuples (script None: not worked out, see `write`), spans as
        SPOOL_SPAN_COLUMNS tuples. Written to the temporary tables only, in a transaction that `write` commits
        before it begins its own: the write never works from a snapshot taken while the file was read."""
        if document_rows:
            self._add_documents(document_rows)
        if span_rows:
            self._add_spans(span_rows)
            self.spans += len(span_rows)

    @contextmanager
    def write(self) -> Iterator[SpoolWriter]:
        """The one write transaction: waits up to WRITE_WAIT_MS for other writers, commits when the block ends
        without an exception and rolls back otherwise (nothing of the import is then in the database)."""
        connection = self.connection
        connection.commit()
        if self.sqlite:
            # BEGIN IMMEDIATE takes the write lock now, waiting for others; a deferred BEGIN could read first and
            # then fail at its first write without waiting, when another program wrote in between.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        else:
            # PostgreSQL: only another import is waited for (serialize_imports), as long as SQLite would wait.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {WRITE_WAIT_MS}")
            serialize_imports(connection)
        session = Session(bind=connection)  # joins the transaction: the ORM helpers write in it too
        try:
            yield SpoolWriter(self, session)
            session.flush()
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            session.close()


class SpoolWriter:
    """What happens inside ImportSpool.write: keys mapped to ids, then the spans inserted."""

    def __init__(self, spool: ImportSpool, session: Session):
        self.spool = spool
        self.session = session
        self.document_ids: dict[int, int] = {}  # spool key -> document id, once `documents` has run

    def documents(self, script_of: Callable[[str], Script], chunk: int = 500) -> tuple[int, int]:
        """Map every spooled document to the stored document with its text, creating those that are missing
        (their script worked out by `script_of` where the spool has none). Returns (created, matched)."""
        connection = self.spool.connection
        keys = dict(connection.execute(select(_SPOOL_DOCUMENTS.c.content_hash, _SPOOL_DOCUMENTS.c.key)).all())
        found = documents.ids_by_hash(self.session, list(keys))
        ids = {keys[digest]: document_id for digest, document_id in found.items()}
        missing = sorted(key for digest, key in keys.items() if digest not in found)
        for i in range(0, len(missing), chunk):
            rows = connection.execute(select(*_SPOOL_DOCUMENTS.c).where(
                _SPOOL_DOCUMENTS.c.key.in_(missing[i:i + chunk])).order_by(_SPOOL_DOCUMENTS.c.key)).all()
            new = [dict(name=row.name, text=row.text, content_hash=row.content_hash,
                        script=Script(row.script) if row.script else script_of(row.text),
                        status=Status(row.status), review_status=ReviewStatus(row.review_status),
                        source_path=row.source_path) for row in rows]
            ids.update(zip((row.key for row in rows), documents.add_documents(self.session, new)))
        self.keys(DOCUMENT, ids)
        self.document_ids = ids
        return len(missing), len(found)

    def keys(self, kind: int, ids: dict[int, int]) -> None:
        """Map the spool's keys of one kind (LABEL, ANNOTATOR; `documents` maps DOCUMENT keys) to ids."""
        if ids:
            self.spool._add_keys([(kind, key, ident) for key, ident in ids.items()])

    def spans(self, *, origin: Origin = Origin.IMPORTED, cancel: Callable[[], bool] | None = None) -> tuple[int, int]:
        """Insert the spooled spans, skipping exact duplicates (stored already or repeated in the spool).
        Returns (inserted, skipped). `cancel` is polled while the database works; when it says so, Interrupted
        is raised (the caller's transaction then rolls back)."""
        connection = self.spool.connection
        spans, keys = _SPOOL_SPANS.c, _SPOOL_KEYS
        document, label, annotator = keys.alias("d"), keys.alias("l"), keys.alias("a")
        now = utcnow()
        rows = (select(document.c.id, label.c.id, annotator.c.id, spans.start, spans.end, spans.note,
                       spans.provenance, literal(origin, Span.__table__.c.origin.type),
                       literal(now, Span.__table__.c.created_at.type), literal(now, Span.__table__.c.updated_at.type))
                .select_from(_SPOOL_SPANS)
                .join(document, and_(document.c.kind == DOCUMENT, document.c.key == spans.document_key))
                .join(label, and_(label.c.kind == LABEL, label.c.key == spans.label_key))
                .join(annotator, and_(annotator.c.kind == ANNOTATOR, annotator.c.key == spans.annotator_key))
                .where(true()))  # SQLite: without a WHERE, "ON CONFLICT" would read as the join's ON
        statement = _dialect_insert_from(connection.dialect.name, rows)
        with _interruptible(connection, cancel):
            inserted = connection.execute(statement).rowcount
        return inserted, self.spool.spans - inserted


def _dialect_insert_from(dialect_name: str, rows):
    names = ("document_id", "label_id", "annotator_id", "start", "end", "note", "provenance") + _CONSTANT_COLUMNS
    return conflict_insert(dialect_name, Span).from_select(names, rows).on_conflict_do_nothing().execution_options(
        **_ROWCOUNT)


@contextmanager
def _interruptible(connection: Connection, cancel: Callable[[], bool] | None) -> Iterator[None]:
    """Let `cancel` stop a long statement (SQLite: polled every few thousand steps of its program; PostgreSQL:
    polled beside it, and the server asked to cancel it)."""
    if cancel is None:
        yield
        return
    if connection.dialect.name == "postgresql":
        with _cancelled_by_server(connection, cancel):
            yield
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    dbapi.set_progress_handler(lambda: 1 if cancel() else 0, 100_000)
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error.orig):
            raise Interrupted() from None
        raise
    finally:
        dbapi.set_progress_handler(None, 0)


@contextmanager
def _cancelled_by_server(connection: Connection, cancel: Callable[[], bool]) -> Iterator[None]:
    dbapi = connection.connection.dbapi_connection
    finished, asked = threading.Event(), threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            if cancel():
                asked.set()
                (getattr(dbapi, "cancel_safe", None) or dbapi.cancel)()  # psycopg 3.2+ / psycopg2
                return

    watcher = threading.Thread(target=watch, name="import-cancel", daemon=True)
    watcher.start()
    try:
        yield
    except DBAPIError:
        if asked.is_set():  # the server's "canceling statement due to user request"
            raise Interrupted() from None
        raise
    finally:
        finished.set()
        watcher.join()
    if asked.is_set():  # asked just as the statement ended: cancelled all the same (the caller rolls back)
        raise Interrupted()


def _executemany_statement(connection: Connection, table: Table, columns: Sequence[str]):
    """An executemany of `table` taking rows as tuples in `columns` order, compiled once for this connection."""
    from sqlalchemy import insert

    if connection.dialect.driver == "psycopg":
        return _copy_statement(connection, table, columns)
    compiled = insert(table).values({name: bindparam(name) for name in columns}).compile(dialect=connection.dialect)
    sql = str(compiled)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order == list(range(len(columns))):
            return lambda rows: connection.exec_driver_sql(sql, list(rows))
        pick = itemgetter(*order)
        return lambda rows: connection.exec_driver_sql(sql, [pick(row) for row in rows])
    return lambda rows: connection.exec_driver_sql(sql, [dict(zip(columns, row)) for row in rows])


def _copy_statement(connection: Connection, table: Table, columns: Sequence[str]):
    """PostgreSQL's COPY through psycopg: rows go in as one stream (100 k spans: ~0.2 s, where an executemany
    takes ~5 s), in the connection's current transaction."""
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in columns)}) FROM STDIN"

    def copy(rows) -> None:
        if not connection.in_transaction():
            connection.begin()  # so that commit() and rollback() of the connection know of the rows
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row(row)

    return copy
