"""Feedback mode end to end: events per second through the real ansible-rulebook with and without it.

The end-to-end measurement of bench/rulebook.py (a burst the one rule evaluates without firing, a
sentinel tenant whose debug line marks the end), three times in one run against one simulator, each
with the checkpoint on (an SQLite file in a temporary directory):

- handed over: no feedback, no persistence (a plain `ansible-rulebook -r`); the checkpoint follows the
  events the engine took from its queue;
- persistence: `--persistence-id` with the engine's H2 file (`drools_db_file_path`), no feedback: what
  the persistence alone costs;
- feedback: the same plus `feedback: true` in the source's arguments, so ansible-rulebook gives each
  event back on `eda_feedback_queue` once the engine has it, and only then does the checkpoint advance.

`feedback` is written literally in the rulebook: ansible-rulebook reads it before it renders variables.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench import rulebook
from bench.simproc import SimProcess

RULEBOOK = """\
- name: Benchmark
  hosts: all
  sources:
    - name: apic
      fabricops.aci.websocket:
        ca_path: "{{ bench_ca_path }}"
        checkpoint: "{{ bench_checkpoint }}"
        feedback: FEEDBACK
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
# what the source logs when feedback was asked for but ansible-rulebook gave no feedback queue
NO_FEEDBACK_QUEUE = "gave no feedback queue"
HANDED_OVER, PERSISTENCE, FEEDBACK = "handed over", "persistence", "feedback"
MODES = {  # name -> (feedback, --persistence-id with H2)
    HANDED_OVER: (False, False),
    PERSISTENCE: (False, True),
    FEEDBACK: (True, True),
}


async def run(state_dir, count: int) -> dict[str, Any]:
    """One burst of ``count`` changes in each mode; events/s and CPU per event, feedback vs without."""
    results: dict[str, Any] = {}
    async with SimProcess(state_dir) as sim:
        for mode, (feedback, persistence) in MODES.items():
            with tempfile.TemporaryDirectory(prefix="bench-feedback-") as workdir:
                variables = f"bench_checkpoint: {Path(workdir, 'checkpoint.sqlite3')}\n"
                extra: tuple[str, ...] = ()
                if persistence:
                    variables += f"drools_db_file_path: {Path(workdir, 'h2', 'eda')}\n"
                    extra = ("--persistence-id", "bench")
                text = RULEBOOK.replace("FEEDBACK", "true" if feedback else "false")
                results[mode] = await rulebook.measure(sim, Path(workdir), text, count, variables, extra,
                                                       forbidden=(NO_FEEDBACK_QUEUE,) if feedback else ())
    return {"count": count, "modes": results,
            "feedback_of_handed_over": results[FEEDBACK]["rate"] / results[HANDED_OVER]["rate"],
            "feedback_of_persistence": results[FEEDBACK]["rate"] / results[PERSISTENCE]["rate"]}
