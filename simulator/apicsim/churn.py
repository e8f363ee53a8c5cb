"""Background churn: a fabric that keeps changing, at set rates, for a set time, reproducibly.

A real fabric under load is never still: endpoints move between ports and leaves, new ones are
learned and old ones age out, links flap (with their F0532 fault), health scores drift and operators
edit tenants. The churn runs a seeded mix of those on the simulator's loop through the same
operations the control API offers, so pushes, faults and audit records follow as they would for a
single action. The same seed on the same fabric gives the same sequence of events.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from .errors import ApiError, bad_request
from .large_fabric import endpoint_mac
from .mit import Mit
from .operations import FabricOperations

log = logging.getLogger(__name__)

KINDS = ("endpoint_move", "endpoint_learn", "endpoint_age_out", "link_flap", "health", "config")
#: New endpoints of a churn get MACs from here upward (far above any profile's endpoints).
LEARN_BASE = 1 << 36
MAX_DURATION = 24 * 3600.0
#: A single simulator process sustains roughly 18,000 to 26,000 audited tenant edits a second with a subscriber
#: (`python -m bench.churn_cost`); asking for more simply runs behind schedule (the window's deadline still
#: ends the run).
MAX_RATE = 100_000
SPREAD = 0.9


class Churn:
    """One churn run at a time; `state()` reports what it did, per kind."""

    def __init__(self, mit: Mit, operations: FabricOperations, modify: Callable[[str, dict[str, str]], Any]) -> None:
        self._mit = mit
        self._ops = operations
        self._modify = modify
        self._task: asyncio.Task[None] | None = None
        self._counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        self._info: dict[str, Any] = {}

    def start(self, duration: float, rate: float, seed: int = 0, mix: Mapping[str, float] | None = None,
              ) -> dict[str, Any]:
        """Run `duration * rate` events within `duration` seconds, kinds drawn with the weights of `mix`."""
        duration, rate, seed = float(duration), float(rate), int(seed)
        if not 0 < duration <= MAX_DURATION:
            raise bad_request(f"churn duration must be > 0 and <= {MAX_DURATION:g} seconds, not {duration}")
        if not 0 < rate <= MAX_RATE:
            raise bad_request(f"churn rate must be > 0 and <= {MAX_RATE} events per second, not {rate}")
        weights = dict.fromkeys(KINDS, 1.0)
        if mix:
            unknown = sorted(set(mix) - set(KINDS))
            if unknown:
                raise bad_request(f"churn mix: unknown kind(s) {unknown}; known: {', '.join(KINDS)}")
            weights = {kind: float(mix.get(kind, 0)) for kind in KINDS}
            if any(w < 0 for w in weights.values()) or not sum(weights.values()):
                raise bad_request("churn mix weights must be >= 0 and not all 0 (e.g. {\"link_flap\": 1})")
        if self.running:
            raise bad_request("a churn is already running; stop it first (churn-stop)")
        self._counts = dict.fromkeys(KINDS, 0)
        self._info = {"seed": seed, "rate": rate, "duration": duration, "events": round(duration * rate),
                      "errors": 0, "stopped": None}
        self._task = asyncio.get_running_loop().create_task(self._run(duration, rate, seed, weights))
        return self.state()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def stop(self, why: str = "stopped") -> dict[str, Any]:
        if self.running:
            self._task.cancel()
            self._task = None  # stopped now: no event runs after this, whenever the task unwinds
            self._info["stopped"] = why
        return self.state()

    def state(self) -> dict[str, Any]:
        return {"running": self.running, **self._info, "counts": dict(self._counts)}

    async def _run(self, duration: float, rate: float, seed: int, weights: dict[str, float]) -> None:
        try:
            await self._events(duration, rate, seed, weights)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A bug must not vanish into a task nobody awaits: it shows in the log and in stats.
            log.exception("churn failed")
            self._info["stopped"] = "failed"

    async def _events(self, duration: float, rate: float, seed: int, weights: dict[str, float]) -> None:
        rng = random.Random(seed)
        world = _World(self._mit)
        # Cumulative weights once, not per event; each kind is drawn as `rng.choices(kinds, cum_weights=cum)`
        # draws it (one `random()`, the same bisection), without that call's checks on every event.
        kinds, cum = list(weights), list(itertools.accumulate(weights.values()))
        draw, scale, last = rng.random, cum[-1] + 0.0, len(cum) - 1
        total = round(duration * rate)
        # The events are spread over the first 90% of the window: the rest is slack, so a loop that was
        # briefly busy still runs the whole (reproducible) sequence; a loop held longer stops at the deadline.
        spacing = SPREAD * duration / total if total else 0.0
        started = time.monotonic()
        deadline = started + duration
        for n in range(total):
            due = started + n * spacing
            now = time.monotonic()
            if now >= deadline:
                self._info["stopped"] = "duration"
                return
            if due > now:
                await asyncio.sleep(due - now)
            elif n % 64 == 0:
                await asyncio.sleep(0)  # behind schedule: still let the loop serve clients
            kind = kinds[bisect.bisect(cum, draw() * scale, 0, last)]
            try:
                if self._step(kind, rng, world, n):
                    self._counts[kind] += 1
            except ApiError:
                self._info["errors"] += 1
        self._info["stopped"] = "done"

    def _step(self, kind: str, rng: random.Random, world: _World, n: int) -> bool:
        if kind == "config":  # first: a churn of tenant edits runs tens of thousands of these a second
            if not world.tenants:
                return False
            self._modify(world.tenants[rng.randrange(len(world.tenants))], {"descr": f"churn-{n}"})
            return True
        ops = self._ops
        if kind == "endpoint_move":
            if not world.endpoints or not world.ports:
                return False
            epg, mac = world.endpoints[rng.randrange(len(world.endpoints))]
            pod, node, iface = world.ports[rng.randrange(len(world.ports))]
            return bool(ops.endpoint_move(epg, mac, node, iface, pod).get("moved"))
        if kind == "endpoint_learn":
            if not world.epgs or not world.ports:
                return False
            epg = world.epgs[rng.randrange(len(world.epgs))]
            pod, node, iface = world.ports[rng.randrange(len(world.ports))]
            world.learned += 1
            index = LEARN_BASE + world.learned
            mac = endpoint_mac(index)
            ops.endpoint_learn(epg, mac, node, iface, ip=f"172.{16 + (index >> 16) % 16}.{(index >> 8) & 255}."
                               f"{index & 255}", pod=pod)
            world.endpoints.append((epg, mac))
            return True
        if kind == "endpoint_age_out":
            if not world.endpoints:
                return False
            i = rng.randrange(len(world.endpoints))
            world.endpoints[i], world.endpoints[-1] = world.endpoints[-1], world.endpoints[i]
            epg, mac = world.endpoints.pop()
            ops.endpoint_age_out(epg, mac)
            return True
        if kind == "link_flap":
            if not world.ports:
                return False
            pod, node, iface = world.ports[rng.randrange(len(world.ports))]
            oper = self._mit.get(f"topology/pod-{pod}/node-{node}/sys/phys-[{iface}]/phys")
            if oper is not None and oper.attrs.get("operSt") == "down":
                ops.link_up(node, iface, pod)
            else:
                ops.link_down(node, iface, pod)
            return True
        if kind == "health":
            if not world.healthy:
                return False
            dn = world.healthy[rng.randrange(len(world.healthy))]
            self._mit.set_health(dn, rng.randint(60, 100))
            return True
        raise ValueError(f"unknown churn kind {kind!r}")


class _World:
    """What the churn acts on, taken from the tree when it starts (sorted by DN, so it is reproducible)."""

    def __init__(self, mit: Mit) -> None:
        self.endpoints = sorted((mo.parent.dn, mo.attrs["mac"]) for mo in mit.of_class("fvCEp"))
        self.epgs = sorted(mo.dn for mo in mit.of_class("fvAEPg"))
        ports = []
        for mo in mit.of_class("l1PhysIf"):
            node = mo.parent.parent  # l1PhysIf -> topSystem -> fabricNode
            if node.attrs.get("role") == "leaf":
                ports.append((int(node.parent.attrs.get("id", "1")), int(node.attrs["id"]), mo.attrs["id"]))
        self.ports = sorted(ports)
        self.tenants = sorted(mo.dn for mo in mit.of_class("fvTenant"))
        self.healthy = sorted(mo.dn for cls in ("fvTenant", "fvAEPg", "fvBD") for mo in mit.of_class(cls))
        self.learned = 0
