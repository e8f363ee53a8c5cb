"""Refresh at scale: 1,000 subscriptions on one socket kept alive, and the CPU that costs.

The event source refreshes every subscription every third of its `refresh-timeout`, so a 60 s timeout
means 3 rounds of 1,000 `subscriptionRefresh` calls a minute. The full run uses the real 60 s timeout
and measures whole rounds at their real spacing (20 s, longer than the HTTP pool's 15 s keep-alive, so
connections are opened again each round as they would be in production); `--quick` uses a short
timeout. The simulator's clock compression cannot help here: the source runs on real asyncio time.
CPU per minute = rounds per minute x CPU of one measured round + the idle cost between rounds, itself
measured over a quiet stretch with no round in it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF, running_source

ROUNDS_PER_MINUTE_AT_60S = 3


async def run(state_dir, subscriptions: int, refresh_timeout: int, rounds: int) -> dict[str, Any]:
    """CPU per refresh round of `subscriptions` subscriptions, scaled to a 60 s refresh-timeout."""
    interval = refresh_timeout / 3
    specs = [{"name": f"tenant{n}", "dn": f"uni/tn-bench{n}"} for n in range(subscriptions)]
    async with SimProcess(state_dir) as sim:
        await sim.call("populate", count=subscriptions, prefix="bench")
        started = time.monotonic()
        args = sim.source_args(subscriptions=specs, refresh_timeout=refresh_timeout, checkpoint=CHECKPOINT_OFF)
        async with running_source(asyncio.Queue(), args) as source:
            subscribe_seconds = time.monotonic() - started
            live_at = time.monotonic()
            # round k starts at live_at + k * interval: [0.25, 0.75] x interval is quiet, and the window
            # from there to (rounds + 0.75) x interval holds rounds 1..rounds whole
            await asyncio.sleep(max(0.0, live_at + interval * 0.25 - time.monotonic()))
            idle_cpu, idle_seconds = await _cpu_over(interval * 0.5)
            sim_cpu0 = await sim.cpu()
            round_cpu, window = await _cpu_over(interval * rounds)
            sim_cpu = await sim.cpu() - sim_cpu0
            alive_source = source.stats.subscriptions_alive
            alive_sim = await sim.subscriptions()
            logins, reconnects = source.stats.logins, source.stats.reconnects
    if alive_source != subscriptions or alive_sim != subscriptions or reconnects:
        raise RuntimeError(f"refresh: {alive_source} (source) / {alive_sim} (simulator) of {subscriptions} "
                           f"subscriptions alive, {reconnects} reconnects")
    per_round = round_cpu / rounds
    idle_per_minute = idle_cpu / idle_seconds * 60
    return {
        "subscriptions": subscriptions,
        "refresh_timeout_measured": refresh_timeout,
        "rounds": rounds,
        "window_s": window,
        "subscribe_all_s": subscribe_seconds,
        "cpu_ms_per_round": per_round * 1e3,
        "cpu_us_per_refresh": per_round / subscriptions * 1e6,
        "idle_cpu_ms_per_minute": idle_per_minute * 1e3,
        "cpu_s_per_minute_at_60s": per_round * ROUNDS_PER_MINUTE_AT_60S + idle_per_minute,
        "simulator_cpu_ms_per_round": sim_cpu / rounds * 1e3,
        "logins": logins,
        "alive": alive_source,
    }


async def _cpu_over(seconds: float) -> tuple[float, float]:
    """This process's CPU seconds over the next `seconds` of wall time (the loop keeps running)."""
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    return time.process_time() - cpu0, time.monotonic() - wall0
