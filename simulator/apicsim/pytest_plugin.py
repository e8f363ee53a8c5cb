"""pytest fixtures that run the simulator in-process, on a free loopback port, with verified TLS.

* `apic`: a fresh simulator in the test's own event loop (async tests). Options per test with
  `@pytest.mark.apicsim(refresh_timeout=2, fault_time_scale=0.01, ...)` (any `SimOptions` field).
* `apic_factory`: `await apic_factory(**options)` for tests that need several or differently configured
  simulators; all are stopped at teardown.
* `apic_thread`: the same simulator on a background thread, for synchronous tests that run subprocesses
  (ansible-playbook, ansible-rulebook) and would otherwise block the loop; `apic_thread.call(fn, ...)` runs
  control actions on the simulator's loop, other attributes are the Simulator's.

The CA and the certificate user's key are made once per test session (in a session temp directory) and
reused, so a fresh simulator costs milliseconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from .options import SimOptions
from .simulator import Simulator, SimulatorThread

MARKER = "apicsim"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**options): SimOptions for the apic/apic_thread simulator of this test"
    )


def _marker_options(request: pytest.FixtureRequest, state_dir: Path) -> SimOptions:
    options = SimOptions(state_dir=state_dir)
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        options = options.replace(**marker.kwargs)
    return options


@pytest.fixture(scope="session")
def apicsim_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this test session's simulators keep their CA and certificate-user files."""
    return tmp_path_factory.mktemp("apicsim-state")


@pytest_asyncio.fixture
async def apic(request: pytest.FixtureRequest, apicsim_state_dir: Path) -> AsyncIterator[Simulator]:
    """A running simulator in this test's loop (see the module docstring for options)."""
    sim = Simulator(_marker_options(request, apicsim_state_dir))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest_asyncio.fixture
async def apic_factory(
    request: pytest.FixtureRequest, apicsim_state_dir: Path
) -> AsyncIterator[Callable[..., Awaitable[Simulator]]]:
    """`await apic_factory(**options)`: more simulators, stopped at teardown."""
    started: list[Simulator] = []

    async def make(**overrides: Any) -> Simulator:
        sim = Simulator(_marker_options(request, apicsim_state_dir).replace(**overrides))
        await sim.start()
        started.append(sim)
        return sim

    try:
        yield make
    finally:
        for sim in reversed(started):
            await sim.stop()


@pytest.fixture
def apic_thread(request: pytest.FixtureRequest, apicsim_state_dir: Path) -> Iterator[SimulatorThread]:
    """A running simulator on a background thread, for synchronous tests."""
    runner = SimulatorThread(_marker_options(request, apicsim_state_dir))
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()
