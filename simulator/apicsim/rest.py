"""The APIC REST surface: aaa*, webtokenSession, subscriptionRefresh, and GET/POST/DELETE on mo/class/node.

Handlers are thin: authentication is in request_auth.py, login answers in login_envelope.py, queries and
writes in query.py and mit.py; this module only routes, applies the subscribe rules and turns ApiError into
the APIC envelope.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .audit import Actor
from .chaos import THROTTLE_BODY
from .errors import ApiError, bad_request
from .login_envelope import login_body, set_cookie_header, webtoken_body
from .member import MEMBER_KEY, Member
from .push import dumps
from .query import compile_query, run_query
from .request_auth import Principal, authenticate
from .sessions import KIND_WEBTOKEN
from .subscriptions import UnknownSubscription

log = logging.getLogger(__name__)

LOGIN_FAILED_TEXT = "Username or password is incorrect - FAILED local authentication"
NO_SOCKET_TEXT = "Subscription request failed, unable to locate opened web socket. Please re-login to the application"
EMPTY: dict[str, Any] = {"totalCount": "0", "imdata": []}
# Query parameters the REST layer consumes itself before the query compiler sees the rest.
_NOT_QUERY = ("subscription", "refresh-timeout", "challenge", "_dc", "gui-token-request")

Handler = Callable[[web.Request, Member], Awaitable[web.StreamResponse]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type="application/json", headers=headers)


def error_response(error: ApiError) -> web.Response:
    return json_response(error.envelope(), status=error.status)


async def api_handler(request: web.Request) -> web.StreamResponse:
    """Entry point for everything under /api/."""
    member = request.app[MEMBER_KEY]
    name = request.path[len("/api/"):]
    handler = _SPECIAL.get(name)
    try:
        if member.chaos.throttled(is_login=name == "aaaLogin.json"):
            return web.Response(status=503, text=THROTTLE_BODY, content_type="text/html")
        if name.endswith(".xml"):
            raise bad_request("Request failed, this simulator speaks JSON only; use the .json form of the URL")
        if handler is not None:
            return await handler(request, member)
        return await _objects(request, member)
    except ApiError as error:
        return error_response(error)


# ------------------------------------------------------------------- aaa


async def _login(request: web.Request, member: Member) -> web.StreamResponse:
    if request.method != "POST":
        raise ApiError(405, 405, "Request failed, aaaLogin requires POST with an aaaUser body")
    attrs = _attributes(await _json_body(request), "aaaUser")
    name, pwd = attrs.get("name"), attrs.get("pwd")
    if not isinstance(name, str) or not isinstance(pwd, str):
        raise bad_request("Request failed, aaaUser needs the attributes name and pwd")
    login = member.users.authenticate(name, pwd)
    if login is None:
        raise ApiError(401, 401, LOGIN_FAILED_TEXT)
    challenge = request.query.get("gui-token-request") == "yes"
    session = member.sessions.login(login.user, login.domain or "DefaultAuth", challenge=challenge)
    return _login_answer(member, session, refresh=False)


async def _refresh(request: web.Request, member: Member) -> web.StreamResponse:
    principal = await authenticate(request, member.sessions, member.verifier)
    session = _password_session(principal)
    member.sessions.refresh(session)
    return _login_answer(member, session, refresh=True)


async def _logout(request: web.Request, member: Member) -> web.StreamResponse:
    principal = await authenticate(request, member.sessions, member.verifier)
    member.sessions.logout(_password_session(principal))
    return json_response(EMPTY)


async def _list_domains(request: web.Request, member: Member) -> web.StreamResponse:
    domains = member.users.domain_list()
    return json_response({"totalCount": str(len(domains)), "imdata": domains})


async def _webtoken_session(request: web.Request, member: Member) -> web.StreamResponse:
    """A certificate user's session token, so its socket and subscriptions can be bound together."""
    principal = await authenticate(request, member.sessions, member.verifier)
    if principal.signed:
        session = member.sessions.login(principal.user, "DefaultAuth", kind=KIND_WEBTOKEN)
    else:
        session = _password_session(principal)
    return json_response(webtoken_body(session, member.options))


def _login_answer(member: Member, session, refresh: bool) -> web.Response:
    node = f"topology/pod-1/node-{member.index + 1}"
    body = login_body(session, member.options, node, member.fingerprint, refresh)
    return json_response(body, headers={"Set-Cookie": set_cookie_header(session.token, member.options.tls)})


def _password_session(principal: Principal):
    if principal.session is None:
        raise ApiError(403, 403, "Request failed, signed requests have no session to refresh or log out")
    return principal.session


# ---------------------------------------------------------- subscriptions


async def _subscription_refresh(request: web.Request, member: Member) -> web.StreamResponse:
    chaos = member.chaos
    early = chaos.refresh_delay_before_auth
    fault = chaos.refresh_fault() if early else None
    if fault is not None and fault.delay > 0:
        await asyncio.sleep(fault.delay)  # the token is read only now: an aaaRefresh meanwhile killed it
    principal = await authenticate(request, member.sessions, member.verifier)
    raw_id = request.query.get("id")
    if not raw_id:
        raise bad_request("Request failed, subscriptionRefresh needs the query parameter id=<subscriptionId>")
    if not early:
        fault = chaos.refresh_fault()
        if fault is not None and fault.delay > 0:
            await asyncio.sleep(fault.delay)
    owner = None if member.options.refresh_from_other_session else _session_id(principal)
    try:
        if fault is not None and fault.fail:
            raise UnknownSubscription(raw_id)
        member.subs.refresh(raw_id, owner)
    except UnknownSubscription:
        status = member.options.refresh_error_status
        raise ApiError(status, status, f"Subscription refresh failed, no live subscription with id {raw_id}") from None
    return json_response(EMPTY)


def _session_id(principal: Principal) -> str:
    return principal.session.session_id if principal.session is not None else f"cert:{principal.user}"


# ---------------------------------------------------------------- objects


async def _objects(request: web.Request, member: Member) -> web.StreamResponse:
    principal = await authenticate(request, member.sessions, member.verifier)
    mit = member.mit
    params = {k: v for k, v in request.query.items() if k not in _NOT_QUERY}
    if request.method == "GET":
        trap = member.chaos.sprung(request.path_qs)
        if trap is not None and trap() is True and request.transport is not None:
            request.transport.abort()
            return web.Response(status=503)  # never reaches the client: its connection is gone
        query = compile_query(mit.catalogue, request.path, params)
        total, imdata = run_query(mit, query, member.options.max_query_objects)
        if request.query.get("subscription") == "yes":
            return _subscribe(request, member, principal, query, total, imdata)
        return json_response({"totalCount": str(total), "imdata": imdata})
    query = compile_query(mit.catalogue, request.path, {})
    if query.kind != "mo":
        raise bad_request(f"Request failed, {request.method} needs an object URL (/api/mo/<dn>.json)")
    if request.method == "POST":
        changes = mit.post(query.dn, await _json_body(request))
    elif request.method == "DELETE":
        changes = mit.delete(query.dn)
    else:
        raise ApiError(405, 405, f"Request failed, method {request.method} is not supported")
    session_id = principal.session.session_id if principal.session is not None else ""
    member.history.audit(changes, Actor(principal.user, session_id))
    if request.query.get("rsp-subtree") == "modified":
        imdata = [{c.cls: {"attributes": {"dn": c.dn, "status": c.status}}} for c in changes]
        return json_response({"totalCount": str(len(imdata)), "imdata": imdata})
    return json_response(EMPTY)


def _subscribe(
    request: web.Request, member: Member, principal: Principal, query, total: int, imdata: list
) -> web.Response:
    """Bind a subscription to the caller's open socket; 405 when there is none (the socket comes first)."""
    default_timeout = member.options.subscription_refresh_timeout
    refresh_timeout = _refresh_timeout(request.query.get("refresh-timeout"), default_timeout)
    session = principal.session
    if principal.cookies.duplicated_token:
        # Quirk seen on real APICs: the request works, an id comes back, but nothing is bound to the socket.
        channel, total, imdata = None, 0, []
    else:
        channel = member.channel_for(session) if session is not None else None
        if channel is None:
            raise ApiError(405, 405, NO_SOCKET_TEXT)
    sub = member.subs.add(query, channel, _session_id(principal), refresh_timeout)
    return json_response({"totalCount": str(total), "subscriptionId": sub.id, "imdata": imdata})


def _refresh_timeout(raw: str | None, default: float) -> float:
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise bad_request(f"Request failed, invalid value '{raw}' for refresh-timeout; use a positive whole number")
    return float(raw)


# ------------------------------------------------------------------ bodies


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        raise bad_request("Request failed, the request body is empty; send one managed object as JSON")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise bad_request(f"Request failed, the body is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise bad_request("Request failed, the body is not UTF-8 encoded JSON") from None


def _attributes(body: Any, cls: str) -> dict[str, Any]:
    try:
        attrs = body[cls]["attributes"]
    except (KeyError, TypeError):
        raise bad_request(f"Request failed, the body must be {{\"{cls}\":{{\"attributes\":{{...}}}}}}") from None
    if not isinstance(attrs, dict):
        raise bad_request(f"Request failed, {cls} attributes must be an object")
    return attrs


_SPECIAL: dict[str, Handler] = {
    "aaaLogin.json": _login,
    "aaaRefresh.json": _refresh,
    "aaaLogout.json": _logout,
    "aaaListDomains.json": _list_domains,
    "webtokenSession.json": _webtoken_session,
    "subscriptionRefresh.json": _subscription_refresh,
}
