# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long to wait before the next reconnect attempt.

Exponential growth keeps a throttled (503) or absent APIC from being hammered; jitter keeps many
event sources that lost the same APIC from reconnecting in lock-step. The first retry after a
connection that was healthy is immediate, because a single drop should cost well under a second.
The policy is a small object so the supervisor can be given another one (tests use a fixed one).
"""

from __future__ import annotations

import random


class ExponentialBackoff:
    """``initial * factor**(n-1)`` capped at ``maximum``, scaled by a random factor in [1 - jitter, 1].

    ``delay()`` returns the wait before the next attempt and counts it; ``reset()`` is called once a
    connection has proved healthy. Attempt 0 (right after a healthy connection) waits nothing.
    """

    def __init__(self, initial: float = 1.0, maximum: float = 60.0, factor: float = 2.0, jitter: float = 0.5,
                 rand=random.random) -> None:
        if initial < 0 or maximum < initial:
            raise ValueError(f"backoff: need 0 <= initial <= maximum, got {initial!r} and {maximum!r}")
        if factor < 1:
            raise ValueError(f"backoff: factor must be at least 1, got {factor!r}")
        if not 0 <= jitter <= 1:
            raise ValueError(f"backoff: jitter must be between 0 and 1, got {jitter!r}")
        self.initial = float(initial)
        self.maximum = float(maximum)
        self.factor = float(factor)
        self.jitter = float(jitter)
        self.attempts = 0
        self._rand = rand

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay before attempt number ``attempt`` (0-based)."""
        if attempt <= 0:
            return 0.0
        # Growth stops at the cap; the exponent is bounded so huge attempt counts cannot overflow.
        exponent = min(attempt - 1, 64)
        return min(self.maximum, self.initial * self.factor ** exponent)

    def delay(self) -> float:
        """The wait before the next attempt, and count that attempt."""
        ceiling = self.ceiling(self.attempts)
        self.attempts += 1
        return ceiling * (1.0 - self.jitter * self._rand())

    def reset(self) -> None:
        """Start again from an immediate retry (the last connection was healthy)."""
        self.attempts = 0
