"""The simulator's clock: real time plus an offset that tests and demos can jump forward.

Why not plain asyncio timers: session lifetimes (600 s), subscription windows (60 s) and fault intervals
(120 s / 3600 s) are far too long to wait for in a test. Every deadline in the simulator goes through this
clock, so `advance(601)` expires a session *now*, firing exactly the timers a real wait would have fired,
while short real timers keep working for tests that want wall-clock behaviour.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

log = logging.getLogger(__name__)


def apic_timestamp(epoch: float) -> str:
    """An APIC timestamp: ISO 8601 in UTC with milliseconds and an explicit offset (`...T12:00:00.123+00:00`).

    Every commit and fault transition stamps one, so the date part is formatted once per second and the
    milliseconds appended (rounded to the microsecond first, as `datetime.fromtimestamp` does).
    """
    global _last_stamp
    last_epoch, last_text = _last_stamp
    if epoch == last_epoch:
        return last_text
    second = int(epoch)
    micros = round((epoch - second) * 1_000_000)
    if micros >= 1_000_000:
        second, micros = second + 1, micros - 1_000_000
    text = f"{_utc_second(second)}.{micros // 1000:03d}+00:00"
    _last_stamp = (epoch, text)
    return text


#: The last time stamped and its text (one tuple, replaced whole, so threads never see half of it): a commit
#: stamps its time, and its audit record and pushes then ask for the same time again.
_last_stamp: tuple[float, str] = (float("nan"), "")


@lru_cache(maxsize=4)
def _utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


@dataclass(order=True, slots=True)
class Timer:
    """A scheduled callback; `cancel()` is O(1) (the heap drops it lazily)."""

    deadline: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class SimClock:
    """Monotonic and epoch time shifted by one offset, with timers that fire on either kind of progress."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._driver: asyncio.Task[None] | None = None

    def now(self) -> float:
        """Monotonic seconds (for deadlines)."""
        return time.monotonic() + self._offset

    def epoch(self) -> float:
        """Wall-clock seconds since 1970 (for the timestamps the APIC reports)."""
        return time.time() + self._offset

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run `callback` after `delay` simulated seconds."""
        timer = Timer(self.now() + max(0.0, delay), next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        if self._wake is not None and self._heap[0] is timer:
            self._wake.set()
        return timer

    def advance(self, seconds: float) -> None:
        """Jump forward; due timers run at once, in deadline order."""
        if seconds < 0:
            raise ValueError("advance: seconds must be >= 0 (the clock never goes back)")
        self._offset += seconds
        self._run_due()
        if self._wake is not None:
            self._wake.set()

    def start(self) -> None:
        """Start the task that fires timers as real time passes (needs a running loop)."""
        if self._driver is None:
            self._wake = asyncio.Event()
            self._driver = asyncio.get_running_loop().create_task(self._drive(), name="apicsim-clock")

    async def stop(self) -> None:
        """Stop firing timers; pending ones are dropped (the simulator is going away)."""
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._driver
            self._driver = None
        self._heap.clear()

    async def _drive(self) -> None:
        assert self._wake is not None
        while True:
            self._run_due()
            self._wake.clear()
            timeout = self._heap[0].deadline - self.now() if self._heap else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _run_due(self) -> None:
        while self._heap and (self._heap[0].cancelled or self._heap[0].deadline <= self.now()):
            timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            try:
                timer.callback()
            except Exception:  # a broken callback must not stop every other deadline
                log.exception("simulator timer callback failed")
