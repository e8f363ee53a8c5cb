# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source's connection lifecycle as decisions: outcomes and the time in, actions out.

Every "what now?" of the event source lives here: when to refresh the session and the subscriptions,
whether a failure means retry, resubscribe, reconnect, fail over or stop, and how long to wait. The
asyncio layer (event_source/apic_connection.py and source.py) only classifies what happened into an
``Outcome`` (event_source/errors.py ``classify``), asks one of the objects below, and carries the
answer out. Nothing here sleeps, reads a clock or touches a socket: tests drive it with plain numbers
for the time (tests/unit/core/test_core_lifecycle.py), through every path found in the field.

Policy, in short:
- A connection that was healthy (every subscription live) is retried at once on the same APIC; a single
  drop should cost well under a second, and reconciliation emits whatever was missed.
- A failed attempt moves to the next cluster member without waiting; once every member has failed in a
  row, wait with jittered exponential backoff before the next round (a throttling or absent cluster is
  never hammered). ``reconnect_attempts`` bounds consecutive failures.
- Mistakes no retry can fix (a refused login, a certificate that does not verify, a refused subscription
  query, a bad argument) stop the source with one line, but only before its first healthy connection:
  afterwards they are taken for passing APIC trouble and retried.
- The session is refreshed at half its window (``aaaRefresh``), retried quickly on a passing failure until
  the window is over, and rolled over (a new login) shortly before its maximum lifetime.
- A subscription is refreshed every third of its ``refresh-timeout``; a passing failure is retried until
  the subscription would lapse, then it is subscribed again; an APIC that no longer knows it gets a
  resubscribe; a "Token timeout" that crossed a session refresh is resent with the new token.
"""

from __future__ import annotations

import random

SESSION_REFRESH_FRACTION = 0.5  # aaaRefresh at half the window, as the APIC's own guidance suggests
SUBSCRIPTION_REFRESH_FRACTION = 1 / 3  # two more chances before a subscription could lapse
ROLLOVER_MARGIN = 60.0  # seconds before the maximum lifetime (at most a tenth of it) to log in again
MIN_REFRESH_INTERVAL = 0.05  # a nonsense timeout must not spin


class Outcome:
    """What happened, as the asyncio layer classified it (one of the constants below)."""

    OK = "ok"
    ENDED = "ended"  # the connection ended: socket closed, transport failed, a planned rollover
    UNREACHABLE = "unreachable"  # no TCP connection, no answer in time
    THROTTLED = "throttled"  # HTTP 503 and friends: the APIC asks to be left alone for a while
    LOGIN_REFUSED = "login_refused"  # aaaLogin / webtokenSession refused the credentials or the certificate
    TLS_FAILED = "tls_failed"  # the APIC's certificate did not verify
    TOKEN_EXPIRED = "token_expired"  # "Token timeout": the session is gone (or the token was just replaced)
    REFUSED = "refused"  # the APIC answered 4xx to a request (a refused subscription query, an unknown id)
    APIC_ERROR = "apic_error"  # the APIC answered 5xx or something unreadable
    BAD_CONFIG = "bad_config"  # a mistake in the source's own arguments

    # Mistakes that waiting cannot fix: fatal before the first healthy connection.
    USER_FIXABLE = frozenset((LOGIN_REFUSED, TLS_FAILED, REFUSED, BAD_CONFIG))
    # Passing trouble: try again.
    TRANSIENT = frozenset((ENDED, UNREACHABLE, THROTTLED, TOKEN_EXPIRED, APIC_ERROR))


class Action:
    """What the asyncio layer must do next: ``kind`` plus the details that kind needs."""

    RECONNECT = "reconnect"  # to member ``member`` after ``delay`` seconds
    STOP = "stop"  # end the source with ``reason`` (one line)
    REFRESH = "refresh"  # refresh (the session, or a subscription) at ``at``
    ROLLOVER = "rollover"  # log in again now: the session reaches its maximum lifetime
    RETRY = "retry"  # try the same request again at ``at``
    RESUBSCRIBE = "resubscribe"  # subscribe this subscription again (``reason`` says why)
    RESEND = "resend"  # send the same request again now, with the current token
    LIVE = "live"  # the subscription is live until ``at``
    GIVE_UP = "give_up"  # leave it for now: log ``reason``, the next refresh round tries again

    __slots__ = ("at", "delay", "kind", "member", "reason")

    def __init__(self, kind: str, *, member: int = 0, delay: float = 0.0, at: float = 0.0, reason: str = "") -> None:
        self.kind = kind
        self.member = member
        self.delay = delay
        self.at = at
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return (self.kind, self.member, self.delay, self.at, self.reason) == (
            other.kind, other.member, other.delay, other.at, other.reason)

    __hash__ = None  # compared by value in tests; never a key

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in ("member", "delay", "at", "reason")
                           if getattr(self, name))
        return f"Action({self.kind}{', ' if fields else ''}{fields})"


class Backoff:
    """``initial * factor**(n-1)`` capped at ``maximum``, scaled by a random factor in [1 - jitter, 1].

    Attempt 0 (right after a healthy connection) waits nothing. Jitter keeps many sources that lost the
    same APIC from reconnecting in lock-step.
    """

    def __init__(self, initial: float = 1.0, maximum: float = 60.0, factor: float = 2.0, jitter: float = 0.5,
                 rand=random.random) -> None:
        if initial < 0 or maximum < initial:
            raise ValueError(f"backoff: need 0 <= initial <= maximum, got {initial!r} and {maximum!r}")
        if factor < 1:
            raise ValueError(f"backoff: factor must be at least 1, got {factor!r}")
        if not 0 <= jitter <= 1:
            raise ValueError(f"backoff: jitter must be between 0 and 1, got {jitter!r}")
        self.initial = float(initial)
        self.maximum = float(maximum)
        self.factor = float(factor)
        self.jitter = float(jitter)
        self.attempts = 0
        self._rand = rand

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay before attempt number ``attempt`` (0-based)."""
        if attempt <= 0:
            return 0.0
        exponent = min(attempt - 1, 64)  # growth stops at the cap; huge counts cannot overflow
        return min(self.maximum, self.initial * self.factor ** exponent)

    def delay(self) -> float:
        """The wait before the next attempt, and count that attempt."""
        ceiling = self.ceiling(self.attempts)
        self.attempts += 1
        return ceiling * (1.0 - self.jitter * self._rand())

    def reset(self) -> None:
        """Start again from an immediate retry (the last connection was healthy)."""
        self.attempts = 0


class Reconnects:
    """Which cluster member to connect to next, after how long, or whether to stop: one per source."""

    def __init__(self, members: int, backoff: Backoff, attempts: int = 0) -> None:
        if members < 1:
            raise ValueError("at least one APIC is needed")
        self.members = members
        self.backoff = backoff
        self.attempts = attempts  # consecutive failures before giving up; 0: never
        self.member = 0
        self.healthy_once = False
        self._failed_in_round = 0
        self._failed_in_row = 0

    def healthy(self) -> None:
        """The current connection has every subscription live."""
        self.healthy_once = True

    def ended(self, was_healthy: bool, outcome: str, reason: str) -> Action:
        """A connection ended with ``outcome``: reconnect (where, after how long) or stop (why)."""
        if outcome in Outcome.USER_FIXABLE and not self.healthy_once:
            return Action(Action.STOP, reason=reason)
        if was_healthy:
            self.backoff.reset()
            self._failed_in_round = self._failed_in_row = 0
            return Action(Action.RECONNECT, member=self.member, delay=self.backoff.delay())
        self._failed_in_row += 1
        if self.attempts and self._failed_in_row >= self.attempts:
            return Action(Action.STOP, reason=f"gave up after {self._failed_in_row} failed connection attempt(s) "
                                              f"(reconnect_attempts); the last: {reason}")
        self.member = (self.member + 1) % self.members
        self._failed_in_round += 1
        delay = 0.0
        if self._failed_in_round >= self.members:  # every member failed in a row: back off
            self._failed_in_round = 0
            delay = self.backoff.delay()
        return Action(Action.RECONNECT, member=self.member, delay=delay)


class Session:
    """When to refresh a session and when to roll it over, from the login answer's figures."""

    def __init__(self, started: float, refresh_timeout: float, maximum_lifetime: float, can_refresh: bool) -> None:
        self.window = max(1.0, float(refresh_timeout))  # a nonsense window must not spin
        self.can_refresh = can_refresh
        self.last_ok = started
        if maximum_lifetime > 0:
            self.rollover_at = started + maximum_lifetime - min(ROLLOVER_MARGIN, maximum_lifetime * 0.1)
        else:  # an APIC that states no lifetime: nothing to roll over for
            self.rollover_at = float("inf")

    def next(self) -> Action:
        """The next thing to do for the session: refresh at a time, or roll over at a time."""
        refresh_at = self.last_ok + self.window * SESSION_REFRESH_FRACTION if self.can_refresh else float("inf")
        if self.rollover_at <= refresh_at and self.rollover_at != float("inf"):
            return Action(Action.ROLLOVER, at=self.rollover_at,
                          reason="the session reaches its maximum lifetime; logging in again")
        return Action(Action.REFRESH, at=refresh_at)

    def refreshed(self, now: float, refresh_timeout: float | None = None) -> None:
        """aaaRefresh answered (with the window it states, which may have changed)."""
        self.last_ok = now
        if refresh_timeout is not None:
            self.window = max(1.0, float(refresh_timeout))

    def refresh_failed(self, now: float, outcome: str, detail: str) -> Action:
        """aaaRefresh failed: retry soon while the session may still be alive, else reconnect."""
        if outcome in (Outcome.THROTTLED, Outcome.UNREACHABLE):
            if now >= self.last_ok + self.window:
                return Action(Action.RECONNECT, reason=f"the session could not be refreshed in time: {detail}")
            retry_at = now + min(1.0, self.window * 0.05)
            if retry_at >= self.rollover_at:
                return Action(Action.ROLLOVER, at=self.rollover_at,
                              reason="the session reaches its maximum lifetime; logging in again")
            return Action(Action.RETRY, at=retry_at, reason=detail)
        return Action(Action.RECONNECT, reason=f"the session refresh was refused: {detail}")


def subscription_refresh_interval(refresh_timeout: float, session_window: float | None, can_refresh: bool) -> float:
    """Seconds between subscription refresh rounds.

    Certificate sessions have no aaaRefresh: their signed subscription refreshes are what keeps them
    alive, so those come at least as often as a session refresh would.
    """
    interval = refresh_timeout * SUBSCRIPTION_REFRESH_FRACTION
    if not can_refresh and session_window is not None:
        interval = min(interval, session_window * SESSION_REFRESH_FRACTION)
    return max(interval, MIN_REFRESH_INTERVAL)


def subscription_refreshed(now: float, refresh_timeout: float) -> Action:
    """subscriptionRefresh answered: the subscription lives for another ``refresh_timeout``."""
    return Action(Action.LIVE, at=now + refresh_timeout)


def subscription_refresh_failed(now: float, expires_at: float, outcome: str, detail: str,
                                token_replaced: bool = False) -> Action:
    """subscriptionRefresh failed: what now for this one subscription.

    - passing trouble before the subscription could lapse: retry at the next round;
    - passing trouble until it lapsed: subscribe again (its pushes may have stopped);
    - "Token timeout" for a token that a session refresh replaced meanwhile: resend with the new token
      (the APIC kills the old token as soon as aaaRefresh answers); for the current token: the session
      is gone, reconnect;
    - any other refusal (the APIC no longer knows the id): subscribe again.
    """
    if outcome in (Outcome.THROTTLED, Outcome.UNREACHABLE):
        if now < expires_at:
            return Action(Action.RETRY, reason=detail)
        return Action(Action.RESUBSCRIBE, reason=f"its refreshes failed until it lapsed ({detail})")
    if outcome == Outcome.TOKEN_EXPIRED:
        if token_replaced:
            return Action(Action.RESEND, reason="the refresh crossed a session refresh")
        return Action(Action.RECONNECT, reason=f"refreshing it was refused: {detail}")
    return Action(Action.RESUBSCRIBE, reason=f"the APIC no longer knows it ({detail})")


def resubscribe_failed(outcome: str, detail: str) -> Action:
    """Subscribing again failed on a connection that works: a refused query (it worked before, so it is
    passing APIC trouble) is logged and tried again at the next refresh round; anything else ends the
    connection. (A refusal at the first subscribe of a connection reaches ``Reconnects.ended`` instead,
    which stops the source only if it never worked.)"""
    if outcome == Outcome.REFUSED:
        return Action(Action.GIVE_UP, reason=detail)
    return Action(Action.RECONNECT, reason=detail)
