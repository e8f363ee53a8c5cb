# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""From websocket frames and subscription snapshots to events on the EDA queue, in order, exactly once.

The ordering rule for pushes that race a snapshot (decided on purpose, tested in
tests/unit/event_source/test_event_router.py and, over sockets, tests/event_source/test_source_recovery.py):

1. A subscription's id is unknown until its subscribe answer arrives, but the APIC may push frames for
   it on the socket before that answer is read. While any subscribe is in flight, frames naming
   unknown ids are held (bounded), not dropped.
2. When the answer arrives, the snapshot is applied first (reconciled against the known state, which
   emits what was missed), then the held frames for the new id, in arrival order.
3. Every push is applied to the known state idempotently: one that changes nothing the state (and so
   the snapshot) already holds is a duplicate and is dropped; one that changes it is emitted.

So a change is emitted once whether it reached the source through the snapshot, the socket, or both.
If the held frames overflow their bound, the affected subscriptions are resubscribed once the window
closes: a fresh snapshot then covers whatever was dropped.

State changes happen synchronously (no await between reading a frame and updating the state) and
emitters take FIFO turns at the queue in the same order, so events leave in the order the state changed.

Delivery (core/delivery.py): every event travels with a ticket that remembers the object as it was
before the change. The ticket is confirmed when ``queue.put`` returns (or, with ``feedback``, when the
rule engine gives the event back), and only then is the change written to the checkpoint. An emitter
cancelled in ``put`` (a drop, a failover, a stop) marks the rest of its tickets dropped, and the next
snapshot of the subscription is compared with the state from before those changes, so each of them is
emitted again instead of being taken for already known.

Paged snapshots (snapshot.py): the subscribe answer holds the first page and the id, the other pages are
read with plain queries. The id stays unknown to the router until the last page is in, so the pushes of
those seconds are held exactly like pushes that race an unpaged answer, and rules 2 and 3 hold unchanged:
the complete snapshot is reconciled once, then the held pushes are applied in arrival order. A push older
than the page that already showed its result is then a duplicate, or is followed by the newer ones, so
the state always ends at the latest values. Known objects that no page showed are reported deleted only
once the APIC has been asked for them by DN and no longer has them (snapshot.py, unseen_check.py): an
object a deletion moved into a page already read is never reported deleted, whenever that deletion's push
arrives.

What rules cannot use never reaches the engine (per subscription, events.py documents the fields):
- ``modified_attributes``: a ``modified`` change that changed none of these is not emitted. The state
  still follows it, so the next change is compared with the latest values. It counts as delivered (no
  rule could have used it), and a pushed one is not written to the checkpoint: on a noisy stream that
  write would cost more than the filter saves. After a restart the difference it leaves is only in
  attributes nobody listed, so the snapshot's comparison filters it again and writes the object then
  (unless changes of the same object are still on their way).
- ``fold_window``: the first ``modified`` change of an object is emitted at once and opens a window;
  further ones inside it are folded into one event, emitted when the window ends, that carries their
  merged attributes (the latest values), the union of their changed names and ``aci.folded``. Its
  ticket holds the object as it was before the first folded change, so a drop before it is handed over
  makes the next snapshot emit all of them again. A ``created`` or ``deleted`` of the object first
  emits its folded change, in order. A window that folded something opens the next one, so an object
  that keeps flapping costs one event per window.

Who made a change (``changed_by``, core/attribution.py): the router then also holds a subscription to
the APIC's audit log that is never emitted nor checkpointed. Every event on its way to the queue passes
the attribution line, which gives configuration events their ``aci.changed_by`` from the audit records
and holds an event whose record has not come yet, at most ``changed_by_wait`` seconds, in order. Events
still in the line when the connection ends were never handed over: they are dropped like the ones
cut off in ``put``, and the next snapshot emits them again (``recovered``).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time

from ansible_collections.fabricops.aci.plugins.module_utils.core.attribution import Attribution
from ansible_collections.fabricops.aci.plugins.module_utils.core.delivery import (
    DELETE,
    MERGE,
    PUT,
    AwaitingFeedback,
    Outstanding,
    Ticket,
    drop_all,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.events import EXISTING, build_event
from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import (
    CREATED,
    DELETED,
    MODIFIED,
    FrameError,
    parse_frame,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import KnownState, SchemaRegistry
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.snapshot import Snapshot
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats

log = logging.getLogger(__name__)

AUDIT_CLASS = "aaaModLR"  # the APIC's audit records of configuration changes
PENDING_LIMIT = 100_000  # changes held for not-yet-known ids while subscribes are in flight
SETTLE_INTERVAL = 0.02  # seconds between looks at the engine's queue while handed-over events wait in it
_LOG_EVERY = 1000


class Subscription:
    """A named subscription: its spec, the state it knows (kept across connections), the changes not yet
    confirmed by the rule engine, and its live id."""

    __slots__ = ("busy", "expires_at", "fold_window", "id", "name", "outstanding", "page_size", "reading", "spec",
                 "state", "wanted", "windows")

    def __init__(self, spec, registry: SchemaRegistry) -> None:
        self.spec = spec
        self.name = spec.name
        self.state = KnownState(registry)
        self.outstanding = Outstanding()
        self.id = None  # type: str | None
        self.expires_at = 0.0
        self.busy = False  # a refresh or resubscribe is in flight
        self.page_size = None  # type: int | None  # the page size the APIC last accepted, once it refused one
        self.reading = None  # type: Snapshot | None  # the snapshot being read, until the subscribe ends
        self.wanted = getattr(spec, "modified_attributes", None)  # type: frozenset | None
        self.fold_window = getattr(spec, "fold_window", 0.0) or 0.0
        self.windows = {}  # type: dict[str, FoldWindow]  # DN -> open fold window


class FoldWindow:
    """One object's fold window: when it ends, and the change folded so far (None: nothing yet)."""

    __slots__ = ("attributes", "changed", "cls", "count", "ends", "ticket")

    def __init__(self, ends: float) -> None:
        self.ends = ends
        self.ticket = None  # type: Ticket | None
        self.cls = ""
        self.attributes = {}  # type: dict
        self.changed = []  # type: list
        self.count = 0


class Router:
    """Routes frames to subscriptions, applies snapshots, and puts the resulting events on the queue."""

    def __init__(self, specs: tuple, queue, stats: SourceStats, emit_existing: bool = False,
                 checkpoint=None, feedback: bool = False, attribution: Attribution | None = None,
                 audit_spec=None) -> None:
        registry = SchemaRegistry()
        self.subscriptions = [Subscription(spec, registry) for spec in specs]
        # changed_by: the attribution line, and the audit log subscription that feeds it (never emitted)
        self.attribution = attribution
        self.audit = Subscription(audit_spec, registry) if attribution is not None else None
        self.apic = ""
        self.stats = stats
        self.checkpoint = checkpoint  # event_source/checkpoint.py Checkpoint, or None
        # feedback: an event counts as delivered when the engine gives it back, not when put returns
        self.awaiting = AwaitingFeedback() if feedback else None
        self._queue = queue
        # Only a real asyncio.Queue can be filled without awaiting (ansible-rulebook wraps its queue).
        self._direct = isinstance(queue, asyncio.Queue)
        # how many events that queue holds (None: no limit); an asyncio.Queue's size never changes
        self._room = queue.maxsize if self._direct and queue.maxsize > 0 else None
        # The queue the engine takes events from (ansible-rulebook's FilteredQueue wraps an asyncio.Queue):
        # an event counts as delivered once it has left that queue, not when put returned.
        inner = queue if self._direct else getattr(queue, "queue", None)
        self._taken_from = inner if isinstance(inner, asyncio.Queue) else None
        self._handed = collections.deque()  # type: collections.deque
        self._settle_timer = None  # type: asyncio.TimerHandle | None
        self._emit_existing = emit_existing
        self._emitting = False
        self._turns = collections.deque()  # type: collections.deque
        self._by_id = {}  # type: dict[str, Subscription]
        self._in_flight = 0
        self._pending = {}  # type: dict[str, list]
        self._pending_size = 0
        self._overflow = False
        self._window = []  # type: list[Subscription]
        self.resync = []  # type: list[Subscription]
        self.fold_windows = [sub.fold_window for sub in self.subscriptions if sub.fold_window > 0]

    # ----------------------------------------------------------------- connection changes

    def reset(self, apic: str) -> None:
        """A new connection: every id is void (there is no replay), the known state stays."""
        self.apic = apic
        self._by_id.clear()
        for sub in self.all_subscriptions():
            sub.id = None
            sub.busy = False
            self._abandon_folds(sub)
        if self.attribution is not None:
            drop_all(self.attribution.drop())  # never handed over: the next snapshot emits them again
        self._pending.clear()
        self._pending_size = 0
        self._in_flight = 0
        self._overflow = False
        self._window = []
        self.resync = []
        self.stats.subscriptions_alive = 0

    def all_subscriptions(self) -> list:
        """Every subscription the connection keeps alive: the user's, and the audit log's for ``changed_by``."""
        return self.subscriptions if self.audit is None else [*self.subscriptions, self.audit]

    def _count_alive(self) -> None:
        audit = self.audit
        self.stats.subscriptions_alive = len(self._by_id) - (audit is not None and audit.id is not None)

    # ----------------------------------------------------------------- hot path

    def route(self, data) -> list | None:
        """One frame -> the tickets of the events it produces (state already updated), or None.

        Never raises: a frame that cannot be processed is logged and skipped (the next snapshot of its
        subscription repairs whatever it left half-applied).
        """
        stats = self.stats
        try:
            note = parse_frame(data)
            stats.frames += 1
            stats.last_frame = time.time()
            if note.skipped:
                stats.skipped_objects += len(note.skipped)
                log.warning("skipped %d object(s) of a frame from %s: %s", len(note.skipped), self.apic,
                            "; ".join(note.skipped[:3]))
            tickets = None
            first = True
            released = None
            for sub_id in note.ids:
                sub = self._by_id.get(sub_id)
                if sub is None:
                    self._unclaimed(sub_id, note.changes)
                    continue
                if sub is self.audit:
                    released = self._audit_records(note.changes)
                    continue
                if tickets is None:
                    tickets = []
                # A second subscription gets its own attribute dicts: rulebook filters may edit events in place.
                self._collect(sub, note.changes, tickets, not first)
                first = False
            if self.attribution is None:
                return tickets
            return self._attributed(tickets or [], released)
        except FrameError as exc:
            stats.bad_frames += 1
            log.warning("skipped a websocket frame from %s: %s", self.apic, exc)
            return None
        except Exception as exc:  # a frame must never end the source
            stats.bad_frames += 1
            log.error("skipped a websocket frame from %s that could not be processed: %s: %s", self.apic,
                      type(exc).__name__, exc)
            return None

    def _attributed(self, tickets: list, released: list | None = None) -> list:
        """``tickets`` through the attribution line: what may leave now, in order (``released``: older ones
        an audit record just let go)."""
        ready = self.attribution.admit(tickets, time.monotonic()) if tickets else []
        return released + ready if released else ready

    def _audit_records(self, changes: list) -> list:
        """Audit records for the attribution line (the APIC only ever creates them): the events they release."""
        record = self.attribution.record
        now = time.monotonic()
        released = []
        for change in changes:
            if change.status is CREATED and change.cls == AUDIT_CLASS:
                released.extend(record(change.attributes, now))
        return released

    def due_attributions(self, now: float | None = None) -> list:
        """Events whose wait for their audit record has ended (``time.monotonic()`` clock), and what follows."""
        return self.attribution.due(time.monotonic() if now is None else now)

    def _collect(self, sub: Subscription, changes: list, tickets: list, copy: bool = False) -> None:
        state = sub.state
        apply = state.apply
        outstanding = sub.outstanding
        name = sub.name
        apic = self.apic
        wanted = sub.wanted
        fold = sub.fold_window
        windows = sub.windows
        for change in changes:
            changed = apply(change)
            if changed is None:
                self.stats.duplicates += 1
                continue
            dn = change.dn
            status = change.status
            before = state.replaced  # the record from before this change, for the ledger
            if status is not CREATED and status is not DELETED:
                op = MERGE
                if wanted is not None and wanted.isdisjoint(changed):
                    self.stats.filtered += 1  # delivered by definition, and no checkpoint write (see above)
                    continue
                if fold:
                    window = windows.get(dn)
                    if window is not None and window.ends > time.monotonic():
                        self._fold(sub, window, change, changed, before, copy)
                        continue
                    windows[dn] = FoldWindow(time.monotonic() + fold)
            else:
                op = DELETE if status is DELETED else PUT
                if windows:
                    window = windows.pop(dn, None)
                    if window is not None and window.ticket is not None:
                        tickets.append(self._folded_ticket(sub, window))
            cls = change.cls
            attributes = dict(change.attributes) if copy else change.attributes
            tickets.append(Ticket(outstanding, name, cls, dn, op, attributes, before,
                                  build_event(cls, dn, status, attributes, name, apic, False, changed)))

    def _filtered(self, sub: Subscription, change) -> None:
        """A snapshot's ``modified`` change none of the listed attributes took part in: delivered by definition,
        and its whole object written to the checkpoint (the difference it settles may be years of pushes)."""
        self.stats.filtered += 1
        if self.checkpoint is not None and change.dn not in sub.outstanding.by_dn:
            self.checkpoint.record(Ticket(None, sub.name, change.cls, change.dn, PUT, change.attributes,
                                          None, None))

    def _fold(self, sub: Subscription, window: FoldWindow, change, changed: list, before, copy: bool) -> None:
        """Fold a ``modified`` change into its object's open window (the ticket keeps the first ``before``)."""
        self.stats.folded += 1
        if window.ticket is None:
            window.cls = change.cls
            window.attributes = dict(change.attributes)
            window.changed = list(changed)
            window.count = 1
            window.ticket = sub.outstanding.add(sub.name, change.cls, change.dn, MERGE, window.attributes, before,
                                                None)
            return
        window.attributes.update(change.attributes)
        seen = window.changed
        seen.extend(name for name in changed if name not in seen)
        window.count += 1

    def _folded_ticket(self, sub: Subscription, window: FoldWindow) -> Ticket:
        """The folded change of a window as one event: the latest values, every changed name, the count."""
        ticket = window.ticket
        attributes = window.attributes
        event = build_event(window.cls, ticket.dn, MODIFIED, attributes, sub.name, self.apic, False,
                            window.changed)
        event["aci"]["folded"] = window.count
        ticket.event = event
        window.ticket = None
        return ticket

    def due_folds(self, now: float | None = None) -> list:
        """The folded changes whose window has ended (``time.monotonic()`` clock), as tickets to emit.

        A window that folded something opens the next one; an empty one closes.
        """
        now = time.monotonic() if now is None else now
        tickets = []
        for sub in self.subscriptions:
            windows = sub.windows
            if not windows:
                continue
            for dn, window in list(windows.items()):
                if window.ends > now:
                    continue
                if window.ticket is None:
                    del windows[dn]
                else:
                    tickets.append(self._folded_ticket(sub, window))
                    window.ends = now + sub.fold_window
        return tickets if self.attribution is None or not tickets else self._attributed(tickets)

    def _flush_folds(self, sub: Subscription) -> list:
        """Every folded change of ``sub`` now, and its windows closed (its snapshot is about to be compared)."""
        tickets = [self._folded_ticket(sub, window) for window in sub.windows.values() if window.ticket is not None]
        sub.windows.clear()
        return tickets

    def _abandon_folds(self, sub: Subscription) -> None:
        """The connection is gone: folded changes not emitted are dropped, so the next snapshot emits them."""
        for window in sub.windows.values():
            if window.ticket is not None:
                window.ticket.dropped = True
        sub.windows.clear()

    def _unclaimed(self, sub_id: str, changes: list) -> None:
        if self._in_flight:
            if self._pending_size + len(changes) > PENDING_LIMIT:
                if not self._overflow:
                    log.warning("more than %d pushes arrived while subscribing; the affected subscriptions "
                                "will be read again", PENDING_LIMIT)
                self._overflow = True
                return
            self._pending.setdefault(sub_id, []).append(changes)
            self._pending_size += len(changes)
            return
        self.stats.unknown_frames += 1
        if self.stats.unknown_frames % _LOG_EVERY == 1:
            log.debug("frame for subscription id %s, which this source does not hold (seen %d such frames)",
                      sub_id, self.stats.unknown_frames)

    def emit_now(self, tickets: list) -> bool:
        """Queue the tickets' events without waiting when nobody else is emitting and they fit; False otherwise.

        The reader's fast path: an asyncio.Queue with room takes them at once, which saves two
        coroutines per frame. Anything else (a full queue, a wrapper queue, another emitter) goes
        through ``emit``.
        """
        queue = self._queue
        if self._emitting or self._turns or not self._direct:
            return False
        if self._room is not None and self._room - queue.qsize() < len(tickets):
            return False
        put = queue.put_nowait
        if self.awaiting is None and self._taken_from is not None:
            # the usual case, ``delivered`` for all of them at once: the engine takes them from this queue
            for ticket in tickets:
                put(ticket.event)
            self._handed.extend(tickets)
            if self._settle_timer is None:
                self.settle()
        else:
            delivered = self.delivered
            for ticket in tickets:
                put(ticket.event)
                delivered(ticket)
        self.stats.events += len(tickets)
        return True

    async def emit(self, tickets: list) -> None:
        """Put the tickets' events on the queue in order; waits while the consumer is slow (backpressure).

        One emitter at a time, in the order they asked (a FIFO turn, cheaper than asyncio.Lock on the
        uncontended path, which is nearly always taken). Cancelled anywhere, it marks every event that
        was not handed over as dropped, so the next snapshot emits those changes again.
        """
        try:
            if self._emitting or self._turns:
                await self._wait_turn()
            else:
                self._emitting = True
        except BaseException:
            drop_all(tickets)
            raise
        index = 0
        try:
            put = self._queue.put
            delivered = self.delivered
            for index, ticket in enumerate(tickets):  # noqa: B007 (the index is read when put fails)
                await put(ticket.event)
                delivered(ticket)
            index = len(tickets)
        except BaseException:
            drop_all(tickets, index)
            raise
        finally:
            self.stats.events += index
            self._next_turn()

    def delivered(self, ticket) -> None:
        """``ticket``'s event was handed over: confirmed once the engine has taken it from its queue, or
        (feedback) once the engine gives it back."""
        awaiting = self.awaiting
        if awaiting is not None:
            awaiting.handed(ticket, ticket.event["meta"]["uuid"], time.monotonic())
        elif self._taken_from is None:
            self.confirm(ticket)
        else:
            self._handed.append(ticket)
            if self._settle_timer is None:
                self.settle()

    def settle(self) -> None:
        """Confirm the handed-over events the engine has taken from its queue.

        The queue is first in, first out, and holds no more than ``qsize()`` of them, so every older one
        has left it. ansible-rulebook posts an event to its rule engine in the same step that takes it
        from the queue, so an event that has left the queue has reached the engine: the checkpoint never
        records an event that a kill -9 could still take from the engine's queue. A queue shared with
        other sources only delays confirmations, never advances them.
        """
        self._settle_timer = None
        handed = self._handed
        taken = len(handed) - self._taken_from.qsize()
        if taken > 0:
            take = handed.popleft
            confirm = self.confirm
            while taken > 0:
                confirm(take())
                taken -= 1
        if handed:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # driven without an event loop (unit tests): the next put settles them
                return
            self._settle_timer = loop.call_later(SETTLE_INTERVAL, self.settle)

    def close(self) -> None:
        """The source stops: confirm what the engine took; what it did not is emitted again after a restart."""
        if self._settle_timer is not None:
            self._settle_timer.cancel()
        if self._taken_from is not None and self._handed:
            self.settle()
        if self._settle_timer is not None:
            self._settle_timer.cancel()
            self._settle_timer = None

    def confirm(self, ticket) -> None:
        """The rule engine has ``ticket``'s event: the change becomes part of the delivered state."""
        ticket.outstanding.confirm(ticket)
        if self.checkpoint is not None and ticket.op is not None:
            self.checkpoint.record(ticket)

    def feedback(self, event: object) -> None:
        """ansible-rulebook gave an event back (feedback mode): confirm it, and give up on any it skipped."""
        if self.awaiting is None or not isinstance(event, dict):
            return
        meta = event.get("meta")
        ticket, passed = self.awaiting.confirmed(meta.get("uuid") if isinstance(meta, dict) else None)
        if passed:
            self.give_up(passed, "the rule engine skipped its confirmation (an error while processing it)")
        if ticket is not None:
            self.stats.confirmed += 1
            self.confirm(ticket)

    def give_up(self, tickets: list, why: str) -> None:
        """Events the engine never confirmed: not delivered; the next snapshot (or restart) emits them again."""
        drop_all(tickets)
        self.stats.unconfirmed += len(tickets)
        log.warning("%d event(s) handed to the rule engine were not confirmed: %s; they count as not delivered "
                    "and are emitted again after the next reconnect or restart", len(tickets), why)

    async def _wait_turn(self) -> None:
        turn = asyncio.get_running_loop().create_future()
        self._turns.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # the turn was handed over just before: pass it on
                self._next_turn()
            else:
                self._turns.remove(turn)
            raise

    def _next_turn(self) -> None:
        while self._turns:
            turn = self._turns.popleft()
            if not turn.done():
                turn.set_result(None)  # _emitting stays True: the turn moves to the next emitter
                return
        self._emitting = False

    # ----------------------------------------------------------------- snapshots

    def begin_subscribe(self, sub: Subscription) -> None:
        """A subscribe is about to be sent: forget the old id and hold unknown-id frames meanwhile."""
        if sub.id is not None:
            self._by_id.pop(sub.id, None)
            sub.id = None
            self._count_alive()
        self._in_flight += 1

    def start_snapshot(self, sub: Subscription) -> Snapshot:
        """The subscribe was answered: its snapshot follows, in one or more pages (``Snapshot.add``).

        Folded changes of the subscription are emitted first; the ledger is rewound before any page is
        compared (snapshot.py).
        """
        first = not sub.state.initialized
        tickets = self._flush_folds(sub)
        checkpoint = self.checkpoint
        baseline = None
        if first and checkpoint is not None:
            # The baseline is delivered by definition, unless its objects are emitted (emit_existing): then
            # each one is recorded once the engine has it. Written page by page, so no page is kept.
            checkpoint.baseline(sub, ())
            if not self._emit_existing:
                def baseline(changes, add=checkpoint.add_baseline):
                    add(sub, changes)
        snapshot = Snapshot(sub, first and self._emit_existing, baseline)
        snapshot.tickets = tickets
        sub.reading = snapshot
        if snapshot.rewound:
            log.info("subscription %s: %d object(s) had changes that never reached the rule engine; "
                     "comparing the snapshot with what it received", sub.name, snapshot.rewound)
        return snapshot

    def end_subscribe(self, sub: Subscription, sub_id: str | None, snapshot: object, expires_at: float) -> list:
        """The subscribe finished (``sub_id`` None when it failed): the tickets of its snapshot and held frames.

        ``snapshot`` is a complete ``Snapshot`` (from ``start_snapshot``) or the ``imdata`` of one answer.
        """
        tickets = []
        try:
            if sub is self.audit:
                return self._activate_audit(sub_id, expires_at)
            if sub_id is not None:
                tickets = self._activate(sub, sub_id, snapshot, expires_at)
                self._window.append(sub)
            elif sub.reading is not None:
                drop_all(sub.reading.tickets)  # folded changes it took along: the next snapshot emits them
        finally:
            sub.reading = None
            self._in_flight -= 1
            if self._in_flight <= 0:
                self._close_window()
        return tickets if self.attribution is None else self._attributed(tickets)

    def _activate_audit(self, sub_id: str | None, expires_at: float) -> list:
        """The audit log subscription is live: no snapshot (old records name nobody's pending change), only
        the records pushed while it was being made, and the events they release."""
        if sub_id is None:
            return []
        audit = self.audit
        audit.id = sub_id
        audit.expires_at = expires_at
        self._by_id[sub_id] = audit
        released = []
        for held_changes in self._pending.pop(sub_id, None) or ():
            self._pending_size -= len(held_changes)
            released.extend(self._audit_records(held_changes))
        return released

    def _activate(self, sub: Subscription, sub_id: str, snapshot: object, expires_at: float) -> list:
        if not isinstance(snapshot, Snapshot):
            imdata, snapshot = snapshot, self.start_snapshot(sub)
            snapshot.add(imdata)
        missed = snapshot.finish()
        track = sub.outstanding.add
        name = sub.name
        tickets = snapshot.tickets
        if snapshot.first:
            sub.outstanding.clear()
            kept = snapshot.kept or ()
            if self._emit_existing:
                tickets.extend(track(name, change.cls, change.dn, PUT, change.attributes, None,
                                     build_event(change.cls, change.dn, EXISTING, change.attributes, name, self.apic))
                               for change in kept)
        elif missed:
            wanted = sub.wanted
            count = len(tickets)
            for change, names, old in missed:
                if wanted is not None and change.status == MODIFIED and wanted.isdisjoint(names):
                    self._filtered(sub, change)
                    continue
                tickets.append(track(name, change.cls, change.dn, DELETE if change.status == DELETED else PUT,
                                     change.attributes, old,
                                     build_event(change.cls, change.dn, change.status, change.attributes, name,
                                                 self.apic, True, names)))
            recovered = len(tickets) - count
            self.stats.recovered += recovered
            log.info("subscription %s: %d change(s) missed while not subscribed, emitted as recovered "
                     "(%d page(s), %d object(s))", sub.name, recovered, snapshot.pages, len(sub.state))
        sub.id = sub_id
        sub.expires_at = expires_at
        self._by_id[sub_id] = sub
        self._count_alive()
        held = self._pending.pop(sub_id, None)
        if held:
            for held_changes in held:
                self._pending_size -= len(held_changes)
                self._collect(sub, held_changes, tickets)
        return tickets

    def _close_window(self) -> None:
        self._in_flight = 0
        if self._pending:
            self.stats.unknown_frames += sum(len(held) for held in self._pending.values())
            self._pending.clear()
        self._pending_size = 0
        if self._overflow:
            self.resync.extend(sub for sub in self._window if sub not in self.resync)
            self._overflow = False
        self._window = []

    def take_resync(self) -> list:
        """Subscriptions whose held frames overflowed: read them again."""
        subs, self.resync = self.resync, []
        return subs
