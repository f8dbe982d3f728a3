"""简/繁: telling traditional documents apart (placeholder heuristics; see issue for the full version)."""

from __future__ import annotations

from db.models import Script

# Characters that only occur in traditional text and are frequent in this genre.
_TRADITIONAL = set("個這們會後來國學發經說時義與對開關將實黨區縣機構議總線東長門間頭問題見爲為當")


def detect_script(text: str) -> Script:
    sample = text[:20_000]
    hits = sum(1 for ch in sample if ch in _TRADITIONAL)
    return Script.TRADITIONAL if hits >= 3 else Script.SIMPLIFIED
