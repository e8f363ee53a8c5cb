"""The durable checkpoint's cost on the live path: throughput and latency with it on and off, in one run.

Throughput: the event source takes the throughput section's burst (one MO per frame) into an unbounded
queue emptied every millisecond, once with the checkpoint off and once with it in an SQLite file of its
own (a fresh one per run, in a temporary directory), `repeats` interleaved rounds; the median run of each.
The rate is measured into the queue, as in the throughput section; CPU per change is the whole process's,
so the checkpoint's writer thread is in it. After the burst, the time until the writer has caught up
(every confirmed change written) is noted too: the checkpoint's lag behind the rule engine.

Latency: the latency section's paced stream (1,000 changes a second, commit -> queue put), in
`rounds` alternating runs with the checkpoint off and on (each a fresh source, `seconds / rounds` of
changes after its warm-up): on a shared machine a burst of load from elsewhere then spoils one round
of one mode, not the whole comparison. Each mode's figures are those of its median round by p99.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import latency
from bench.figures import median
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, running_source
from bench.throughput import WARM_UP, Burst, LazyConsumer, descr

BURST_TIMEOUT = 300.0
CATCH_UP_TIMEOUT = 120.0
QUIET = 0.5  # seconds without a write that count as caught up
OFF, ON = "off", "on"


async def _caught_up(checkpoint, since: float) -> float:
    """Seconds from ``since`` until the writer wrote its last change (nothing written for ``QUIET`` s)."""
    last_count, last_change = checkpoint.written, time.monotonic()
    deadline = last_change + CATCH_UP_TIMEOUT
    while time.monotonic() - last_change < QUIET:
        if time.monotonic() > deadline:
            raise TimeoutError("the checkpoint writer never caught up")
        await asyncio.sleep(0.005)
        if checkpoint.written != last_count:
            last_count, last_change = checkpoint.written, time.monotonic()
    return max(0.0, last_change - since)


async def burst_run(sim: SimProcess, count: int, checkpoint: str) -> dict[str, Any]:
    """A warm-up burst then one of ``count`` changes into an unbounded queue, with ``checkpoint``."""
    queue: asyncio.Queue = asyncio.Queue()
    async with running_source(queue, sim.source_args(subscriptions=["fvTenant"], checkpoint=checkpoint)) as source:
        for size in (WARM_UP, count):
            consumer = LazyConsumer(queue, source.stats)
            burst = Burst(sim, size, multi=False)
            await burst.prepare()
            consuming = asyncio.ensure_future(consumer.run(size))
            await burst.fire()
            await asyncio.wait_for(consuming, BURST_TIMEOUT)
            figures = await burst.figures(size, consumer.first, consumer.last, descr(consumer.last_event))
        store = source.checkpoint
        if store is not None:
            figures["catch_up_s"] = await _caught_up(store, consumer.last)
            figures["written"] = store.written
            figures["failed"] = store.failed
    return figures


async def run(state_dir, count: int, repeats: int, rate: float, seconds: float, rounds: int) -> dict[str, Any]:
    """Throughput (median of ``repeats``) and latency (median of ``rounds``), checkpoint off and on."""
    throughput: dict[str, list[dict[str, Any]]] = {OFF: [], ON: []}
    paced: dict[str, list[dict[str, Any]]] = {OFF: [], ON: []}
    with tempfile.TemporaryDirectory(prefix="bench-checkpoint-") as workdir:
        files = iter(Path(workdir, f"run-{n}.sqlite3") for n in range(10_000))
        async with SimProcess(state_dir) as sim:
            for _ in range(repeats):
                throughput[OFF].append(await burst_run(sim, count, CHECKPOINT_OFF))
                throughput[ON].append(await burst_run(sim, count, str(next(files))))
        async with SimProcess(state_dir) as sim:
            await sim.control("create_tenant", name=latency.TARGET_DN.rsplit("tn-", 1)[1])
            for _ in range(rounds):
                paced[OFF].append(await latency.measure(sim, rate, seconds / rounds, CHECKPOINT_OFF))
                paced[ON].append(await latency.measure(sim, rate, seconds / rounds, str(next(files))))
    result: dict[str, Any] = {"count": count, "repeats": repeats, "rounds": rounds, "throughput": {}, "latency": {}}
    for mode, runs in paced.items():
        chosen = dict(median(runs, key=lambda r: r["p99_ms"]))
        chosen["p99_ms_all"] = [r["p99_ms"] for r in runs]
        chosen["changes_all"] = sum(r["changes"] for r in runs)
        result["latency"][mode] = chosen
    for mode, runs in throughput.items():
        chosen = dict(median(runs, key=lambda r: r["rate"]))
        chosen["rates"] = [r["rate"] for r in runs]
        chosen["cpu_us_per_change"] = median([r["cpu_us_per_change"] for r in runs])
        result["throughput"][mode] = chosen
    result["on_of_off"] = result["throughput"][ON]["rate"] / result["throughput"][OFF]["rate"]
    return result
