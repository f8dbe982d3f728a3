"""Text normalization applied once at import, so stored text is what every offset refers to."""

from __future__ import annotations

import hashlib


def normalize_newlines(text: str) -> str:
    """\\r\\n and lone \\r become \\n; nothing else changes (U+2028, U+00A0 stay as they are)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """Identity of a document's stored text: the same text imported twice is one document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
