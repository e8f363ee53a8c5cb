"""apicsim: a local Cisco APIC simulator speaking the APIC REST and websocket subscription protocol.

    from apicsim import Simulator, SimOptions
    async with Simulator(refresh_timeout=30) as sim:   # HTTPS on a free loopback port
        ...  # sim.url, sim.ca_file, sim.username, sim.password, sim.control, sim.mit

`SimulatorThread` runs one on a background thread for synchronous code; `apicsim` is the command line.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SimOptions", "Simulator", "SimulatorThread"]


def __getattr__(name: str) -> Any:
    # Lazy, so `apicsim ctl` (a short-lived client) does not import the server.
    if name in ("Simulator", "SimulatorThread"):
        from . import simulator

        return getattr(simulator, name)
    if name == "SimOptions":
        from .options import SimOptions

        return SimOptions
    raise AttributeError(f"module 'apicsim' has no attribute {name!r}")
