# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""REST calls and the websocket of one APIC, over aiohttp, for one session at a time.

Why it looks the way it does:
- aiohttp's cookie jar is off: the APIC must see exactly one ``APIC-cookie`` per request (a duplicate
  silently unbinds subscriptions from the socket), so the Cookie header is written here, once.
- URLs are passed to aiohttp as already encoded: DNs keep their brackets and the token in
  ``/socket<token>`` goes in raw, as the APIC expects.
- Every failure is re-raised as a core/errors.py type whose message names the host and the reason,
  scrubbed of secrets; aiohttp's own exceptions (which print URLs, and the socket URL holds the token)
  never escape this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import ssl

try:
    import aiohttp
    from yarl import URL

    HAS_AIOHTTP = True
except ImportError:  # reported by the plugin's start-up check with an install hint
    HAS_AIOHTTP = False

try:
    import orjson

    _loads = orjson.loads
except ImportError:
    _loads = json.loads

from ansible_collections.fabricops.aci.plugins.module_utils.core import connection
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import ConnectionSettings, LoginInfo
from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import (
    ApicError,
    AuthenticationError,
    ConnectionFailedError,
    ForbiddenError,
    error_from_response,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.events import apic_int
from ansible_collections.fabricops.aci.plugins.module_utils.core.signature import signature_cookies
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import request_environment
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import (
    TIMEOUTS,
    SocketRejectedError,
    TlsVerificationError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.secret_store import SecretStore

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds for the TCP connection itself
WS_CLOSE_TIMEOUT = 0.5  # shutdown must finish within a second, close handshake included
WS_MAX_MESSAGE = 64 * 1024 * 1024  # multi-object frames of a large fabric can be big; still bounded
_CERT_HINT = "set ca_path to the CA that signed the APIC certificate (or validate_certs: false for a lab APIC)"


def endpoint_label(settings: ConnectionSettings) -> str:
    """How the host appears in logs and in ``event.aci.apic``: the address, with the port when one is set."""
    return connection.authority(settings.host, settings.port) if settings.port else settings.host


def _ws_options() -> dict:
    """ws_connect keywords this aiohttp supports (close timeout, undecoded text frames for the fast parser)."""
    options = {}
    if hasattr(aiohttp, "ClientWSTimeout"):
        options["timeout"] = aiohttp.ClientWSTimeout(ws_receive=None, ws_close=WS_CLOSE_TIMEOUT)
    else:  # older aiohttp: a float is the close timeout
        options["timeout"] = WS_CLOSE_TIMEOUT
    try:
        import inspect

        if "decode_text" in inspect.signature(aiohttp.ClientSession.ws_connect).parameters:
            options["decode_text"] = False  # orjson parses bytes directly: no UTF-8 decode per frame
    except (TypeError, ValueError):
        pass
    return options


class AsyncApicClient:
    """One APIC host and the session held on it (password login or certificate webtoken session)."""

    def __init__(self, settings: ConnectionSettings, ssl_context, secrets: SecretStore, private_key=None) -> None:
        self.settings = settings
        self.label = endpoint_label(settings)
        self._base = settings.base_url
        self._ssl = ssl_context if settings.use_ssl else False
        self._secrets = secrets
        self._key = private_key
        self._http = None
        self._rest_env = self._socket_env = request_environment.NONE  # proxy and netrc settings, looked up in start()
        self.token = None  # type: str | None
        self.login_info = None  # type: LoginInfo | None
        self._session_settled = asyncio.Event()  # cleared while an aaaRefresh is in flight
        self._session_settled.set()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the HTTP client (its own connection pool, dropped with this APIC connection).

        With ``use_proxy`` the environment's proxy and ``~/.netrc`` settings are looked up here, once
        (request_environment.py), instead of by aiohttp on every request.
        """
        settings = self.settings
        per_request_lookup = settings.use_proxy and not request_environment.HAS_HELPERS
        if settings.use_proxy and request_environment.HAS_HELPERS:
            socket_base = connection.socket_url(settings.host, settings.port, settings.use_ssl, "")
            try:
                self._rest_env, self._socket_env = await asyncio.get_running_loop().run_in_executor(
                    None, _resolve_both, self._base, socket_base)
            except (ValueError, OSError) as exc:  # what aiohttp would have failed each request with
                raise self._transport_error(exc) from None
        self._http = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=per_request_lookup,
            # A member that is powered off never answers the SYN: give up on it sooner, so failover to
            # the next one does not wait for the whole request timeout.
            timeout=aiohttp.ClientTimeout(total=self.settings.timeout,
                                          sock_connect=min(self.settings.timeout, CONNECT_TIMEOUT)),
        )

    async def close(self) -> None:
        """Close the HTTP client; never raises."""
        if self._http is not None:
            http, self._http = self._http, None
            try:
                await http.close()
            except Exception as exc:  # closing is best effort
                log.debug("closing the HTTP client of %s failed: %s", self.label, self._describe(exc))

    # ------------------------------------------------------------------ requests

    def _cookie_header(self, method: str, path: str, body: bytes) -> str:
        if self._key is not None:
            cookies = signature_cookies(self._key, self.settings.username, self.settings.certificate_name or "",
                                        method, path, body)
            if self.token:
                cookies[connection.WEBSOCKET_SESSION_COOKIE] = self.token
            return connection.cookie_header(cookies)
        if self.token:
            return f"{connection.TOKEN_COOKIE}={self.token}"
        return ""

    def _describe(self, exc: BaseException, timeout: float | None = None) -> str:
        """A one-line, secret-free reason for a transport failure (``timeout``: the request's own limit)."""
        if isinstance(exc, TIMEOUTS):
            return f"no answer within {timeout or self.settings.timeout:g} s (timeout)"
        if HAS_AIOHTTP and isinstance(exc, aiohttp.ClientConnectorError):
            return self._secrets.scrub(_connector_reason(exc))
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        return self._secrets.scrub(f"{exc.__class__.__name__}: {text}")

    def _transport_error(self, exc: BaseException, timeout: float | None = None) -> ConnectionFailedError:
        if HAS_AIOHTTP and isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return TlsVerificationError(self.label, f"TLS certificate verification failed; {_CERT_HINT}")
        return ConnectionFailedError(self.label, self._describe(exc, timeout))

    async def request(self, method: str, path: str, body: bytes = b"", timeout: float | None = None) -> dict:
        """One REST call; the decoded JSON answer, or ApicError / ConnectionFailedError."""
        if self._http is None:
            raise ConnectionFailedError(self.label, "the connection is closed")
        environment = self._rest_env
        headers = dict(environment.headers)
        cookie = self._cookie_header(method, path, body)
        if cookie:
            headers["Cookie"] = cookie
        if body:
            headers["Content-Type"] = "application/json"
        options = dict(environment.options)
        if timeout:
            options["timeout"] = aiohttp.ClientTimeout(total=timeout)
        try:
            async with self._http.request(method, URL(self._base + path, encoded=True), data=body or None,
                                          headers=headers, ssl=self._ssl, **options) as response:
                status = response.status
                raw = await response.read()
        except asyncio.CancelledError:
            raise
        except (*TIMEOUTS, aiohttp.ClientError, OSError, ValueError) as exc:
            raise self._transport_error(exc, timeout) from None
        log.debug("%s %s on %s: HTTP %d", method, path.split("?", 1)[0], self.label, status)
        if status >= 400:
            raise error_from_response(status, raw)
        try:
            document = _loads(raw)
        except ValueError:
            raise ApicError(status, "", "the answer is not JSON") from None
        if not isinstance(document, dict):
            raise ApicError(status, "", "the answer is not a JSON object")
        return document

    # ------------------------------------------------------------------ session

    def _remember(self, body: dict, cls: str = connection.LOGIN_CLASS) -> LoginInfo:
        """Hold the session an aaaLogin, aaaRefresh or webtokenSession answer opened."""
        try:
            info = connection.parse_login(body, cls)
        except ValueError as exc:
            raise ApicError(200, "", str(exc)) from None
        self._secrets.add_token(info.token)
        self.token = info.token
        self.login_info = info
        return info

    async def login(self) -> LoginInfo:
        """Open a session: aaaLogin with the password, or a signed webtokenSession for certificate users."""
        self.token = None
        if self._key is not None:
            try:
                body = await self.request("GET", connection.WEBTOKEN_SESSION_PATH)
            except ForbiddenError as exc:  # the APIC's refusal of a signature is 403, not aaaLogin's 401
                raise AuthenticationError(exc.status, exc.code, exc.text) from None
            return self._remember(body, connection.WEBTOKEN_CLASS)
        credentials = connection.aaa_login_body(self.settings.username, self.settings.password or "")
        body = await self.request("POST", connection.LOGIN_PATH, json.dumps(credentials).encode("utf-8"))
        return self._remember(body)

    @property
    def can_refresh(self) -> bool:
        """Password sessions refresh with aaaRefresh; webtoken sessions live on the signed requests."""
        return self._key is None

    async def refresh(self) -> LoginInfo:
        """aaaRefresh: a new token for the same session (the socket stays bound to the session)."""
        self._session_settled.clear()
        try:
            body = await self.request("GET", connection.REFRESH_PATH)
            return self._remember(body)
        finally:
            self._session_settled.set()

    async def session_settled(self) -> None:
        """Return once no aaaRefresh is in flight, so ``token`` is the one the APIC holds now."""
        await self._session_settled.wait()

    async def logout(self) -> None:
        """aaaLogout, best effort and quick: frees the session on the APIC when the source stops."""
        if self._key is not None or not self.token:
            return
        body = json.dumps(connection.aaa_logout_body(self.settings.username)).encode("utf-8")
        try:
            await self.request("POST", connection.LOGOUT_PATH, body, timeout=WS_CLOSE_TIMEOUT)
        except (ApicError, ConnectionFailedError) as exc:
            log.debug("logout from %s failed: %s", self.label, exc)
        self.token = None

    # ------------------------------------------------------------------ subscriptions

    async def subscribe(self, url: str) -> tuple:
        """``(subscription id, snapshot imdata)`` of a subscribing GET."""
        sub_id, _total, imdata = await self.subscribe_page(url)
        return sub_id, imdata

    async def subscribe_page(self, url: str) -> tuple:
        """``(subscription id, totalCount, imdata)`` of a subscribing GET (imdata: one page when paged)."""
        body = await self.request("GET", url)
        sub_id = body.get("subscriptionId")
        if sub_id in (None, "") or isinstance(sub_id, (list, dict, bool)):
            raise ApicError(200, "", "the subscribe answer has no subscriptionId")
        return str(sub_id), _total(body), body.get("imdata")

    async def query(self, url: str) -> tuple:
        """``(totalCount, imdata)`` of a plain GET (one page of a snapshot)."""
        body = await self.request("GET", url)
        return _total(body), body.get("imdata")

    async def refresh_subscription(self, sub_id: str, timeout: float) -> None:
        """subscriptionRefresh for one id (the APIC takes one id per call)."""
        await self.request("GET", f"{connection.SUBSCRIPTION_REFRESH_PATH}?id={sub_id}", timeout=timeout)

    # ------------------------------------------------------------------ websocket

    async def open_socket(self, heartbeat: float | None):
        """Open ``/socket<token>`` for the current session; SocketRejectedError / ConnectionFailedError."""
        if self._http is None or not self.token:
            raise ConnectionFailedError(self.label, "no session to open the websocket for")
        url = connection.socket_url(self.settings.host, self.settings.port, self.settings.use_ssl, self.token)
        headers = dict(self._socket_env.headers)
        if self._key is not None:
            headers["Cookie"] = self._cookie_header("GET", "/socket" + self.token, b"")
        try:
            return await self._http.ws_connect(URL(url, encoded=True), ssl=self._ssl, headers=headers,
                                               heartbeat=heartbeat, autoping=True, max_msg_size=WS_MAX_MESSAGE,
                                               **self._socket_env.options, **_ws_options())
        except asyncio.CancelledError:
            raise
        except aiohttp.WSServerHandshakeError as exc:
            raise SocketRejectedError(self.label, f"the websocket upgrade was refused with HTTP {exc.status}") from None
        except (*TIMEOUTS, aiohttp.ClientError, OSError, ValueError) as exc:
            raise self._transport_error(exc) from None


def _total(body: dict) -> int:
    """``totalCount`` of an answer (a string on the APIC); -1 when missing or not a number."""
    return apic_int(body.get("totalCount"), -1)


def _connector_reason(exc) -> str:
    """Why aiohttp could not connect, naming the host and port only (its own text prints the SSL context)."""
    where = f"[{exc.host}]:{exc.port}" if ":" in str(exc.host) else f"{exc.host}:{exc.port}"
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        where = f"the proxy {where}"
    error = exc.os_error
    if error.errno and error.errno > 0 and not isinstance(error, (socket.gaierror, ssl.SSLError)):
        reason = os.strerror(error.errno)  # asyncio's text repeats the address as a Python tuple
    else:
        reason = " ".join(str(error.strerror or error).split()) or error.__class__.__name__
    return f"{reason} ({where})"


def _resolve_both(rest_base: str, socket_base: str) -> tuple:
    """The request environments of the REST base URL and of the websocket URL (run in a worker thread)."""
    return request_environment.resolve(URL(rest_base)), request_environment.resolve(URL(socket_base))
