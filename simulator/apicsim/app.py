"""Assemble the aiohttp application of one cluster member: REST, websocket and control routes."""

from __future__ import annotations

from aiohttp import web

from .control import CONTROL_PREFIX, Control
from .member import MEMBER_KEY, Member
from .rest import api_handler
from .websocket import socket_handler


def build_app(member: Member, control: Control) -> web.Application:
    """One member's application; the body limit is generous because clients post whole tenant trees."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[MEMBER_KEY] = member
    app.router.add_route("*", "/api/{tail:.*}", api_handler)
    # The token may contain "/", so the route takes everything after /socket.
    app.router.add_get("/socket{token:.*}", socket_handler)
    app.router.add_route("*", CONTROL_PREFIX + "{action}", control.handle)
    return app
