"""Token boundaries of the open document (stored code points): selection snapping and moving by token."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate, chain
from typing import Iterable, Sequence


class Tokens:
    """Token boundaries, built in the worker thread that segments (200,000 tokens for 1 MB: C-level loops)."""

    def __init__(self, boundaries: list[int]):
        self.boundaries = boundaries  # sorted stored positions: 0, end of token 1, end of token 2, ...

    @classmethod
    def from_lengths(cls, lengths: Iterable[int]) -> "Tokens":
        """From token lengths covering the text (corpus.segment.document_token_lengths)."""
        return cls(list(accumulate(lengths, initial=0)))

    @classmethod
    def from_tokens(cls, tokens: Sequence[tuple[int, int]]) -> "Tokens":
        """From (start, end) tokens; ones that leave gaps keep every start and end as a boundary."""
        flat = list(chain.from_iterable(tokens))
        if flat and flat[2::2] == flat[1:-1:2]:  # the usual case: tokens tile the text
            return cls(flat[0::2] + flat[-1:])
        return cls(sorted(set(flat)))

    def __len__(self) -> int:
        return max(len(self.boundaries) - 1, 0)

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen [start, end) to the tokens it touches (a selection inside one token takes the token)."""
        if not self.boundaries:
            return start, end
        i = bisect_right(self.boundaries, start) - 1
        j = bisect_left(self.boundaries, end)
        snapped_start = self.boundaries[i] if i >= 0 else start
        snapped_end = self.boundaries[j] if j < len(self.boundaries) else end
        return snapped_start, snapped_end

    def next_boundary(self, position: int) -> int | None:
        i = bisect_right(self.boundaries, position)
        return self.boundaries[i] if i < len(self.boundaries) else None

    def previous_boundary(self, position: int) -> int | None:
        i = bisect_left(self.boundaries, position) - 1
        return self.boundaries[i] if i >= 0 else None

    def overlapping(self, start: int, end: int) -> range:
        """Indexes i of the pieces [boundaries[i], boundaries[i + 1]) that overlap [start, end)."""
        return range(max(bisect_right(self.boundaries, start) - 1, 0),
                     min(bisect_left(self.boundaries, end), len(self.boundaries) - 1))
