# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The APIC error envelope turned into typed exceptions with readable one-line messages.

Callers branch on the exception type (re-login on TokenExpiredError, back off on ThrottledError,
reopen the socket on SocketNotOpenError) instead of on message text, because the texts differ
between APIC releases; the classification here keys on status and code first and text second.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

_MAX_TEXT = 300


class ApicError(Exception):
    """An error answer from the APIC: HTTP status, APIC error code and text."""

    def __init__(self, status: int, code: str = "", text: str = "") -> None:
        self.status = int(status)
        self.code = str(code or "")
        self.text = str(text or "")
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``APIC error 400 (code 122): unknown managed object class foo``."""
        code = f" (code {self.code})" if self.code and self.code != str(self.status) else ""
        text = self.text or "no error text in the reply"
        return f"APIC error {self.status}{code}: {text}"

    def __str__(self) -> str:
        return self.message


class AuthenticationError(ApicError):
    """401: the credentials were refused (wrong user, password, domain or certificate)."""


class ForbiddenError(ApicError):
    """403: the request was refused, e.g. by RBAC."""


class TokenExpiredError(ForbiddenError):
    """403 because the session token is missing, expired or invalid: log in again and retry once."""


class SocketNotOpenError(ApicError):
    """405: a subscription was asked for on a session that has no open websocket."""


class UnknownClassError(ApicError):
    """400 'unresolved class' / code 122 'unknown managed object class': the class name is wrong."""


class ThrottledError(ApicError):
    """503 (or 429): the APIC is throttling requests; retry later with backoff."""


class ConnectionFailedError(Exception):
    """The APIC could not be reached at all (DNS, refused, timeout, TLS).

    The message names the host and the reason, never a URL path (which may carry a token).
    """

    def __init__(self, host: str, reason: str = "") -> None:
        self.host = str(host)
        self.reason = " ".join(str(reason or "").split()) or "connection failed"
        super().__init__(f"Cannot connect to the APIC at {self.host}: {self.reason}")


_TOKEN_TEXTS = ("token was invalid", "token timeout", "valid webtoken cookie", "token has expired")
_CLASS_TEXTS = ("unresolved class", "unknown managed object class", "unknown class")


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 3] + "..."
    return text


def parse_error_body(body: bytes | str | Mapping | None) -> tuple[str, str]:
    """``(code, text)`` from an APIC error envelope; non-JSON bodies give ``("", first words of body)``."""
    if body is None:
        return "", ""
    document = body
    if isinstance(body, (bytes, bytearray)):
        document = bytes(body).decode("utf-8", "replace")
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return "", _one_line(_strip_markup(document))
    if not isinstance(document, Mapping):
        return "", ""
    imdata = document.get("imdata")
    if isinstance(imdata, list):
        for item in imdata:
            error = item.get("error") if isinstance(item, Mapping) else None
            if isinstance(error, Mapping):
                attributes = error.get("attributes") or {}
                return str(attributes.get("code") or ""), _one_line(str(attributes.get("text") or ""))
    return "", ""


def _strip_markup(text: str) -> str:
    """Keep the readable part of an HTML error page (a proxy in front of the APIC answers with one)."""
    out = []
    inside = False
    for char in text:
        if char == "<":
            inside = True
            out.append(" ")
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


def error_class(status: int, code: str, text: str) -> type:
    """The ApicError subclass that fits a status, APIC code and text."""
    lowered = text.lower()
    if status == 401:
        return AuthenticationError
    if status == 403:
        if any(marker in lowered for marker in _TOKEN_TEXTS):
            return TokenExpiredError
        return ForbiddenError
    if status == 405 and "web socket" in lowered:
        return SocketNotOpenError
    if status in (429, 503):
        return ThrottledError
    if code == "122" or any(marker in lowered for marker in _CLASS_TEXTS):
        return UnknownClassError
    return ApicError


def error_from_response(status: int, body: bytes | str | Mapping | None) -> ApicError:
    """Turn an HTTP status and the reply body into the matching typed exception (not raised)."""
    code, text = parse_error_body(body)
    cls = error_class(int(status), code, text)
    return cls(int(status), code, text)
