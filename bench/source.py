"""The event source under measurement, run in the benchmark's process exactly as the plugin runs it.

`entry.run` (what the plugin's `main` awaits) is `build_source(queue, args)` then `source.run()`; the
benchmark makes the same two calls so it can read the source's counters (`source.stats`) while it runs.
The code comes from the working tree through build/dev (`make dev-tree`), as in the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEV_TREE = REPO / "build" / "dev"
READY_TIMEOUT = 120.0
# The checkpoint of every section that measures something else: the figures stay comparable with those
# taken before the source had one, and nothing is written outside the benchmark's temporary files.
CHECKPOINT_OFF = "off"


def _entry():
    if str(DEV_TREE) not in sys.path:
        sys.path.insert(0, str(DEV_TREE))
    if not (DEV_TREE / "ansible_collections" / "fabricops" / "aci").exists():
        raise SystemExit("build/dev is missing: run `make dev-tree` (make bench does)")
    from ansible_collections.fabricops.aci.plugins.module_utils.event_source import entry

    return entry


def collection_module(name: str):
    """A module of the collection by its dotted name below plugins.module_utils (e.g. core.reconcile)."""
    _entry()
    import importlib

    return importlib.import_module(f"ansible_collections.fabricops.aci.plugins.module_utils.{name}")


class StampedQueue(asyncio.Queue):
    """An asyncio.Queue that notes when each item was put (monotonic ns), for latency figures.

    A subclass, so the event source still takes its direct-put fast path; `put` ends in `put_nowait`.
    """

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.stamps: list[int] = []

    def put_nowait(self, item: Any) -> None:
        self.stamps.append(time.monotonic_ns())
        super().put_nowait(item)


@contextlib.asynccontextmanager
async def running_source(queue: asyncio.Queue, args: dict[str, Any]) -> AsyncIterator[Any]:
    """Start the source, wait until every subscription is live, yield it, cancel it on exit."""
    source = _entry().build_source(queue, args)
    task = asyncio.ensure_future(source.run())
    try:
        await wait_until(lambda: source.stats.connected or task.done(), READY_TIMEOUT, "the source never got live")
        if task.done():
            task.result()  # raises what ended the source
        yield source
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until(condition, timeout: float, what: str, interval: float = 0.002) -> None:
    """Poll `condition` (a few ms apart) until it holds; TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(interval)
