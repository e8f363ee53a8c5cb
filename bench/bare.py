"""The ceiling: a bare aiohttp websocket reader, written for the benchmark only.

It logs in, opens the socket and subscribes exactly as the event source does (verified TLS), then only
receives frames and, for the "bare reader" figure, parses their JSON (with orjson, the event source's
parser). The "receive only" variant does not even parse: if it is faster than the bare reader, the
simulator can send faster than the bare reader reads, so the simulator is not the bottleneck.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
from yarl import URL


@contextlib.asynccontextmanager
async def subscribed_socket(facts: dict[str, Any], classes: tuple[str, ...] = ("fvTenant",)) -> AsyncIterator[Any]:
    """A websocket with a class subscription per class of ``classes`` on it (verified TLS, as the source;
    refresh-timeout long enough for any run)."""
    tls = ssl.create_default_context(cafile=facts["ca_file"])
    async with aiohttp.ClientSession() as http:
        login = {"aaaUser": {"attributes": {"name": facts["username"], "pwd": facts["password"]}}}
        async with http.post(facts["url"] + "/api/aaaLogin.json", json=login, ssl=tls) as resp:
            resp.raise_for_status()
            token = (await resp.json())["imdata"][0]["aaaLogin"]["attributes"]["token"]
        ws_url = URL(facts["url"].replace("http", "ws", 1) + "/socket" + token, encoded=True)
        async with http.ws_connect(ws_url, ssl=tls, max_msg_size=0) as ws:
            for cls in classes:
                query = f"/api/class/{cls}.json?subscription=yes&refresh-timeout=3600"
                async with http.get(facts["url"] + query, headers={"Cookie": f"APIC-cookie={token}"},
                                    ssl=tls) as resp:
                    resp.raise_for_status()
            yield ws


class Receipt:
    """What a reader saw of one burst: changes, the last value, and when the first and last arrived."""

    __slots__ = ("changes", "first", "frames", "last", "last_value")

    def __init__(self) -> None:
        self.changes = 0
        self.frames = 0
        self.first = 0.0
        self.last = 0.0
        self.last_value = ""


async def read_parsed(ws: Any, last_value: str, clock) -> Receipt:
    """Receive and parse frames until the burst's last value arrives (the bare reader)."""
    receipt = Receipt()
    receive = ws.receive
    loads = orjson.loads
    text = aiohttp.WSMsgType.TEXT
    while True:
        message = await receive()
        if message.type is not text:
            raise RuntimeError(f"the socket ended during the burst: {message.type.name}")
        imdata = loads(message.data)["imdata"]
        if not receipt.frames:
            receipt.first = clock()
        receipt.frames += 1
        receipt.changes += len(imdata)
        value = next(iter(imdata[-1].values()))["attributes"].get("descr")
        if value == last_value:
            receipt.last = clock()
            receipt.last_value = value
            return receipt


async def read_only(ws: Any, last_value: str, clock) -> Receipt:
    """Receive frames without parsing them until the one holding the last value (the send-rate probe)."""
    receipt = Receipt()
    receive = ws.receive
    marker = f'"{last_value}"'
    text = aiohttp.WSMsgType.TEXT
    while True:
        message = await receive()
        if message.type is not text:
            raise RuntimeError(f"the socket ended during the burst: {message.type.name}")
        if not receipt.frames:
            receipt.first = clock()
        receipt.frames += 1
        if marker in message.data:
            receipt.last = clock()
            receipt.last_value = last_value
            return receipt
