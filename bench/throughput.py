"""Throughput: how many changes per second each reader takes from a burst the simulator pushes.

Four readers take the same burst, each on its own connection to the same simulator process:

- receive only: frames received, not parsed (a probe of the simulator's send rate);
- bare reader: frames received and parsed with orjson (the ceiling the event source is held to);
- event source, unbounded queue: the real source puts events on an `asyncio.Queue()`; a lazy consumer
  empties it every millisecond so memory stays flat, as a live consumer would;
- event source, one-slot queue: `asyncio.Queue(1)` drained by a consumer task, as ansible-rulebook does.

The simulator commits the whole burst first and only then starts writing frames (its commit is
synchronous), so a rate is measured from the first change a reader sees to the last one, which leaves
the simulator's commit phase out. CPU per change is the reader process's CPU time over the whole burst
(it is idle during the commit). The simulator's own CPU use while it sends is reported too: near 100%
would mean it, not the reader, set the pace.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench import bare
from bench.figures import median
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, running_source

WARM_UP = 1000
BURST_TIMEOUT = 300.0
POLL = 0.001

RECEIVE_ONLY = "receive only (simulator send probe)"
BARE = "bare reader (receive + parse)"
SOURCE_UNBOUNDED = "event source, unbounded queue"
SOURCE_ONE_SLOT = "event source, one-slot queue"
READERS = (RECEIVE_ONLY, BARE, SOURCE_UNBOUNDED, SOURCE_ONE_SLOT)


class Burst:
    """One measured burst: triggers it, notes the simulator's CPU, and shapes the figures."""

    def __init__(self, sim: SimProcess, count: int, multi: bool) -> None:
        self.sim = sim
        self.count = count
        self.multi = multi
        self.last_value = ""
        self._cpu0 = self._sim_cpu0 = self._commit = 0.0

    async def prepare(self) -> str:
        """The value of the burst's last change (`burst-<n>`), known before it is sent."""
        last = (await self.sim.call("burst_last"))["last"]
        self.last_value = f"burst-{last + self.count}"
        return self.last_value

    async def fire(self) -> None:
        """Trigger the burst; returns once the simulator has committed it (sending has begun)."""
        self._cpu0 = time.process_time()
        self._sim_cpu0 = await self.sim.cpu()
        reply = await self.sim.control("burst", count=self.count, multi=self.multi)
        self._commit = reply["seconds"]

    async def figures(self, changes: int, first: float, last: float, last_value: str) -> dict[str, Any]:
        """Rate, CPU per change and the simulator's CPU share while it sent, after the last change arrived."""
        cpu = time.process_time() - self._cpu0
        sim_cpu_end = await self.sim.cpu()
        if last_value != self.last_value or changes != self.count:
            raise RuntimeError(f"incomplete burst: {changes} of {self.count} changes, last {last_value!r} "
                               f"instead of {self.last_value!r}")
        seconds = max(last - first, 1e-9)
        return {
            "changes": changes,
            "seconds": seconds,
            "rate": changes / seconds,
            "cpu_us_per_change": cpu / changes * 1e6,
            # the simulator's CPU beyond its (synchronous) commit went into sending, during [first, last]
            "sim_busy": min(1.0, max(0.0, sim_cpu_end - self._sim_cpu0 - self._commit) / seconds),
            "sim_commit_s": self._commit,
        }


async def _bare_run(sim: SimProcess, count: int, multi: bool, parse: bool) -> dict[str, Any]:
    read = bare.read_parsed if parse else bare.read_only
    async with bare.subscribed_socket(sim.facts) as ws:
        warm = Burst(sim, WARM_UP, multi)
        reading = asyncio.ensure_future(read(ws, await warm.prepare(), time.monotonic))
        await warm.fire()
        await asyncio.wait_for(reading, BURST_TIMEOUT)
        burst = Burst(sim, count, multi)
        reading = asyncio.ensure_future(read(ws, await burst.prepare(), time.monotonic))
        await burst.fire()
        receipt = await asyncio.wait_for(reading, BURST_TIMEOUT)
        changes = receipt.changes if parse else count
        figures = await burst.figures(changes, receipt.first, receipt.last, receipt.last_value)
        figures["frames"] = receipt.frames
        return figures


class LazyConsumer:
    """Empties an unbounded queue every millisecond; notes the first and last of `expected` events."""

    def __init__(self, queue: asyncio.Queue, stats: Any) -> None:
        self.queue = queue
        self.stats = stats
        self.first = self.last = 0.0
        self.last_event: dict | None = None

    async def run(self, expected: int) -> None:
        start = self.stats.events
        queue = self.queue
        while True:
            delivered = self.stats.events - start
            if delivered and not self.first:
                self.first = time.monotonic()
            while not queue.empty():
                self.last_event = queue.get_nowait()
            if delivered >= expected:
                self.last = time.monotonic()
                return
            await asyncio.sleep(POLL)


class SlotConsumer:
    """Takes events one by one from a one-slot queue, as ansible-rulebook's engine does."""

    def __init__(self, queue: asyncio.Queue) -> None:
        self.queue = queue
        self.first = self.last = 0.0
        self.last_event: dict | None = None

    async def run(self, expected: int) -> None:
        get = self.queue.get
        event = await get()
        self.first = time.monotonic()
        for _ in range(expected - 1):
            event = await get()
        self.last = time.monotonic()
        self.last_event = event


def descr(event: dict | None) -> str:
    return "" if event is None else event["aci"]["attributes"].get("descr", "")


async def source_run(sim: SimProcess, count: int, multi: bool, one_slot: bool,
                     checkpoint: str = CHECKPOINT_OFF) -> dict[str, Any]:
    """The event source (with ``checkpoint``) taking a warm-up burst, then one of ``count`` changes."""
    queue: asyncio.Queue = asyncio.Queue(1 if one_slot else 0)
    async with running_source(queue, sim.source_args(subscriptions=["fvTenant"], checkpoint=checkpoint)) as source:
        results = []
        for size in (WARM_UP, count):
            consumer = SlotConsumer(queue) if one_slot else LazyConsumer(queue, source.stats)
            burst = Burst(sim, size, multi)
            await burst.prepare()
            consuming = asyncio.ensure_future(consumer.run(size))
            await burst.fire()
            await asyncio.wait_for(consuming, BURST_TIMEOUT)
            results.append(await burst.figures(size, consumer.first, consumer.last, descr(consumer.last_event)))
        figures = results[-1]
        figures["frames"] = source.stats.frames
        figures["duplicates"] = source.stats.duplicates
        return figures


async def measure_reader(sim: SimProcess, reader: str, count: int, multi: bool) -> dict[str, Any]:
    """One run of one reader against one burst of `count` changes."""
    if reader == RECEIVE_ONLY:
        return await _bare_run(sim, count, multi, parse=False)
    if reader == BARE:
        return await _bare_run(sim, count, multi, parse=True)
    if reader == SOURCE_UNBOUNDED:
        return await source_run(sim, count, multi, one_slot=False)
    return await source_run(sim, count, multi, one_slot=True)


async def run(state_dir, count: int, repeats: int) -> dict[str, Any]:
    """Every reader, one object per frame and multi-object frames, `repeats` interleaved rounds each."""
    modes: dict[str, Any] = {}
    for multi in (False, True):
        async with SimProcess(state_dir) as sim:
            runs: dict[str, list[dict[str, Any]]] = {reader: [] for reader in READERS}
            for _ in range(repeats):
                for reader in READERS:
                    runs[reader].append(await measure_reader(sim, reader, count, multi))
        modes["multi" if multi else "single"] = {reader: summarise(rs) for reader, rs in runs.items()}
    for mode in modes.values():
        ceiling = mode[BARE]["rate"]
        for reader in READERS:
            mode[reader]["of_bare"] = mode[reader]["rate"] / ceiling
    return {"count": count, "repeats": repeats, "modes": modes}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run's figures (by rate), with every run's rate and CPU kept for the JSON file."""
    chosen = dict(median(runs, key=lambda r: r["rate"]))
    chosen["rates"] = [r["rate"] for r in runs]
    chosen["cpu_us_per_change_all"] = [r["cpu_us_per_change"] for r in runs]
    chosen["cpu_us_per_change"] = median(chosen["cpu_us_per_change_all"])
    return chosen
