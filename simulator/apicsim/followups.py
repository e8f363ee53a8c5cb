"""System-initiated follow-up `modified` events after a create (segment, pcTag, VRF scope assignment).

A real APIC pushes the `created` of a BD, VRF or EPG and, moments later, a `modified` when it has
allocated the object's segment ID / pcTag. Clients that treat the first push as final state get this
wrong; with the `follow_up_modified` option the simulator reproduces it through ordinary object-tree
modifications, so the values are also visible to later GETs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .clock import SimClock
from .mit import Change, Mit


def follow_up_attrs(cls: str, n: int) -> dict[str, str] | None:
    """The system-assigned properties of the `n`-th follow-up for `cls`, or None for other classes."""
    if cls == "fvBD":
        return {"seg": str(16_318_374 + 4096 * n), "pcTag": str(32_770 + n),
                "bcastP": f"225.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"}
    if cls == "fvCtx":
        vrf = 2_850_816 + 32_768 * n
        return {"seg": str(vrf), "scope": str(vrf), "pcTag": str(16_386 + n)}
    if cls == "fvAEPg":
        return {"pcTag": str(49_153 + n), "configSt": "applied"}
    return None


class FollowUps:
    """Listens to commits and schedules the follow-up modification of every new BD, VRF and EPG."""

    def __init__(self, mit: Mit, clock: SimClock, delay: float) -> None:
        self._mit = mit
        self._clock = clock
        self._delay = delay
        self._counter = itertools.count(1)

    def on_commit(self, changes: Sequence[Change]) -> None:
        for change in changes:
            if change.status == "created":
                attrs = follow_up_attrs(change.cls, next(self._counter))
                if attrs is not None:
                    self._clock.call_later(self._delay, lambda dn=change.dn, a=attrs: self._apply(dn, a))

    def _apply(self, dn: str, attrs: dict[str, str]) -> None:
        if self._mit.get(dn) is not None:  # deleted in the meantime: nothing to assign any more
            self._mit.modify(dn, attrs)
