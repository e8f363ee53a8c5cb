"""Recovery: with 1,000 objects subscribed, drop the websocket and time the way back, default settings.

The simulator process drops every socket without a close frame (a broken network path) and, while no
client is subscribed, creates, modifies and deletes tenants. Two times are taken from the drop:
until the source has every subscription live again (its `connected_since`, wall clock) and until the
last missed change has been put on the queue as a `recovered` event (monotonic clock). Both clocks are
shared by the two processes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.figures import median
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, StampedQueue, running_source, wait_until

CREATES = 10
MODIFIES = 5
DELETES = 5
TIMEOUT = 60.0


async def run(state_dir, objects: int, rounds: int) -> dict[str, Any]:
    """`rounds` drops with `objects` tenants subscribed; median and worst of both times, in ms."""
    live_ms: list[float] = []
    complete_ms: list[float] = []
    async with SimProcess(state_dir) as sim:
        await sim.call("populate", count=objects, prefix="bench")
        queue = StampedQueue()
        args = sim.source_args(subscriptions=["fvTenant"], checkpoint=CHECKPOINT_OFF)
        async with running_source(queue, args) as source:
            tracked = len(source.router.subscriptions[0].state)
            for n in range(rounds):
                modifies = [f"uni/tn-bench{n * 10 + i}" for i in range(MODIFIES)]
                deletes = [f"uni/tn-bench{objects - 1 - n * 10 - i}" for i in range(DELETES)]
                queue.stamps.clear()
                while not queue.empty():
                    queue.get_nowait()
                before = source.stats.connected_since
                dropped = await sim.call("drop_and_change", creates=CREATES, modifies=modifies, deletes=deletes,
                                         prefix=f"missed{n}-")
                expected = {tuple(item) for item in dropped["expected"]}
                last_put = await await_recovered(queue, expected)
                await wait_until(lambda b=before: source.stats.connected and source.stats.connected_since != b,
                                 TIMEOUT, "the source did not report itself live again")
                live_ms.append((source.stats.connected_since - dropped["dropped_wall"]) * 1e3)
                complete_ms.append((last_put - dropped["dropped_ns"]) / 1e6)
            reconnects = source.stats.reconnects
            recovered = source.stats.recovered
    return {
        "objects": tracked,
        "rounds": rounds,
        "missed_per_round": CREATES + MODIFIES + DELETES,
        "live_ms_median": median(live_ms),
        "live_ms_max": max(live_ms),
        "complete_ms_median": median(complete_ms),
        "complete_ms_max": max(complete_ms),
        "live_ms_all": live_ms,
        "complete_ms_all": complete_ms,
        "reconnects": reconnects,
        "recovered_events": recovered,
    }


async def await_recovered(queue: StampedQueue, expected: set[tuple[str, str]]) -> int:
    """Take events until every expected (status, dn) arrived as recovered; the put time of the last one."""
    missing = set(expected)
    deadline = time.monotonic() + TIMEOUT
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
