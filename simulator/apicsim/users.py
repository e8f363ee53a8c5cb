"""Local users, login domains and the parsing of APIC login names.

Scripts log in as `apic#DOMAIN\\user` (and some docs suggest the CLI form `apic:DOMAIN\\user`); both are
accepted because the reference could not confirm which one a real APIC refuses over REST.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

DEMO_USER = "admin"
# A fixed, documented demo password: the simulator only listens on loopback and holds no real data.
DEMO_PASSWORD = "apicsim-demo"
CERT_USER = "certuser"
DEFAULT_DOMAINS: tuple[str, ...] = ("DefaultAuth", "fallback", "local")


@dataclass(frozen=True, slots=True)
class LoginName:
    """A login name split into its domain (None: the default domain) and the user name."""

    user: str
    domain: str | None


def parse_login_name(raw: str) -> LoginName:
    """Split `apic#DOMAIN\\user` / `apic:DOMAIN\\user` into domain and user; plain names have no domain."""
    for prefix in ("apic#", "apic:"):
        if raw.startswith(prefix) and "\\" in raw:
            domain, _, user = raw[len(prefix):].partition("\\")
            return LoginName(user=user, domain=domain)
    return LoginName(user=raw, domain=None)


@dataclass
class UserDirectory:
    """Password users and login domains known to one simulated fabric (all domains are local here)."""

    passwords: dict[str, str] = field(default_factory=lambda: {DEMO_USER: DEMO_PASSWORD})
    domains: tuple[str, ...] = DEFAULT_DOMAINS

    def authenticate(self, raw_name: str, password: str) -> LoginName | None:
        """The parsed login when name, domain and password match, else None (the caller answers 401)."""
        login = parse_login_name(raw_name)
        if login.domain is not None and login.domain not in self.domains:
            return None
        expected = self.passwords.get(login.user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return None
        return login

    def domain_list(self) -> list[dict[str, str]]:
        """The anonymous `aaaListDomains` answer: one entry per domain, the first marked as default."""
        return [
            {"name": name, "type": "local", "isDefault": "true" if i == 0 else "false"}
            for i, name in enumerate(self.domains)
        ]
