"""Small pure helpers the sections share: percentiles and memory units."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

MB = 1024 * 1024
T = TypeVar("T")


def percentile(ordered: list[float], pct: float) -> float:
    """The nearest-rank percentile of an already sorted list (p100 is the maximum)."""
    if not ordered:
        raise ValueError("percentile of no values")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[T], key: Callable[[T], float] | None = None) -> T:
    """The middle value, by `key` when given (the lower one of an even count, so it is a value that was measured)."""
    ordered = sorted(values, key=key)
    return ordered[(len(ordered) - 1) // 2]


def mb(size: float) -> float:
    """Bytes as MiB, rounded for the table."""
    return round(size / MB, 1)
