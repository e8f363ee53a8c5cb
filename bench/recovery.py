"""Recovery: with N objects subscribed, drop the websocket and time the way back, default settings.

The simulator process drops every socket without a close frame (a broken network path) and, while no
client is subscribed, creates, modifies and deletes tenants. Two times are taken from the drop:
until the source has every subscription live again (its `connected_since`, wall clock) and until the
last missed change has been put on the queue as a `recovered` event (monotonic clock). Both clocks are
shared by the two processes.

CPU: the source's process and the simulator's, from the drop until the last missed change is on the
queue; the simulator sorts the whole class for every page it answers, which a large class makes the
larger share of the wait.

Memory (bench/footprint.py), in the section's own process, which runs nothing but the source: resident
size once the source's modules are imported and before it starts (the baseline: interpreter, aiohttp,
orjson, the collection), the peak while it takes its first snapshot (and, with a checkpoint, until the
checkpoint holds that baseline), the peak across the drops, and the state it keeps once live.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import footprint
from bench.figures import mb, median
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, StampedQueue, collection_module, running_source, wait_until

CREATES = 10
MODIFIES = 5
DELETES = 5
TIMEOUT = 60.0
BASELINE_TIMEOUT = 600.0


async def run(state_dir, objects: int, rounds: int, checkpoint: bool = False) -> dict[str, Any]:
    """`rounds` drops with `objects` tenants subscribed; median and worst of both times, in ms; memory in MiB.

    `checkpoint`: the source writes a fresh SQLite checkpoint in a temporary directory (else it runs
    without one).
    """
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as workdir:
        where = str(Path(workdir) / "recovery.sqlite3") if checkpoint else CHECKPOINT_OFF
        return await _run(state_dir, objects, rounds, where)


async def _run(state_dir, objects: int, rounds: int, checkpoint: str) -> dict[str, Any]:
    live_ms: list[float] = []
    complete_ms: list[float] = []
    collection_module("event_source.entry")  # the source's modules count in the baseline, not in its peaks
    async with SimProcess(state_dir) as sim:
        await sim.call("populate", count=objects, prefix="bench")
        queue = StampedQueue()
        args = sim.source_args(subscriptions=["fvTenant"], checkpoint=checkpoint)
        gc.collect()
        baseline = footprint.resident()
        peaks_apart = footprint.reset_peak()
        async with running_source(queue, args) as source:
            tracked = len(source.router.subscriptions[0].state)
            if checkpoint != CHECKPOINT_OFF:  # the baseline is one reset and one put per object
                store = source.checkpoint
                await wait_until(lambda: store.written >= tracked + 1 or store.failed, BASELINE_TIMEOUT,
                                 "the checkpoint never held the baseline", interval=0.05)
            first_peak = footprint.peak()
            state = footprint.state_bytes(sub.state for sub in source.router.subscriptions)
            footprint.reset_peak()
            timeout = max(TIMEOUT, objects / 2000)  # a large class on a busy machine: the simulator sorts it per page
            source_cpu: list[float] = []
            sim_cpu: list[float] = []
            for n in range(rounds):
                modifies = [f"uni/tn-bench{n * 10 + i}" for i in range(MODIFIES)]
                deletes = [f"uni/tn-bench{objects - 1 - n * 10 - i}" for i in range(DELETES)]
                queue.stamps.clear()
                while not queue.empty():
                    queue.get_nowait()
                before = source.stats.connected_since
                cpu_before, sim_before = time.process_time(), await sim.cpu()
                dropped = await sim.call("drop_and_change", creates=CREATES, modifies=modifies, deletes=deletes,
                                         prefix=f"missed{n}-")
                expected = {tuple(item) for item in dropped["expected"]}
                last_put = await await_recovered(queue, expected, timeout)
                source_cpu.append(time.process_time() - cpu_before)
                sim_cpu.append(await sim.cpu() - sim_before)
                await wait_until(lambda b=before: source.stats.connected and source.stats.connected_since != b,
                                 timeout, "the source did not report itself live again")
                live_ms.append((source.stats.connected_since - dropped["dropped_wall"]) * 1e3)
                complete_ms.append((last_put - dropped["dropped_ns"]) / 1e6)
            reconnects = source.stats.reconnects
            recovered = source.stats.recovered
            recovery_peak = footprint.peak()
    return {
        "objects": tracked,
        "checkpoint": "off" if checkpoint == CHECKPOINT_OFF else "SQLite",
        "rounds": rounds,
        "missed_per_round": CREATES + MODIFIES + DELETES,
        "live_ms_median": median(live_ms),
        "live_ms_max": max(live_ms),
        "complete_ms_median": median(complete_ms),
        "complete_ms_max": max(complete_ms),
        "live_ms_all": live_ms,
        "complete_ms_all": complete_ms,
        "source_cpu_s_all": [round(seconds, 2) for seconds in source_cpu],
        "simulator_cpu_s_all": [round(seconds, 2) for seconds in sim_cpu],
        "reconnects": reconnects,
        "recovered_events": recovered,
        "memory": {
            "baseline_mb": mb(baseline),
            "state_mb": mb(state),
            "first_snapshot_peak_mb": mb(first_peak),
            "recovery_peak_mb": mb(recovery_peak),
            "peaks_apart": peaks_apart,  # False: the recovery peak could not be told from the first one
            "peak_over_state": round((max(first_peak, recovery_peak) - baseline) / state, 2),
            "peak_with_baseline_over_state": round(max(first_peak, recovery_peak) / state, 2),
        },
    }


async def await_recovered(queue: StampedQueue, expected: set[tuple[str, str]], timeout: float = TIMEOUT) -> int:
    """Take events until every expected (status, dn) arrived as recovered; the put time of the last one."""
    missing = set(expected)
    deadline = time.monotonic() + timeout
    taken = 0
    last_put = 0
    while missing:
        event = await asyncio.wait_for(queue.get(), max(0.0, deadline - time.monotonic()))
        aci = event["aci"]
        key = (aci["status"], aci["dn"])
        if aci["recovered"] and key in missing:
            missing.discard(key)
            last_put = queue.stamps[taken]
        taken += 1
    return last_put
