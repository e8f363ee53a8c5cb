"""Lenient parsing of the Cookie header, the way an APIC front end tolerates real clients.

Why not the standard cookie parser: cisco.aci sends the whole `Set-Cookie` value back as its `Cookie`
header (`APIC-cookie=T; path=/; HttpOnly; Secure`), tokens contain `=`, `+` and `/`, and one client quirk
sends `APIC-cookie` twice. A strict parser rejects or mangles all three.
"""

from __future__ import annotations

from dataclasses import dataclass

TOKEN_COOKIE_NAMES = ("APIC-cookie", "APIC-Cookie")
WEBSOCKET_SESSION_COOKIE = "APIC-WebSocket-Session"


@dataclass(frozen=True, slots=True)
class RequestCookies:
    """Cookies of one request: the first value of each name, plus how often the token cookie appeared."""

    values: dict[str, str]
    token_count: int

    @property
    def token(self) -> str | None:
        for name in TOKEN_COOKIE_NAMES:
            if name in self.values:
                return self.values[name]
        return None

    @property
    def duplicated_token(self) -> bool:
        """The `APIC-cookie=a; APIC-cookie=a` quirk: accepted, but subscriptions do not bind to the socket."""
        return self.token_count > 1


def parse_cookies(headers: list[str]) -> RequestCookies:
    """Parse every Cookie header of a request; pairs split on the first `=`, flags without `=` are ignored."""
    values: dict[str, str] = {}
    token_count = 0
    for header in headers:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if not sep or not name:
                continue
            if name in TOKEN_COOKIE_NAMES:
                token_count += 1
            values.setdefault(name, value.strip().strip('"'))
    return RequestCookies(values=values, token_count=token_count)
