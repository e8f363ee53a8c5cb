# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Counters of the running source, read by the heartbeat event and by tests.

Plain integer attributes: the hot path only does ``+= 1`` on them.
"""

from __future__ import annotations

import time


class SourceStats:
    """What the source has done since it started."""

    __slots__ = ("apic", "attribution", "awaiting", "bad_frames", "checkpoint", "confirmed", "connected",
                 "connected_since", "duplicates", "events", "filtered", "folded", "frames", "last_frame", "logins",
                 "pages", "reconnects", "recovered", "skipped_objects", "started", "subscriptions_alive",
                 "subscriptions_total", "unconfirmed", "unknown_frames")

    def __init__(self, subscriptions_total: int = 0) -> None:
        self.started = time.time()
        self.connected = False
        self.apic = None  # type: str | None
        self.connected_since = None  # type: float | None
        self.logins = 0
        self.reconnects = 0
        self.frames = 0
        self.bad_frames = 0
        self.skipped_objects = 0
        self.unknown_frames = 0
        self.duplicates = 0
        self.events = 0
        self.recovered = 0
        self.filtered = 0  # modified changes none of a subscription's modified_attributes took part in
        self.folded = 0  # modified changes folded into a later event (fold_window)
        self.pages = 0  # snapshot pages read after the subscribe answer
        self.last_frame = None  # type: float | None
        self.subscriptions_total = subscriptions_total
        self.subscriptions_alive = 0
        self.confirmed = 0  # events the rule engine gave back (feedback mode)
        self.unconfirmed = 0  # events it never confirmed: emitted again after the next reconnect or restart
        self.awaiting = None  # core/delivery.py AwaitingFeedback in feedback mode
        self.checkpoint = None  # event_source/checkpoint.py Checkpoint when one is kept
        self.attribution = None  # core/attribution.py Attribution with changed_by

    def status_fields(self) -> dict:
        """The ``aci_status`` part of a heartbeat event (documented in docs/event_reference.md)."""
        now = time.time()
        return {
            "connected": self.connected,
            "apic": self.apic,
            "connected_for": None if self.connected_since is None else round(now - self.connected_since, 3),
            "subscriptions": {"total": self.subscriptions_total, "alive": self.subscriptions_alive},
            "reconnects": self.reconnects,
            "logins": self.logins,
            "events": self.events,
            "recovered": self.recovered,
            "duplicates_dropped": self.duplicates,
            "filtered": self.filtered,
            "folded": self.folded,
            "snapshot_pages": self.pages,
            "frames": self.frames,
            "bad_frames": self.bad_frames,
            "unknown_frames": self.unknown_frames,
            "last_frame_age": None if self.last_frame is None else round(now - self.last_frame, 3),
            "uptime": round(now - self.started, 3),
            "feedback": None if self.awaiting is None else {
                "confirmed": self.confirmed, "unconfirmed": self.unconfirmed, "awaiting": len(self.awaiting)},
            "checkpoint": None if self.checkpoint is None else self.checkpoint.status_fields(),
            "changed_by": None if self.attribution is None else self.attribution.status_fields(),
        }
