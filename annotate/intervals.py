"""Vectorized helpers over integer intervals and index pairs, shared by agreement and review (numpy, no loops
over spans)."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique without its hash table, which is several times slower than a sort on millions of integers."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def spread(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index in [first, stop) of every interval, and which interval it belongs to (np.repeat, no loop)."""
    counts = stop - first
    owner = np.repeat(np.arange(len(first)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return first[owner] + offsets, owner


def connected(n: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Connected components of n nodes under the links first[k]–second[k], numbered 0, 1, … in order of each
    component's smallest node. Roots are hooked to the smaller root, then pointers jump until stable."""
    root = np.arange(n)
    while len(first):
        low = np.minimum(root[first], root[second])
        np.minimum.at(root, root[first], low)
        np.minimum.at(root, root[second], low)
        while True:
            jumped = root[root]
            if np.array_equal(jumped, root):
                break
            root = jumped
        if np.array_equal(root[first], root[second]):
            break
    fresh = np.zeros(n, dtype=np.int64)
    fresh[np.unique(root)] = 1
    return (np.cumsum(fresh) - 1)[root]
