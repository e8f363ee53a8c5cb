"""changed_by: what joining each event with its audit record costs, commit -> queue put, side by side.

Paced modifications of one tenant, each audited as an operator's change is (one `aaaModLR`), with the
source's `changed_by` off, on with the records written right after the commit (as the simulator and, as
far as is known, an APIC write them), on with records written 50 ms late, and on with records that never
come in time (`changed_by_wait` 0.2 s, records 5 s late): the last one shows the bound. Each case runs
against a simulator process of its own, since `audit_delay` is a simulator option.
"""

from __future__ import annotations

from typing import Any

from bench.latency import TARGET_DN, measure
from bench.simproc import SimProcess
from bench.source import CHECKPOINT_OFF

# case -> (simulator options, event source options)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "off": ({}, {}),
    "on": ({}, {"changed_by": True}),
    "records 50 ms late": ({"audit_delay": 0.05}, {"changed_by": True}),
    "no record in time": ({"audit_delay": 5.0}, {"changed_by": True, "changed_by_wait": 0.2}),
}


def _attribution(source: Any) -> dict[str, Any]:
    line = source.router.attribution
    return {} if line is None else {"matched": line.matched, "unmatched": line.unmatched,
                                    "longest_wait_ms": line.waited_max * 1e3}


async def run(state_dir, rate: float, seconds: float) -> dict[str, Any]:
    """Each case: p50, p99 and max of commit -> queue put (ms), and how many events found their record."""
    results = {}
    for case, (sim_options, source_options) in CASES.items():
        async with SimProcess(state_dir, **sim_options) as sim:
            await sim.control("create_tenant", name=TARGET_DN.rsplit("tn-", 1)[1])
            results[case] = await measure(sim, rate, seconds, CHECKPOINT_OFF, audited=True, inspect=_attribution,
                                          **source_options)
    return {"rate": rate, "cases": results}
