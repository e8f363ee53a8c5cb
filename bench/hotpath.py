"""The event source's hot path alone, without sockets: frame text in, events on an asyncio.Queue out.

This is the part of the per-change cost that the source adds over a bare reader (which receives the
same frames and parses their JSON), so it is the figure optimisations move; without sockets and a
second process it is also steady enough to compare two commits on a busy machine. Frames have the
shape the simulator pushes (sparse `modified` tenants, one or 16 per frame, and full `created` ones),
and the source's own Router does the work: parse, fan-out, reconciliation update, event, queue put,
and the confirmation of each event once the consumer has taken it.

The Router runs inside an event loop, as in the source: its settle timer confirms the taken events in
batches. The loop's clock is the benchmark's own and moves by one settle interval each time the stand-in
consumer empties the queue (every 1,000 events), so the timer fires at the same changes in every run
(a real run settles every 20 ms, some 2,000 changes at 100,000 a second).

    .venv/bin/python -m bench.hotpath [--count 100000] [--kind modified] [--repeats 5] [--set-up-only]

Instructions instead of seconds (independent of machine load): run it under
`valgrind --tool=callgrind` once normally and once with `--set-up-only` (same frames, same Router, no
routing), both with `--repeats 1`; the difference divided by `--count` is instructions per change.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import orjson

from bench.source import collection_module

SUBSCRIPTION_ID = "72057594037927937"
DN = "uni/tn-apicsim-burst"


class _Spec:
    """What the Router needs of a subscription spec: its name."""

    def __init__(self, name: str) -> None:
        self.name = name


def tenant(name: str, status: str, descr: str = "") -> dict[str, str]:
    """A full tenant as the simulator sends it on creation (16 attributes)."""
    return {"annotation": "", "childAction": "", "descr": descr, "dn": f"uni/tn-{name}", "extMngdBy": "",
            "lcOwn": "local", "modTs": "2026-11-27T10:00:00.123+00:00", "monPolDn": "uni/tn-common/monepg-default",
            "name": name, "nameAlias": "", "ownerKey": "", "ownerTag": "", "rn": "" if status else f"tn-{name}",
            "status": status, "uid": "15374", "userdom": ":all:"}


def sparse_modified(n: int) -> dict[str, str]:
    """A sparse `modified` push, attributes in the simulator's order."""
    return {"descr": f"burst-{n}", "dn": DN, "status": "modified", "modTs": f"2026-11-27T10:00:{n % 60:02d}.123+00:00",
            "rn": "", "childAction": ""}


def frames(kind: str, count: int) -> list[bytes]:
    """`count` changes as frame bytes (what the source reads with decode_text=False)."""
    def frame(mos: list[dict]) -> bytes:
        return orjson.dumps({"subscriptionId": [SUBSCRIPTION_ID], "imdata": mos})

    if kind == "modified":
        return [frame([{"fvTenant": {"attributes": sparse_modified(n)}}]) for n in range(count)]
    if kind == "modified x16":
        return [frame([{"fvTenant": {"attributes": sparse_modified(n)}} for n in range(i, min(i + 16, count))])
                for i in range(0, count, 16)]
    return [frame([{"fvTenant": {"attributes": tenant(f"t{n}", "created")}}]) for n in range(count)]


DRAIN_AT = 1000  # events the stand-in consumer lets gather before it takes them all


class _PacedLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock moves only when the benchmark moves it: timers fire at fixed changes."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def time(self) -> float:
        return self.now


def _router(queue: asyncio.Queue) -> Any:
    router_mod = collection_module("event_source.router")
    stats_mod = collection_module("event_source.stats")
    router = router_mod.Router((_Spec("tenants"),), queue, stats_mod.SourceStats(1))
    router.reset("127.0.0.1:8443")
    sub = router.subscriptions[0]
    router.begin_subscribe(sub)
    router.end_subscribe(sub, SUBSCRIPTION_ID, [{"fvTenant": {"attributes": tenant("apicsim-burst", "")}}], 0.0)
    return router


KINDS = ("modified", "modified x16", "created")


def time_kind(kind: str, count: int, repeats: int, route_frames: bool = True) -> dict[str, Any]:
    """Best of `repeats` passes of `count` changes through a fresh Router: us per change.

    ``route_frames=False`` does the same set-up and stops there (the baseline of an instruction count).
    Runs its own event loop, so it must not be called from inside one (``run`` uses a worker thread).
    """
    data = frames(kind, count)
    loop = _PacedLoop()
    try:
        return loop.run_until_complete(_time_kind(loop, data, count, repeats, route_frames))
    finally:
        loop.close()


async def _time_kind(loop: _PacedLoop, data: list[bytes], count: int, repeats: int,
                     route_frames: bool) -> dict[str, Any]:
    settle_interval = collection_module("event_source.router").SETTLE_INTERVAL
    best = float("inf")
    events = count if not route_frames else 0
    for _ in range(repeats):
        queue: asyncio.Queue = asyncio.Queue()
        router = _router(queue)
        if not route_frames:
            continue
        route, emit_now = router.route, router.emit_now
        started = time.perf_counter()
        for frame in data:
            produced = route(frame)
            if produced and not emit_now(produced):
                raise RuntimeError("the unbounded queue refused events")
            if queue.qsize() > DRAIN_AT:  # a consumer keeps up: memory stays flat, as in the real source
                while not queue.empty():
                    queue.get_nowait()
                loop.now += settle_interval  # the settle timer is due: one turn of the loop runs it
                await asyncio.sleep(0)
                await asyncio.sleep(0)
        best = min(best, time.perf_counter() - started)
        events = router.stats.events
        waiting = len(router.subscriptions[0].outstanding)
        if waiting > 2 * DRAIN_AT:
            raise RuntimeError(f"hot path: {waiting} events never confirmed; the settle timer did not run")
    if events != count:
        raise RuntimeError(f"hot path: {events} events for {count} changes")
    return {"changes": count, "us_per_change": best / count * 1e6}


async def run(state_dir=None, count: int = 100_000, repeats: int = 3) -> dict[str, Any]:
    """Every frame kind; `state_dir` is unused (no simulator) but keeps the section signature.

    In a worker thread: each pass runs its own paced event loop, which cannot run inside this one.
    """
    return await asyncio.to_thread(lambda: {kind: time_kind(kind, count, repeats) for kind in KINDS})


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kind", choices=KINDS, action="append", help="frame kinds to run (default: all)")
    parser.add_argument("--set-up-only", action="store_true", help="build frames and Router, route nothing")
    args = parser.parse_args()
    for kind in args.kind or KINDS:
        figures = time_kind(kind, args.count, args.repeats, route_frames=not args.set_up_only)
        if not args.set_up_only:
            print(f"{kind:<14} {figures['us_per_change']:6.2f} us per change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
