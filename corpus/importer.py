"""Importing .txt files and folders as documents, with a result per file: imported, duplicate or refused.

Each file is read, decoded, normalized, hashed and segmented on its own (in worker processes when there is
enough text to be worth starting them, so both cores work); the calling process alone writes to the
database, a batch of documents and their segmentations per transaction. A refused file costs only itself;
a cancel stops between files after committing what was already read, so the database always holds whole
documents with their segmentation, and importing again picks up the rest (known texts are duplicates).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence

from corpus.dictionary import Dictionary, project_dictionary
from corpus.reading import RefusedFile, read_text
from corpus.script import detect_script, t2s
from corpus.segment import SEGMENTER, pack, token_lengths, warm_up
from corpus.text import content_hash, normalize
from db import documents, segmentations
from db.engine import Database, serialize_imports
from db.models import Document, Script

IMPORTED, DUPLICATE, REFUSED = "imported", "duplicate", "refused"
TEXT_SUFFIXES = (".txt",)
POOL_MIN_BYTES = 8 * 1024 * 1024  # below this, starting worker processes costs more than it saves
TASK_BYTES, TASK_FILES = 256 * 1024, 32  # files handed to a worker at a time
BATCH_DOCUMENTS = 500
BATCH_CHARACTERS = 8_000_000
NAME_MAX = Document.__table__.c.name.type.length


@dataclass(frozen=True)
class FileResult:
    path: str
    outcome: str  # IMPORTED, DUPLICATE or REFUSED
    reason: str = ""  # why it was refused, or which document has the same text
    document_id: int | None = None  # the new document, or the one with the same text
    name: str = ""  # document name: the path relative to the folder given, or the file name
    encoding: str = ""
    characters: int = 0
    script: Script | None = None
    joined: int = 0  # line-break spaces removed (join_broken_lines)


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    total: int = 0  # files found; fewer results than this after a cancel
    cancelled: bool = False
    workers: int = 1  # processes that read and segmented the files (1: the calling process)

    def with_outcome(self, outcome: str) -> list[FileResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def imported(self) -> list[FileResult]:
        return self.with_outcome(IMPORTED)

    @property
    def duplicates(self) -> list[FileResult]:
        return self.with_outcome(DUPLICATE)

    @property
    def refused(self) -> list[FileResult]:
        return self.with_outcome(REFUSED)

    @property
    def characters(self) -> int:
        return sum(r.characters for r in self.imported)

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported ({self.characters:,} characters)",
                 f"{len(self.duplicates)} duplicate", f"{len(self.refused)} refused"]
        joined = sum(r.joined for r in self.imported)
        if joined:
            parts.append(f"{joined} line-break spaces removed")
        if self.cancelled:
            parts.append(f"cancelled after {len(self.results)} of {self.total} files")
        return ", ".join(parts)


# --- finding the files ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _File:
    path: str  # as the user gave it (shown in reports)
    name: str  # the document name
    source: str  # absolute path, stored as the document's source
    size: int  # bytes (0 when it cannot be read: reading it says why)


def find_files(paths: Iterable[str | os.PathLike]) -> tuple[list[_File], list[FileResult]]:
    """Files to import (folders: their .txt files, recursively, sorted, hidden ones skipped) and the paths
    that do not exist."""
    found: list[_File] = []
    missing: list[FileResult] = []
    seen: set[str] = set()

    def add(path: str, name: str, source: str) -> None:
        if source not in seen:
            seen.add(source)
            try:
                size = os.path.getsize(source)
            except OSError:
                size = 0
            found.append(_File(path, name[:NAME_MAX], source, size))

    for given in paths:
        given = os.fspath(given)
        if os.path.isdir(given):
            root = os.path.realpath(given)
            for relative in _text_files(root):
                add(os.path.join(given, relative), relative.replace(os.sep, "/"), os.path.join(root, relative))
        elif os.path.isfile(given):
            add(given, os.path.basename(given), os.path.realpath(given))
        else:
            missing.append(FileResult(given, REFUSED, "no such file or folder", name=os.path.basename(given)))
    return found, missing


def _text_files(root: str) -> list[str]:
    """Paths relative to `root` of the .txt files below it, sorted, hidden files and folders left out."""
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative + os.sep
        files.extend(prefix + n for n in names if not n.startswith(".") and n.lower().endswith(TEXT_SUFFIXES))
    return sorted(files, key=lambda f: f.replace(os.sep, "/"))


# --- reading one file (in a worker process or in the caller) ---------------------------------------------------

@dataclass(frozen=True)
class _Prepared:
    file: _File
    text: str
    digest: str
    script: Script
    boundaries: bytes | None  # None: the text is stored already, it was not segmented
    encoding: str
    joined: int


@dataclass(frozen=True)
class _Refused:
    file: _File
    reason: str


class _Preparer:
    """Decode, normalize, hash and segment one file; picklable, so each worker process gets a copy."""

    def __init__(self, dictionary: Dictionary, join_broken_lines: bool, known: frozenset[str]):
        self.dictionary = dictionary
        self.join_broken_lines = join_broken_lines
        self.known = known

    def __call__(self, file: _File) -> _Prepared | _Refused:
        try:
            decoded = read_text(file.path)
        except RefusedFile as refusal:
            return _Refused(file, refusal.reason)
        text, joined = normalize(decoded.text, join_broken_lines=self.join_broken_lines)
        digest = content_hash(text)
        script = detect_script(text)
        boundaries = None
        if digest not in self.known:
            boundaries = pack(token_lengths(text, self.dictionary, script))
        return _Prepared(file, text, digest, script, boundaries, decoded.encoding, joined)


_worker_preparer: _Preparer | None = None


def _start_worker(preparer: _Preparer) -> None:
    global _worker_preparer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the importing process, which stops cleanly
    _worker_preparer = preparer
    warm_up(preparer.dictionary)


def _prepare_in_worker(files: list[_File]) -> list[_Prepared | _Refused]:
    return [_worker_preparer(file) for file in files]


def _prepared(files: Sequence[_File], preparer: _Preparer, workers: int) -> Iterator[_Prepared | _Refused]:
    """Prepared files in order; with workers > 1 in that many processes, a bounded number of tasks (a few
    files each, so that passing them around costs little) in flight."""
    if workers <= 1:
        for file in files:
            yield preparer(file)
        return
    with ProcessPoolExecutor(workers, mp_context=_process_context(preparer), initializer=_start_worker,
                             initargs=(preparer,)) as pool:
        remaining = _tasks(files)
        in_flight = deque(pool.submit(_prepare_in_worker, task) for task in islice(remaining, 4 * workers))
        try:
            while in_flight:
                results = in_flight.popleft().result()
                following = next(remaining, None)
                if following is not None:
                    in_flight.append(pool.submit(_prepare_in_worker, following))
                yield from results
        finally:
            for future in in_flight:
                future.cancel()


def _tasks(files: Sequence[_File]) -> Iterator[list[_File]]:
    task: list[_File] = []
    size = 0
    for file in files:
        task.append(file)
        size += file.size
        if size >= TASK_BYTES or len(task) >= TASK_FILES:
            yield task
            task, size = [], 0
    if task:
        yield task


def _process_context(preparer: _Preparer):
    """fork where it is safe (Linux, no other thread: the CLI) and nearly free, since workers inherit the
    loaded dictionaries; otherwise (the window has threads) a fork server, which pays for start-up once."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        warm_up(preparer.dictionary)
        t2s("")  # load OpenCC before forking
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def worker_count(files: Sequence[_File]) -> int:
    if sum(file.size for file in files) < POOL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, len(files)))


# --- writing ---------------------------------------------------------------------------------------------------

class _Writer:
    """Collects prepared files into batches; each batch is one transaction of documents + segmentations."""

    def __init__(self, database: Database, dictionary: Dictionary, known: dict[str, int], report: ImportReport):
        self.database = database
        self.version = dictionary.version
        self.known = known  # content hash -> stored document id
        self.report = report
        self.batch: list[tuple[int, _Prepared]] = []  # (index in report.results, prepared)
        self.batch_characters = 0
        self.in_batch: dict[str, tuple[int, str]] = {}  # hash -> (result index, name) of the first one
        self.waiting: list[tuple[int, str]] = []  # duplicates of batched files: (result index, hash)

    def take(self, item: _Prepared | _Refused) -> None:
        results = self.report.results
        file = item.file
        if isinstance(item, _Refused):
            results.append(FileResult(file.path, REFUSED, item.reason, name=file.name))
            return
        duplicate = FileResult(file.path, DUPLICATE, name=file.name, encoding=item.encoding,
                               characters=len(item.text), script=item.script, joined=item.joined)
        if item.digest in self.known:
            document_id = self.known[item.digest]
            results.append(replace(duplicate, reason=f"same text as document #{document_id}",
                                   document_id=document_id))
        elif item.digest in self.in_batch:
            first_name = self.in_batch[item.digest][1]
            self.waiting.append((len(results), item.digest))
            results.append(replace(duplicate, reason=f"same text as {first_name} in this import"))
        else:
            self.in_batch[item.digest] = (len(results), file.name)
            self.batch.append((len(results), item))
            results.append(replace(duplicate, outcome=IMPORTED))
            self.batch_characters += len(item.text)
            if len(self.batch) >= BATCH_DOCUMENTS or self.batch_characters >= BATCH_CHARACTERS:
                self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        results = self.report.results
        with self.database.transaction() as session:
            serialize_imports(session)
            # Another writer may have stored one of these texts since the import started.
            stored_meanwhile = documents.ids_by_hash(session, [p.digest for _, p in self.batch])
            fresh = [(i, p) for i, p in self.batch if p.digest not in stored_meanwhile]
            ids = documents.add_documents(session, [
                dict(name=p.file.name, text=p.text, content_hash=p.digest, script=p.script,
                     source_path=p.file.source) for _, p in fresh])
            segmentations.store_new(session, [(document_id, p.boundaries) for document_id, (_, p) in zip(ids, fresh)
                                              if p.boundaries is not None], SEGMENTER, self.version)
        for (index, prepared), document_id in zip(fresh, ids):
            self.known[prepared.digest] = document_id
            results[index] = replace(results[index], document_id=document_id)
        for index, prepared in self.batch:
            if prepared.digest in stored_meanwhile:
                document_id = stored_meanwhile[prepared.digest]
                self.known[prepared.digest] = document_id
                results[index] = replace(results[index], outcome=DUPLICATE, document_id=document_id,
                                         reason=f"same text as document #{document_id}")
        for index, digest in self.waiting:
            results[index] = replace(results[index], document_id=self.known[digest])
        self.batch, self.batch_characters, self.in_batch, self.waiting = [], 0, {}, []


# --- the whole import ------------------------------------------------------------------------------------------

def import_paths(database: Database, paths: Iterable[str | os.PathLike], *, join_broken_lines: bool = False,
                 progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
                 workers: int | None = None) -> ImportReport:
    """Import .txt files and folders (recursively) as documents; see the module docstring.

    progress(done, total) is called from the calling thread after each file; cancel() is polled after each
    file. `workers` overrides the number of worker processes (1: everything in the calling process).
    New documents are queued for the full-text index (db.fulltext); the `import` command and the window
    bring it up to date afterwards with annotate.concordance.update_index.
    """
    files, missing = find_files(paths)
    report = ImportReport(results=list(missing), total=len(files) + len(missing))
    with database.session() as session:
        dictionary = project_dictionary(session)
        known = documents.all_hashes(session)
    preparer = _Preparer(dictionary, join_broken_lines, frozenset(known))
    writer = _Writer(database, dictionary, known, report)
    done = len(missing)
    if progress:
        progress(done, report.total)
    if not (cancel and cancel()):
        report.workers = workers or worker_count(files)
        stream = _prepared(files, preparer, report.workers)
        try:
            for item in stream:
                writer.take(item)
                done += 1
                if progress:
                    progress(done, report.total)
                if cancel and cancel() and done < report.total:
                    report.cancelled = True
                    break
        finally:
            stream.close()  # stops the worker processes
    else:
        report.cancelled = bool(files)
    writer.flush()
    return report
