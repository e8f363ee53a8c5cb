# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source as a whole: connect, and when a connection ends, connect again. Forever, by default.

Reconnect policy:
- After a connection that was healthy (every subscription live), retry the same APIC at once: a
  single drop should cost well under a second, and reconciliation emits whatever was missed.
- A failed attempt moves on to the next APIC of the ``host`` list without waiting; once every host
  has failed in a row, wait with jittered exponential backoff (core/backoff.py) before the next
  round. A throttling (503) or absent cluster is therefore never hammered.
- Mistakes that retrying cannot fix (refused credentials, a refused subscription query, a certificate
  that does not verify) end the source with one line, but only before the first healthy connection:
  once the source has worked, it keeps trying, since such errors can then be passing APIC trouble.
- ``reconnect_attempts`` (0 = never) bounds consecutive failed attempts.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from ansible_collections.fabricops.aci.plugins.module_utils.core.backoff import ExponentialBackoff
from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import (
    ApicError,
    AuthenticationError,
    ConnectionFailedError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.events import status_event
from ansible_collections.fabricops.aci.plugins.module_utils.core.signature import load_private_key
from ansible_collections.fabricops.aci.plugins.module_utils.core.tls import ssl_context
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.apic import ApicClient, endpoint_label
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.connection import ApicConnection
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import (
    ConnectionLost,
    SourceError,
    TlsVerificationError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.secret_store import SecretStore
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import SourceSettings
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats

log = logging.getLogger(__name__)


class EventSource:
    """Runs the source for one set of settings and one EDA queue."""

    def __init__(self, settings: SourceSettings, queue, backoff=None) -> None:
        self.settings = settings
        self.queue = queue
        self.stats = SourceStats(len(settings.subscriptions))
        self.router = Router(settings.subscriptions, queue, self.stats, settings.emit_existing)
        self.secrets = SecretStore(settings.secrets)
        self.backoff = backoff or ExponentialBackoff(settings.reconnect_delay, settings.reconnect_delay_max)
        self.healthy_once = False
        primary = settings.primary
        try:
            self._ssl = ssl_context(primary.validate_certs, primary.ca_path) if primary.use_ssl else None
            self._key = load_private_key(primary.private_key) if primary.uses_signature else None
        except ValueError as exc:
            raise SourceError(str(exc)) from None

    async def run(self) -> None:
        """Run until cancelled (or until a mistake retrying cannot fix)."""
        heartbeat = None
        if self.settings.heartbeat_interval > 0:
            heartbeat = asyncio.ensure_future(self._heartbeat(self.settings.heartbeat_interval))
        try:
            await self._supervise()
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
                await asyncio.wait([heartbeat], timeout=0.2)

    def _healthy(self, label: str) -> None:
        self.healthy_once = True
        self.stats.connected = True
        self.stats.apic = label
        self.stats.connected_since = time.time()

    def _fatal(self, exc: BaseException, label: str) -> SourceError | None:
        """The SourceError that ends the source, for errors retrying cannot fix before it ever worked."""
        if self.healthy_once:
            return None
        if isinstance(exc, AuthenticationError):
            if self.settings.primary.uses_signature:
                fix = ("check username, private_key and certificate_name (the certificate the APIC holds for "
                       "that user)")
            else:
                fix = "check username and password (or private_key and certificate_name)"
            return SourceError(f"the APIC at {label} refused the login: {exc.text or exc}; {fix}")
        if isinstance(exc, TlsVerificationError):
            return SourceError(str(exc))
        if isinstance(exc, SourceError):
            return exc
        return None

    async def _supervise(self) -> None:
        hosts = self.settings.connections
        index = 0
        failed_in_round = 0
        failed_in_row = 0
        while True:
            client = ApicClient(hosts[index], self._ssl, self.secrets, self._key)
            connection = ApicConnection(client, self.router, self.settings.refresh_timeout, self._healthy)
            try:
                await connection.run()
                reason = "the connection ended"
            except ConnectionLost as exc:
                reason = exc.reason
            except (ApicError, ConnectionFailedError, SourceError) as exc:
                fatal = self._fatal(exc, client.label)
                if fatal is not None:
                    raise fatal from None
                reason = str(exc)
            finally:
                self.stats.connected = False
                self.stats.connected_since = None
            if connection.healthy:
                self.stats.reconnects += 1
                self.backoff.reset()
                failed_in_round = failed_in_row = 0
                delay = self.backoff.delay()
            else:
                failed_in_row += 1
                attempts = self.settings.reconnect_attempts
                if attempts and failed_in_row >= attempts:
                    raise SourceError(f"gave up after {failed_in_row} failed connection attempt(s) "
                                      f"(reconnect_attempts); the last: {reason}")
                index = (index + 1) % len(hosts)
                failed_in_round += 1
                delay = 0.0
                if failed_in_round >= len(hosts):
                    failed_in_round = 0
                    delay = self.backoff.delay()
            nxt = endpoint_label(hosts[index])
            log.warning("connection to the APIC at %s ended: %s; connecting to %s in %.2f s",
                        client.label, self.secrets.scrub(reason), nxt, delay)
            if delay > 0:
                await asyncio.sleep(delay)

    async def _heartbeat(self, interval: float) -> None:
        """Put an ``aci_status`` event on the queue every ``interval`` seconds."""
        while True:
            await asyncio.sleep(interval)
            await self.queue.put(status_event(self.stats.status_fields(), str(uuid.uuid4())))
