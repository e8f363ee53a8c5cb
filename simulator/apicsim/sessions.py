"""APIC sessions: opaque tokens, the idle window, the absolute lifetime, refresh and logout.

A session outlives its tokens: aaaRefresh hands out a new token for the same session (same sessionId,
creationTime), and the websocket opened with an older token stays bound to the session. When a session
ends (logout, idle expiry, lifetime cap, chaos), listeners are told so the websocket layer can close its
sockets; that is what a client sees on a real APIC ("the WebSocket closes when your API session ends").
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from .clock import SimClock, Timer
from .options import IDLE_SLIDING, SimOptions

log = logging.getLogger(__name__)

KIND_PASSWORD = "password"
KIND_WEBTOKEN = "webtoken"

END_LOGOUT = "logout"
END_EXPIRED = "expired"
END_FORCED = "expired by the control API"


def new_token() -> str:
    """An opaque base64 token that always contains `/`, `+` and `=`.

    Real tokens are base64-like and may contain all three; producing them every time means a client that
    URL-encodes the token in `/socket<token>` or splits on `/` fails on the first try, not one run in five.
    """
    while True:
        token = base64.b64encode(secrets.token_bytes(94)).decode("ascii")
        if "/" in token and "+" in token:
            return token


@dataclass(eq=False)
class Session:
    """One logged-in session; `token` is the current token, older ones may linger (see options)."""

    session_id: str
    user: str
    domain: str
    kind: str
    token: str
    created: float
    created_epoch: float
    idle_base: float
    url_token: str | None = None
    ended: str | None = None
    tokens: set[str] = field(default_factory=set)
    timer: Timer | None = None

    def deadline(self, options: SimOptions) -> float:
        """When this session expires if nothing refreshes it."""
        return min(self.idle_base + options.refresh_timeout, self.created + options.maximum_lifetime)


SessionListener = Callable[[Session, str], None]


class SessionStore:
    """All sessions of one simulated APIC (or of the whole cluster when tokens are valid across members)."""

    def __init__(self, clock: SimClock, options: SimOptions) -> None:
        self._clock = clock
        self._options = options
        self._by_token: dict[str, Session] = {}
        self._sessions: dict[str, Session] = {}
        self._listeners: list[SessionListener] = []

    def on_end(self, listener: SessionListener) -> None:
        """Call `listener(session, reason)` whenever a session ends, for whatever reason."""
        self._listeners.append(listener)

    def login(self, user: str, domain: str, *, challenge: bool = False, kind: str = KIND_PASSWORD) -> Session:
        """Open a session; with `challenge` it also gets the urlToken that later requests must echo."""
        now = self._clock.now()
        session = Session(
            session_id=base64.b64encode(secrets.token_bytes(16)).decode("ascii"),
            user=user,
            domain=domain,
            kind=kind,
            token=new_token(),
            created=now,
            created_epoch=self._clock.epoch(),
            idle_base=now,
            url_token=secrets.token_hex(24) if challenge else None,
        )
        self._sessions[session.session_id] = session
        self._add_token(session, session.token)
        self._schedule(session)
        return session

    def resolve(self, token: str) -> Session | None:
        """The live session a token belongs to, or None when the token is unknown, replaced or expired."""
        session = self._by_token.get(token)
        if session is None:
            return None
        if self._clock.now() >= session.deadline(self._options):
            self._end(session, END_EXPIRED)
            return None
        return session

    def touch(self, session: Session) -> None:
        """An authenticated request arrived: restart the idle window if the idle timer slides."""
        if self._options.idle_timer == IDLE_SLIDING or session.kind == KIND_WEBTOKEN:
            session.idle_base = self._clock.now()
            self._schedule(session)

    def refresh(self, session: Session) -> str:
        """aaaRefresh: a new token for the same session and a new idle window (capped by the lifetime)."""
        token = new_token()
        if not self._options.old_token_survives_refresh:
            for old in list(session.tokens):
                self._by_token.pop(old, None)
            session.tokens.clear()
        self._add_token(session, token)
        session.token = token
        session.idle_base = self._clock.now()
        self._schedule(session)
        return token

    def logout(self, session: Session) -> None:
        self._end(session, END_LOGOUT)

    def expire_all(self) -> int:
        """End every session now (chaos); returns how many ended."""
        sessions = list(self._sessions.values())
        for session in sessions:
            self._end(session, END_FORCED)
        return len(sessions)

    def live(self) -> list[Session]:
        return list(self._sessions.values())

    def _add_token(self, session: Session, token: str) -> None:
        session.tokens.add(token)
        self._by_token[token] = session

    def _schedule(self, session: Session) -> None:
        """(Re)arm the timer that ends the session at its deadline, so sockets close without any request."""
        if session.timer is not None:
            session.timer.cancel()
        delay = session.deadline(self._options) - self._clock.now()
        session.timer = self._clock.call_later(delay, lambda: self._expire_if_due(session))

    def _expire_if_due(self, session: Session) -> None:
        if session.ended is None and self._clock.now() >= session.deadline(self._options):
            self._end(session, END_EXPIRED)

    def _end(self, session: Session, reason: str) -> None:
        if session.ended is not None:
            return
        session.ended = reason
        if session.timer is not None:
            session.timer.cancel()
        for token in session.tokens:
            self._by_token.pop(token, None)
        self._sessions.pop(session.session_id, None)
        log.debug("session of %s ended: %s", session.user, reason)
        for listener in self._listeners:
            listener(session, reason)
