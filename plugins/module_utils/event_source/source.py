# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source as a whole: connect, and when a connection ends, connect again. Forever, by default.

Where to reconnect, after how long, and when to stop instead is decided by core/lifecycle.py
(``Reconnects``) from the classified outcome of the connection that ended; this file carries it out.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from ansible_collections.fabricops.aci.plugins.module_utils.core.attribution import Attribution
from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import ApicError, ConnectionFailedError
from ansible_collections.fabricops.aci.plugins.module_utils.core.events import status_event
from ansible_collections.fabricops.aci.plugins.module_utils.core.lifecycle import Action, Backoff, Outcome, Reconnects
from ansible_collections.fabricops.aci.plugins.module_utils.core.signature import load_private_key
from ansible_collections.fabricops.aci.plugins.module_utils.core.tls import ssl_context
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.apic_connection import ApicConnection
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.async_client import (
    AsyncApicClient,
    endpoint_label,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint import Checkpoint, checkpoint_key
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import (
    ConnectionLost,
    SourceError,
    classify,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.secret_store import SecretStore
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import SourceSettings
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import audit_log_spec

log = logging.getLogger(__name__)


def fabric_checkpoint(settings: SourceSettings) -> Checkpoint | None:
    """The durable checkpoint of these settings (None when turned off): one per fabric and subscription set."""
    if settings.checkpoint is None:
        return None
    fabric = [endpoint_label(entry).lower() for entry in settings.connections]
    key = checkpoint_key(fabric, [spec.name for spec in settings.subscriptions])
    return Checkpoint(settings.checkpoint, key, settings.checkpoint_password)


class EventSource:
    """Runs the source for one set of settings and one EDA queue."""

    def __init__(self, settings: SourceSettings, queue, feedback_queue=None) -> None:
        self.settings = settings
        self.queue = queue
        self.stats = SourceStats(len(settings.subscriptions))
        self.checkpoint = fabric_checkpoint(settings)
        self.stats.checkpoint = self.checkpoint
        self.feedback_queue = feedback_queue if settings.feedback else None
        if settings.feedback and feedback_queue is None:
            log.warning("feedback: true, but ansible-rulebook gave no feedback queue (it needs --persistence-id); "
                        "events count as delivered once handed over")
        attributed = settings.attributed()
        self.router = Router(settings.subscriptions, queue, self.stats, settings.emit_existing,
                             checkpoint=self.checkpoint, feedback=self.feedback_queue is not None,
                             attribution=Attribution(attributed, settings.changed_by_wait) if attributed else None,
                             audit_spec=audit_log_spec())
        self.stats.awaiting = self.router.awaiting
        self.stats.attribution = self.router.attribution
        self.secrets = SecretStore(settings.secrets)
        self.reconnects = Reconnects(len(settings.connections),
                                     Backoff(settings.reconnect_delay, settings.reconnect_delay_max),
                                     settings.reconnect_attempts)
        primary = settings.primary
        try:
            self._ssl = ssl_context(primary.validate_certs, primary.ca_path) if primary.use_ssl else None
            self._key = load_private_key(primary.private_key) if primary.uses_signature else None
        except ValueError as exc:
            raise SourceError(str(exc)) from None

    async def run(self) -> None:
        """Run until cancelled (or until a mistake retrying cannot fix); the checkpoint is written last."""
        if self.checkpoint is not None:
            await self.checkpoint.open(self.router.subscriptions)  # CheckpointError: fatal, one line
            log.info("checkpoint: %s", self.checkpoint.where)
        background = []
        if self.settings.heartbeat_interval > 0:
            background.append(asyncio.ensure_future(self._heartbeat(self.settings.heartbeat_interval)))
        if self.feedback_queue is not None:
            background.append(asyncio.ensure_future(self._feedback(self.feedback_queue)))
            background.append(asyncio.ensure_future(self._feedback_deadlines(self.settings.feedback_timeout)))
        try:
            await self._supervise()
        finally:
            for task in background:
                task.cancel()
            if background:
                await asyncio.wait(background, timeout=0.2)
            self.router.close()
            if self.checkpoint is not None:
                await self.checkpoint.close()

    def _healthy(self, label: str) -> None:
        self.reconnects.healthy()
        self.stats.connected = True
        self.stats.apic = label
        self.stats.connected_since = time.time()

    def _stop_reason(self, exc: BaseException, outcome: str, label: str) -> str:
        """The one line that ends the source for a mistake retrying cannot fix."""
        if outcome == Outcome.LOGIN_REFUSED:
            if self.settings.primary.uses_signature:
                fix = ("check username, private_key and certificate_name (the certificate the APIC holds for "
                       "that user)")
            else:
                fix = "check username and password (or private_key and certificate_name)"
            return f"the APIC at {label} refused the login: {getattr(exc, 'text', '') or exc}; {fix}"
        return str(exc)

    async def _supervise(self) -> None:
        hosts = self.settings.connections
        reconnects = self.reconnects
        while True:
            client = AsyncApicClient(hosts[reconnects.member], self._ssl, self.secrets, self._key)
            connection = ApicConnection(client, self.router, self.settings.refresh_timeout, self._healthy,
                                        self.settings.page_size)
            try:
                await connection.run()
                outcome, reason = Outcome.ENDED, "the connection ended"
            except ConnectionLost as exc:
                outcome, reason = Outcome.ENDED, exc.reason
            except (ApicError, ConnectionFailedError, SourceError) as exc:
                outcome = classify(exc)
                reason = self._stop_reason(exc, outcome, client.label)
            finally:
                self.stats.connected = False
                self.stats.connected_since = None
            if connection.healthy:
                self.stats.reconnects += 1
            action = reconnects.ended(connection.healthy, outcome, reason)
            if action.kind == Action.STOP:
                raise SourceError(self.secrets.scrub(action.reason))
            log.warning("connection to the APIC at %s ended: %s; connecting to %s in %.2f s",
                        client.label, self.secrets.scrub(reason), endpoint_label(hosts[action.member]), action.delay)
            if action.delay > 0:
                await asyncio.sleep(action.delay)

    async def _feedback(self, feedback_queue) -> None:
        """Take back every event the rule engine confirms (feedback mode): the checkpoint follows them."""
        get = feedback_queue.get
        confirm = self.router.feedback
        while True:
            confirm(await get())

    async def _feedback_deadlines(self, timeout: float) -> None:
        """Give up on events the engine has not confirmed within ``feedback_timeout``."""
        awaiting = self.router.awaiting
        while True:
            await asyncio.sleep(min(1.0, timeout / 2))
            late = awaiting.overdue(time.monotonic(), timeout)
            if late:
                self.router.give_up(late, f"no confirmation within {timeout:g} s (feedback_timeout)")

    async def _heartbeat(self, interval: float) -> None:
        """Put an ``aci_status`` event on the queue every ``interval`` seconds."""
        while True:
            await asyncio.sleep(interval)
            await self.queue.put(status_event(self.stats.status_fields(), str(uuid.uuid4())))
