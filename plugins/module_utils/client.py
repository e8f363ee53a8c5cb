# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Synchronous APIC REST client for modules, built on ansible's own URL helpers.

Why not reuse the cookie jar of ``ansible.module_utils.urls``: it would add a second ``APIC-cookie``
after every login or refresh, and a duplicated cookie is exactly what the APIC mishandles. The client
therefore refuses all Set-Cookie handling and sends the one token it holds itself. Password sessions
log in lazily, log in again once when the token has timed out, and log out when closed; signature
sessions sign every request and hold no state.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
from http import cookiejar
from urllib.error import HTTPError, URLError

from ansible.module_utils.urls import Request
from ansible_collections.fabricops.aci.plugins.module_utils.core import connection as conn
from ansible_collections.fabricops.aci.plugins.module_utils.core import errors, signature, tls
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import build_url
from ansible_collections.fabricops.aci.plugins.module_utils.core.redact import redact

USER_AGENT = "fabricops.aci"
DEFAULT_PAGE_SIZE = 1000
MAX_PAGES = 10000


def _no_cookies() -> cookiejar.CookieJar:
    """A jar that accepts no cookie, so only the Cookie header we build is ever sent."""
    return cookiejar.CookieJar(policy=cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _reason(exc: BaseException) -> str:
    """A short, secret-free reason for a transport failure, with the fix when it is a TLS problem."""
    inner = getattr(exc, "reason", exc)
    if isinstance(inner, ssl.SSLCertVerificationError):
        detail = getattr(inner, "verify_message", "") or "certificate verify failed"
        return (
            f"TLS certificate verification failed ({detail}); set ca_path to the CA that signed the APIC "
            "certificate, or validate_certs to false for a lab APIC"
        )
    if isinstance(inner, ssl.SSLError):
        return f"TLS handshake failed ({getattr(inner, 'reason', None) or inner}); check use_ssl and port"
    if isinstance(inner, (socket.timeout, TimeoutError)):
        return "timed out; check host and port, or raise timeout"
    if isinstance(inner, socket.gaierror):
        return "name resolution failed (%s); check host" % (inner.strerror or inner)
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused; check host, port and use_ssl"
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    return str(inner) or inner.__class__.__name__


def _decode(status: int, raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        document = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise errors.ApicError(status, "", "the APIC answered with something that is not JSON") from None
    if not isinstance(document, dict):
        raise errors.ApicError(status, "", "the APIC answered with JSON that is not an object")
    return document


class ApicClient:
    """One APIC (or the members of a cluster), one identity. ``request`` returns the decoded JSON body or
    raises a core error.

    With several members, a request that cannot reach the current member goes to the next one, in the
    order given, and the client stays with the first that answers (each member is tried once per request).
    Credentials and TLS options are the same for all members; only host and port differ.
    """

    def __init__(self, settings: conn.ConnectionSettings, *other_members: conn.ConnectionSettings) -> None:
        self.settings = settings
        self.members = (settings, *other_members)
        self._token = None  # type: str | None
        self._key = signature.load_private_key(settings.private_key) if settings.uses_signature else None
        self._http = Request(
            use_proxy=settings.use_proxy,
            timeout=settings.timeout,
            http_agent=USER_AGENT,
            follow_redirects="none",
            cookies=_no_cookies(),
            context=tls.ssl_context(settings.validate_certs, settings.ca_path),
        )

    @property
    def secrets(self) -> tuple:
        """Every secret this client holds, for redaction and no_log."""
        return self.settings.secrets + ((self._token,) if self._token else ())

    @property
    def _where(self) -> str:
        return conn.authority(self.settings.host, self.settings.port)

    def _send(self, method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        """Send one request; an HTTP error status is returned, not raised. Transport errors are raised."""
        cookies = {}  # type: dict[str, str]
        if self._key is not None:
            cookies = signature.signature_cookies(
                self._key, self.settings.username, self.settings.certificate_name or "", method, url, body or b""
            )
        elif self._token:
            cookies = {conn.TOKEN_COOKIE: self._token}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if cookies:
            headers["Cookie"] = conn.cookie_header(cookies)
        failures = []  # type: list[tuple[str, str]]
        start = self.members.index(self.settings)
        for member in self.members[start:] + self.members[:start]:
            self.settings = member
            try:
                response = self._http.open(method, member.base_url + url, data=body, headers=headers)
                return response.getcode(), response.read()
            except HTTPError as exc:
                try:
                    return exc.code, exc.read()
                finally:
                    exc.close()
            except (URLError, OSError, ValueError) as exc:
                failures.append((self._where, redact(_reason(exc), self.secrets)))
        if len(failures) == 1:
            raise errors.ConnectionFailedError(*failures[0])
        where = ", ".join(failure[0] for failure in failures)
        reasons = "; ".join(f"{member}: {reason}" for member, reason in failures)
        raise errors.ConnectionFailedError(where, f"no cluster member answered ({reasons})")

    def _checked(self, method: str, url: str, body: bytes | None) -> dict:
        return self._result(*self._send(method, url, body))

    def _result(self, status: int, raw: bytes) -> dict:
        """The decoded answer, or the APIC error it carries raised as a core error (secrets redacted)."""
        if status >= 400:
            exc = errors.error_from_response(status, raw)
            exc.text = redact(exc.text, self.secrets)
            raise exc
        return _decode(status, raw)

    def login(self) -> conn.LoginInfo | None:
        """Open a password session (no-op for signature auth, which has no session)."""
        if self._key is not None:
            return None
        self._token = None
        payload = json.dumps(conn.aaa_login_body(self.settings.username, self.settings.password or ""))
        body = self._checked("POST", conn.LOGIN_PATH, payload.encode("utf-8"))
        try:
            info = conn.parse_login(body)
        except ValueError as exc:
            raise errors.ApicError(200, "", str(exc)) from None
        self._token = info.token
        return info

    def logout(self) -> None:
        """End the password session; failures are ignored because the session times out anyway."""
        if self._token is None:
            return
        payload = json.dumps(conn.aaa_logout_body(self.settings.username)).encode("utf-8")
        with contextlib.suppress(errors.ConnectionFailedError):
            self._send("POST", conn.LOGOUT_PATH, payload)
        self._token = None

    def exchange(self, method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
        """One request with the session looked after: logs in first if needed and once more if the token
        has timed out. Returns the status and the raw answer (the persistent connection serves this)."""
        if self._key is None and self._token is None:
            self.login()
        status, raw = self._send(method, url, body)
        if status >= 400 and self._key is None and isinstance(
            errors.error_from_response(status, raw), errors.TokenExpiredError
        ):
            self.login()
            status, raw = self._send(method, url, body)
        return status, raw

    def request(self, method: str, path: str, options: dict | None = None, payload: dict | None = None) -> dict:
        """One API call, decoded; an APIC error is raised as a core error."""
        url = build_url(path, options)
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8") if payload is not None else None
        return self._result(*self.exchange(method, url, body))

    def get(self, path: str, options: dict | None = None) -> dict:
        """GET and return the decoded answer."""
        return self.request("GET", path, options)

    def post(self, path: str, payload: dict) -> dict:
        """POST a JSON payload."""
        return self.request("POST", path, payload=payload)

    def delete(self, path: str) -> dict:
        """DELETE an object."""
        return self.request("DELETE", path)

    def get_all(self, path: str, options: dict | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every object of a query, fetched page by page so large classes do not hit APIC size limits.

        Stops when ``totalCount`` objects have arrived or a page comes back short.
        """
        objects = []  # type: list
        base = dict(options or {})
        for page in range(MAX_PAGES):
            answer = self.get(path, dict(base, **{"page": page, "page-size": page_size}))
            batch = answer.get("imdata") or []
            objects.extend(batch)
            try:
                total = int(answer.get("totalCount", len(objects)))
            except (TypeError, ValueError):
                total = len(objects)
            if len(batch) < page_size or len(objects) >= total:
                break
        return objects
