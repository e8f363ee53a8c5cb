# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One connection to one APIC: log in, open the socket, subscribe everything, keep it all alive.

The connection runs four kinds of task that fail together (tasks.py): the socket reader, the session
keeper, the subscription refresher (each subscription in its own task so one slow answer holds up
nothing), and the subscribes themselves. When to refresh, and what a failure means (retry, resubscribe,
resend, reconnect), is decided by core/lifecycle.py from the classified outcome (errors.py ``classify``);
this file only carries the answers out. Whatever ends the connection surfaces as an exception from
``run``; the supervisor asks the lifecycle core what comes next.
"""

from __future__ import annotations

import asyncio
import logging
import time

try:
    from aiohttp import WSMsgType

    _DATA = (WSMsgType.TEXT, WSMsgType.BINARY)
    _CLOSED = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
except ImportError:  # checked by the plugin at start-up
    _DATA = _CLOSED = ()

from ansible_collections.fabricops.aci.plugins.module_utils.core import lifecycle
from ansible_collections.fabricops.aci.plugins.module_utils.core.lifecycle import Action, Outcome
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.async_client import AsyncApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import (
    TIMEOUTS,
    ConnectionLost,
    SourceError,
    SubscriptionRejected,
    classify,
    is_too_big,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router, Subscription
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import (
    DEFAULT_PAGE_SIZE,
    smaller_page_size,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.tasks import TaskSet
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.unseen_check import check_unseen

log = logging.getLogger(__name__)

SHUTDOWN_BUDGET = 0.5  # seconds for cancelling tasks; the socket close and logout take the rest of 1 s
SOCKET_HEARTBEAT = 30.0  # ping the APIC so a silently dead peer is noticed


class ApicConnection:
    """Session + socket + subscriptions on one APIC, until something ends them."""

    def __init__(self, client: AsyncApicClient, router: Router, refresh_timeout: int, on_healthy=None,
                 page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.client = client
        self.router = router
        self.refresh_timeout = refresh_timeout
        self.page_size = page_size  # objects per snapshot page (0: unpaged until the APIC finds it too big)
        self.healthy = False
        self._on_healthy = on_healthy
        self._loop = asyncio.get_running_loop()
        self._tasks = None  # type: TaskSet | None
        self._socket = None

    # ----------------------------------------------------------------- lifecycle

    async def run(self) -> None:
        """Connect and serve until the connection ends; always raises (ConnectionLost or an APIC error)."""
        client = self.client
        self._tasks = TaskSet()
        await client.start()
        try:
            await client.login()
            self.router.stats.logins += 1
            self._socket = await client.open_socket(SOCKET_HEARTBEAT)
            self.router.reset(client.label)
            log.info("connected to the APIC at %s; subscribing %d subscription(s)", client.label,
                     len(self.router.subscriptions))
            self._tasks.spawn(self._read(self._socket))
            self._tasks.spawn(self._keep_session())
            self._tasks.spawn(self._start_subscriptions())
            if self.router.fold_windows:
                self._tasks.spawn(self._flush_folds(min(self.router.fold_windows)))
            if self.router.attribution is not None and self.router.attribution.wait > 0:
                self._tasks.spawn(self._release_attributions())
            await self._tasks.wait_failure()
            raise ConnectionLost("the connection ended")  # not reached: wait_failure raises
        finally:
            await self._close()

    async def _close(self) -> None:
        """Cancel the tasks, close the socket and log out, all within about a second."""
        if self._tasks is not None:
            await self._tasks.close(SHUTDOWN_BUDGET)
        socket, self._socket = self._socket, None
        closing = [self.client.logout()]
        if socket is not None:
            closing.append(socket.close())
        try:
            await asyncio.wait_for(asyncio.gather(*closing, return_exceptions=True), SHUTDOWN_BUDGET)
        except TIMEOUTS:
            log.debug("closing the connection to %s took too long; abandoned", self.client.label)
        finally:
            await self.client.close()

    # ----------------------------------------------------------------- socket reader

    async def _read(self, socket) -> None:
        """Receive frames and hand them to the router; the hot path of the whole source."""
        receive = socket.receive
        route = self.router.route
        emit_now = self.router.emit_now
        emit = self.router.emit
        while True:
            message = await receive()
            if message.type in _DATA:
                events = route(message.data)
                if events and not emit_now(events):
                    await emit(events)
            elif message.type in _CLOSED:
                code = socket.close_code
                raise ConnectionLost(f"the APIC at {self.client.label} closed the websocket (code {code})")
            else:  # ERROR: the transport failed
                raise ConnectionLost(f"the websocket to {self.client.label} failed "
                                     f"({type(message.data).__name__})")

    # ----------------------------------------------------------------- subscriptions

    async def _start_subscriptions(self) -> None:
        """Subscribe everything; the audit log of ``changed_by`` right after the subscriptions whose changes it
        names, so that a count of live subscriptions never says "listening" before they are."""
        subs = self.router.subscriptions
        results = await asyncio.gather(*(self._subscribe(sub) for sub in subs), return_exceptions=True)
        for sub, result in zip(subs, results):  # noqa: B905 (Python 3.8 compatible code)
            if isinstance(result, BaseException):
                raise self._subscribe_failure(sub, result)
        audit = self.router.audit
        if audit is not None:
            try:
                await self._subscribe(audit)
            except Exception as exc:
                raise self._subscribe_failure(audit, exc) from None
        await self._resync()
        self.healthy = True
        if self._on_healthy is not None:
            self._on_healthy(self.client.label)
        log.info("all %d subscription(s) on %s are live%s", len(subs), self.client.label,
                 "" if audit is None else ", and the audit log for changed_by")
        self._tasks.spawn(self._refresh_subscriptions())

    async def _subscribe(self, sub: Subscription) -> None:
        """Subscribe (or resubscribe) one subscription and emit what its snapshot says was missed."""
        router = self.router
        router.begin_subscribe(sub)
        sub_id = snapshot = None
        expires_at = 0.0
        try:
            if sub is router.audit:  # changed_by's audit log: pushes only, its answer holds one record at most
                sub_id = (await self.client.subscribe_page(sub.spec.subscribe_url(self.refresh_timeout, 1)))[0]
                expires_at = self._loop.time() + self.refresh_timeout
            else:
                sub_id, snapshot, expires_at = await self._take_snapshot(sub)
        finally:
            events = router.end_subscribe(sub, sub_id, snapshot, expires_at)
        if events:
            await router.emit(events)

    async def _take_snapshot(self, sub: Subscription) -> tuple:
        """``(id, complete Snapshot, expiry)``: the subscribe answers the first page, plain queries the rest.

        The pushes of those seconds are held by the router until the snapshot is complete. A result the
        APIC finds too big is read again in smaller pages, never fatal while a page size is left; a
        drop in between ends the connection, and the next one starts the subscription again.
        """
        client = self.client
        spec = sub.spec
        page_size = self.page_size if sub.page_size is None else sub.page_size
        while True:
            try:
                sub_id, total, imdata = await client.subscribe_page(spec.subscribe_url(self.refresh_timeout, page_size))
                break
            except Exception as exc:
                smaller = smaller_page_size(page_size) if is_too_big(exc) else None
                if smaller is None:
                    raise
                log.warning("subscription %s: the APIC at %s found the result too big for %s; reading it in pages "
                            "of %d object(s)", sub.name, client.label,
                            f"pages of {page_size}" if page_size else "one answer", smaller)
                page_size = sub.page_size = smaller
        paging = _Paging(self, sub, sub_id, page_size)
        snapshot = self.router.start_snapshot(sub)
        snapshot.add(imdata)
        imdata = None
        if page_size:
            await paging.read_pass(snapshot, total)
            # Known objects no page showed are asked for before they count as deleted (snapshot.py): a
            # deletion between two page reads moves later objects into a page already read.
            await check_unseen(paging.query, sub, snapshot)
        if snapshot.pages > 1:
            log.info("subscription %s: read %d object(s) in %d page(s) of %d", sub.name, len(snapshot),
                     snapshot.pages, page_size)
        return sub_id, snapshot, paging.expires_at

    async def _flush_folds(self, window: float) -> None:
        """Emit folded changes as their windows end (fold_window), in turn with every other emitter."""
        router = self.router
        tick = min(max(window / 4, 0.01), 1.0)
        while True:
            await asyncio.sleep(tick)
            tickets = router.due_folds()
            if tickets:
                await router.emit(tickets)

    async def _release_attributions(self) -> None:
        """Let go of the events whose wait for their audit record has ended (changed_by), in turn with every
        other emitter. Waits are equally long and taken in order, so the oldest one ends first."""
        router = self.router
        attribution = router.attribution
        while True:
            deadline = attribution.next_deadline()
            delay = attribution.wait if deadline is None else deadline - time.monotonic()
            await asyncio.sleep(max(delay, 0.001))
            tickets = router.due_attributions()
            if tickets:
                await router.emit(tickets)

    def _subscribe_failure(self, sub: Subscription, exc: BaseException) -> BaseException:
        """The exception a failed subscribe ends the connection with: a refused query names the subscription
        and the fix (the supervisor's lifecycle stops the source for it only if it never worked)."""
        if isinstance(exc, (ConnectionLost, SourceError)):
            return exc
        if sub is self.router.audit and classify(exc) == Outcome.REFUSED:
            return SubscriptionRejected(f"changed_by: the APIC at {self.client.label} refused the audit log "
                                        f"subscription (class aaaModLR): {getattr(exc, 'text', '') or exc}; give "
                                        "the user read access to the audit log, or set changed_by to false")
        if classify(exc) == Outcome.REFUSED:
            return SubscriptionRejected(f"subscription {sub.name!r} was refused by the APIC at {self.client.label}: "
                                        f"{getattr(exc, 'text', '') or exc}; check its class, dn, path, query "
                                        "options and the user's read privileges")
        return ConnectionLost(f"subscription {sub.name} on {self.client.label} failed: {exc}")

    async def _resync(self) -> None:
        """Read again the subscriptions whose racing pushes overflowed the hold buffer."""
        for sub in self.router.take_resync():
            try:
                await self._subscribe(sub)
            except Exception as exc:
                raise self._subscribe_failure(sub, exc) from None

    def _refresh_interval(self) -> float:
        info = self.client.login_info
        return lifecycle.subscription_refresh_interval(
            self.refresh_timeout, None if info is None else info.refresh_timeout, self.client.can_refresh)

    async def _refresh_subscriptions(self) -> None:
        """Every interval, refresh each live subscription in its own task (never waiting for a slow one)."""
        interval = self._refresh_interval()
        while True:
            await asyncio.sleep(interval)
            for sub in self.router.all_subscriptions():
                if not sub.busy:
                    sub.busy = True
                    self._tasks.spawn(self._refresh_one(sub, interval))

    async def _refresh_one(self, sub: Subscription, interval: float) -> None:
        try:
            if sub.id is None:
                await self._resubscribe(sub, "it has no live id")
                return
            action = await self._send_refresh(sub, max(interval, 1.0))
            if action.kind == Action.RESEND:
                log.debug("subscription %s: %s; sending it with the new token", sub.name, action.reason)
                action = await self._send_refresh(sub, max(interval, 1.0), resent=True)
            if action.kind == Action.LIVE:
                sub.expires_at = action.at
            elif action.kind == Action.RETRY:
                log.debug("refreshing subscription %s failed (%s); retrying before it lapses", sub.name, action.reason)
            elif action.kind == Action.RESUBSCRIBE:
                await self._resubscribe(sub, action.reason)
            else:  # RECONNECT: the session itself is gone
                raise ConnectionLost(f"subscription {sub.name}: {action.reason}")
        finally:
            sub.busy = False

    async def _send_refresh(self, sub: Subscription, timeout: float, resent: bool = False) -> Action:
        """subscriptionRefresh, and what the lifecycle makes of its outcome.

        A "Token timeout" waits for a session refresh that may be on its way: the APIC kills the old token
        as soon as aaaRefresh answers, so a refresh sent just before that is refused although the session
        is alive; only a refusal of the current token means the session is gone.
        """
        client = self.client
        token = client.token
        try:
            await client.refresh_subscription(sub.id, timeout=timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outcome = classify(exc)
            if outcome == Outcome.TOKEN_EXPIRED and not resent:
                await client.session_settled()
            return lifecycle.subscription_refresh_failed(
                self._loop.time(), sub.expires_at, outcome, getattr(exc, "text", "") or str(exc),
                token_replaced=not resent and client.token != token)
        return lifecycle.subscription_refreshed(self._loop.time(), self.refresh_timeout)

    async def _resubscribe(self, sub: Subscription, why: str) -> None:
        log.info("subscription %s: subscribing again because %s", sub.name, why)
        try:
            await self._subscribe(sub)
            await self._resync()
        except ConnectionLost:
            raise
        except Exception as exc:
            failure = self._subscribe_failure(sub, exc)
            action = lifecycle.resubscribe_failed(classify(failure), str(failure))
            if action.kind == Action.GIVE_UP:  # refused now after working before: log, retry at the next round
                log.error("%s", action.reason)
                return
            raise failure from None

    # ----------------------------------------------------------------- session

    async def _keep_session(self) -> None:
        """Refresh the session and roll it over when the lifecycle says so."""
        client = self.client
        info = client.login_info
        loop = self._loop
        session = lifecycle.Session(loop.time(), info.refresh_timeout, info.maximum_lifetime, client.can_refresh)
        action = session.next()
        while True:
            await asyncio.sleep(max(0.0, action.at - loop.time()))
            if action.kind == Action.ROLLOVER:
                raise ConnectionLost(f"{action.reason} on {client.label}")
            try:
                await client.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                action = session.refresh_failed(loop.time(), classify(exc), str(exc))
                if action.kind == Action.RECONNECT:
                    raise ConnectionLost(f"{action.reason} ({client.label})") from None
                log.debug("session refresh on %s failed (%s); retrying", client.label, exc)
                continue
            session.refreshed(loop.time(), client.login_info.refresh_timeout)
            action = session.next()


class _Paging:
    """Reads the later pages of one snapshot, keeping the subscription they belong to alive meanwhile."""

    def __init__(self, connection: ApicConnection, sub: Subscription, sub_id: str, page_size: int) -> None:
        self.connection = connection
        self.spec = sub.spec
        self.sub_id = sub_id
        self.page_size = page_size
        self.refreshed = connection._loop.time()
        self.expires_at = self.refreshed + connection.refresh_timeout

    async def read(self, page: int) -> tuple:
        """``(totalCount, imdata)`` of one page (a plain query: it makes no subscription)."""
        answer = await self.query(self.spec.page_url(page, self.page_size))
        self.connection.router.stats.pages += 1
        return answer

    async def query(self, url: str) -> tuple:
        """``(totalCount, imdata)`` of a plain query made while the snapshot is read."""
        connection = self.connection
        client = connection.client
        loop = connection._loop
        interval = connection._refresh_interval()
        if loop.time() - self.refreshed > interval:  # a long snapshot outlives the refresh interval
            await client.refresh_subscription(self.sub_id, timeout=max(interval, 1.0))
            self.refreshed = loop.time()
            self.expires_at = self.refreshed + connection.refresh_timeout
        return await client.query(url)

    async def read_pass(self, snapshot, total: int) -> None:
        """Pages 1 and up into ``snapshot``, the next one asked for while the last one is compared (the
        APIC and the source work at the same time; two pages in memory at most)."""
        size = self.page_size
        page = 1
        pending = asyncio.ensure_future(self.read(page)) if size < total else None
        try:
            while pending is not None:
                total, imdata = await pending
                page += 1
                pending = asyncio.ensure_future(self.read(page)) if imdata and page * size < total else None
                snapshot.add(imdata or [])
                imdata = None
        finally:
            if pending is not None:
                pending.cancel()
                await asyncio.gather(pending, return_exceptions=True)
