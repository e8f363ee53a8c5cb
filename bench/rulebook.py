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
from rulebook_process import RulebookProcess

RULEBOOK = """\
- name: Benchmark
  hosts: all
  sources:
    - name: apic
      fabricops.aci.websocket:
        ca_path: "{{ bench_ca_path }}"
        checkpoint: "off"
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


async def run(state_dir, count: int, profile: bool) -> dict[str, Any]:
    """One burst of `count` changes through ansible-rulebook; events/s, CPU per event, source share."""
    with tempfile.TemporaryDirectory(prefix="bench-rulebook-") as workdir:
        async with SimProcess(state_dir) as sim:
            return await measure(sim, Path(workdir), RULEBOOK, count, profile=profile)


async def measure(sim: SimProcess, workdir: Path, rulebook_text: str, count: int, variables: str = "",
                  extra_args: tuple[str, ...] = (), profile: bool = False,
                  forbidden: tuple[str, ...] = ()) -> dict[str, Any]:
    """One burst of `count` changes through ansible-rulebook running `rulebook_text` (with `bench_ca_path`
    and `variables` in its vars file, `extra_args` on its command line); events/s and CPU per event.

    RuntimeError when ansible-rulebook printed any of the `forbidden` texts (a set-up that did not take).
    """
    facts = sim.facts
    Path(workdir, "rulebook.yml").write_text(rulebook_text)
    vars_file = Path(workdir, "vars.yml")
    vars_file.write_text(f"bench_ca_path: {facts['ca_file']}\n{variables}")
    env = {"ACI_HOST": f"127.0.0.1:{facts['port']}", "ACI_USERNAME": facts["username"],
           "ACI_PASSWORD": facts["password"]}
    with RulebookProcess("rulebook.yml", cwd=workdir, vars_file=vars_file, env=env,
                         extra_args=extra_args) as rulebook:
        await wait_subscribed(sim, rulebook)
        await sim.control("burst", count=1000)
        await sim.control("create_tenant", name="bench-warm")
        await _printed(rulebook, "bench-created uni/tn-bench-warm")
        process = psutil.Process(rulebook.proc.pid)
        spy = await _start_py_spy(process.pid, workdir) if profile else None
        cpu0 = sum(process.cpu_times()[:2])
        burst = await sim.control("burst", count=count)
        committed = time.monotonic()
        await sim.control("create_tenant", name="bench-end")
        done = await _printed(rulebook, "bench-created uni/tn-bench-end")
        cpu = sum(process.cpu_times()[:2]) - cpu0
        share = await _stop_py_spy(spy) if spy is not None else None
        await sim.control("delete", dn="uni/tn-bench-warm")
        await sim.control("delete", dn="uni/tn-bench-end")
        wrong = [text for text in forbidden if text in rulebook.output]
        if wrong:
            raise RuntimeError(f"ansible-rulebook printed {wrong[0]!r}:\n{rulebook.output[-3000:]}")
    seconds = done - committed
    return {
        "changes": burst["count"],
        "seconds": seconds,
        "rate": burst["count"] / seconds,
        "cpu_us_per_event": cpu / burst["count"] * 1e6,
        "py_spy_source_share": share,
    }


async def _printed(rulebook: RulebookProcess, text: str) -> float:
    """The monotonic time ansible-rulebook's line holding `text` was read; the loop runs on meanwhile."""
    return await asyncio.to_thread(rulebook.wait_for_output, text, SENTINEL_TIMEOUT)


async def wait_subscribed(sim: SimProcess, rulebook: RulebookProcess) -> None:
    """Until the simulator holds a subscription of ansible-rulebook's event source (JVM start-up included)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not await sim.subscriptions():
        rulebook.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the event source never subscribed:\n{rulebook.output[-4000:]}")
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
