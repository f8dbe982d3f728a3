"""简/繁: telling traditional documents apart, and their simplified view with an offset map.

Both use OpenCC `t2s` (character and phrase tables, no regional rewording: `tw2sp` turns 記憶體 into 内存 and
would break alignment). On this corpus t2s keeps the code-point length, but nothing guarantees it, so the
simplified view carries a map between its offsets and the source's. UTF-16 lengths do change even under
t2s (二噁英 → 二𫫇英: 噁 is one UTF-16 unit, 𫫇 two); offsets here are code points, like everywhere in Zhubi.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from db.models import Script

DETECT_SAMPLE = 2_000
CLEARLY_TRADITIONAL = 0.15  # share of all characters changed by t2s, punctuation and digits included

_converters: dict[str, object] = {}
_converters_lock = threading.Lock()
# CJK ideographs and symbols: what a conversion may change (it leaves everything else alone).
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def _converter(config: str):
    """One OpenCC converter per configuration for the whole process (loading one reads its dictionaries)."""
    converter = _converters.get(config)
    if converter is None:
        import opencc

        with _converters_lock:
            converter = _converters.get(config)
            if converter is None:
                converter = _converters[config] = opencc.OpenCC(config)
    return converter


def t2s(text: str) -> str:
    return _converter("t2s").convert(text)


def s2t(text: str) -> str:
    return _converter("s2t").convert(text)


def both_scripts(term: str) -> tuple[str, ...]:
    """A term as it can be written in a simplified or a traditional document (两个维护, 兩個維護)."""
    return tuple(dict.fromkeys(form for form in (term, t2s(term), s2t(term)) if form))


def detect_script(text: str) -> Script:
    """Traditional when t2s changes more of the text than s2t does (on the first 2,000 characters).

    A simplified document keeps nearly all its characters under t2s and changes about a third under s2t;
    a traditional one the other way round. Quoting a few characters of the other script does not flip it.
    Most documents are settled without the slower s2t: simplified ones are unchanged by t2s, and
    traditional ones change by a third.
    """
    sample = text[:DETECT_SAMPLE]
    simplified = t2s(sample)
    if simplified == sample:
        return Script.SIMPLIFIED
    changed = _changed(sample, simplified)
    if changed >= CLEARLY_TRADITIONAL * len(sample):  # traditional text: a third of its characters change
        return Script.TRADITIONAL
    if changed > _changed(sample, s2t(sample)):
        return Script.TRADITIONAL
    return Script.SIMPLIFIED


def _changed(before: str, after: str) -> int:
    """Positions whose character differs (plus the difference in length)."""
    if before == after:
        return 0
    if len(before) != len(after):
        return sum(map(str.__ne__, before, after)) + abs(len(before) - len(after))
    import numpy as np  # here: most documents never get this far, and the window starts without numpy

    # Compared as arrays of code points: thirty times faster than character by character in Python, which
    # cost half a millisecond per document that mixes the two scripts.
    return int(np.count_nonzero(np.frombuffer(before.encode("utf-32-le"), np.uint32)
                                != np.frombuffer(after.encode("utf-32-le"), np.uint32)))


@dataclass(frozen=True)
class Converted:
    """A converted text and the map between its offsets ("view") and the source's, in code points.

    The map is a list of breakpoints (source offset, view offset); between two breakpoints whose spans have
    equal lengths it is one to one. No breakpoints means the identity, the usual case for t2s.
    """

    text: str
    source_length: int
    _source_points: tuple[int, ...] = field(default=(), repr=False)
    _view_points: tuple[int, ...] = field(default=(), repr=False)

    @property
    def is_identity(self) -> bool:
        return not self._source_points

    def to_view(self, source_offset: int) -> int:
        return _through(source_offset, self._source_points, self._view_points, self.source_length, len(self.text))

    def to_source(self, view_offset: int) -> int:
        return _through(view_offset, self._view_points, self._source_points, len(self.text), self.source_length)


def _through(offset: int, here: tuple[int, ...], there: tuple[int, ...], here_length: int, there_length: int) -> int:
    if not 0 <= offset <= here_length:
        raise ValueError(f"offset {offset} is outside 0..{here_length}")
    if not here:
        return offset
    i = bisect_right(here, offset) - 1
    mapped = there[i] + (offset - here[i])
    upper = there[i + 1] if i + 1 < len(there) else there_length
    return min(mapped, upper)


def to_simplified(text: str) -> Converted:
    """The t2s view of `text` with its offset map."""
    return convert_with_map(text, t2s)


def convert_with_map(text: str, convert: Callable[[str], str]) -> Converted:
    """Convert `text` and work out where each source offset lands in the result.

    Fast path: the whole conversion has the same length and every non-CJK character stays in place, so
    characters correspond one to one. Otherwise lines are converted one by one (conversion phrases never
    cross a line break) and a line whose length changes is aligned run by run, then character by character.
    """
    whole = convert(text)
    if len(whole) == len(text) and _differ_only_in_cjk(whole, text):
        return Converted(whole, len(text))
    source_points: list[int] = [0]
    view_points: list[int] = [0]
    parts: list[str] = []
    source_at = view_at = 0
    for line in text.splitlines(keepends=True):
        converted = convert(line)
        if len(converted) != len(line):
            for s, v in _align_line(line, converted, convert):
                _add_point(source_points, view_points, source_at + s, view_at + v)
        parts.append(converted)
        source_at += len(line)
        view_at += len(converted)
    _add_point(source_points, view_points, source_at, view_at)
    view = "".join(parts)
    return Converted(view, len(text), tuple(source_points), tuple(view_points))


def _differ_only_in_cjk(a: str, b: str) -> bool:
    """Wherever two texts of equal length differ, both hold CJK characters: every other character is in the
    same place, so no shift hides inside an equal total length. (Vectorized: regular expressions over both
    texts took longer than OpenCC's conversion.)"""
    x = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    y = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    differ = x != y
    return bool(_is_cjk(x[differ]).all() and _is_cjk(y[differ]).all())


def _is_cjk(codes: np.ndarray) -> np.ndarray:
    """Code points in _CJK_RUN's ranges."""
    return (((codes >= 0x2E80) & (codes <= 0x9FFF)) | ((codes >= 0xF900) & (codes <= 0xFAFF))
            | ((codes >= 0x20000) & (codes <= 0x3FFFF)))


def _add_point(sources: list[int], views: list[int], s: int, v: int) -> None:
    if sources[-1] == s and views[-1] == v:
        return
    sources.append(s)
    views.append(v)


def _align_line(line: str, converted: str, convert: Callable[[str], str]) -> list[tuple[int, int]]:
    """Breakpoints (relative to the line) for a line whose conversion changed length."""
    runs = [(m.start(), m.end()) for m in _CJK_RUN.finditer(line)]
    pieces = [convert(line[a:b]) for a, b in runs]
    rebuilt, at = [], 0
    for (a, b), piece in zip(runs, pieces):
        rebuilt.append(line[at:a])
        rebuilt.append(piece)
        at = b
    rebuilt.append(line[at:])
    if "".join(rebuilt) != converted:  # a phrase crossed a run boundary: align the whole line
        return _align_prefixes(line, converted, convert, 0, 0)
    points: list[tuple[int, int]] = []
    shift = 0
    for (a, b), piece in zip(runs, pieces):
        points.append((a, a + shift))
        if len(piece) != b - a:
            points.extend(_align_prefixes(line[a:b], piece, convert, a, a + shift))
        shift += len(piece) - (b - a)
        points.append((b, b + shift))
    return points


def _align_prefixes(source: str, converted: str, convert: Callable[[str], str], s0: int, v0: int) -> list[tuple[int, int]]:
    """Character by character: source offset k lands where the conversion of source[:k] ends (kept monotone)."""
    points, last = [], 0
    for k in range(len(source) + 1):
        v = len(convert(source[:k])) if k < len(source) else len(converted)
        last = min(max(last, v), len(converted))
        points.append((s0 + k, v0 + last))
    return points
