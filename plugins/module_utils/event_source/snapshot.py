# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A subscription's snapshot as it arrives: in one answer, or page by page for large classes.

Memory stays bounded by the state, not by the answers: each page is parsed into Changes, compared with
the delivered state (core/reconcile.py ``Reconciliation``), and dropped. What is kept until the snapshot
is complete is the new state's compact records and the missed changes (they become events). A
subscription's first snapshot is its baseline: each page goes to the checkpoint as it arrives (the
writer thread drains it in batches, as for any baseline), and only with ``emit_existing`` are its objects
kept, because every one of them becomes an event.

The delivery ledger is rewound when the snapshot starts, before any page is compared: the snapshot is
compared with what the rule engine received, never with what the source saw (core/delivery.py).
"""

from __future__ import annotations

import logging

from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import snapshot_objects
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import Reconciliation

log = logging.getLogger(__name__)


class Snapshot:
    """One subscription's snapshot being read: ``add`` each page, then the router finishes it."""

    __slots__ = ("baseline", "first", "kept", "pages", "reconciliation", "rewound", "sub", "tickets")

    def __init__(self, sub, keep: bool, baseline=None) -> None:
        state = sub.state
        self.sub = sub
        self.first = not state.initialized
        self.rewound = 0 if self.first else sub.outstanding.rewind(state.objects)
        self.reconciliation = Reconciliation(state)
        self.kept = [] if keep else None  # type: list | None
        self.pages = 0
        self.tickets = []  # type: list  # events that must leave before the snapshot's own (folded changes)
        self.baseline = baseline  # called with each page's Changes (a first snapshot written to the checkpoint)

    def __len__(self) -> int:
        return len(self.reconciliation)

    def add(self, imdata: object) -> None:
        """One answer's ``imdata``: compared with the state, then only its records and differences are kept."""
        changes, skipped = snapshot_objects(imdata)
        if skipped:
            log.warning("subscription %s: skipped %d snapshot object(s): %s", self.sub.name, len(skipped),
                        "; ".join(skipped[:3]))
        self.reconciliation.add(changes)
        if self.kept is not None:
            self.kept.extend(changes)
        if self.baseline is not None:
            self.baseline(changes)
        self.pages += 1

    def finish(self) -> list:
        """Every page is in: the snapshot becomes the state; the missed changes (core/reconcile.py triples)."""
        return self.reconciliation.finish()
