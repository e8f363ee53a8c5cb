"""Latency: from the simulator committing a change to the event source putting its event on the queue.

The simulator process modifies one tenant at a steady rate (absolute schedule), writing the commit time
(monotonic ns, the same clock in every process) into the change's `descr` just before the commit. The
source runs in this process with a queue that notes when each event is put; a consumer takes events as
they come. The first `WARM_UP` changes are left out of the figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bench.figures import percentile
from bench.simhost import parse_pace_value
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, StampedQueue, running_source

TARGET_DN = "uni/tn-bench-latency"
WARM_UP = 200


async def run(state_dir, rate: float, seconds: float) -> dict[str, Any]:
    """Pace `rate` changes per second for `seconds`; p50, p99 and max of commit -> queue put, in ms."""
    async with SimProcess(state_dir) as sim:
        await sim.control("create_tenant", name=TARGET_DN.rsplit("tn-", 1)[1])
        return await measure(sim, rate, seconds, CHECKPOINT_OFF)


async def measure(sim: SimProcess, rate: float, seconds: float, checkpoint: str, audited: bool = False,
                  inspect: Callable[[Any], dict] | None = None, **source_options: Any) -> dict[str, Any]:
    """One paced run against a simulator holding `TARGET_DN`, the source running with `checkpoint` (and
    `source_options`); `audited`: each change also writes its audit record, as a user's change does;
    `inspect(source)`: more figures, read from the source before it stops."""
    count = int(rate * seconds) + WARM_UP
    queue = StampedQueue()
    args = sim.source_args(subscriptions=["fvTenant"], checkpoint=checkpoint, **source_options)
    async with running_source(queue, args) as source:
        events: list[dict] = []
        consuming = asyncio.ensure_future(_consume(queue, events, count))
        paced = await sim.call("pace", dn=TARGET_DN, count=count, rate=rate, audited=audited)
        await asyncio.wait_for(consuming, 60)
        extra = inspect(source) if inspect is not None else {}
    latencies = []
    for event, put_ns in zip(events, queue.stamps, strict=True):
        parsed = parse_pace_value(event["aci"]["attributes"].get("descr", ""))
        if parsed is not None and parsed[0] >= WARM_UP:
            latencies.append((put_ns - parsed[1]) / 1e6)
    if len(latencies) != count - WARM_UP:
        raise RuntimeError(f"latency: {len(latencies)} of {count - WARM_UP} paced changes arrived")
    latencies.sort()
    return {
        "rate": rate,
        "achieved_rate": count / paced["seconds"],
        "changes": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1],
        "simulator_late_max_ms": paced["late_max"] * 1e3,
        **extra,
    }


async def _consume(queue: asyncio.Queue, events: list, count: int) -> None:
    """Take every event as it comes; stop after the last paced change."""
    while True:
        event = await queue.get()
        events.append(event)
        parsed = parse_pace_value(event.get("aci", {}).get("attributes", {}).get("descr", ""))
        if parsed is not None and parsed[0] == count - 1:
            return
