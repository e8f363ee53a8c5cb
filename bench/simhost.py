"""The simulator in its own process, driven over stdin/stdout by the benchmark that measures a client.

Why a process of its own: on a 2-core machine the simulator and the measured client each get a core, so
the figures are the client's and not the simulator's. Why not the `apicsim` CLI and its HTTP control API:
some figures need the commit time of a change on a clock the client can read too (latency), and a steady
paced stream of changes, which only code running next to the object tree can give without an HTTP round
trip per change. `time.monotonic_ns()` is the same clock in every process of the machine (Linux
CLOCK_MONOTONIC), so a commit time written into a change's `descr` can be compared with the moment the
event source queued it.

Protocol: the host prints one JSON line with the simulator's facts, then answers each JSON line it reads
(`{"op": ..., ...}`) with one JSON line (`{"ok": true, ...}` or `{"ok": false, "error": ...}`), in order.
End of input stops the simulator and the process.

    python -m bench.simhost --state-dir DIR [--options '{"multi_mo_frames": true}']
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from apicsim.control import BURST_TENANT
from apicsim.simulator import Simulator

PACE_PREFIX = "pace-"


def pace_value(index: int, committed_ns: int) -> str:
    """The `descr` a paced change carries: its sequence number and commit time (monotonic ns)."""
    return f"{PACE_PREFIX}{index}-{committed_ns}"


def parse_pace_value(value: str) -> tuple[int, int] | None:
    """`(index, committed_ns)` from a paced `descr`, None for any other value."""
    if not value.startswith(PACE_PREFIX):
        return None
    index, _, committed = value[len(PACE_PREFIX):].partition("-")
    return int(index), int(committed)


class Host:
    """Commands on one running simulator; each returns a JSON-able dict."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    async def control(self, action: str, kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any action of the simulator's own control surface (`apicsim.control.Control`)."""
        method = self.sim.control.actions()[action]
        result = method(**(kwargs or {}))
        if inspect.isawaitable(result):
            result = await result
        return {"result": result}

    async def cpu(self) -> dict[str, Any]:
        """This process's CPU seconds: shows whether the simulator was the busy side."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"cpu": usage.ru_utime + usage.ru_stime}

    async def burst_last(self) -> dict[str, Any]:
        """The sequence number of the last burst value written so far (0 before any burst)."""
        mo = self.sim.mit.get(BURST_TENANT)
        descr = mo.attrs.get("descr", "") if mo is not None else ""
        return {"last": int(descr.rsplit("-", 1)[1]) if descr.startswith("burst-") else 0}

    async def populate(self, count: int, prefix: str = "bench") -> dict[str, Any]:
        """`count` tenants `<prefix><n>` created in one commit (objects for the source to track)."""
        children = [{"fvTenant": {"attributes": {"name": f"{prefix}{n}", "descr": f"seed {n}"}}}
                    for n in range(count)]
        changes = self.sim.mit.post("uni", {"polUni": {"attributes": {}, "children": children}})
        return {"created": len(changes), "objects": len(self.sim.mit)}

    async def create_tenant_stamped(self, name: str) -> dict[str, Any]:
        """Create tenant `name` as an operator does (control API) and return the wall-clock time (time.time())
        its commit ended: a rule's audit timestamps are wall-clock, on the same machine."""
        self.sim.control.create_tenant(name)
        return {"committed": time.time()}

    async def pace(self, dn: str, count: int, rate: float, audited: bool = False) -> dict[str, Any]:
        """Modify `dn` `count` times at a steady `rate` per second, each `descr` stamped with its commit time.

        The schedule is absolute (change n is due at start + n/rate), so a late wake-up does not slow
        the stream down; how late the simulator itself was is reported. `audited`: each change leaves its
        audit record (aaaModLR) as an operator's change does, at the cost of writing it.
        """
        modify = self.sim.control.modify if audited else self.sim.mit.modify
        loop = asyncio.get_running_loop()
        start = loop.time()
        late_max = 0.0
        for index in range(count):
            due = start + index / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late_max = max(late_max, -delay)
            modify(dn, {"descr": pace_value(index, time.monotonic_ns())})
        return {"sent": count, "seconds": loop.time() - start, "late_max": late_max}

    async def drop_and_change(self, creates: int, modifies: list[str], deletes: list[str],
                              prefix: str = "missed") -> dict[str, Any]:
        """Drop every socket (no close frame), then change the fabric while no client is subscribed.

        Returns the drop time on both clocks and the changes a client must recover.
        """
        dropped_wall = time.time()
        dropped_ns = time.monotonic_ns()
        dropped = self.sim.control.drop(abort=True)["dropped"]
        expected = []
        for n in range(creates):
            self.sim.control.create_tenant(f"{prefix}{n}")
            expected.append(["created", f"uni/tn-{prefix}{n}"])
        for dn in modifies:
            self.sim.mit.modify(dn, {"descr": f"changed while dropped {dropped_ns}"})
            expected.append(["modified", dn])
        for dn in deletes:
            self.sim.mit.delete(dn)
            expected.append(["deleted", dn])
        return {"dropped": dropped, "dropped_wall": dropped_wall, "dropped_ns": dropped_ns, "expected": expected}


async def serve(sim: Simulator) -> None:
    """Answer commands from stdin until it closes."""
    host = Host(sim)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        request = json.loads(line)
        op = request.pop("op")
        try:
            reply = {"ok": True, **await getattr(host, op)(**request)}
        except Exception as exc:  # report it to the benchmark, which stops with the message
            reply = {"ok": False, "error": f"{op}: {type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


async def main_async(state_dir: Path, options: dict[str, Any]) -> None:
    sim = Simulator(state_dir=state_dir, **options)
    await sim.start()
    try:
        sys.stdout.write(json.dumps(sim.describe()) + "\n")
        sys.stdout.flush()
        await serve(sim)
    finally:
        await sim.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="APIC simulator host for the benchmarks")
    parser.add_argument("--state-dir", type=Path, required=True, help="CA and keys (kept between runs)")
    parser.add_argument("--options", default="{}", help="simulator options as a JSON object")
    args = parser.parse_args()
    asyncio.run(main_async(args.state_dir, json.loads(args.options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
