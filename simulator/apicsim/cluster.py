"""Cluster members on their own ports, sharing one object tree; members can be taken down and up.

Sessions are per member unless `tokens_across_members` is set (then one store serves all members, so a
token from member 0 works on member 1). Sockets and subscriptions are always per member: a failover
means a new socket and new subscriptions, as on a real APIC cluster.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Sequence

from aiohttp import web

from .app import Handler, build_app
from .logs import RedactingAccessLogger, access_logger
from .member import Member
from .sessions import SessionStore

log = logging.getLogger(__name__)


class Cluster:
    """The members of one simulated APIC cluster and their listening sockets."""

    def __init__(self, members: Sequence[Member], shared_sessions: bool) -> None:
        """`members` in index order; `shared_sessions` when they all use one session store (a member going
        down then keeps the sessions, which the other members still serve)."""
        self.members = list(members)
        self._shared_sessions = shared_sessions
        self._runners: list[web.AppRunner] = []
        self._sites: list[web.SockSite | None] = []
        self._ssl: ssl.SSLContext | None = None
        self._host = "127.0.0.1"

    def session_stores(self) -> list[SessionStore]:
        """Each distinct session store once (one when tokens are valid across members)."""
        unique: dict[int, SessionStore] = {}
        for member in self.members:
            unique.setdefault(id(member.sessions), member.sessions)
        return list(unique.values())

    async def start(
        self, host: str, first_port: int, ssl_context: ssl.SSLContext | None, control: Handler
    ) -> None:
        """Listen on `first_port`, `first_port+1`, ... (0: a free port each); `control` answers `/_sim/`."""
        self._ssl = ssl_context
        self._host = host
        for member in self.members:
            runner = web.AppRunner(
                build_app(member, control),
                access_log_class=RedactingAccessLogger,
                access_log=access_logger(),
                handler_cancellation=True,
            )
            await runner.setup()
            self._runners.append(runner)
            port = first_port + member.index if first_port else 0
            sock = _listen(host, port)
            member.port = sock.getsockname()[1]
            member.url = _url(host, member.port, ssl_context is not None)
            site = web.SockSite(runner, sock, ssl_context=ssl_context)
            await site.start()
            self._sites.append(site)
            member.up = True

    async def down(self, index: int) -> None:
        """A member fails: sockets drop without a close frame, the port refuses connections, and (unless
        sessions are shared) its sessions are gone."""
        member = self.members[index]
        if not member.up:
            return
        member.up = False
        member.drop_sockets(abort=True)
        site = self._sites[index]
        if site is not None:
            await site.stop()
            self._sites[index] = None
        if not self._shared_sessions:
            member.sessions.expire_all()

    async def up(self, index: int) -> None:
        """The member is back on the same port, with no sessions, sockets or subscriptions of before."""
        member = self.members[index]
        if member.up:
            return
        sock = _listen(self._host, member.port)
        site = web.SockSite(self._runners[index], sock, ssl_context=self._ssl)
        await site.start()
        self._sites[index] = site
        member.up = True

    async def stop(self) -> None:
        """Close every socket with a close frame, then the servers."""
        for member in self.members:
            member.up = False
            await member.close_all(1001, "simulator stopping")
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
        self._sites.clear()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"cannot listen on {host} port {port}: {exc.strerror}; pick another --port (0 = any free)"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int, tls: bool) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"

