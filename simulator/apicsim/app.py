"""Assemble the aiohttp application of one cluster member: REST, websocket and control routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from .member import MEMBER_KEY, Member
from .rest import api_handler
from .websocket import socket_handler

#: Real APIC clients never call `/_sim/`, so the control API shares the simulator's port without clashing.
CONTROL_PREFIX = "/_sim/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(member: Member, control: Handler) -> web.Application:
    """One member's application; the body limit is generous because clients post whole tenant trees."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[MEMBER_KEY] = member
    app.router.add_route("*", "/api/{tail:.*}", api_handler)
    # The token may contain "/", so the route takes everything after /socket.
    app.router.add_get("/socket{token:.*}", socket_handler)
    app.router.add_route("*", CONTROL_PREFIX + "{action}", control)
    return app
