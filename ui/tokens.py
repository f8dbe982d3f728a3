"""Token boundaries of the open document (stored code points): selection snapping and moving by token."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Sequence


class Tokens:
    def __init__(self, tokens: Sequence[tuple[int, int]]):
        self.starts = [start for start, _ in tokens]
        self.ends = [end for _, end in tokens]
        if self.ends and self.starts[1:] == self.ends[:-1]:  # the usual case: tokens tile the text
            self.boundaries = self.starts + [self.ends[-1]]
        else:
            self.boundaries = sorted(set(self.starts) | set(self.ends))

    def __len__(self) -> int:
        return len(self.starts)

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
        """Indexes of tokens overlapping [start, end)."""
        return range(max(bisect_right(self.ends, start), 0), bisect_left(self.starts, end))
