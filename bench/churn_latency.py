"""What a user feels on a noisy fabric: commit -> rule fired, through the shipped tenant_watch rulebook.

The real ansible-rulebook runs `fabricops.aci.tenant_watch` from the collection installed out of the
tarball, connected the laptop way of docs/controller.md (ACI_* environment, CA in the vars file and the
inventory), with the event source's default SQLite checkpoint in a temporary state directory. The
simulator (its own process) holds a generated fabric (large_fabric profile) and runs its churn generator
at rising rates; the mix is tenant edits only (`config`), the part of a fabric's churn that reaches the
rulebook's one subscription (fvTenant): endpoint moves, flaps and health drift go to other classes.

While a churn step runs, the rare matching change is a tenant created through the simulator's control
surface; its commit time is the simulator's wall clock when the commit ended. Its fire time is when
ansible-rulebook started the rule's action (`rule_run_at` of its audit messages, bench/audit.py), so the
playbook's own start-up is not counted. The next tenant is created once the previous playbook has ended:
ansible-rulebook runs a ruleset's actions one after another, and a tenant created meanwhile would wait
for that playbook instead of the rule engine.

Each step is run twice, in two ansible-rulebook runs against two fresh simulators with the same fabric
and churn seed: without the noise options, and with the rulebook's variables tenant_modified_attributes
and tenant_fold_window set. A mode's ladder stops at the first rate whose p99 reaches the limit (1 s):
from there on the rule engine only falls further behind.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import psutil

from bench.audit import AuditReceiver
from bench.figures import percentile
from bench.rulebook import wait_subscribed
from bench.simproc import SimProcess
from bench.source import REPO

sys.path.insert(0, str(REPO / "scripts"))
from rulebook_process import RulebookProcess, contract_files

RULEBOOK = "fabricops.aci.tenant_watch"
WITHOUT, WITH = "without options", "with options"
# The rulebook's variables for each mode (rulebooks/tenant_watch.yml documents them).
MODES: dict[str, dict[str, Any]] = {
    WITHOUT: {},
    WITH: {"tenant_modified_attributes": ["annotation"], "tenant_fold_window": 2},
}
MIX = {"config": 1}
LIMIT_S = 1.0
FIRE_TIMEOUT = 60.0  # a rule that has not fired by then counts as never (the step fails)
PLAYBOOK_TIMEOUT = 120.0
GAP = 0.2  # seconds between a playbook's end and the next tenant
SETTLE = 2.0  # seconds of churn before the first rare change of a step
SPREAD = 0.9  # the churn generator makes its events in the first 90% of its window
FABRIC = {"tenants": 1000, "leaves": 4, "endpoints": 1000}


async def run(state_dir: Path, rates: list[float], seconds: float, seed: int = 1) -> dict[str, Any]:
    """Each mode's ladder of churn `rates` (events/s), `seconds` per step; latencies and the highest rate
    whose p99 stays under the limit, per mode (bench/report.py compares them)."""
    modes = {}
    for mode, variables in MODES.items():
        modes[mode] = await _ladder(state_dir, mode, variables, rates, seconds, seed)
    return {"rulebook": RULEBOOK, "mix": MIX, "fabric": FABRIC, "seconds": seconds, "rates": rates,
            "limit_s": LIMIT_S, "variables": MODES, "modes": modes}


async def _ladder(state_dir: Path, mode: str, variables: dict[str, Any], rates: list[float], seconds: float,
                  seed: int) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-churn-") as workdir:
        async with SimProcess(state_dir) as sim, AuditReceiver() as audit:
            await sim.control("large_fabric", **FABRIC)
            files = contract_files(Path(workdir), _apic(sim), Path(workdir, "reports"), **variables)
            # ansible-rulebook reports its actions, and every second its engine's statistics, to `audit`.
            extra = ("--websocket-url", audit.url, "--id", "1", "--heartbeat", "1")
            with RulebookProcess(RULEBOOK, cwd=Path(workdir), vars_file=files.vars_file, inventory=files.inventory,
                                 env=files.env, extra_args=extra) as rulebook:
                await wait_subscribed(sim, rulebook)
                warm = await _rare_change(sim, audit, rulebook, f"bench-warm-{_slug(mode)}")
                process = psutil.Process(rulebook.proc.pid)  # the source and the engine (its JVM is in-process)
                for rate in rates:
                    step = await _step(sim, audit, rulebook, process, mode, rate, seconds, seed)
                    steps.append(step)
                    if not step["under_limit"]:
                        break
                stats = await sim.control("stats")
    # The ladder stops at the first failure: the steps under the limit are the ones before it.
    highest = max((step["rate"] for step in steps if step["under_limit"]), default=0)
    churned = sum(step["churn_events"] for step in steps)
    engine = sum(step["engine_events"] for step in steps)
    kept_up = [step for step in steps if step["under_limit"]]  # a step it fell behind in left edits unprocessed
    cpu_us = _slope([(step["churn_events"], step["rulebook_cpu_s"]) for step in kept_up])
    return {"variables": variables, "warm_up_s": warm, "steps": steps, "highest_rate_under_limit": highest,
            "churn_events": churned, "engine_events": engine,
            "engine_events_per_change": engine / churned if churned else None,
            "rulebook_cpu_us_per_edit": cpu_us,
            "churn_errors": stats["churn"]["errors"]}


def _slope(points: list[tuple[float, float]]) -> float | None:
    """ansible-rulebook's CPU per edit in microseconds: the least-squares slope of a step's CPU seconds over its
    edits, which leaves out what every step costs whatever the rate (the rare tenants' playbook runs as seen
    from ansible-rulebook, the engine's clock, the heartbeat). None with fewer than two rates."""
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return covariance / sum((x - mean_x) ** 2 for x, _ in points) * 1e6


async def _step(sim: SimProcess, audit: AuditReceiver, rulebook: RulebookProcess, process: psutil.Process,
                mode: str, rate: float, seconds: float, seed: int) -> dict[str, Any]:
    """One churn step: after SETTLE seconds of churn (a rule engine that cannot keep up is behind by then),
    rare tenants created one after another while the churn runs, until one takes the limit or more."""
    started = time.monotonic()
    engine_before = audit.session.get("eventsProcessed", 0)
    cpu_before = sum(process.cpu_times()[:2])
    await sim.control("churn", duration=seconds, rate=rate, seed=seed, mix=MIX)
    await asyncio.sleep(min(SETTLE, seconds / 4))
    latencies: list[float] = []
    missed = 0
    index = 0
    # The churn spreads its events over the first 90% of its window: rare changes are made inside it.
    while time.monotonic() - started < SPREAD * seconds:
        latency = await _rare_change(sim, audit, rulebook, f"bench-{_slug(mode)}-{int(rate)}-{index}")
        index += 1
        if latency is None:
            missed += 1
            break
        latencies.append(latency)
        if latency >= LIMIT_S:
            break
        await asyncio.sleep(GAP)
    ordered = sorted(latencies)
    under = bool(ordered) and not missed and percentile(ordered, 99) < LIMIT_S
    if not under:
        await sim.control("churn_stop")  # the ladder ends here: no need to wait for the rest of the window
    churn = await _churn_done(sim, started + seconds)
    cpu = sum(process.cpu_times()[:2]) - cpu_before  # its playbooks run in child processes, not counted
    step: dict[str, Any] = {"rate": rate, "samples": len(ordered), "missed": missed, "fire_timeout_s": FIRE_TIMEOUT,
                            "churn_events": sum(churn["counts"].values()), "churn_planned": churn["events"],
                            "churn_stopped": churn["stopped"], "under_limit": under, "rulebook_cpu_s": cpu,
                            # events the rule engine took meanwhile, from its statistics of the last second
                            "engine_events": audit.session.get("eventsProcessed", 0) - engine_before}
    if ordered:
        step.update(p50_s=percentile(ordered, 50), p99_s=percentile(ordered, 99), max_s=ordered[-1])
    return step


async def _rare_change(sim: SimProcess, audit: AuditReceiver, rulebook: RulebookProcess, name: str) -> float | None:
    """Create tenant `name`; seconds from its commit until its rule fired (None: not within FIRE_TIMEOUT).
    Returns once the playbook the rule started has ended, so the next change finds the action queue idle."""
    dn = f"uni/tn-{name}"
    committed = (await sim.call("create_tenant_stamped", name=name))["committed"]
    fired = await audit.wait_fired(dn, FIRE_TIMEOUT)
    rulebook.check_alive()
    if fired is None:
        return None
    status = await audit.wait_ended(dn, PLAYBOOK_TIMEOUT)
    if status != "successful":
        raise RuntimeError(f"the playbook started for {dn} ended {status or 'never'}:\n{rulebook.output[-3000:]}")
    return fired - committed


async def _churn_done(sim: SimProcess, deadline: float) -> dict[str, Any]:
    """The churn's state once it has ended (it ends by itself at its deadline)."""
    while True:
        churn = (await sim.control("stats"))["churn"]
        if not churn["running"]:
            return churn
        await asyncio.sleep(max(0.05, min(0.5, deadline - time.monotonic())))


def _apic(sim: SimProcess) -> types.SimpleNamespace:
    """The simulator as contract_files expects it (a SimulatorThread's attributes)."""
    facts = sim.facts
    return types.SimpleNamespace(ca_file=facts["ca_file"], host="127.0.0.1", port=facts["port"],
                                 username=facts["username"], password=facts["password"])


def _slug(mode: str) -> str:
    return "with" if mode == WITH else "without"
