# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The durable checkpoint: the delivered state of every subscription, kept in a store across restarts.

What it holds, per subscription: the definition's fingerprint (its API query), and for each object the
DN, the class and the attribute values as the rule engine last received them. Values, not the
reconciliation state's hashes, because those are Python string hashes that change with every process.
It never holds a password, key or token: only what the APIC shows any reader of these objects.

How it is written: the router records a change only once the engine has it (core/delivery.py); the
change goes on a queue that one writer thread turns into store transactions, every ``lag`` seconds or
every ``MAX_BATCH`` changes, so the event loop never waits for a disk or a database. The one exception
is a first snapshot (the baseline), written page by page: when ``PAGES_AHEAD`` pages are still waiting
for the writer, the reader of the next page waits for it (at most ``PAGE_WAIT`` seconds a page), so a
large class is held in memory one page at a time, not in full. ``close`` writes what is left. A store
that fails after start is reported once, loudly, and the source goes on in memory (the events keep
flowing; only a restart would then miss changes).

Where it lives: event_source/checkpoint_store.py opens the store (an SQLite file by default, or
PostgreSQL for activations that move between nodes).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import queue
import threading

try:
    import orjson

    def _dumps(value: object) -> str:
        # Text, not orjson's bytes: orjson leaves each result in the buffer it wrote it into (several
        # kilobytes however short the text), which a queue of baseline objects would multiply.
        return orjson.dumps(value).decode("utf-8")

    _loads = orjson.loads
except ImportError:  # the standard library gives the same values, only slower
    orjson = None

    def _dumps(value: object) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    _loads = json.loads

from ansible_collections.fabricops.aci.plugins.module_utils.core.delivery import DELETE, MERGE, PUT
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import UNTRACKED
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_backends import open_store
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_store import (
    CheckpointError,
    CheckpointWriteError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import TIMEOUTS

log = logging.getLogger(__name__)

LAG = 0.2  # seconds a delivered change may wait before it is written
MAX_BATCH = 10_000  # changes per transaction at most
CLOSE_TIMEOUT = 5.0  # seconds to write what is left when the source stops
PAGES_AHEAD = 2  # baseline pages handed to the writer and not yet written, at most
# Seconds the reader of a baseline waits for the writer to take a page, at most: the event loop waits with
# it, well within the 15 s the websocket's heartbeat allows for a pong.
PAGE_WAIT = 5.0
PAGE = "page"  # a batch item: one page of a baseline, its objects encoded
_STOP = object()


def checkpoint_key(fabric: list, subscriptions: list) -> str:
    """The checkpoint's namespace: one fabric (its APIC addresses) and one set of subscription names.

    Two rulebooks that watch one fabric with different subscriptions keep apart; one rulebook started
    twice meets its own lock. A subscription whose definition changes keeps its name, and so its place:
    its fingerprint tells the change apart.
    """
    text = "\n".join(sorted(fabric)) + "\n\n" + "\n".join(sorted(subscriptions))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(subscription) -> str:
    """What a subscription asks the APIC for (its API query): a changed definition needs a new baseline."""
    return hashlib.sha256(subscription.spec.url.encode("utf-8")).hexdigest()[:16]


def _tracked(attributes: dict) -> dict:
    """The attributes worth keeping: the notification's own bookkeeping left out."""
    return {name: value for name, value in attributes.items() if name not in UNTRACKED}


def coalesce(batch: list) -> list:
    """The store operations for a batch of recorded changes: one per object, in the order objects first
    appear, each encoded once.

    A batch of a busy object (a counter, a health score) holds many changes of one DN; the store only
    needs their sum: a put then merges is a put of the merged attributes, merges add up, anything then a
    delete is a delete, a delete then a put (or a merge, which inserts an absent object) is a put.
    A ``reset`` (a new baseline), ``drop`` or baseline page stays where it was: the changes before it are
    written first; a page's objects are puts as they are (distinct objects, encoded already).
    """
    ops = []
    # (subscription, dn) -> [op, class, attributes, whether those attributes are a copy of our own]
    pending = {}  # type: dict[tuple, list]
    for item in batch:
        op = item[0]
        if op in (MERGE, PUT):
            key = (item[1], item[2])
            entry = pending.get(key)
            if entry is None:
                pending[key] = [op, item[3], item[4], False]
            elif op == PUT or entry[0] == DELETE:
                entry[0], entry[1], entry[2], entry[3] = PUT, item[3], item[4], False
            else:
                if isinstance(entry[2], str):  # a baseline object, encoded when it was recorded
                    entry[2], entry[3] = _loads(entry[2]), True
                elif not entry[3]:  # the first change's dict belongs to its event: merge into a copy
                    entry[2], entry[3] = dict(entry[2]), True
                entry[1] = item[3]
                entry[2].update(item[4])
        elif op == DELETE:
            key = (item[1], item[2])
            entry = pending.get(key)
            if entry is None:
                pending[key] = [DELETE, None, None, False]
            else:
                entry[0], entry[1], entry[2], entry[3] = DELETE, None, None, False
        elif op == PAGE:
            _flush(pending, ops)
            pending = {}
            name = item[1]
            ops.extend([(PUT, name, dn, cls, encoded) for dn, cls, encoded in item[2]])
        else:  # reset or drop of a subscription: what came before is written before it
            _flush(pending, ops)
            pending = {}
            ops.append(item)
    _flush(pending, ops)
    return ops


def _flush(pending: dict, ops: list) -> None:
    for (name, dn), (op, cls, attributes, _copy) in pending.items():
        if op == DELETE:
            ops.append((DELETE, name, dn))
        else:  # a baseline object arrives encoded already
            encoded = attributes if isinstance(attributes, str) else _dumps(_tracked(attributes))
            ops.append((op, name, dn, cls, encoded))


class Checkpoint:
    """A store behind one writer thread; the event loop only enqueues."""

    def __init__(self, location: str, key: str, password: str | None = None, lag: float = LAG) -> None:
        self.location = location
        self.key = key
        self._password = password
        self._lag = lag
        self._store = None
        self._ops = queue.SimpleQueue()  # type: queue.SimpleQueue
        self._hurry = threading.Event()  # set on close: write what is left without waiting for the lag
        self._room = threading.BoundedSemaphore(PAGES_AHEAD)  # baseline pages the writer has yet to write
        self._thread = None  # type: threading.Thread | None
        self._done = None  # type: asyncio.Future | None
        self.where = location
        self.failed = False
        self.written = 0
        self.loaded = 0

    # ----------------------------------------------------------------- start

    async def open(self, subscriptions: list) -> None:
        """Open the store, take its lock, and load every subscription whose definition is unchanged.

        CheckpointError (one line, fatal at start) when the store cannot be opened or is in use.
        """
        loop = asyncio.get_running_loop()
        self._store = open_store(self.location, self.key, self._password)
        self.where = self._store.where
        opened = loop.create_future()
        self._done = loop.create_future()
        # Every store call happens on this one thread (an SQLite connection belongs to its thread).
        self._thread = threading.Thread(target=self._main, args=(loop, subscriptions, opened),
                                        name="fabricops-checkpoint", daemon=True)
        self._thread.start()
        try:
            await opened
        except CheckpointError:
            raise
        except Exception as exc:  # anything the store did not put in words: still one line, still fatal
            raise CheckpointError(f"checkpoint {self.where} could not be opened ({type(exc).__name__}: {exc}); "
                                  "move it away or set the checkpoint option to another path") from None

    def _main(self, loop: asyncio.AbstractEventLoop, subscriptions: list, opened: asyncio.Future) -> None:
        try:
            self._load(subscriptions)
        except BaseException as exc:  # reported on the loop: CheckpointError is fatal at start
            self._store.close()
            _call_soon(loop, _resolve, opened, exc)
            _call_soon(loop, _resolve, self._done)
            return
        _call_soon(loop, _resolve, opened)
        self._write_loop(loop)

    def _load(self, subscriptions: list) -> None:
        """Before the source connects: nothing else touches the states yet."""
        store = self._store
        store.open()
        stored = store.subscriptions()
        for sub in subscriptions:
            kept = stored.get(sub.name)
            if kept is None:
                log.info("checkpoint %s: no state for subscription %s yet; its first snapshot is the baseline",
                         self.where, sub.name)
                continue
            if kept != fingerprint(sub):
                log.warning("checkpoint %s: subscription %s changed its definition since the checkpoint was "
                            "written; its first snapshot becomes the new baseline (changes made meanwhile are "
                            "not emitted)", self.where, sub.name)
                continue
            count = sub.state.restore((dn, cls, _loads(attributes)) for dn, cls, attributes in store.objects(sub.name))
            self.loaded += count
            log.info("checkpoint %s: subscription %s resumes from %d object(s) the rule engine had received",
                     self.where, sub.name, count)

    # ----------------------------------------------------------------- what the router calls

    def baseline(self, sub, changes) -> None:
        """A subscription's first snapshot is its baseline: forget what was kept, keep ``changes`` (Changes)."""
        self._ops.put(("reset", sub.name, fingerprint(sub)))
        self.add_baseline(sub, changes)

    def add_baseline(self, sub, changes) -> None:
        """More objects of the baseline ``baseline`` started (a paged snapshot writes it page by page).

        Encoded here rather than by the writer: a baseline of a large class would otherwise keep every
        object's attribute dictionary alive until the writer got to it, which is the size of the answer again.
        The page goes over as one item, and at most ``PAGES_AHEAD`` wait for the writer: beyond that the
        caller waits (up to ``PAGE_WAIT`` seconds) until the writer has written one, so a store slower than
        the APIC slows the snapshot down instead of piling the baseline up in memory.
        """
        rows = [(change.dn, change.cls, _dumps(_tracked(change.attributes))) for change in changes]
        if not rows:
            return
        writing = self._thread is not None and not self._done.done() and not self.failed
        held = writing and self._room.acquire(timeout=PAGE_WAIT)
        self._ops.put((PAGE, sub.name, rows, held))

    def record(self, ticket) -> None:
        """A change the rule engine has received (core/delivery.py Ticket)."""
        self._ops.put((ticket.op, ticket.subscription, ticket.dn, ticket.cls, ticket.attributes))

    # ----------------------------------------------------------------- the writer thread

    def _write_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        ops = self._ops
        try:
            backlog = False
            while True:
                item = ops.get()
                if item is _STOP:
                    break
                if not backlog and item[0] != PAGE:
                    # Let the changes of the next ``lag`` seconds gather without waking for each one (every
                    # wake-up takes the GIL from the event loop); ``close`` ends the wait at once. A baseline
                    # page is written at once: its reader may be waiting for the room.
                    self._hurry.wait(self._lag)
                batch = [item]
                size = _size(item)
                stopping = False
                while size < MAX_BATCH:
                    try:
                        item = ops.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stopping = True
                        break
                    batch.append(item)
                    size += _size(item)
                backlog = size >= MAX_BATCH
                self._write(batch, size)
                for item in batch:
                    if item[0] == PAGE and item[3]:
                        self._room.release()
                batch = item = None  # nothing of a written batch stays alive while the writer waits
                if stopping:
                    break
        finally:
            self._store.close()
            _call_soon(loop, _resolve, self._done)

    def _write(self, batch: list, size: int) -> None:
        if self.failed:
            return
        ops = coalesce(batch)
        try:
            self._store.apply(ops)
        except CheckpointWriteError as exc:
            self.failed = True
            log.error("checkpoint %s can no longer be written (%s): the source goes on in memory; changes made "
                      "while it is stopped will not be recovered until the checkpoint works again", self.where, exc)
            return
        self.written += size

    # ----------------------------------------------------------------- stop

    async def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is left and release the store (its lock too)."""
        if self._thread is None or self._done.done():
            return
        self._hurry.set()
        self._ops.put(_STOP)
        try:
            await asyncio.wait_for(asyncio.shield(self._done), timeout)
        except TIMEOUTS:
            log.error("checkpoint %s: writing the last changes took longer than %.0f s; the newest may be emitted "
                      "again after a restart", self.where, timeout)

    def status_fields(self) -> dict:
        """The ``checkpoint`` part of a heartbeat event."""
        return {"where": self.where, "written": self.written, "failed": self.failed, "loaded": self.loaded}


def _size(item: tuple) -> int:
    """Changes in a batch item: one, or the objects of a baseline page."""
    return len(item[2]) if item[0] == PAGE else 1


def _call_soon(loop: asyncio.AbstractEventLoop, callback, *args) -> None:
    """Hand ``callback`` to the event loop from the writer thread; a loop already closed has nobody to tell."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)


def _resolve(future: asyncio.Future | None, exc: BaseException | None = None) -> None:
    if future is None or future.done():
        return
    if exc is None:
        future.set_result(None)
    else:
        future.set_exception(exc)


__all__ = ["Checkpoint", "CheckpointError", "checkpoint_key", "coalesce", "fingerprint"]
