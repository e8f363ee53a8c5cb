"""use_proxy: the source reaches the APIC through the proxy the environment names, with its credentials.

A minimal HTTP CONNECT proxy on 127.0.0.1 stands in for a corporate proxy; it notes each tunnel it opens
and the Proxy-Authorization it was given, then relays the bytes (TLS stays end to end, verified with the
simulator's CA).
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from proxy_env import basic_auth, clear_proxy_environment
from source_harness import live, source_args

PROXY_USER, PROXY_PASSWORD = "proxyuser", "proxy-secret"


class ConnectProxy:
    """An HTTP CONNECT proxy: records (target, Proxy-Authorization) per tunnel and relays both ways."""

    def __init__(self) -> None:
        self.tunnels: list[tuple[str, str | None]] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    async def __aenter__(self) -> ConnectProxy:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        upstream = None
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ", 2)
            headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
            self.tunnels.append((target, headers.get("Proxy-Authorization")))
            if method != "CONNECT":
                writer.write(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            up_reader, upstream = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await asyncio.gather(_relay(reader, upstream), _relay(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for stream in (writer, upstream):
                if stream is not None:
                    stream.close()
            self._tasks.discard(asyncio.current_task())


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.write_eof()


@pytest.fixture
def proxy_environment(monkeypatch, tmp_path):
    """Environment proxy variables only (no ~/.netrc, no bypass list), set once the proxy port is known."""
    clear_proxy_environment(monkeypatch, tmp_path / "no-netrc")

    def point_at(proxy: ConnectProxy, *schemes: str) -> None:
        for scheme in schemes:
            monkeypatch.setenv(f"{scheme}_proxy", f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}")

    return point_at


async def test_rest_and_socket_go_through_the_environment_proxy_with_its_credentials(apic, start_source,
                                                                                      proxy_environment):
    async with ConnectProxy() as proxy:
        proxy_environment(proxy, "https", "wss")
        log = await start_source(source_args(apic))
        await live(log, apic)
        apic.control.create_tenant("proxied")
        await log.wait_for(lambda seen: seen.of("created", "uni/tn-proxied"), "the tenant created behind the proxy")
        target = f"127.0.0.1:{apic.port}"
        assert len(proxy.tunnels) >= 2, proxy.tunnels  # the REST pool and the websocket
        assert all(tunnel == (target, basic_auth(PROXY_USER, PROXY_PASSWORD)) for tunnel in proxy.tunnels)


async def test_hosts_in_no_proxy_are_reached_directly(apic, start_source, proxy_environment, monkeypatch):
    async with ConnectProxy() as proxy:
        proxy_environment(proxy, "https", "wss")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        log = await start_source(source_args(apic))
        await live(log, apic)
        apic.control.create_tenant("bypassed")
        await log.wait_for(lambda seen: seen.of("created", "uni/tn-bypassed"), "the tenant created past the proxy")
        assert proxy.tunnels == []


async def test_use_proxy_false_ignores_the_environment(apic, start_source, proxy_environment):
    async with ConnectProxy() as proxy:
        proxy_environment(proxy, "https", "wss")
        log = await start_source(source_args(apic, use_proxy=False))
        await live(log, apic)
        apic.control.create_tenant("unproxied")
        await log.wait_for(lambda seen: seen.of("created", "uni/tn-unproxied"), "the tenant created without proxy")
        assert proxy.tunnels == []
