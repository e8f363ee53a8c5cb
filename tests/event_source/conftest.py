"""Running the event source's ``main`` as a task against the simulator, over real TLS verified with its CA.

The plugin file is loaded the way ansible-rulebook loads it (runpy.run_path), through the build/dev link,
so the collection-root lookup is exercised too. Timers are compressed through arguments and simulator
options; tests await conditions on the received events instead of sleeping.
"""

from __future__ import annotations

import asyncio
import runpy

import pytest
import pytest_asyncio
from sim_requests import recording_requests
from source_harness import PLUGIN, SHUTDOWN_LIMIT, EventLog


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch):
    """Each test keeps the source's default checkpoint in a state directory of its own (XDG_STATE_HOME)."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def plugin_main():
    """The plugin's ``main``, loaded as ansible-rulebook loads it."""
    if not PLUGIN.exists():
        pytest.fail(f"{PLUGIN} is missing; run `make dev-tree` (make test does)")
    return runpy.run_path(str(PLUGIN))["main"]


@pytest_asyncio.fixture
async def start_source(plugin_main):
    """``await start_source(args, queue=None, delay=0)`` -> EventLog; every source is stopped at teardown."""
    logs: list[EventLog] = []

    async def start(args: dict, queue: asyncio.Queue | None = None, delay: float = 0.0) -> EventLog:
        queue = queue if queue is not None else asyncio.Queue()
        task = asyncio.ensure_future(plugin_main(queue, args))
        log = EventLog(queue, task, delay)
        logs.append(log)
        return log

    yield start
    for log in logs:
        took = await log.stop()
        assert log.task.done(), "the source did not stop when cancelled"
        assert took < SHUTDOWN_LIMIT + 0.5, f"the source took {took:.2f} s to stop"


@pytest.fixture
def requests_seen():
    """Every request the simulator answered during the test."""
    with recording_requests() as handler:
        yield handler
