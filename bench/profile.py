"""Where the event source's time goes: py-spy samples of a burst, grouped by hot-path stage.

    .venv/bin/python -m bench.profile [--count 100000] [--multi] [--one-slot] [--top 25]

The simulator runs in its own process (bench/simhost.py); the source runs here, sampled by py-spy
(attached to this process without stopping it) during one burst. Each sample is charged to the
innermost frame that belongs to a known stage (its "self" stage), so the stages add up to 100% of the
samples in which this process was busy. The table in docs/performance.md comes from this.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
from pathlib import Path

from bench import pyspy
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF
from bench.throughput import Burst, LazyConsumer, SlotConsumer

# (stage, markers in "function (file:line)" frames); the first stage whose marker matches, innermost
# frame first, takes the sample.
STAGES = (
    ("frame parse (orjson + parse_frame)", ("core/frames.py",)),
    ("reconciliation update (KnownState.apply)", ("core/reconcile.py",)),
    ("event shaping: meta.uuid", ("event_uuid (", "_prefix (")),
    ("event shaping: dn parts, fields, dicts", ("core/events.py", "core/dn.py")),
    ("queue put", ("asyncio/queues.py",)),
    ("routing (router.py)", ("event_source/router.py",)),
    ("reader loop (apic_connection.py)", ("event_source/apic_connection.py",)),
    ("websocket read (aiohttp)", ("/aiohttp/",)),
    ("TLS + socket (asyncio)", ("asyncio/sslproto.py", "asyncio/selector_events.py", "/ssl.py")),
    ("event loop", ("asyncio/base_events.py", "asyncio/events.py", "selectors.py")),
    ("benchmark consumer", ("bench/throughput.py",)),
)


def stage_of(stack: list[str]) -> str:
    """The stage of the innermost frame that belongs to one (frames are listed outermost first)."""
    for frame in reversed(stack):
        for stage, markers in STAGES:
            if any(marker in frame for marker in markers):
                return stage
    return "other"


def summarise(collapsed: str, top: int) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(stage shares, leaf-function shares) of py-spy raw output."""
    stages: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    total = 0
    for frames, count in pyspy.samples(collapsed):
        stages[stage_of(frames)] += count
        leaves[frames[-1]] += count
        total += count
    if not total:
        raise SystemExit("py-spy recorded no samples")
    return ([(name, n / total) for name, n in stages.most_common()],
            [(name, n / total) for name, n in leaves.most_common(top)])


async def record(count: int, multi: bool, one_slot: bool, workdir: Path,
                 checkpoint: bool = False) -> tuple[str, dict]:
    """Run one burst through the source under py-spy; (raw samples, burst figures).

    ``checkpoint``: with the durable checkpoint on (an SQLite file in ``workdir``), else off.
    """
    from bench.source import running_source

    if pyspy.executable() is None:
        raise SystemExit("py-spy is not installed (pip install -r requirements/dev.txt)")
    out = workdir / "samples.txt"
    async with SimProcess(workdir) as sim:
        queue: asyncio.Queue = asyncio.Queue(1 if one_slot else 0)
        args = sim.source_args(subscriptions=["fvTenant"],
                               checkpoint=str(workdir / "checkpoint.sqlite3") if checkpoint else CHECKPOINT_OFF)
        async with running_source(queue, args) as source:
            for size, profiled in ((1000, False), (count, True)):
                consumer = SlotConsumer(queue) if one_slot else LazyConsumer(queue, source.stats)
                burst = Burst(sim, size, multi)
                await burst.prepare()
                spy = await pyspy.record(os.getpid(), out, rate=1000, settle=1.0) if profiled else None
                consuming = asyncio.ensure_future(consumer.run(size))
                await burst.fire()
                await asyncio.wait_for(consuming, 300)
                figures = await burst.figures(size, consumer.first, consumer.last,
                                              consumer.last_event["aci"]["attributes"]["descr"])
                if spy is not None:
                    await pyspy.stop(spy)
    return out.read_text(), figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--multi", action="store_true", help="16 MOs per frame")
    parser.add_argument("--one-slot", action="store_true", help="a one-slot queue with a consumer")
    parser.add_argument("--checkpoint", action="store_true", help="the durable checkpoint on (SQLite)")
    parser.add_argument("--top", type=int, default=20, help="leaf functions to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as workdir:
        samples, figures = asyncio.run(record(args.count, args.multi, args.one_slot, Path(workdir),
                                                   args.checkpoint))
    stages, leaves = summarise(samples, args.top)
    print(f"{figures['changes']:,} changes at {figures['rate']:,.0f}/s, {figures['cpu_us_per_change']:.2f} us CPU "
          f"per change (py-spy attached: a little slower than unprofiled)")
    print("\nstage (innermost known frame)                 share   us/change")
    for name, share in stages:
        print(f"  {name:<44} {share:6.1%}  {share * figures['cpu_us_per_change']:6.2f}")
    print("\nleaf functions")
    for name, share in leaves:
        print(f"  {share:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
