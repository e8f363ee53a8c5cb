"""The simulator's own cost of the churn: CPU per audited, pushed tenant edit, and edits made a second.

Why a figure of its own: the churn section (bench/churn_latency.py) can show no more churn than the
simulator's generator makes beside ansible-rulebook, so what one edit costs the simulator bounds that
benchmark. Each edit of the `config` mix modifies a tenant, writes its audit record (aaaModLR) and pushes
both to a socket that subscribes to fvTenant and aaaModLR, as the event source of `tenant_watch` does;
beyond the history limit each new record also deletes (and pushes) the oldest one.

The simulator runs in its own process (bench/simhost.py), as in the benchmarks; the socket is read here
without parsing, on the other core. The churn is asked for the generator's highest rate, which it cannot
reach: it runs behind schedule for the whole window, so the edits it made in the window are its edits a
second. The simulator's CPU (user and system time of its process) is read before the churn and after the last
frame has arrived; system time is mostly the loopback socket's.

    .venv/bin/python -m bench.churn_cost [--seconds 3] [--repeats 3] [--profile build/bench/churn.raw]

`--profile` samples the simulator with py-spy during one more window and prints where its time went.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from apicsim.churn import MAX_RATE

from bench import pyspy
from bench.bare import subscribed_socket
from bench.churn_latency import FABRIC, MIX
from bench.simproc import SimProcess

CLASSES = ("fvTenant", "aaaModLR")  # what tenant_watch's source subscribes to
QUIET = 0.3  # seconds without a frame after the churn ended: everything it pushed has arrived
POLL = 0.2  # seconds between looks at whether the churn is still running
SETTLE = 1.0  # seconds py-spy gets to attach


class Counter:
    """Frames and bytes read from the socket, and when the last one came."""

    def __init__(self) -> None:
        self.frames = 0
        self.bytes = 0
        self.last = time.monotonic()

    async def read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        text = aiohttp.WSMsgType.TEXT
        async for message in ws:
            if message.type is not text:
                raise RuntimeError(f"the socket ended during the churn: {message.type.name}")
            self.frames += 1
            self.bytes += len(message.data)
            self.last = time.monotonic()


async def window(sim: SimProcess, counter: Counter, seconds: float, seed: int) -> dict[str, Any]:
    """One churn window at the highest rate; the edits it made, the simulator's CPU and the frames."""
    frames0, bytes0 = counter.frames, counter.bytes
    process = psutil.Process(sim.pid)
    times0 = process.cpu_times()
    started = time.monotonic()
    await sim.control("churn", duration=seconds, rate=MAX_RATE, seed=seed, mix=MIX)
    while (churn := (await sim.control("stats"))["churn"])["running"]:
        await asyncio.sleep(POLL)
    ran = time.monotonic() - started
    while time.monotonic() - counter.last < QUIET:
        await asyncio.sleep(QUIET / 3)
    times = process.cpu_times()
    user, system = times.user - times0.user, times.system - times0.system
    cpu = user + system
    edits = churn["counts"]["config"]
    if churn["errors"] or not edits:
        raise RuntimeError(f"the churn failed: {churn}")
    return {"edits": edits, "stopped": churn["stopped"], "seconds": round(ran, 2),
            "edits_per_s": round(edits / seconds), "cpu_s": round(cpu, 3),
            "cpu_us_per_edit": round(cpu / edits * 1e6, 1), "system_us_per_edit": round(system / edits * 1e6, 1),
            "frames_per_edit": round((counter.frames - frames0) / edits, 2),
            "bytes_per_edit": round((counter.bytes - bytes0) / edits)}


async def run(state_dir: Path, seconds: float = 3.0, repeats: int = 3, profile: Path | None = None) -> dict[str, Any]:
    """`repeats` windows of `seconds` (and one sampled by py-spy into `profile`); each window's figures."""
    async with SimProcess(state_dir) as sim:
        await sim.control("large_fabric", **FABRIC)
        async with subscribed_socket(sim.facts, CLASSES) as ws:
            counter = Counter()
            reader = asyncio.create_task(counter.read(ws))
            try:
                await window(sim, counter, 0.5, seed=0)  # warm-up: the history fills, code paths get hot
                windows = [await window(sim, counter, seconds, seed=n + 1) for n in range(repeats)]
                top = None
                if profile is not None:
                    top = await _profiled(sim, counter, seconds, profile)
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
    best = min(windows, key=lambda w: w["cpu_us_per_edit"])
    return {"fabric": FABRIC, "mix": MIX, "classes": CLASSES, "seconds": seconds, "windows": windows,
            "best_cpu_us_per_edit": best["cpu_us_per_edit"], "best_edits_per_s": max(w["edits_per_s"] for w in windows),
            "profile": top}


async def _profiled(sim: SimProcess, counter: Counter, seconds: float, out: Path) -> list[tuple[str, float]]:
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = await pyspy.record(sim.pid, out, rate=500, settle=SETTLE)
    if spy is None:
        raise RuntimeError("py-spy is not installed")
    await window(sim, counter, seconds, seed=99)
    await pyspy.stop(spy)
    return self_time(out.read_text())


def self_time(raw: str, top: int = 30) -> list[tuple[str, float]]:
    """The `top` innermost frames by share of the busy samples (idle samples in the selector left out)."""
    counts: collections.Counter[str] = collections.Counter()
    for frames, count in pyspy.samples(raw):
        if "select (selectors.py" in frames[-1] or "select (/" in frames[-1]:
            continue
        counts[frames[-1]] += count
    total = sum(counts.values()) or 1
    return [(frame, round(100 * n / total, 1)) for frame, n in counts.most_common(top)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.churn_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one churn window")
    parser.add_argument("--repeats", type=int, default=3, help="windows measured")
    parser.add_argument("--profile", type=Path, help="also sample one window with py-spy into this raw file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-churn-cost-") as state_dir:
        result = asyncio.run(run(Path(state_dir), args.seconds, args.repeats, args.profile))
    for w in result["windows"]:
        print(f"{w['edits']:>7} edits in {args.seconds:g} s = {w['edits_per_s']:>6}/s, simulator CPU {w['cpu_s']:.2f} s"
              f" = {w['cpu_us_per_edit']:5.1f} us/edit ({w['system_us_per_edit']:.1f} system), {w['frames_per_edit']}"
              f" frames and {w['bytes_per_edit']} bytes/edit ({w['stopped']})")
    print(f"best: {result['best_cpu_us_per_edit']} us/edit, {result['best_edits_per_s']} edits/s")
    for frame, share in result["profile"] or ():
        print(f"{share:5.1f}%  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
