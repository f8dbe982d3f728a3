"""Qt positions (UTF-16 units) ↔ stored offsets (code points): the one place the window converts them.

Stored offsets are code points into the stored text. QTextDocument counts UTF-16 units, so every astral
character (𠀀, 😀) before a position shifts it by one, and Qt silently accepts a position inside a surrogate
pair. QTextDocument keeps one unit per unit of the text we give it (U+2028, U+2029, U+00A0 and the frame
markers U+FDD0/U+FDD1 are each still one position), but `toPlainText()` rewrites U+2028 and U+00A0, so the
window never reads text back from Qt: the stored text is the source of truth.

A traditional document may be shown converted to simplified characters; `DisplayText` composes the 繁简
offset map (corpus.script) with the UTF-16 map so callers only ever see stored code points.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Protocol

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class Utf16Map:
    """Code point ↔ UTF-16 positions of one text; O(log n) per conversion, identity without astral chars."""

    def __init__(self, text: str):
        self.length = len(text)
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]  # code point of each astral char
        self._astral_utf16 = [cp + i for i, cp in enumerate(self._astral)]  # its high surrogate's position
        self.utf16_length = self.length + len(self._astral)

    def to_utf16(self, cp: int) -> int:
        cp = min(max(cp, 0), self.length)
        if not self._astral:
            return cp
        return cp + bisect_left(self._astral, cp)

    def to_codepoint(self, pos: int, *, round_up: bool = False) -> int:
        """The code point at a Qt position; a position inside a surrogate pair goes to the character's start
        (or, with `round_up`, past its end), never to half a character."""
        pos = min(max(pos, 0), self.utf16_length)
        if not self._astral:
            return pos
        before = bisect_left(self._astral_utf16, pos)  # astral characters starting before pos
        if before and self._astral_utf16[before - 1] + 1 == pos:
            return self._astral[before - 1] + (1 if round_up else 0)
        return pos - before


class Conversion(Protocol):
    """What corpus.script.to_simplified returns: the converted text and its offset map (code points)."""

    text: str

    def to_source(self, view_offset: int) -> int: ...

    def to_view(self, source_offset: int) -> int: ...


class DisplayText:
    """The text shown in the view (the stored text, or its simplified form) and its position maps."""

    def __init__(self, stored: str, conversion: Conversion | None = None):
        self.stored = stored
        self.conversion = conversion
        self.text = conversion.text if conversion is not None else stored
        self._utf16 = Utf16Map(self.text)
        # Most documents: no conversion and nothing beyond the BMP, so positions are the same numbers.
        self.identity = conversion is None and self._utf16.utf16_length == self._utf16.length

    @property
    def converted(self) -> bool:
        return self.conversion is not None

    @property
    def qt_length(self) -> int:
        return self._utf16.utf16_length

    def to_qt(self, source: int) -> int:
        """Stored code point → Qt position in the view."""
        if self.identity:
            return source
        view = self.conversion.to_view(source) if self.conversion is not None else source
        return self._utf16.to_utf16(view)

    def from_qt(self, pos: int, *, round_up: bool = False) -> int:
        """Qt position in the view → stored code point."""
        if self.identity:
            return min(max(pos, 0), self._utf16.length)
        view = self._utf16.to_codepoint(pos, round_up=round_up)
        return self.conversion.to_source(view) if self.conversion is not None else view

    def range_from_qt(self, start: int, end: int) -> tuple[int, int]:
        """A Qt selection → stored [start, end); partial surrogate pairs widen to whole characters."""
        start, end = min(start, end), max(start, end)
        return self.from_qt(start), self.from_qt(end, round_up=True)

    def view_slice(self, start: int, end: int) -> str:
        """The shown characters of a stored range (what the user sees selected)."""
        if self.conversion is None:
            return self.stored[start:end]
        return self.text[self.conversion.to_view(start):self.conversion.to_view(end)]
