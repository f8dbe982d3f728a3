"""Character-level CoNLL (BIO, BIOES or BMES tags) for Chinese NER training: one character and its tag a line.

Flat tags hold one span per character, so of nested or overlapping spans only the outermost is kept (longest
first; ties by start, then label name) and the others are returned as dropped. Sentences end at line breaks
and after 。！？ (with their halfwidth, small and vertical forms) and any closing quotes or brackets that follow,
so model inputs stay short; a break that would cut a kept span is not made. Whitespace is not written (a line
cannot hold it): a span's first written character takes its B tag.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from typing import NamedTuple, Sequence

SCHEMES = ("bio", "bioes", "bmes")
# Scheme -> (first, inside, last, single) tag prefixes.
_PREFIXES = {"bio": ("B", "I", "I", "B"), "bioes": ("B", "I", "E", "S"), "bmes": ("B", "M", "E", "S")}
# A sentence ends after a line break, or after a run of 。！？ (and their other forms) with the closing quotes
# and brackets that follow them (他说：“好。” ends after ”).
_SENTENCE_END = re.compile("[\n\u2028\u2029]|[。｡︒！﹗︕？﹖︖]+[”’」』）》〉】〗〕］｝)\\]}\"']*")


class Conflict(NamedTuple):
    """A span that was not written and the kept span it lies inside or overlaps (None: only whitespace)."""

    span: tuple
    kept: tuple | None


def outermost(spans: Sequence[tuple]) -> tuple[list[tuple], list[Conflict]]:
    """Spans (start, end, label, ...) that do not overlap, chosen longest first (ties: start, label), in
    position order; and the others, each with the kept span it collides with."""
    starts: list[int] = []  # kept spans, disjoint, so their starts and ends are both ascending
    ends: list[int] = []
    by_start: dict[int, tuple] = {}
    dropped = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0], s[2])):
        start, end = span[0], span[1]
        at = bisect_right(ends, start)  # the first kept span ending after this one starts
        if at < len(starts) and starts[at] < end:
            dropped.append(Conflict(span, by_start[starts[at]]))
            continue
        insort(starts, start)
        insort(ends, end)
        by_start[start] = span
    return [by_start[start] for start in starts], dropped


def sentence_breaks(text: str) -> list[int]:
    """Offsets where a new sentence may start (ascending, inside the text)."""
    return [match.end() for match in _SENTENCE_END.finditer(text) if match.end() < len(text)]


def tag(text: str, spans: Sequence[tuple], breaks: Sequence[int], scheme: str) -> tuple[str, int, list[tuple]]:
    """The CoNLL block of one text with disjoint `spans` (start, end, label, ...) in position order: lines
    "字\\tTAG", a blank line after each sentence. Returns (block, sentences, spans with nothing to write).

    Text outside spans (most of it) is written a stretch at a time by str.join, not a character at a time."""
    first, inside, last, single = _PREFIXES[scheme]
    pieces: list[str] = []
    blank = []
    sentences = 0
    begin = at = 0
    for end in [*_unbroken(breaks, spans), len(text)]:
        before = len(pieces)
        position = begin
        while at < len(spans) and spans[at][0] < end:  # a kept span never crosses a sentence end
            span = spans[at]
            at += 1
            start, stop, label = span[0], span[1], span[2]
            _untagged(pieces, text[position:start])
            position = stop
            chars = _written(text[start:stop])
            if not chars:
                blank.append(span)
            elif len(chars) == 1:
                pieces.append(f"{chars}\t{single}-{label}\n")
            else:
                middle = f"\t{inside}-{label}\n"
                pieces.append(f"{chars[0]}\t{first}-{label}\n{middle.join(chars[1:-1])}"
                              f"{middle if len(chars) > 2 else ''}{chars[-1]}\t{last}-{label}\n")
        _untagged(pieces, text[position:end])
        if len(pieces) > before:
            pieces.append("\n")
            sentences += 1
        begin = end
    return "".join(pieces), sentences, blank


def _untagged(pieces: list[str], stretch: str) -> None:
    chars = _written(stretch)
    if chars:
        pieces.append("\tO\n".join(chars) + "\tO\n")


def _written(stretch: str) -> str:
    """The characters of `stretch` a CoNLL file holds: all but whitespace."""
    return "".join(stretch.split()) if _SPACE.search(stretch) else stretch


def _unbroken(breaks: Sequence[int], spans: Sequence[tuple]) -> list[int]:
    """The breaks that cut no span (spans disjoint, in position order)."""
    if not spans:
        return list(breaks)
    cut = set()
    for span in spans:
        at = bisect_right(breaks, span[0])
        while at < len(breaks) and breaks[at] < span[1]:
            cut.add(at)
            at += 1
    return [point for number, point in enumerate(breaks) if number not in cut]


_SPACE = re.compile(r"\s")

