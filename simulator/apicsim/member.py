"""One simulated APIC (a cluster member): its sockets, its subscriptions, and the delivery of pushes.

The object tree is shared by every member, but sockets and subscriptions live on the member that accepted
them, as on a real cluster: when a member goes down its sockets drop and its subscriptions die, and a client
must resubscribe elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from .channel import Channel
from .push import change_json, frame_one, group_frames
from .sessions import Session, SessionStore
from .subscriptions import SubscriptionTable

if TYPE_CHECKING:
    from .audit import HistoryLog
    from .chaos import Chaos
    from .clock import SimClock
    from .mit import Change, Mit
    from .options import SimOptions
    from .signature import SignatureVerifier
    from .users import UserDirectory

log = logging.getLogger(__name__)


class Member:
    """State of one cluster member; the aiohttp handlers (rest.py, websocket.py) work on it.

    It is handed the shared parts its handlers use (the tree, users, the signature verifier, the audit
    log, chaos) rather than the whole simulator, so nothing below the simulator reaches back up into it.
    """

    def __init__(
        self,
        index: int,
        *,
        options: SimOptions,
        clock: SimClock,
        mit: Mit,
        sessions: SessionStore,
        users: UserDirectory,
        verifier: SignatureVerifier,
        history: HistoryLog,
        chaos: Chaos,
        fingerprint: str,
    ) -> None:
        self.index = index
        self.options = options
        self.mit = mit
        self.sessions = sessions
        self.users = users
        self.verifier = verifier
        self.history = history
        self.chaos = chaos
        self.fingerprint = fingerprint
        self.subs = SubscriptionTable(clock, member=index)
        self.channels: dict[str, list[Channel]] = {}
        self.port = 0
        self.url = ""
        self.up = False
        self.frames_pushed = 0
        self._tasks: set[asyncio.Task[None]] = set()
        sessions.on_end(self._session_ended)

    # ---------------------------------------------------------------- sockets

    def attach(self, channel: Channel) -> None:
        self.channels.setdefault(channel.session_id, []).append(channel)

    def detach(self, channel: Channel) -> None:
        """The socket is gone: its subscriptions die with it (no replay)."""
        bucket = self.channels.get(channel.session_id)
        if bucket and channel in bucket:
            bucket.remove(channel)
            if not bucket:
                del self.channels[channel.session_id]
        self.subs.drop_channel(channel)

    def channel_for(self, session: Session) -> Channel | None:
        """The open socket a subscription of `session` binds to (the most recently opened one)."""
        for channel in reversed(self.channels.get(session.session_id, ())):
            if not channel.closed:
                return channel
        return None

    def all_channels(self) -> list[Channel]:
        return [c for bucket in self.channels.values() for c in bucket]

    def drop_sockets(self, abort: bool = True) -> int:
        """Chaos: drop every socket (abort: no close frame, like a network failure)."""
        channels = self.all_channels()
        for channel in channels:
            if abort:
                channel.abort()
            else:
                self._spawn(channel.close(1001, "going away"))
            self.detach(channel)
        return len(channels)

    def _session_ended(self, session: Session, reason: str) -> None:
        for channel in list(self.channels.get(session.session_id, ())):
            self.detach(channel)
            self._spawn(channel.close(self.options.ws_close_code, f"session {reason}"))

    def _spawn(self, coro) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no loop (the simulator is stopped): nothing left to close
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ pushes

    def deliver(self, changes: Sequence[Change], grouped: bool = False) -> None:
        """Turn one commit's changes into frames on every socket with a matching subscription.

        `grouped` lets changes share frames for this commit even when `multi_mo_frames` is off.
        """
        if not self.channels or not len(self.subs):
            return
        full = self.options.full_modified_classes
        if self.options.multi_mo_frames or grouped:
            self._deliver_grouped(changes, full)
            return
        targets_of = self.subs.targets
        mit = self.mit
        for change in changes:
            targets = targets_of(change, mit)
            if targets:
                mo = change_json(change, full)
                for channel, ids in targets.items():
                    channel.push(frame_one(ids, mo))
                    self.frames_pushed += 1

    def _deliver_grouped(self, changes: Sequence[Change], full: frozenset[str]) -> None:
        per_channel: dict[Channel, list[tuple[tuple[str, ...], str]]] = {}
        for change in changes:
            targets = self.subs.targets(change, self.mit)
            if targets:
                mo = change_json(change, full)
                for channel, ids in targets.items():
                    per_channel.setdefault(channel, []).append((tuple(ids), mo))
        for channel, items in per_channel.items():
            frames = group_frames(items, self.options.max_mos_per_frame)
            channel.push_many(frames)
            self.frames_pushed += len(frames)

    async def close_all(self, code: int, reason: str) -> None:
        channels = self.all_channels()
        for channel in channels:
            self.detach(channel)
        await asyncio.gather(*(c.close(code, reason) for c in channels), return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def stats(self) -> dict[str, int | str | bool]:
        return {
            "member": self.index,
            "url": self.url,
            "up": self.up,
            "sockets": len(self.all_channels()),
            "subscriptions": len(self.subs),
            "frames_pushed": self.frames_pushed,
        }


MEMBER_KEY = web.AppKey("member", Member)
