# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that hides secrets (passwords, private keys, session tokens) before text is shown.

The session token travels inside the websocket URL (``/socket<token>``) and in cookies, sometimes
percent-encoded, so both the raw and the encoded form of every secret are replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "<redacted>"


def _forms(secret: str) -> set:
    """The spellings a secret can take in logs and URLs: raw, percent-encoded, '+' for space."""
    return {secret, quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret, safe="")}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of every non-empty secret (and its URL-encoded forms) replaced."""
    text = str(text)
    forms = set()
    for secret in secrets:
        if secret:
            forms.update(_forms(str(secret)))
    # Longest first, so a secret that contains another is hidden whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text
