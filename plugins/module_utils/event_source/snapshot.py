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

Pages are not read at one instant: a deletion committed between two page reads moves every later object
one place up, so the first objects of the next page slip into the page already read and appear in no
page. Known objects that no page showed (``unseen``) are therefore asked for by DN before the
reconciliation may report them deleted (unseen_check.py), and those the APIC still has join the
snapshot (``confirm``). For a class read in DN order only some of them need asking: an object that existed
while both pages around it were read is in one of them, so a live object can be missing only if its DN
lies strictly between the last DN of one page and the first DN of the next (``bounds``).
"""

from __future__ import annotations

import bisect
import logging
import re

from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import snapshot_objects
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import Reconciliation

log = logging.getLogger(__name__)

_SCOPED = re.compile(r"[?&]query-target=(?!self(?:&|$))")


class Snapshot:
    """One subscription's snapshot being read: ``add`` each page, then the router finishes it."""

    __slots__ = ("baseline", "bounds", "first", "kept", "order_class", "pages", "reconciliation", "rewound", "sub",
                 "tickets")

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
        # The class whose DNs order the pages (None: the APIC's own order), and each page's first and last DN
        # of that class; None once a page was not in ascending DN order (then no gap can be trusted).
        # Asking for a class's subtree or children returns other classes, in no DN order of the class.
        spec = sub.spec
        ordered = not _SCOPED.search(getattr(spec, "url", ""))
        self.order_class = getattr(spec, "order_class", None) if ordered else None  # type: str | None
        self.bounds = [] if self.order_class else None  # type: list | None

    def __len__(self) -> int:
        return len(self.reconciliation)

    def add(self, imdata: object) -> None:
        """One answer's ``imdata``: compared with the state, then only its records and differences are kept."""
        changes = self._compare(imdata, "snapshot")
        if self.bounds is not None:
            self._bound(changes)
        if self.kept is not None:
            self.kept.extend(changes)
        if self.baseline is not None:
            self.baseline(changes)
        self.pages += 1

    def _bound(self, changes: list) -> None:
        """Note the page's first and last DN of the ordering class, or give up gaps if it is out of order."""
        cls = self.order_class
        dns = [change.dn for change in changes if change.cls == cls]
        if not dns:
            return
        if any(later <= earlier for earlier, later in zip(dns, dns[1:])):  # noqa: B905, RUF007 (Python 3.8 compatible)
            log.debug("subscription %s: a page is not in DN order; every unseen object is checked", self.sub.name)
            self.bounds = None
            return
        self.bounds.append((dns[0], dns[-1]))

    def unseen(self) -> tuple:
        """``(to_check, certain)``: known objects no page showed, as ``(dn, class)`` pairs that could still
        exist, and how many others are certainly gone. Nothing for a first snapshot or a single page."""
        reconciliation = self.reconciliation
        if self.first or self.pages < 2:
            return [], 0
        registry = reconciliation.state.registry
        missing = reconciliation.not_seen()
        order_class = self.order_class
        gaps = None if self.bounds is None else _gaps(self.bounds)
        lows = [gap[0] for gap in gaps] if gaps else []
        to_check = []
        for dn, record in missing:
            cls = registry.of(record).cls
            if order_class is not None and cls != order_class:
                continue  # a child in a class's answer: shown with its parent, or asked for with it
            if gaps is not None:
                index = bisect.bisect_left(lows, dn) - 1
                if index < 0 or not dn < gaps[index][1]:
                    continue
            to_check.append((dn, cls))
        return to_check, len(missing) - len(to_check)

    def confirm(self, imdata: object) -> None:
        """Objects the APIC still has although no page showed them: they join the snapshot (not a page)."""
        self._compare(imdata, "checked")

    def _compare(self, imdata: object, what: str) -> list:
        """An answer's objects compared with the state (the ones that cannot be read are logged): its changes."""
        changes, skipped = snapshot_objects(imdata)
        if skipped:
            log.warning("subscription %s: skipped %d %s object(s): %s", self.sub.name, len(skipped), what,
                        "; ".join(skipped[:3]))
        self.reconciliation.add(changes)
        return changes

    def finish(self) -> list:
        """Every page is in: the snapshot becomes the state; the missed changes (core/reconcile.py triples)."""
        return self.reconciliation.finish()


def _gaps(bounds: list) -> list:
    """The open DN intervals between consecutive pages ``(last DN of page k - 1, first DN of page k)``, merged
    and in ascending order (many deletions between two reads can make a later page end before an earlier one)."""
    gaps = sorted((before[1], after[0]) for before, after in zip(bounds, bounds[1:]) if before[1] < after[0])  # noqa: B905, RUF007 (Python 3.8)
    merged = []
    for low, high in gaps:
        if merged and low < merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged
