# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every secret the source knows (password, private key, the tokens it was issued), to scrub text with.

Messages are built without secrets in the first place; this is the second line of defence for text
that comes from elsewhere (a library's exception message) before it reaches a log line or an error.
Only the most recent tokens are kept: older ones appear in no URL the source still uses, and the set
must not grow over weeks of refreshes.
"""

from __future__ import annotations

from collections import deque

from ansible_collections.fabricops.aci.plugins.module_utils.core.redact import redact

RECENT_TOKENS = 16


class SecretStore:
    """Fixed secrets plus a bounded window of issued tokens."""

    def __init__(self, fixed: tuple = ()) -> None:
        self._fixed = tuple(value for value in fixed if value)
        self._tokens = deque(maxlen=RECENT_TOKENS)  # type: deque

    def add_token(self, token: str) -> None:
        """Remember a token the APIC issued (login, refresh or webtokenSession)."""
        if token and token not in self._tokens:
            self._tokens.append(token)

    def scrub(self, text: object) -> str:
        """``text`` with every known secret replaced."""
        return redact(str(text), self._fixed + tuple(self._tokens))
