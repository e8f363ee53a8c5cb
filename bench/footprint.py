"""Resident memory of the benchmark's own process, and the size of the reconciliation state it holds.

Resident memory is the kernel's count for the process (`/proc/self/status`): `VmRSS` now, `VmHWM` its
peak. Writing 5 to `/proc/self/clear_refs` sets the peak back to the current size, so the peak of one
phase (a first snapshot, a recovery) can be read on its own.

The state is what the source keeps between snapshots: each subscription's `KnownState` (the DN ->
record dictionary, its DN strings, the records and the tombstones), summed with `sys.getsizeof` over
those objects. The schemas the records point at are shared by every object of a shape and left out. On
the `state` section's tenants this gives the same bytes per object as tracemalloc (within 1%), without
tracemalloc's own memory in the process being measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in {_STATUS}")


def resident() -> int:
    """Bytes resident now."""
    return _status_kib("VmRSS") * 1024


def peak() -> int:
    """Bytes resident at most since the process started or since the last `reset_peak`."""
    return _status_kib("VmHWM") * 1024


def reset_peak() -> bool:
    """Start a new peak from the current size; False where the kernel does not allow it."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def state_bytes(states) -> int:
    """Bytes of what the given `KnownState`s keep (see the module docstring)."""
    total = 0
    size = sys.getsizeof
    for state in states:
        total += size(state.objects) + size(state.tombstones)
        total += sum(size(dn) + size(record) for dn, record in state.objects.items())
        total += sum(size(dn) for dn in state.tombstones)
    return total
