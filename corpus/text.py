"""Text normalization applied once at import, so stored text is what every offset refers to."""

from __future__ import annotations

import hashlib
import re
from statistics import median
from typing import Iterable, Iterator, NamedTuple


def normalize_newlines(text: str) -> str:
    """\\r\\n and lone \\r become \\n; nothing else changes (U+2028, U+00A0 stay as they are)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def occurrences(text: str, term: str) -> Iterator[int]:
    """Where `term` starts in `text`, left to right and not overlapping (the occurrences str.count counts)."""
    at = text.find(term)
    while at >= 0:
        yield at
        at = text.find(term, at + len(term))


def leftmost_longest(places: Iterable[tuple]) -> list[tuple]:
    """Of (start, end, ...) places that may overlap (occurrences of several forms of a term), the leftmost,
    and of those starting together the longest; the places overlapping a kept one are dropped."""
    kept, reached = [], 0
    for place in sorted(places, key=lambda place: (place[0], -place[1])):
        if place[0] >= reached:
            kept.append(place)
            reached = place[1]
    return kept


def content_hash(text: str) -> str:
    """Identity of a document's stored text: the same text imported twice is one document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Normalized(NamedTuple):
    text: str
    joined: int  # spaces removed by join_broken_lines (0 unless asked for)


def normalize(text: str, *, join_broken_lines: bool = False) -> Normalized:
    """What import stores: newlines normalized and, only when asked, PDF line-break spaces removed."""
    text = normalize_newlines(text)
    if not join_broken_lines:
        return Normalized(text, 0)
    return Normalized(*remove_line_break_spaces(text))


# --- spaces left where a PDF's lines broke ----------------------------------------------------------------
#
# Text extracted from a PDF keeps a space where each printed line ended, also inside words (seed 002:
# “新征 程上”, “善作善 成”). The same documents also have real spaces between Chinese characters: between the
# two halves of a headline (“以党建引领基层治理创新 推动城市治理现代化水平不断提升”), in quoted slogans
# (“牢记嘱托 善作善成”), between names. What tells the two apart is where they fall: line-break spaces recur
# every printed line, about the same number of characters apart (22–28 in seed 002); real ones do not.
# So a space is removed only when it sits between Chinese characters (or Chinese and punctuation) and
# about one (or two) printed line widths after the previous line break. The width is measured on the
# paragraph itself when it has several such spaces, else taken (with less tolerance) from the nearest
# paragraph that has; widths count ASCII characters as half, and the first printed line may be indented.
# A document with fewer than two regularly spaced paragraphs of similar width is left untouched.
#
# Paragraph breaks are never joined, not even “两\n\n企三新”: in seed 002 most blank lines between two Chinese
# characters follow headings or mark columns extracted out of order (“…共享的城\n\n不断强化…”), where
# joining would damage more text than it repairs.

# Chinese characters and the punctuation set with them (full-width forms, CJK symbols, curly quotes, dashes).
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\u3000-\u303f\uff00-\uffef\u2010-\u2027"
_ASCII_PUNCT = r"!-/:-@\[-`{-~"
# Between two of those, or one of those and ASCII punctuation (PDF text often has ASCII commas); never
# between Latin letters or digits, where a space separates words.
_SPACE_BETWEEN = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}{_ASCII_PUNCT}])|(?<=[{_ASCII_PUNCT}]) (?=[{_CJK}])")
_ANY_SPACE = re.compile(r"(?<=\S) (?=\S)")
_TOLERANCE = 0.2  # half-width punctuation makes some printed lines hold a few more characters
_BORROWED_TOLERANCE = 0.12
_INDENT = 2  # the first printed line of a paragraph is usually indented by two characters
_MIN_WIDTH = 12  # printed lines narrower than this are not lines of running text
_MIN_PARAGRAPHS = 2  # regularly broken paragraphs needed before anything in a document is touched
_MIN_SPACES = 3  # spaces a paragraph needs for its own width to be measured


def remove_line_break_spaces(text: str) -> tuple[str, int]:
    """Remove the spaces PDF extraction left at printed line ends; returns (text, how many were removed)."""
    lines = text.split("\n")
    widths = [_paragraph_width(line) for line in lines]
    measured = [width for width in widths if width]
    if len(measured) < _MIN_PARAGRAPHS:
        return text, 0
    # A line of headline clauses can look regular on its own; keep widths that agree with the document's.
    typical = median(measured)
    widths = [w if w and abs(w - typical) <= 0.25 * typical else None for w in widths]
    known = [i for i, width in enumerate(widths) if width]
    removed = 0
    out = []
    for i, line in enumerate(lines):
        if " " not in line:
            out.append(line)
            continue
        if widths[i]:
            breaks = _line_breaks(line, widths[i], _TOLERANCE)
        else:  # a short paragraph: borrow the nearest measured width (the following one on a tie), be stricter
            nearest = min(known, key=lambda k: (abs(k - i), k < i))
            breaks = _line_breaks(line, widths[nearest], _BORROWED_TOLERANCE)
        removed += len(breaks)
        out.append(_without(line, breaks))
    return "\n".join(out), removed


def _columns(line: str) -> list[float]:
    """columns[k]: printed width of line[:k], ASCII characters counting half (PDF text turns full-width
    punctuation into ASCII, which makes character counts per printed line vary more than widths do)."""
    columns = [0.0]
    for ch in line:
        columns.append(columns[-1] + (0.5 if ch < "\x80" else 1.0))
    return columns


def _paragraph_width(line: str) -> float | None:
    """The printed line width of a paragraph whose spaces recur regularly, or None."""
    positions = [m.start() for m in _ANY_SPACE.finditer(line)]
    if len(positions) < _MIN_SPACES:
        return None
    columns = _columns(line)
    gaps = [columns[b] - columns[a + 1] + 1 for a, b in zip(positions, positions[1:])]
    width = median(gaps)
    if width < _MIN_WIDTH:
        return None
    regular = sum(1 for gap in gaps if abs(gap - width) <= _TOLERANCE * width)
    return width if regular >= 0.6 * len(gaps) else None


def _line_breaks(line: str, width: float, tolerance: float) -> list[int]:
    """Positions of the removable spaces: between Chinese characters and on the printed-line grid."""
    removable = {m.start() for m in _SPACE_BETWEEN.finditer(line)}
    columns = _columns(line)
    breaks = []
    last = -1  # position of the previous line break (-1: the paragraph start)
    for m in _ANY_SPACE.finditer(line):
        at = m.start()
        distance = columns[at] - columns[last + 1] + 1
        if last < 0 and abs(distance + _INDENT - width) <= tolerance * width:
            distance += _INDENT
        if any(abs(distance - k * width) <= tolerance * width for k in (1, 2)):
            last = at
            if at in removable:
                breaks.append(at)
    return breaks


def _without(line: str, positions: list[int]) -> str:
    if not positions:
        return line
    parts, at = [], 0
    for position in positions:
        parts.append(line[at:position])
        at = position + 1
    parts.append(line[at:])
    return "".join(parts)
