"""Who is calling: the token cookie, or a signed request, checked the way the APIC answers.

The 403 texts are the ones real APICs answer (protocol reference 1.10); clients match on them (one matches
the token-timeout text exactly), so they are constants, never paraphrased.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .cookies import WEBSOCKET_SESSION_COOKIE, RequestCookies, parse_cookies
from .errors import ApiError
from .sessions import Session, SessionStore
from .signature import SignatureError, SignatureVerifier

NO_TOKEN_TEXT = (
    "Need a valid webtoken cookie (named APIC-Cookie) or a signed request with signature in the cookie "
    "APIC-Request-Signature for all REST API requests"
)
TOKEN_TIMEOUT_TEXT = "Token was invalid (Error: Token timeout)"
# UNK: the APIC's wording for a missing APIC-challenge is not on record; the status (403) is what matters.
CHALLENGE_TEXT = "Token was invalid (Error: APIC-challenge header or challenge parameter missing or wrong)"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a password session, or a certificate user (maybe naming a webtoken session)."""

    user: str
    session: Session | None
    signed: bool
    cookies: RequestCookies


def forbidden(text: str) -> ApiError:
    return ApiError(403, 403, text)


def request_cookies(request: web.Request) -> RequestCookies:
    return parse_cookies(request.headers.getall("Cookie", []))


async def authenticate(
    request: web.Request, sessions: SessionStore, verifier: SignatureVerifier
) -> Principal:
    """The caller of `request`, or ApiError 403 with the APIC's text."""
    cookies = request_cookies(request)
    if verifier.is_signed(cookies.values):
        body = await request.read()
        try:
            cert_user = verifier.verify(cookies.values, request.method, request.raw_path, body)
        except SignatureError as exc:
            raise forbidden(str(exc)) from None
        session = None
        ws_token = cookies.values.get(WEBSOCKET_SESSION_COOKIE)
        if ws_token:
            session = sessions.resolve(ws_token)
            if session is not None:
                sessions.touch(session)
        return Principal(user=cert_user.user, session=session, signed=True, cookies=cookies)

    token = cookies.token or request.headers.get("DevCookie")
    if not token:
        raise forbidden(NO_TOKEN_TEXT)
    session = sessions.resolve(token)
    if session is None:
        raise forbidden(TOKEN_TIMEOUT_TEXT)
    if session.url_token is not None:
        presented = request.headers.get("APIC-challenge") or request.query.get("challenge")
        if presented != session.url_token:
            raise forbidden(CHALLENGE_TEXT)
    sessions.touch(session)
    return Principal(user=session.user, session=session, signed=False, cookies=cookies)
