"""Word segmentation as (start, end) code-point offsets into the stored text.

Placeholder: plain jieba, no cache, no user dictionary. The full version (cache per document and
dictionary version, user words, traditional via t2s, fast backend) replaces the inside, not the API.
"""

from __future__ import annotations

from db import documents
from db.engine import Database

Token = tuple[int, int]


def segment(text: str) -> list[Token]:
    import jieba

    return [(start, end) for _, start, end in jieba.tokenize(text, HMM=False)]


def document_tokens(database: Database, document_id: int) -> list[Token]:
    """Token boundaries of a stored document."""
    with database.session() as session:
        text = documents.text_of(session, document_id)
    return segment(text)
