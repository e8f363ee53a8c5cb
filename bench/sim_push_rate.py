#!/usr/bin/env python3
"""How fast can the simulator push? Frames per second to one websocket client on loopback.

This is the "simulator is not the bottleneck" figure for the event-source benchmarks: the simulator runs
as its own process (`apicsim`, as users start it), the client here logs in, subscribes to fvTenant over a
verified websocket and triggers the control API's burst, then counts frames until the last value of the
burst arrives. Printed, never asserted (timings on a shared machine are noisy).

    .venv/bin/python bench/sim_push_rate.py [--count 50000] [--http]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from yarl import URL


def start_simulator(state_dir: Path, http: bool) -> tuple[subprocess.Popen[str], dict]:
    args = [sys.executable, "-m", "apicsim", "--port", "0", "--state-dir", str(state_dir)]
    proc = subprocess.Popen([*args, *(["--http"] if http else [])], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Stop with Ctrl-C"):
            return proc, json.loads((state_dir / "apicsim.json").read_text())
    raise SystemExit(f"apicsim exited with {proc.wait()}")


async def run_burst(http: aiohttp.ClientSession, ws, facts: dict, tls, count: int, multi: bool) -> dict:
    """Trigger one burst and receive it; returns the measured figures."""
    started = time.perf_counter()
    async with http.post(facts["control_url"] + "/burst", json={"count": count, "multi": multi}, ssl=tls) as resp:
        burst = await resp.json()
    last = f"burst-{burst['last']}"
    frames = mos = 0
    while True:
        msg = await ws.receive(timeout=60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise SystemExit(f"socket ended during the burst: {msg.type.name}")
        frames += 1
        imdata = json.loads(msg.data)["imdata"]
        mos += len(imdata)
        if imdata[-1]["fvTenant"]["attributes"].get("descr") == last:
            break
    seconds = time.perf_counter() - started
    return {"frames": frames, "mos": mos, "seconds": seconds, "server_commit_seconds": burst["seconds"]}


async def measure(facts: dict, count: int) -> list[tuple[str, dict]]:
    tls: ssl.SSLContext | bool = ssl.create_default_context(cafile=facts["ca_file"]) if facts["ca_file"] else False
    async with aiohttp.ClientSession() as http:
        login = {"aaaUser": {"attributes": {"name": facts["username"], "pwd": facts["password"]}}}
        async with http.post(facts["url"] + "/api/aaaLogin.json", json=login, ssl=tls) as resp:
            token = (await resp.json())["imdata"][0]["aaaLogin"]["attributes"]["token"]
        ws_base = facts["url"].replace("http", "ws", 1)
        async with http.ws_connect(URL(f"{ws_base}/socket{token}", encoded=True), ssl=tls, max_msg_size=0) as ws:
            query = "/api/class/fvTenant.json?subscription=yes&refresh-timeout=3600"
            async with http.get(facts["url"] + query, headers={"Cookie": f"APIC-cookie={token}"}, ssl=tls) as resp:
                resp.raise_for_status()
            await run_burst(http, ws, facts, tls, 1000, multi=False)  # warm-up (creates the burst tenant)
            single = await run_burst(http, ws, facts, tls, count, multi=False)
            multi = await run_burst(http, ws, facts, tls, count, multi=True)
    return [("one MO per frame", single), ("multi-MO frames", multi)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000, help="changes per burst")
    parser.add_argument("--http", action="store_true", help="plain ws:// instead of TLS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apicsim-bench-") as state:
        proc, facts = start_simulator(Path(state), args.http)
        try:
            results = asyncio.run(measure(facts, args.count))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
    transport = "ws:// (plain)" if args.http else "wss:// (TLS, verified)"
    print(f"apicsim push rate, {args.count} changes, {transport}, simulator and client in separate processes, "
          f"{os.cpu_count()} CPUs")
    print(f"{'mode':<18} {'frames':>8} {'MOs':>8} {'seconds':>8} {'frames/s':>10} {'MOs/s':>10} {'commit s':>9}")
    for name, r in results:
        print(f"{name:<18} {r['frames']:>8} {r['mos']:>8} {r['seconds']:>8.3f} {r['frames'] / r['seconds']:>10.0f} "
              f"{r['mos'] / r['seconds']:>10.0f} {r['server_commit_seconds']:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
