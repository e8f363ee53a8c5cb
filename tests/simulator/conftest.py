"""A small APIC client for the simulator's own tests, written the way third-party clients talk to an APIC.

It deliberately does not reuse the collection's client code: the simulator is the test oracle, and a shared
helper would let both sides agree on the same mistake.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from apicsim.simulator import Simulator
from yarl import URL

FRAME_TIMEOUT = 5.0


class RawApicClient:
    """Raw HTTP and websocket access to one simulator (member), with verified TLS."""

    def __init__(self, sim: Simulator, http: aiohttp.ClientSession, base: str | None = None) -> None:
        self.sim = sim
        self.http = http
        self.base = base or sim.url
        self.ssl = sim.client_ssl_context() if self.base.startswith("https") else False

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        cookie: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
        """(status, parsed JSON or text, response headers); `cookie` overrides the Cookie header."""
        hdrs = dict(headers or {})
        if cookie is not None:
            hdrs["Cookie"] = cookie
        elif token is not None:
            hdrs["Cookie"] = f"APIC-cookie={token}"
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        url = URL(self.base + path, encoded=True)
        async with self.http.request(method, url, data=data, headers=hdrs, ssl=self.ssl) as resp:
            text = await resp.text()
            try:
                parsed: Any = json.loads(text)
            except ValueError:
                parsed = text
            return resp.status, parsed, resp.headers

    async def login(self, name: str | None = None, pwd: str | None = None, query: str = "") -> dict[str, str]:
        """Log in and return the aaaLogin attributes (token included)."""
        body = {"aaaUser": {"attributes": {"name": name or self.sim.username, "pwd": pwd or self.sim.password}}}
        status, data, _ = await self.request("POST", "/api/aaaLogin.json" + query, body=body)
        assert status == 200, data
        return data["imdata"][0]["aaaLogin"]["attributes"]

    async def token(self) -> str:
        return (await self.login())["token"]

    async def socket(self, token: str, **kwargs: Any) -> aiohttp.ClientWebSocketResponse:
        url = URL(self.base.replace("http", "ws", 1) + "/socket" + token, encoded=True)
        return await self.http.ws_connect(url, ssl=self.ssl, **kwargs)

    async def subscribe(self, path: str, token: str, **kwargs: Any) -> tuple[int, Any]:
        sep = "&" if "?" in path else "?"
        status, data, _ = await self.request("GET", f"{path}{sep}subscription=yes", token=token, **kwargs)
        return status, data

    async def subscription(self, path: str, token: str) -> str:
        """Subscribe and return the id (asserting success)."""
        status, data = await self.subscribe(path, token)
        assert status == 200, data
        return data["subscriptionId"]

    async def session(self) -> tuple[str, aiohttp.ClientWebSocketResponse]:
        """Log in and open the session's socket: what every subscriber does first."""
        token = await self.token()
        return token, await self.socket(token)

    async def subscribed(self, path: str) -> tuple[str, aiohttp.ClientWebSocketResponse, str]:
        """Log in, open the socket and subscribe to `path`: (token, socket, subscription id)."""
        token, ws = await self.session()
        return token, ws, await self.subscription(path, token)

    async def next_frame(self, ws: aiohttp.ClientWebSocketResponse, timeout: float = FRAME_TIMEOUT) -> dict[str, Any]:
        """The next text frame, parsed; fails on close or timeout."""
        msg = await asyncio.wait_for(ws.receive(), timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {msg.type} {msg.data!r}"
        return json.loads(msg.data)

    @staticmethod
    def only_mo(frame: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """(class, attributes) of a single-MO frame."""
        assert len(frame["imdata"]) == 1, frame
        ((cls, body),) = frame["imdata"][0].items()
        return cls, body["attributes"]


@pytest_asyncio.fixture
async def client(apic: Simulator) -> AsyncIterator[RawApicClient]:
    async with aiohttp.ClientSession() as http:
        yield RawApicClient(apic, http)
