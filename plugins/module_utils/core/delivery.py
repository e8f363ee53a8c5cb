# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the rule engine has received, kept apart from what the APIC has shown: the delivery ledger.

The event source knows three states of every object: what the APIC has (snapshots and pushes), what
the source has handed over (the queue's ``put`` returned), and what the rule engine has confirmed
(ansible-rulebook's feedback queue, when asked for). Reconciliation after a drop and the durable
checkpoint must follow the *delivered* state, never the seen one, or a change seen but cut off in
``queue.put`` by a drop would look already known to the next snapshot and be lost.

Keeping a second copy of every object would double the state. Instead the known (seen) state is
advanced as pushes arrive, as before, and each change that produced an event gets a ``Ticket`` holding
the object's record as it was *before* that change. A ticket ends one of three ways:

- confirmed: the engine has the event (``put`` returned, or feedback arrived): the ticket is forgotten
  and its change is written to the checkpoint;
- dropped: the emitter was cancelled before the event was handed over (a drop, a failover, a stop);
- still outstanding: handed over but not yet confirmed (feedback mode), or waiting for its turn.

Before a subscription's next snapshot is reconciled, ``rewind`` puts back, for every object with a
dropped ticket, the record from before the first dropped change. The snapshot is then compared with
what the engine really received, and every undelivered change is emitted again (``recovered``).
Events leave in the order they were made, so once a ticket of an object is dropped, every later one
of the same object is normally dropped too; where an earlier one was given up on (the engine never
confirmed it), rewinding to it emits the later changes again as well: a duplicate, never a loss.

Pure bookkeeping: no I/O, no clock, no asyncio. The router calls it from the event loop.
"""

from __future__ import annotations

import collections
from array import array

PUT = "put"  # the checkpoint stores the object as a whole
MERGE = "merge"  # a sparse push: the checkpoint merges these attributes into what it holds
DELETE = "delete"


class Ticket:
    """One emitted change on its way to the rule engine, tracked by ``outstanding`` from the moment it is made.

    ``before`` is the object's record before the change (None: the object was not known). ``op`` is
    how the checkpoint records the change once confirmed (None: nothing to record). With
    ``outstanding`` None the ticket only describes a change that counts as delivered at once (a filtered
    one, written to the checkpoint directly) and is never tracked.
    """

    __slots__ = ("attributes", "before", "cls", "dn", "dropped", "event", "op", "outstanding", "subscription")

    def __init__(self, outstanding: Outstanding | None, subscription: str, cls: str, dn: str, op: str | None,
                 attributes: dict | None, before: array | None, event: dict | None) -> None:
        self.outstanding = outstanding
        self.subscription = subscription
        self.cls = cls
        self.dn = dn
        self.op = op
        self.attributes = attributes
        self.before = before
        self.event = event
        self.dropped = False
        if outstanding is not None:  # registered here, in the order made: one call per event, not two
            tickets = outstanding.by_dn.get(dn)
            if tickets is None:
                outstanding.by_dn[dn] = [self]
            else:
                tickets.append(self)


class Outstanding:
    """The tickets of one subscription that are not confirmed yet, by DN, in the order they were made."""

    __slots__ = ("by_dn",)

    def __init__(self) -> None:
        self.by_dn = {}  # type: dict[str, list[Ticket]]

    def __len__(self) -> int:
        return sum(len(tickets) for tickets in self.by_dn.values())

    def add(self, subscription: str, cls: str, dn: str, op: str | None, attributes: dict | None,
            before: array | None, event: dict | None) -> Ticket:
        """A change just advanced the seen state and produced ``event``: track it until confirmed."""
        return Ticket(self, subscription, cls, dn, op, attributes, before, event)

    def confirm(self, ticket: Ticket) -> None:
        """The engine has the ticket's event: forget the ticket."""
        tickets = self.by_dn.get(ticket.dn)
        if not tickets:
            return
        if tickets[0] is ticket:
            del tickets[0]
        else:
            try:
                tickets.remove(ticket)
            except ValueError:  # already rewound away: a late confirmation changes nothing here
                return
        if not tickets:
            del self.by_dn[ticket.dn]

    def rewind(self, objects: dict) -> int:
        """Put back, in ``objects`` (DN -> record), what the engine last received of every object with a
        dropped ticket; forget those tickets. Returns how many objects were rewound."""
        rewound = 0
        for dn, tickets in list(self.by_dn.items()):
            first = next((index for index, ticket in enumerate(tickets) if ticket.dropped), None)
            if first is None:
                continue
            before = tickets[first].before
            if before is None:
                objects.pop(dn, None)
            else:
                objects[dn] = before
            del tickets[first:]
            if not tickets:
                del self.by_dn[dn]
            rewound += 1
        return rewound

    def clear(self) -> None:
        """Forget everything (the subscription starts a new baseline)."""
        self.by_dn.clear()


def drop_all(tickets, start: int = 0) -> None:
    """Mark ``tickets[start:]`` dropped: their events never reached the engine."""
    for index in range(start, len(tickets)):
        tickets[index].dropped = True


class AwaitingFeedback:
    """Events handed to ansible-rulebook that its feedback queue has not confirmed yet, oldest first.

    The engine confirms events in the order it takes them, by putting each one back on the source's
    feedback queue; it skips the confirmation of an event whose processing failed. A confirmation
    therefore ends its own ticket and reports the older ones it passed over as unconfirmed. An event
    of this source that is not waiting here (a heartbeat, or one from before a restart) changes nothing.
    """

    __slots__ = ("_count", "_queue")

    def __init__(self) -> None:
        self._queue = collections.deque()  # type: collections.deque
        self._count = {}  # type: dict[str, int]

    def __len__(self) -> int:
        return len(self._queue)

    def handed(self, ticket: Ticket, uuid: str, now: float) -> None:
        """``ticket``'s event (with ``meta.uuid`` ``uuid``) was handed over at ``now``."""
        self._queue.append((uuid, now, ticket))
        self._count[uuid] = self._count.get(uuid, 0) + 1

    def _pop(self) -> tuple:
        uuid, when, ticket = self._queue.popleft()
        left = self._count[uuid] - 1
        if left:
            self._count[uuid] = left
        else:
            del self._count[uuid]
        return uuid, when, ticket

    def confirmed(self, uuid: object) -> tuple:
        """The engine confirmed ``uuid``: ``(the confirmed ticket or None, the tickets passed over)``."""
        if not isinstance(uuid, str) or uuid not in self._count:
            return None, []
        passed = []
        while True:
            seen, _when, ticket = self._pop()
            if seen == uuid:
                return ticket, passed
            passed.append(ticket)

    def overdue(self, now: float, timeout: float) -> list:
        """Tickets handed over more than ``timeout`` seconds before ``now``: given up on, oldest first."""
        late = []
        while self._queue and now - self._queue[0][1] > timeout:
            late.append(self._pop()[2])
        return late
