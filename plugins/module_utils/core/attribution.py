# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who made a configuration change: events joined with the APIC's audit records, within a bounded wait.

An APIC writes one audit record (``aaaModLR``) per configuration object a commit changed: the user, the
session, the kind of change (``ind``: creation, modification, deletion), the change set and the time.
The object's push and its record travel separately and in no promised order (the record is written
right after the commit, so it usually comes second), so the join works both ways:

- a record that arrives first is kept for ``keep`` seconds, by (affected DN, kind of change), and the
  event that arrives later takes it at once;
- an event whose record is not there yet waits for it, at most ``wait`` seconds, and then leaves with
  ``changed_by: null`` and the reason ``no_audit_record``.

Events leave in the order they were made, so an event behind a waiting one waits too; every wait is
equally long and starts when the event is admitted, so no event waits longer than ``wait`` and the
line never holds more than ``limit`` events (beyond that the oldest leaves at once, reason ``busy``).
Changes found by a snapshot (``recovered``, ``existing``) are not pushes of one commit: their records
may be long gone, so they leave at once with ``changed_by: null`` and that reason (``audit_info``
looks them up). A folded event takes the newest record of its object, since it carries the latest
state. Faults, health scores and history records are never audited: their events leave at once with
``changed_by: null`` and the reason ``not_audited``. Events of subscriptions that did not ask for
attribution pass unchanged, in their turn.

Pure bookkeeping over ``core/delivery.py`` tickets: no clock (``now`` is passed in), no I/O, no asyncio.
The event source feeds it and carries out what it returns (event_source/router.py).
"""

from __future__ import annotations

import collections

# An event's status -> the ``ind`` of the audit record that describes it.
IND = {"created": "creation", "modified": "modification", "deleted": "deletion"}

REASON_NO_RECORD = "no_audit_record"  # the record did not arrive within the wait
REASON_RECOVERED = "recovered"  # found by a snapshot: the change was made while the source was not subscribed
REASON_EXISTING = "existing"  # there when the source started (emit_existing)
REASON_BUSY = "busy"  # more than ``limit`` events were waiting: the oldest left without its record
REASON_NOT_AUDITED = "not_audited"  # a class the APIC writes no audit record for (faults, health, records)

# Classes whose changes no user makes, so no audit record ever names them: their events never wait.
NOT_AUDITED_PREFIXES = ("fault", "health")
NOT_AUDITED = frozenset(("aaaModLR", "aaaSessionLR", "eventRecord"))

DEFAULT_WAIT = 2.0  # seconds an event waits at most for its audit record
HOLD_LIMIT = 10_000  # events waiting at once, at most
RECORD_LIMIT = 50_000  # records kept for events still to come, at most


def changed_by(record: dict) -> dict:
    """The ``event.aci.changed_by`` of an audit record's attributes (documented in docs/event_reference.md)."""
    get = record.get
    return {
        "user": get("user", ""),
        "session": get("sessionId", ""),
        "time": get("created", ""),
        "change_set": get("changeSet", ""),
        "transaction": get("txId", ""),
        "description": get("descr", ""),
        "record": get("dn", ""),
    }


class _Held:
    """One event in the line: its ticket, the record it waits for, and until when."""

    __slots__ = ("deadline", "key", "ticket", "waiting")

    def __init__(self, ticket, key: tuple | None, deadline: float, waiting: bool) -> None:
        self.ticket = ticket
        self.key = key
        self.deadline = deadline
        self.waiting = waiting


class Attribution:
    """The line of events on their way to the queue, each one given its ``changed_by`` when it can be.

    ``subscriptions``: the names whose events are attributed. ``admit``, ``record`` and ``due`` return
    the tickets that may now leave, in order; ``drop`` empties the line when the connection ends.
    """

    __slots__ = ("_line", "_records", "_waiting", "keep", "limit", "matched", "record_limit", "stored", "subscriptions",
                 "unmatched", "wait", "waited_max")

    def __init__(self, subscriptions, wait: float = DEFAULT_WAIT, keep: float | None = None,
                 limit: int = HOLD_LIMIT, record_limit: int = RECORD_LIMIT) -> None:
        self.subscriptions = frozenset(subscriptions)
        self.wait = wait
        self.keep = max(2 * wait, 10.0) if keep is None else keep
        self.limit = limit
        self.record_limit = record_limit
        self._line = collections.deque()  # type: collections.deque[_Held]
        self._waiting = {}  # type: dict[tuple, collections.deque[_Held]]  # key -> held events still without a record
        self._records = collections.OrderedDict()  # type: collections.OrderedDict  # key -> deque of (expires, record)
        self.stored = 0  # records kept for events still to come
        self.matched = 0  # events that left with their record
        self.unmatched = 0  # events that left with changed_by null because no record came in time
        self.waited_max = 0.0  # the longest any event waited, in seconds

    def __len__(self) -> int:
        return len(self._line)

    def status_fields(self) -> dict:
        """The heartbeat's ``aci_status.changed_by`` (documented in docs/event_reference.md)."""
        return {"matched": self.matched, "unmatched": self.unmatched, "waiting": len(self._line),
                "records_kept": self.stored, "longest_wait": round(self.waited_max, 3)}

    def next_deadline(self) -> float | None:
        """When the oldest waiting event gives up on its record (None: nothing waits)."""
        return self._line[0].deadline if self._line else None

    # ----------------------------------------------------------------- inputs

    def admit(self, tickets: list, now: float) -> list:
        """New events, in the order they were made: the ones that may leave now (older ones first)."""
        line = self._line
        ready = []
        for ticket in tickets:
            held = self._attribute(ticket, now)
            if held is None:
                if not line:
                    ready.append(ticket)  # nothing ahead of it waits
                    continue
                held = _Held(ticket, None, now, False)
            line.append(held)
        if line:
            ready.extend(self._release(now))
        return ready

    def _attribute(self, ticket, now: float) -> _Held | None:
        """Give ``ticket``'s event its ``changed_by`` now if it can be; else the waiting entry for the line."""
        if ticket.subscription not in self.subscriptions:
            return None
        aci = ticket.event["aci"]
        status = aci["status"]
        if aci.get("recovered"):
            _set(aci, None, REASON_RECOVERED)
            return None
        if status not in IND:
            _set(aci, None, REASON_EXISTING)
            return None
        cls = aci.get("class", "")
        if cls in NOT_AUDITED or cls.startswith(NOT_AUDITED_PREFIXES):
            _set(aci, None, REASON_NOT_AUDITED)
            return None
        key = (aci["dn"], IND[status])
        record = self._take(key, now, newest=bool(aci.get("folded")))
        if record is not None:
            _set(aci, changed_by(record), None)
            self.matched += 1
            return None
        held = _Held(ticket, key, now + self.wait, True)
        waiting = self._waiting.get(key)
        if waiting is None:
            self._waiting[key] = collections.deque((held,))
        else:
            waiting.append(held)
        return held

    def record(self, record: dict, now: float) -> list:
        """An audit record arrived (a ``created`` push of ``aaaModLR``): the events that may now leave."""
        dn = record.get("affected")
        ind = record.get("ind")
        if not isinstance(dn, str) or ind not in _INDS:
            return []
        key = (dn, ind)
        waiting = self._waiting.get(key)
        if waiting:
            held = waiting.popleft()
            if not waiting:
                del self._waiting[key]
            held.waiting = False
            _set(held.ticket.event["aci"], changed_by(record), None)
            self.matched += 1
            self._note_wait(held, now)
            return self._release(now)
        self._store(key, record, now)
        return []

    def due(self, now: float) -> list:
        """The events whose wait has ended by ``now`` (``changed_by: null``), and whatever follows them."""
        return self._release(now)

    def drop(self) -> list:
        """The connection ended: every event still in the line, to be marked not delivered."""
        tickets = [held.ticket for held in self._line]
        self._line.clear()
        self._waiting.clear()
        return tickets

    # ----------------------------------------------------------------- inside

    def _release(self, now: float) -> list:
        """Pop the events at the head that are ready, or whose wait has ended, or beyond the line's limit."""
        line = self._line
        ready = []
        while line:
            held = line[0]
            if held.waiting:
                if held.deadline > now and len(line) <= self.limit:
                    break
                self._give_up(held, now, REASON_NO_RECORD if held.deadline <= now else REASON_BUSY)
            line.popleft()
            ready.append(held.ticket)
        return ready

    def _give_up(self, held: _Held, now: float, reason: str) -> None:
        waiting = self._waiting.get(held.key)
        if waiting:
            waiting.remove(held)  # the oldest of its key, nearly always the first
            if not waiting:
                del self._waiting[held.key]
        held.waiting = False
        _set(held.ticket.event["aci"], None, reason)
        self.unmatched += 1
        self._note_wait(held, now)

    def _note_wait(self, held: _Held, now: float) -> None:
        waited = now - (held.deadline - self.wait)
        if waited > self.waited_max:
            self.waited_max = waited

    def _store(self, key: tuple, record: dict, now: float) -> None:
        records = self._records
        self._expire(now)
        kept = records.get(key)
        if kept is None:
            records[key] = collections.deque(((now + self.keep, record),))
        else:
            kept.append((now + self.keep, record))
            records.move_to_end(key)
        self.stored += 1
        while self.stored > self.record_limit:
            self._forget_oldest()

    def _take(self, key: tuple, now: float, newest: bool = False) -> dict | None:
        """The oldest kept record of ``key`` (``newest``: the newest, the older ones forgotten), or None."""
        kept = self._records.get(key)
        if not kept:
            return None
        while kept and kept[0][0] <= now:  # too old to belong to this event
            kept.popleft()
            self.stored -= 1
        if not kept:
            del self._records[key]
            return None
        if newest:
            record = kept[-1][1]
            self.stored -= len(kept)
            del self._records[key]
            return record
        record = kept.popleft()[1]
        self.stored -= 1
        if not kept:
            del self._records[key]
        return record

    def _expire(self, now: float) -> None:
        """Forget records older than ``keep``: keys are in the order their last record came, so this stops at
        the first key with a live record (an older one behind it goes when its key is taken or reached)."""
        records = self._records
        while records:
            key, kept = next(iter(records.items()))
            while kept and kept[0][0] <= now:
                kept.popleft()
                self.stored -= 1
            if kept:
                break
            del records[key]

    def _forget_oldest(self) -> None:
        key, kept = next(iter(self._records.items()))
        kept.popleft()
        self.stored -= 1
        if not kept:
            del self._records[key]


_INDS = frozenset(IND.values())


def _set(aci: dict, who: dict | None, reason: str | None) -> None:
    aci["changed_by"] = who
    if reason is not None:
        aci["changed_by_reason"] = reason
