# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions of the event source's asyncio layer (APIC answers themselves are core/errors.py types).

Two families: ``ConnectionLost`` means "this connection is over, build a new one" and is handled by
the supervisor; ``SourceError`` means the source cannot work as configured and ends it with a one-line
message for ansible-rulebook to show. Neither ever carries a URL, a token or a password.
"""

from __future__ import annotations

import asyncio

from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import (
    ApicError,
    AuthenticationError,
    ConnectionFailedError,
    SocketNotOpenError,
    ThrottledError,
    TokenExpiredError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.lifecycle import Outcome

# What a timeout raises: asyncio.wait_for and aiohttp raise asyncio.TimeoutError, which is the built-in
# TimeoutError only from Python 3.11 on. ansible-rulebook also runs on Python 3.9 and 3.10, so every
# timeout handler catches both.
TIMEOUTS = (asyncio.TimeoutError, TimeoutError)
# How an APIC refuses a query whose result is too large (HTTP 400); clients page when they see it.
TOO_BIG_TEXT = "result dataset is too big"


class SourceError(Exception):
    """The source cannot run as configured (bad argument, refused credentials, rejected subscription)."""


class SubscriptionRejected(SourceError):
    """The APIC refused a subscription's query (unknown class, bad filter): names it and the APIC text."""


class ConnectionLost(Exception):
    """The current APIC connection (session, socket, subscriptions) must be rebuilt; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TlsVerificationError(ConnectionFailedError):
    """The APIC's certificate did not verify: a configuration problem, not a transient one."""


class SocketRejectedError(ConnectionFailedError):
    """The APIC answered the websocket upgrade with an HTTP error (for example 403 for a stale token)."""


def classify(exc: BaseException) -> str:
    """The lifecycle ``Outcome`` of an exception, for core/lifecycle.py to decide on (one place for all)."""
    if isinstance(exc, SubscriptionRejected):
        return Outcome.REFUSED
    if isinstance(exc, SourceError):
        return Outcome.BAD_CONFIG
    if isinstance(exc, ConnectionLost):
        return Outcome.ENDED
    if isinstance(exc, TlsVerificationError):
        return Outcome.TLS_FAILED
    if isinstance(exc, (ConnectionFailedError, *TIMEOUTS)):
        return Outcome.UNREACHABLE
    if isinstance(exc, AuthenticationError):
        return Outcome.LOGIN_REFUSED
    if isinstance(exc, ThrottledError):
        return Outcome.THROTTLED
    if isinstance(exc, TokenExpiredError):
        return Outcome.TOKEN_EXPIRED
    if isinstance(exc, SocketNotOpenError):  # the websocket the subscription needs is gone
        return Outcome.ENDED
    if isinstance(exc, ApicError):
        return Outcome.REFUSED if 400 <= exc.status < 500 else Outcome.APIC_ERROR
    return Outcome.APIC_ERROR


def is_too_big(exc: BaseException) -> bool:
    """Whether the APIC refused a query because its result is too large: page it (smaller) instead."""
    return isinstance(exc, ApicError) and exc.status == 400 and TOO_BIG_TEXT in (exc.text or "")
