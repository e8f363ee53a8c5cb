"""Helpers for running the event source's ``main`` as a task against the simulator (fixtures: conftest.py).

A module of its own, with a name no other test folder uses: tests import these helpers by name, and a
``from conftest import`` would pick whichever folder's conftest.py was imported first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "build" / "dev" / "ansible_collections" / "fabricops" / "aci" / "extensions" / "eda" / "plugins" \
    / "event_source" / "websocket.py"
SHUTDOWN_LIMIT = 1.0  # seconds: the documented promise for cancellation
WAIT = 15.0  # default timeout of a condition; generous for a loaded 2-core machine


def source_args(sim, *subscriptions, **extra) -> dict:
    """Arguments for a source talking to ``sim`` (first member) with fast test timers."""
    args = {
        "host": f"127.0.0.1:{sim.port}",
        "username": sim.username,
        "password": sim.password,
        "ca_path": str(sim.ca_file),
        "refresh_timeout": 2,
        "timeout": 5,
        "reconnect_delay": 0.05,
        "reconnect_delay_max": 0.5,
        "subscriptions": list(subscriptions) or [{"name": "tenants", "class": "fvTenant"}],
    }
    args.update(extra)
    return args


def member_host(sim, index: int) -> str:
    """``127.0.0.1:<port>`` of one cluster member."""
    return f"127.0.0.1:{sim.cluster.members[index].port}"


class EventLog:
    """The events a running source produced, drained from its queue (optionally slowly)."""

    def __init__(self, queue: asyncio.Queue, task: asyncio.Task, delay: float = 0.0) -> None:
        self.queue = queue
        self.task = task
        self.events: list[dict] = []
        self._delay = delay
        self._changed = asyncio.Event()
        self._drainer = asyncio.ensure_future(self._drain())
        task.add_done_callback(lambda _: self._changed.set())

    async def _drain(self) -> None:
        while True:
            event = await self.queue.get()
            if self._delay:
                await asyncio.sleep(self._delay)
            self.events.append(event)
            self._changed.set()

    @property
    def objects(self) -> list[dict]:
        """The object events (``event.aci``), heartbeats left out."""
        return [event["aci"] for event in self.events if "aci" in event]

    def of(self, status: str | None = None, dn: str | None = None, cls: str | None = None) -> list[dict]:
        return [aci for aci in self.objects if (status is None or aci["status"] == status)
                and (dn is None or aci["dn"] == dn) and (cls is None or aci["class"] == cls)]

    async def wait_for(self, predicate: Callable[[EventLog], bool], what: str, timeout: float = WAIT) -> None:
        """Wait until ``predicate(self)`` holds; fail with what was seen (or with the source's own error)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            if self.task.done():
                self.task.result()  # raises the source's error
                pytest.fail(f"the source stopped before: {what}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [(a["status"], a["class"], a["dn"], a["recovered"]) for a in self.objects[-20:]]
                pytest.fail(f"timed out after {timeout} s waiting for: {what}; last events: {seen}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def stop(self) -> float:
        """Cancel the source; returns how long it took to finish."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.task.cancel()
        await asyncio.wait([self.task], timeout=5)
        took = loop.time() - started
        self._drainer.cancel()
        await asyncio.wait([self._drainer], timeout=1)
        return took


async def live(log: EventLog, sim, count: int = 1) -> None:
    """Wait until the simulator holds ``count`` live subscriptions of the source."""
    def ready(_: EventLog) -> bool:
        return sum(member.stats()["subscriptions"] for member in sim.cluster.members) >= count
    await log.wait_for(ready, f"{count} subscription(s) live on the simulator")


def exactly_once(log: EventLog, status: str, dns) -> list[str]:
    """Problems with the claim that each DN has exactly one event of ``status`` (empty when it holds)."""
    counts: dict[str, int] = {}
    for aci in log.of(status):
        counts[aci["dn"]] = counts.get(aci["dn"], 0) + 1
    missing = sorted(dn for dn in dns if dn not in counts)
    doubled = sorted(dn for dn in dns if counts.get(dn, 0) > 1)
    problems = []
    if missing:
        problems.append(f"{len(missing)} {status} change(s) lost, e.g. {missing[:3]}")
    if doubled:
        problems.append(f"{len(doubled)} {status} change(s) emitted twice, e.g. {doubled[:3]}")
    return problems
