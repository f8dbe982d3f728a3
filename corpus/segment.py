"""Word segmentation as (start, end) code-point offsets into the stored text, cached per dictionary version.

jieba is the reference. Its Rust port rjieba (same dictionary and algorithm, about fifteen times faster) is
used when installed, because tests/test_segment.py shows it gives the very same tokens, user words included,
on the seeds and the sample corpus; `ZHUBI_SEGMENTER=jieba` forces the reference. HMM is off: with it the two
disagree (jieba joins “2023-06-04” and “fororder_1”, rjieba splits them), and HMM invents words from unknown
character runs, which makes tokens less predictable for annotators.

Traditional documents are cut on their t2s form and the tokens mapped back (cutting 王力軍, 黨組書記 and
新聞發佈會 directly splits them). User words (corpus.dictionary) get an explicit frequency. Segmentations are
stored compactly (token lengths, one byte each, zlib) in the `segmentations` table under the dictionary
version, and recomputed when the lexicon changes.

Thread safety: one segmenter per process behind a lock; the window calls document_tokens from a worker
thread while the import may run in another.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate
from typing import Iterable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from corpus.dictionary import WORD_FREQUENCY, Dictionary, builtin_dictionary, dictionary_version, project_dictionary
from corpus.script import to_simplified
from db import documents, segmentations
from db.engine import Database, cache_dir
from db.models import Script

__all__ = ["SEGMENTER", "DocumentTokenLengths", "Segmenter", "Token", "dictionary_version", "document_token_lengths",
           "document_tokens", "pack", "segment", "token_lengths", "tokens_from_lengths", "unpack", "warm_up"]

SEGMENTER = "jieba-nohmm"
BACKEND_ENV = "ZHUBI_SEGMENTER"
Token = tuple[int, int]

_LENGTHS = b"\x01"  # zlib(one byte per token length)
_ENDS = b"\x02"  # zlib(uint32 little-endian token ends), when a token is longer than 255 characters

log = logging.getLogger(__name__)


# --- backends ------------------------------------------------------------------------------------------------

class JiebaBackend:
    """The reference: jieba's own Tokenizer, its cache file in the app's cache directory (not /tmp)."""

    name = "jieba"

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # it prints "Building prefix dict..." on every start otherwise
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.tmp_dir = str(folder)
        self._tokenizer.initialize()

    def add_word(self, word: str, frequency: int) -> None:
        # Same arithmetic as rjieba: a word's frequency is replaced, not added to the total twice.
        tokenizer = self._tokenizer
        before = tokenizer.FREQ.get(word, 0)
        tokenizer.add_word(word, frequency)
        tokenizer.total -= before

    def cut(self, text: str) -> list[str]:
        return list(self._tokenizer.cut(text, HMM=False))


class RjiebaBackend:
    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def add_word(self, word: str, frequency: int) -> None:
        self._jieba.add_word(word, frequency, None)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, False)


def backend_name() -> str:
    """'rjieba' when it is installed, unless $ZHUBI_SEGMENTER says 'jieba'."""
    wanted = os.environ.get(BACKEND_ENV, "").strip().lower()
    if wanted in ("jieba", "rjieba"):
        return wanted
    return "rjieba" if importlib.util.find_spec("rjieba") else "jieba"


def make_backend(name: str | None = None):
    return {"jieba": JiebaBackend, "rjieba": RjiebaBackend}[name or backend_name()]()


class Segmenter:
    """Backends loaded with dictionaries' words; thread-safe (one cut at a time).

    The two most recently used word lists stay loaded, so alternating between two (the built-in words and
    a project's) does not reload the dictionary each time.
    """

    KEEP = 2

    def __init__(self, backend: str | None = None):
        self._backend_name = backend
        self._lock = threading.Lock()
        self._loaded: OrderedDict[frozenset[str], object] = OrderedDict()  # least recently used first

    def cut(self, text: str, dictionary: Dictionary) -> list[str]:
        with self._lock:
            return self._load(dictionary).cut(text)

    def load(self, dictionary: Dictionary) -> None:
        with self._lock:
            self._load(dictionary)

    def _load(self, dictionary: Dictionary):
        wanted = frozenset(dictionary.words)
        backend = self._loaded.get(wanted)
        if backend is not None:
            self._loaded.move_to_end(wanted)
            return backend
        # Words cannot be taken out again, only added: extend a loaded subset, else start from jieba's own
        # dictionary. Adding is order-independent, so tokens depend on the word list, not on history.
        have = next((words for words in reversed(self._loaded) if words <= wanted), None)
        if have is not None:
            backend = self._loaded.pop(have)
        else:
            backend, have = make_backend(self._backend_name), frozenset()
        for word in sorted(wanted - have):
            backend.add_word(word, WORD_FREQUENCY)
        self._loaded[wanted] = backend
        while len(self._loaded) > self.KEEP:
            self._loaded.popitem(last=False)
        return backend


_segmenter = Segmenter()


def warm_up(dictionary: Dictionary | None = None) -> None:
    """Load the segmenter with the built-in words (or `dictionary`) now: call it from a background thread at
    start-up so that the first document's tokens come quickly."""
    _segmenter.load(dictionary or builtin_dictionary())


# --- tokens ---------------------------------------------------------------------------------------------------

def token_lengths(text: str, dictionary: Dictionary, script: Script | None = None,
                  segmenter: Segmenter | None = None) -> list[int]:
    """Token lengths in code points, covering `text` exactly; traditional text is cut on its t2s form."""
    from corpus.script import detect_script

    segmenter = segmenter or _segmenter
    if script is None:
        script = detect_script(text)
    if script is not Script.TRADITIONAL:
        return list(map(len, segmenter.cut(text, dictionary)))
    converted = to_simplified(text)
    lengths = list(map(len, segmenter.cut(converted.text, dictionary)))
    if converted.is_identity:
        return lengths
    mapped, at = [], 0
    for end in accumulate(lengths):
        source_end = converted.to_source(end)
        if source_end > at:  # a token that maps onto nothing joins the next one
            mapped.append(source_end - at)
            at = source_end
    if at < len(text):
        mapped.append(len(text) - at)
    return mapped


def tokens_from_lengths(lengths: Iterable[int]) -> list[Token]:
    ends = list(accumulate(lengths))
    return list(zip([0, *ends[:-1]], ends))


def segment(text: str, *, dictionary: Dictionary | None = None, script: Script | None = None) -> list[Token]:
    """Tokens of any text with the built-in words (or `dictionary`); for a stored document use document_tokens,
    which uses its project's lexicon and the cache."""
    return tokens_from_lengths(token_lengths(text, dictionary or builtin_dictionary(), script))


def pack(lengths: list[int]) -> bytes:
    """Token lengths as stored: about one byte per token before compression, a third of that after."""
    try:
        return _LENGTHS + zlib.compress(bytes(lengths), 3)
    except ValueError:  # a token longer than 255 characters (a long run of Latin letters or digits)
        ends = array("I", accumulate(lengths))
        if sys.byteorder == "big":
            ends.byteswap()
        return _ENDS + zlib.compress(ends.tobytes(), 3)


def unpack(blob: bytes) -> list[int]:
    kind, data = blob[:1], zlib.decompress(blob[1:])
    if kind == _LENGTHS:
        return list(data)
    if kind == _ENDS:
        ends = array("I")
        ends.frombytes(data)
        if sys.byteorder == "big":
            ends.byteswap()
        return [b - a for a, b in zip([0, *ends[:-1]], ends)]
    raise ValueError(f"unknown segmentation format {kind!r}")


def document_tokens(database: Database, document_id: int) -> list[Token]:
    """Tokens of a stored document: from the cache when it was made with the current dictionary, else
    computed and cached. Raises LookupError for an unknown document."""
    return tokens_from_lengths(document_token_lengths(database, document_id))


def document_token_lengths(database: Database, document_id: int) -> list[int]:
    """The same as document_tokens as token lengths, for callers that need only boundaries (the window: a
    1 MB document's 200,000 tuples would cost more than reading the cache)."""
    with database.session() as session:
        info = documents.info(session, document_id)
        dictionary = project_dictionary(session)
        blob = segmentations.load(session, document_id, SEGMENTER, dictionary.version)
        lengths = _valid(blob, info.length)
        if lengths is not None:
            return lengths
        text = documents.text_of(session, document_id)
    lengths = token_lengths(text, dictionary, info.script)
    _cache(database, document_id, dictionary.version, lengths)
    return lengths


class DocumentTokenLengths:
    """document_token_lengths for many documents read in one session (an export): the project dictionary is
    worked out once, not per document, and the caller, who has read the text already, passes it."""

    def __init__(self, database: Database, session: Session):
        self.database = database
        self.session = session
        self.dictionary = project_dictionary(session)

    def __call__(self, document_id: int, text: str, script: Script) -> list[int]:
        blob = segmentations.load(self.session, document_id, SEGMENTER, self.dictionary.version)
        lengths = _valid(blob, len(text))
        if lengths is None:
            lengths = token_lengths(text, self.dictionary, script)
            _cache(self.database, document_id, self.dictionary.version, lengths)
        return lengths


def _cache(database: Database, document_id: int, version: str, lengths: list[int]) -> None:
    try:
        with database.transaction() as session:
            segmentations.store(session, document_id, SEGMENTER, version, pack(lengths))
    except SQLAlchemyError as error:  # a cache that cannot be written (read-only file, a concurrent writer)
        log.warning("segmentation of document %s not cached: %s", document_id, error)


def _valid(blob: bytes | None, length: int) -> list[int] | None:
    if blob is None:
        return None
    try:
        lengths = unpack(blob)
    except (ValueError, zlib.error):
        return None
    return lengths if sum(lengths) == length and all(lengths) else None
