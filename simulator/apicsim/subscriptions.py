"""Subscriptions: ids, refresh windows, expiry and the class index that makes matching cheap.

A subscription belongs to one websocket (its *channel*); when the socket goes, its subscriptions go with
it and nothing is buffered (there is no replay on an APIC). An expired subscription is not announced: it
silently stops matching, which is what a client that forgets `subscriptionRefresh` sees on a real APIC.

Matching a change looks only at subscriptions indexed under the change's class plus those whose query can
match any class, so a burst against one class costs the same with ten or ten thousand other subscriptions.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .clock import SimClock

# 0x01 << 56: every id observed on a real APIC starts there, which makes them 17 decimal digits.
_ID_BASE = 1 << 56


class Matcher(Protocol):
    """What a subscription needs from a compiled query (apicsim.query.Query)."""

    classes: frozenset[str] | set[str] | None
    #: classes of which every change matches without asking :meth:`match`
    matches_every: frozenset[str]

    def match(self, change, mit=None) -> bool: ...


@dataclass(eq=False, slots=True)
class Subscription:
    """One subscription: its string id, its query, the channel it pushes to and its expiry deadline."""

    id: str
    num: int
    query: Matcher
    channel: Hashable | None
    session_id: str
    refresh_timeout: float
    expires_at: float
    dead: bool = False
    classes: tuple[str, ...] | None = field(default=None)


class UnknownSubscription(LookupError):
    """subscriptionRefresh named an id that never existed, expired or died with its socket."""


def parse_subscription_id(raw: str) -> int | None:
    """The numeric prefix of `raw` (the APIC accepts `<id>-junk`), or None when there is none."""
    digits = "".join(itertools.takewhile(str.isdigit, raw.strip()))
    return int(digits) if digits else None


class SubscriptionTable:
    """All subscriptions of one cluster member."""

    def __init__(self, clock: SimClock, member: int = 0) -> None:
        self._clock = clock
        self._counter = itertools.count(_ID_BASE + ((member + 1) << 32) + 1)
        self._by_num: dict[int, Subscription] = {}
        self._by_class: dict[str, dict[int, Subscription]] = {}
        self._any_class: dict[int, Subscription] = {}
        self._by_channel: dict[Hashable, dict[int, Subscription]] = {}
        #: class -> its candidates, built on first use and forgotten whenever a subscription comes or goes
        #: (every change asks for the candidates of its class; subscriptions change rarely).
        self._candidates: dict[str, tuple[Subscription, ...]] = {}

    def __len__(self) -> int:
        return len(self._by_num)

    def add(self, query: Matcher, channel: Hashable | None, session_id: str, refresh_timeout: float) -> Subscription:
        """Register a subscription; `channel=None` makes one that exists but never pushes (cookie quirk)."""
        num = next(self._counter)
        classes = tuple(sorted(query.classes)) if query.classes is not None else None
        sub = Subscription(
            id=str(num), num=num, query=query, channel=channel, session_id=session_id,
            refresh_timeout=refresh_timeout, expires_at=self._clock.now() + refresh_timeout, classes=classes,
        )
        self._by_num[num] = sub
        self._candidates.clear()
        if channel is not None:
            self._by_channel.setdefault(channel, {})[num] = sub
            if classes is None:
                self._any_class[num] = sub
            else:
                for cls in classes:
                    self._by_class.setdefault(cls, {})[num] = sub
        return sub

    def refresh(self, raw_id: str, session_id: str | None = None) -> Subscription:
        """Extend a live subscription's window; UnknownSubscription for unknown, expired or foreign ids."""
        num = parse_subscription_id(raw_id)
        sub = self._by_num.get(num) if num is not None else None
        if sub is None or self._expired(sub):
            raise UnknownSubscription(raw_id)
        if session_id is not None and sub.session_id != session_id:
            raise UnknownSubscription(raw_id)
        sub.expires_at = self._clock.now() + sub.refresh_timeout
        return sub

    def candidates(self, cls: str) -> Iterable[Subscription]:
        """Subscriptions that could match a change of `cls` (before the query's own test)."""
        found = self._candidates.get(cls)
        if found is None:
            indexed = self._by_class.get(cls)
            found = self._candidates[cls] = (*(indexed.values() if indexed else ()), *self._any_class.values())
        return found

    def targets(self, change, mit=None) -> dict[Hashable, list[str]]:
        """Each channel with the ids of its live subscriptions that match `change` (a Change of apicsim.mit),
        in subscription order; an expired subscription met here is removed on the spot."""
        targets: dict[Hashable, list[str]] = {}
        cls = change.cls
        now = self._clock.now()
        for sub in self.candidates(cls):
            if self._expired(sub, now):
                continue
            query = sub.query
            if cls in query.matches_every or query.match(change, mit):
                ids = targets.get(sub.channel)
                if ids is None:
                    targets[sub.channel] = [sub.id]
                else:
                    ids.append(sub.id)
        return targets

    def drop_channel(self, channel: Hashable) -> int:
        """The socket went away: its subscriptions die with it (no replay). Returns how many died."""
        subs = self._by_channel.pop(channel, {})
        for sub in list(subs.values()):
            self._remove(sub)
        return len(subs)

    def sweep(self) -> int:
        """Forget expired subscriptions (memory only; they already stopped pushing)."""
        expired = [s for s in list(self._by_num.values()) if self._expired(s)]
        return len(expired)

    def _expired(self, sub: Subscription, now: float | None = None) -> bool:
        """True once the subscription may no longer push (``now``: the clock's reading, when the caller has
        one); an expired one is removed on the spot."""
        if sub.dead:
            return True
        if (self._clock.now() if now is None else now) >= sub.expires_at:
            self._remove(sub)
            return True
        return False

    def _remove(self, sub: Subscription) -> None:
        sub.dead = True
        self._candidates.clear()
        self._by_num.pop(sub.num, None)
        self._any_class.pop(sub.num, None)
        if sub.classes is not None:
            for cls in sub.classes:
                bucket = self._by_class.get(cls)
                if bucket is not None:
                    bucket.pop(sub.num, None)
                    if not bucket:
                        del self._by_class[cls]
        if sub.channel is not None:
            bucket = self._by_channel.get(sub.channel)
            if bucket is not None:
                bucket.pop(sub.num, None)
