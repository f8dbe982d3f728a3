"""Offset arithmetic for files made elsewhere: UTF-16 units (both ways), \\r\\n line ends, and word tokens.

Zhubi counts code points into the stored (newline-normalized) text. Other tools count UTF-16 units (JavaScript
front ends) or keep \\r\\n; these maps translate their offsets, and say when an offset cannot be translated.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Callable, Sequence


ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class OffsetError(ValueError):
    """An offset that points inside a character or outside the text."""


class Utf16Offsets:
    """UTF-16 unit offsets → code-point offsets for one text (characters beyond U+FFFF take two units)."""

    def __init__(self, text: str):
        # UTF-16 position of each astral character: its code-point index plus the astral characters before it.
        self._astral = [match.start() + k for k, match in enumerate(ASTRAL.finditer(text))]
        self.length = len(text) + len(self._astral)

    def to_code_points(self, unit: int) -> int:
        if not 0 <= unit <= self.length:
            raise OffsetError(f"UTF-16 offset {unit} is outside the text (0..{self.length})")
        before = bisect_left(self._astral, unit)
        if before and self._astral[before - 1] + 1 == unit:
            raise OffsetError(f"UTF-16 offset {unit} splits a character beyond U+FFFF (a surrogate pair)")
        return unit - before


def utf16_units(text: str) -> Callable[[int], int] | None:
    """Code-point offsets → UTF-16 unit offsets for one text (for tools that count like JavaScript strings);
    None when the text has no character beyond U+FFFF, so that both count the same."""
    astral = [match.start() for match in ASTRAL.finditer(text)]
    if not astral:
        return None
    return lambda offset: offset + bisect_left(astral, offset)


class NewlineOffsets:
    """Offsets into a text with \\r\\n → offsets into its normalized form (each \\r\\n became one \\n).

    An offset between \\r and \\n lands after the \\n, so a span that ends there keeps its line break.
    """

    def __init__(self, text: str):
        # Positions of the \n of every \r\n: the characters normalization drops.
        self._dropped = [i + 1 for i in _find_all(text, "\r\n")]

    def __bool__(self) -> bool:
        return bool(self._dropped)

    def to_normalized(self, offset: int) -> int:
        return offset - bisect_left(self._dropped, offset)


def _find_all(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + len(needle))
    return found


class TokenIndex:
    """Which tokens a span covers, by Prodigy's convention (token_end inclusive).

    For a span that does not start and end on token boundaries, token_start is the token holding its first
    character and token_end the token holding its last one, so the tokens always cover the span; the span's
    own start/end stay exact.
    """

    def __init__(self, tokens: Sequence[tuple[int, int]]):
        self.starts = [start for start, _ in tokens]
        self.ends = [end for _, end in tokens]

    @classmethod
    def from_bounds(cls, starts: list[int], ends: list[int]) -> TokenIndex:
        """The same from the tokens' starts and ends (both ascending), without pairing them first."""
        index = cls.__new__(cls)
        index.starts, index.ends = starts, ends
        return index

    def cover(self, start: int, end: int) -> tuple[int, int, bool]:
        """(token_start, token_end, aligned) for the span [start, end)."""
        first = bisect_right(self.ends, start)       # first token ending after `start`
        last = bisect_left(self.starts, end) - 1     # last token starting before `end`
        if first > last:  # the span lies in a gap between tokens (text the segmenter skipped)
            first = last = min(first, len(self.starts) - 1)
        aligned = (0 <= first < len(self.starts) and self.starts[first] == start and self.ends[last] == end)
        return first, last, aligned
