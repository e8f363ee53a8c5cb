"""Each benchmark section, runnable alone in a fresh process: `python -m bench.sections NAME PARAMS STATE_DIR`.

A fresh process per section keeps the figures apart: memory is read in a process that has run nothing
else, and one section's garbage, caches or loaded modules cannot slow the next. The section's result is
printed as one JSON line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bench import (
    attribution,
    checkpointing,
    churn_latency,
    feedback,
    hotpath,
    latency,
    memory,
    recovery,
    refresh,
    restart,
    rulebook,
    throughput,
)

# name -> (what it measures, full-run parameters, --quick parameters)
SECTIONS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "throughput": ("changes per second: simulator, bare reader, event source",
                   {"count": 100_000, "repeats": 3}, {"count": 5_000, "repeats": 1}),
    "hotpath": ("the source's own work per change, no sockets", {"count": 100_000, "repeats": 5},
                {"count": 5_000, "repeats": 1}),
    "latency": ("commit -> queue put at a steady rate", {"rate": 1000, "seconds": 10}, {"rate": 1000, "seconds": 1}),
    "recovery": ("socket dropped with 1,000 objects subscribed", {"objects": 1000, "rounds": 5},
                 {"objects": 1000, "rounds": 2}),
    "recovery_paged": ("socket dropped with 100,000 objects subscribed: paged snapshots, peak memory",
                       {"objects": 100_000, "rounds": 3}, {"objects": 20_000, "rounds": 1}),
    "recovery_paged_checkpoint": ("the same with the SQLite checkpoint on (its baseline written page by page)",
                                  {"objects": 100_000, "rounds": 3, "checkpoint": True},
                                  {"objects": 12_000, "rounds": 1, "checkpoint": True}),
    "recovery_500k": ("socket dropped with 500,000 objects subscribed (--quick: 12,000)",
                      {"objects": 500_000, "rounds": 2}, {"objects": 12_000, "rounds": 1}),
    "memory": ("RSS across a long stream of events", {"events": 1_000_000, "bursts": 10, "warm_up_bursts": 2},
               {"events": 40_000, "bursts": 4, "warm_up_bursts": 1}),
    "state": ("reconciliation state per tracked object", {"objects": 100_000}, {"objects": 10_000}),
    "refresh": ("1,000 subscriptions kept alive", {"subscriptions": 1000, "refresh_timeout": 60, "rounds": 1},
                {"subscriptions": 1000, "refresh_timeout": 3, "rounds": 1}),
    "rulebook": ("end to end through ansible-rulebook", {"count": 20_000, "profile": True},
                 {"count": 2_000, "profile": False}),
    "checkpoint": ("throughput and latency, checkpoint on vs off",
                   {"count": 100_000, "repeats": 3, "rate": 1000, "seconds": 10, "rounds": 5},
                   {"count": 5_000, "repeats": 1, "rate": 1000, "seconds": 1, "rounds": 1}),
    "restart": ("restart with a checkpoint: missed changes, bytes per object",
                {"objects": [1000, 100_000], "postgres_objects": 100_000},
                {"objects": [1000, 5000], "postgres_objects": 1000}),
    "feedback": ("ansible-rulebook with feedback vs without", {"count": 20_000}, {"count": 2_000}),
    "changed_by": ("commit -> queue put with changed_by (audit records) vs without", {"rate": 200, "seconds": 10},
                   {"rate": 200, "seconds": 1}),
    "churn": ("commit -> rule fired under churn, shipped tenant_watch, noise options on vs off",
              {"rates": [250, 500, 1000, 1500, 2000, 3000, 4000, 8000, 10_000, 12_500, 15_000, 17_500, 20_000, 25_000,
                        30_000], "seconds": 15},
              {"rates": [500, 4000], "seconds": 4}),
}

_RUNNERS = {
    "throughput": throughput.run,
    "hotpath": hotpath.run,
    "latency": latency.run,
    "recovery": recovery.run,
    "recovery_paged": recovery.run,
    "recovery_paged_checkpoint": recovery.run,
    "recovery_500k": recovery.run,
    "memory": memory.stream,
    "state": memory.state,
    "refresh": refresh.run,
    "rulebook": rulebook.run,
    "checkpoint": checkpointing.run,
    "restart": restart.run,
    "feedback": feedback.run,
    "changed_by": attribution.run,
    "churn": churn_latency.run,
}


def main(argv: list[str]) -> int:
    name, params, state_dir = argv[0], json.loads(argv[1]), Path(argv[2])
    result = asyncio.run(_RUNNERS[name](state_dir, **params))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
