"""End to end: events per second through the real ansible-rulebook, and the event source's share of it.

ansible-rulebook runs the collection installed from the tarball (build/collections) with a rulebook of
one simple rule (a tenant created -> debug), so every burst change is evaluated by the rule engine and
none fires. After the burst the simulator creates a sentinel tenant; its debug line marks the end. The
rate is burst changes over the time from the end of the simulator's commit to that line.

The source's share is read two ways: the ratio of CPU per event of the source alone (throughput section,
one-slot queue, the way ansible-rulebook reads it) to ansible-rulebook's CPU per event, and, when py-spy
is installed, the share of py-spy samples of the ansible-rulebook process whose stack is inside the
collection's code or the websocket/TLS reading under it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import pyspy
from bench.simproc import SimProcess
from bench.source import REPO

sys.path.insert(0, str(REPO / "scripts"))
from rulebook_process import BIN, tool_env

RULEBOOK = """\
- name: Benchmark
  hosts: all
  sources:
    - name: apic
      fabricops.aci.websocket:
        ca_path: "{{ bench_ca_path }}"
        subscriptions:
          - name: tenants
            class: fvTenant
  rules:
    - name: Tenant created
      condition: event.aci.class == "fvTenant" and event.aci.status == "created"
      action:
        debug:
          msg: "bench-created {{ event.aci.dn }}"
"""
START_TIMEOUT = 120.0
SENTINEL_TIMEOUT = 300.0
# A sample belongs to the event source when one of its frames is in these files.
SOURCE_FRAMES = ("/ansible_collections/fabricops/aci/", "/aiohttp/", "/asyncio/sslproto.py",
                 "/asyncio/selector_events.py")


class RulebookProcess:
    """ansible-rulebook as a child process whose output lines can be awaited."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.lines: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> RulebookProcess:
        self._proc = await asyncio.create_subprocess_exec(
            str(BIN / "ansible-rulebook"), "-r", "rulebook.yml", "--vars", "vars.yml", cwd=self.workdir,
            env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=10)

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        async for line in self._proc.stdout:
            self.lines.append(line.decode(errors="replace"))
            self._changed.set()
        self._changed.set()

    async def wait_for_line(self, text: str, timeout: float) -> float:
        """The monotonic time a line containing `text` was read; RuntimeError with the output otherwise."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if text in line:
                    return time.monotonic()
            seen = len(self.lines)
            if self._proc is not None and self._proc.returncode is not None:
                raise RuntimeError(f"ansible-rulebook exited before printing {text!r}:\n{self.tail()}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise RuntimeError(f"ansible-rulebook never printed {text!r}:\n{self.tail()}") from None

    def tail(self) -> str:
        return "".join(self.lines[-40:])


async def run(state_dir, count: int, profile: bool) -> dict[str, Any]:
    """One burst of `count` changes through ansible-rulebook; events/s, CPU per event, source share."""
    with tempfile.TemporaryDirectory(prefix="bench-rulebook-") as workdir:
        async with SimProcess(state_dir) as sim:
            facts = sim.facts
            Path(workdir, "rulebook.yml").write_text(RULEBOOK)
            Path(workdir, "vars.yml").write_text(f"bench_ca_path: {facts['ca_file']}\n")
            env = tool_env({"ACI_HOST": f"127.0.0.1:{facts['port']}", "ACI_USERNAME": facts["username"],
                            "ACI_PASSWORD": facts["password"]})
            async with RulebookProcess(Path(workdir), env) as rulebook:
                await _wait_subscribed(sim, rulebook)
                await sim.control("burst", count=1000)
                await sim.control("create_tenant", name="bench-warm")
                await rulebook.wait_for_line("bench-created uni/tn-bench-warm", SENTINEL_TIMEOUT)
                process = psutil.Process(rulebook.pid)
                spy = await _start_py_spy(rulebook.pid, Path(workdir)) if profile else None
                cpu0 = sum(process.cpu_times()[:2])
                burst = await sim.control("burst", count=count)
                committed = time.monotonic()
                await sim.control("create_tenant", name="bench-end")
                done = await rulebook.wait_for_line("bench-created uni/tn-bench-end", SENTINEL_TIMEOUT)
                cpu = sum(process.cpu_times()[:2]) - cpu0
                share = await _stop_py_spy(spy) if spy is not None else None
    seconds = done - committed
    return {
        "changes": burst["count"],
        "seconds": seconds,
        "rate": burst["count"] / seconds,
        "cpu_us_per_event": cpu / burst["count"] * 1e6,
        "py_spy_source_share": share,
    }


async def _wait_subscribed(sim: SimProcess, rulebook: RulebookProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not await sim.subscriptions():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the event source never subscribed:\n{rulebook.tail()}")
        await asyncio.sleep(0.2)


async def _start_py_spy(pid: int, workdir: Path):
    """py-spy recording the rulebook process, attached before the burst starts; None without py-spy."""
    out = workdir / "py-spy.txt"
    proc = await pyspy.record(pid, out, rate=200, settle=0.5)
    return None if proc is None else (proc, out)


async def _stop_py_spy(spy) -> float | None:
    """Stop py-spy and return the share of its samples that are the event source's work."""
    proc, out = spy
    await pyspy.stop(proc)
    if not out.exists():
        return None
    return source_share(out.read_text())


def source_share(collapsed: str) -> float | None:
    """Share of samples (py-spy raw format: `frame;frame;... count` lines) with an event-source frame."""
    total = ours = 0
    for frames, count in pyspy.samples(collapsed):
        total += count
        if any(marker in frame for frame in frames for marker in SOURCE_FRAMES):
            ours += count
    return ours / total if total else None
