"""Storing a text as a document: normalized, hashed, script detected, deduplicated by content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from corpus.script import detect_script
from corpus.text import content_hash, normalize_newlines
from db import documents


def store_text(session: Session, *, name: str, text: str, source_path: str | None = None) -> tuple[int, bool]:
    """Add the document unless the same normalized text is stored; returns (id, created)."""
    text = normalize_newlines(text)
    digest = content_hash(text)
    existing = documents.ids_by_hash(session, [digest]).get(digest)
    if existing is not None:
        return existing, False
    new_id = documents.add_document(session, name=name, text=text, content_hash=digest,
                                    script=detect_script(text), source_path=source_path)
    return new_id, True
