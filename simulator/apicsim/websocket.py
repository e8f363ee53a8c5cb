"""`/socket<token>`: the websocket a session's subscriptions push to.

The token is everything after `/socket`, raw: it may contain `/`, `+` and `=`. Password sessions
authenticate through the path alone; certificate users put the token from `webtokenSession` there (their
signature cookies, if sent, are not needed to find the session). The server never needs a client message;
it answers pings (aiohttp's autoping) and ignores anything else.
"""

from __future__ import annotations

import logging

from aiohttp import WSMsgType, web

from .channel import Channel
from .member import MEMBER_KEY
from .options import HANDSHAKE_REJECT
from .request_auth import TOKEN_TIMEOUT_TEXT, forbidden
from .rest import error_response

log = logging.getLogger(__name__)

SOCKET_PREFIX = "/socket"


def token_from_path(raw_path: str) -> str:
    """The raw token of `/socket<token>[?query]` (not URL-decoded: clients send it as is)."""
    path = raw_path.split("?", 1)[0]
    return path[len(SOCKET_PREFIX):] if path.startswith(SOCKET_PREFIX) else ""


async def socket_handler(request: web.Request) -> web.StreamResponse:
    """Upgrade, bind the socket to its session, and hold it open until either side ends it."""
    member = request.app[MEMBER_KEY]
    token = token_from_path(request.raw_path)
    session = member.sessions.resolve(token) if token else None
    if session is None:
        if member.options.handshake_on_bad_token == HANDSHAKE_REJECT:
            return error_response(forbidden(TOKEN_TIMEOUT_TEXT))
        ws = web.WebSocketResponse(autoping=True, compress=False)
        await ws.prepare(request)
        await ws.close(code=member.options.ws_close_code, message=b"Token was invalid")
        return ws

    ws = web.WebSocketResponse(autoping=True, compress=False, max_msg_size=1 << 20)
    await ws.prepare(request)
    channel = Channel(ws, session.session_id, request.transport)
    member.attach(channel)
    channel.start()
    try:
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
            # Text/binary from the client carries no meaning on an APIC socket: ignore it.
    finally:
        member.detach(channel)
        await channel.stop()
    return ws
