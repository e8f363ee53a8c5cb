"""Memory: resident size of the event source across a long stream, and what reconciliation state costs.

Stream: the source (in this process, which runs nothing else) takes bursts from the simulator process
into an unbounded queue emptied by a consumer; the process's RSS is read after every burst. The first
bursts are the warm-up (allocator arenas, caches); the figures are the spread and the growth after it.

State: `KnownState` (core/reconcile.py) built from a snapshot of `objects` objects, measured with
tracemalloc once the snapshot itself is freed, for two real shapes: a tenant and a bridge domain with
the attributes the simulator gives them.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from typing import Any

import psutil

from bench.figures import mb
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, collection_module, running_source
from bench.throughput import Burst

BURST_TIMEOUT = 300.0


async def stream(state_dir, events: int, bursts: int, warm_up_bursts: int) -> dict[str, Any]:
    """RSS after each of `bursts` bursts totalling `events` events; spread and growth after the warm-up."""
    size = events // bursts
    process = psutil.Process()
    samples: list[int] = []
    delivered = 0
    started = time.monotonic()
    async with SimProcess(state_dir) as sim:
        queue: asyncio.Queue = asyncio.Queue()
        args = sim.source_args(subscriptions=["fvTenant"], checkpoint=CHECKPOINT_OFF)
        async with running_source(queue, args) as source:
            for _ in range(bursts):
                burst = Burst(sim, size, multi=False)
                last_value = await burst.prepare()
                consuming = asyncio.ensure_future(_drain_until(queue, last_value))
                await burst.fire()
                delivered += await asyncio.wait_for(consuming, BURST_TIMEOUT)
                samples.append(process.memory_info().rss)
            stats_events = source.stats.events
    after = samples[warm_up_bursts - 1:]
    return {
        "events": delivered,
        "source_events": stats_events,
        "bursts": bursts,
        "warm_up_events": size * warm_up_bursts,
        "seconds": time.monotonic() - started,
        "rss_mb_after_warm_up": mb(after[0]),
        "rss_mb_end": mb(after[-1]),
        "rss_mb_growth": mb(after[-1] - after[0]),
        "rss_mb_spread": mb(max(after) - min(after)),
        "rss_mb_samples": [mb(s) for s in samples],
    }


async def _drain_until(queue: asyncio.Queue, last_value: str) -> int:
    """Consume events until the one carrying `last_value`; how many were taken."""
    taken = 0
    while True:
        event = await queue.get()
        taken += 1
        if event["aci"]["attributes"].get("descr") == last_value:
            return taken


def replicate(template: dict[str, str], index: int) -> tuple[str, dict[str, str]]:
    """A copy of a simulator object with its own name, DN and values (same attribute set)."""
    parent, _, rn = template["dn"].rpartition("/")
    prefix = rn.split("-", 1)[0]
    name = f"bench-{index:06d}"
    dn = f"{parent}/{prefix}-{name}"
    attributes = dict(template)
    attributes.update(dn=dn, name=name, descr=f"object number {index}", status="", rn=f"{prefix}-{name}",
                      modTs=f"2026-11-27T10:00:00.{index % 1000:03d}+00:00")
    return dn, attributes


def state_cost(cls: str, shape, objects: int) -> dict[str, Any]:
    """Bytes per tracked object (tracemalloc) of a KnownState holding `objects` objects of one shape."""
    frames = collection_module("core.frames")
    reconcile = collection_module("core.reconcile")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        snapshot = [frames.Change(cls, dn, "", attributes) for dn, attributes in map(shape, range(objects))]
        width = len(snapshot[0].attributes)
        state = reconcile.KnownState()
        state.reconcile(snapshot)
        del snapshot
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(state) == objects
    return {"class": cls, "attributes": width, "objects": objects, "bytes_per_object": used / objects,
            "total_mb": mb(used)}


async def state(state_dir, objects: int) -> dict[str, Any]:
    """Reconciliation state cost for a tenant and a bridge domain, as the simulator holds them."""
    async with SimProcess(state_dir) as sim:
        await sim.control("create_tenant", name="shape", descr="a tenant as the simulator holds it")
        await sim.control("create", cls="fvBD", dn="uni/tn-shape/BD-shape")
        templates = [(await sim.control("get", dn=dn))[cls]["attributes"]
                     for cls, dn in (("fvTenant", "uni/tn-shape"), ("fvBD", "uni/tn-shape/BD-shape"))]
    return {"shapes": [state_cost(cls, lambda i, t=template: replicate(t, i), objects)
                       for cls, template in zip(("fvTenant", "fvBD"), templates, strict=True)]}
