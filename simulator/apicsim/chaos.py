"""Fault injection: the failures a client must survive, switched on from the control API.

State only, no I/O: the REST layer asks `login_throttled()` / `refresh_fault()` on each request, and the
one-shot actions (drop sockets, expire sessions) are carried out by the simulator on its members.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .clock import SimClock

# What nginx in front of an APIC answers when its rate limit trips: HTML, not an APIC error envelope.
THROTTLE_BODY = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass
class RefreshFault:
    """How the next subscription refreshes misbehave: a delay before answering, and/or an error.

    With `before_auth` the delay comes before the token is read, as when the request queued behind the
    session's aaaRefresh: a token that was valid when the request was sent may be dead when it is checked.
    """

    delay: float = 0.0
    fail: bool = False
    before_auth: bool = False


class Chaos:
    """Currently injected faults, with deadlines on the simulator clock."""

    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self.reset()

    def throttle_logins(self, seconds: float, all_requests: bool = False) -> None:
        """Answer aaaLogin (or every API request) with 503 for `seconds`."""
        self._throttle_until = self._clock.now() + seconds
        self._throttle_all = all_requests

    def throttled(self, is_login: bool) -> bool:
        if self._clock.now() >= self._throttle_until:
            return False
        return is_login or self._throttle_all

    def disturb_refreshes(
        self, seconds: float = 0.0, count: int = 0, delay: float = 0.0, fail: bool = True, before_auth: bool = False
    ) -> None:
        """Delay and/or fail subscriptionRefresh for `seconds` of simulator time, or for the next `count` calls."""
        self._refresh = RefreshFault(delay=delay, fail=fail, before_auth=before_auth)
        self._refresh_until = self._clock.now() + seconds if seconds > 0 else 0.0
        self._refresh_fails_left = count

    def refresh_fault(self) -> RefreshFault | None:
        """The fault to apply to this refresh, if any (consumes one of `count`)."""
        if self._refresh_fails_left > 0:
            self._refresh_fails_left -= 1
            return self._refresh
        if self._clock.now() < self._refresh_until:
            return self._refresh
        return None

    def trap_query(self, match: str, action: Callable[[], object]) -> None:
        """Run `action` when the next GET whose path and query contain `match` arrives, before it is answered;
        an action that returns True aborts that request's connection instead of answering it."""
        self._traps.append((match, action))

    def sprung(self, path_qs: str) -> Callable[[], object] | None:
        """The action armed for this GET, if any (each trap fires once)."""
        for index, (match, action) in enumerate(self._traps):
            if match in path_qs:
                del self._traps[index]
                return action
        return None

    def hold_pushes(self) -> None:
        """Keep every commit's changes from the sockets until `release_pushes` (pushes that arrive late)."""
        if self.held is None:
            self.held = []

    def release_pushes(self) -> list:
        """The commits held since `hold_pushes`, in commit order; pushes flow again."""
        held, self.held = self.held or [], None
        return held

    @property
    def refresh_delay_before_auth(self) -> bool:
        """Whether the refresh fault (if one applies) is to be taken before the token is checked."""
        return self._refresh.before_auth

    def reset(self) -> None:
        """No fault injected: the state a new simulator starts in."""
        self._throttle_until = 0.0
        self._throttle_all = False
        self._refresh_until = 0.0
        self._refresh_fails_left = 0
        self._refresh = RefreshFault()
        self._traps = []  # type: list[tuple[str, Callable[[], object]]]
        self.held = None  # type: list | None  # commits whose pushes are held back, while holding

    def state(self) -> dict[str, float | int | bool]:
        now = self._clock.now()
        return {
            "throttle_remaining": max(0.0, round(self._throttle_until - now, 3)),
            "throttle_all_requests": self._throttle_all,
            "refresh_fault_remaining": max(0.0, round(self._refresh_until - now, 3)),
            "refresh_faults_left": self._refresh_fails_left,
            "refresh_delay": self._refresh.delay,
            "refresh_fail": self._refresh.fail,
            "refresh_before_auth": self._refresh.before_auth,
            "query_traps": len(self._traps),
            "held_commits": None if self.held is None else len(self.held),
        }
