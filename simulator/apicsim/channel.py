"""One open websocket and its outgoing queue.

Pushes are produced synchronously, inside the object tree's commit callback, so they cannot await a socket
write: they are queued here and one writer task per socket drains the queue in order. Nothing survives the
socket (no replay), and a socket that dies simply takes its queue with it.

When many frames wait (a burst), they are written back to back in chunks of about 64 KiB, one transport
write (and so one TLS record and one system call) per chunk instead of per frame, as a proxy in front of a
real APIC does under load. Each frame is still a complete RFC 6455 text frame: clients see exactly the same
frames in the same order. Without this the simulator's per-frame TLS cost made it slower than a bare client,
so benchmarks measured the simulator instead of the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections import deque

from aiohttp import web

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024  # frames written with one transport write
HIGH_WATER = 256 * 1024  # stop writing while the transport holds more than this (the client reads slowly)
DRAIN_POLL = 0.001  # seconds between checks of a full transport buffer
_FIN_TEXT = 0x81  # FIN bit + text opcode; a server never masks


_SHORT_HEADERS = tuple(struct.pack("!BB", _FIN_TEXT, size) for size in range(126))
_pack_medium = struct.Struct("!BBH").pack
_pack_long = struct.Struct("!BBQ").pack


def frame_header(size: int) -> bytes:
    """The header of an unmasked, uncompressed RFC 6455 text frame with a `size`-byte payload."""
    if size < 126:
        return _SHORT_HEADERS[size]
    if size < 65536:
        return _pack_medium(_FIN_TEXT, 126, size)
    return _pack_long(_FIN_TEXT, 127, size)


def text_frame(payload: bytes) -> bytes:
    """One unmasked, uncompressed RFC 6455 text frame (what aiohttp writes for `send_str` here)."""
    return frame_header(len(payload)) + payload


class Channel:
    """A websocket bound to one session; `push()` is safe to call from synchronous code."""

    __slots__ = ("_outbox", "_task", "_wake", "closed", "frames_sent", "session_id", "transport", "ws")

    def __init__(self, ws: web.WebSocketResponse, session_id: str, transport: asyncio.Transport | None) -> None:
        self.ws = ws
        self.session_id = session_id
        self.transport = transport
        self.closed = False
        self.frames_sent = 0
        self._outbox: deque[str] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task (once the websocket handshake is done)."""
        self._task = asyncio.get_running_loop().create_task(self._write_loop(), name="apicsim-ws-writer")

    def push(self, frame: str) -> None:
        """Queue one text frame; dropped silently once the socket is closed (no buffering, no replay)."""
        if not self.closed:
            self._outbox.append(frame)
            self._wake.set()

    def push_many(self, frames: list[str]) -> None:
        if not self.closed and frames:
            self._outbox.extend(frames)
            self._wake.set()

    async def close(self, code: int, reason: str) -> None:
        """End the socket with a close frame (logout, session expiry, member going down)."""
        self.closed = True
        self._outbox.clear()
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=reason.encode())

    def abort(self) -> None:
        """Drop the connection without a close frame, like a failing APIC or a broken network path."""
        self.closed = True
        self._outbox.clear()
        if self.transport is not None:
            self.transport.abort()

    async def stop(self) -> None:
        """Stop the writer task; called when the handler returns."""
        self.closed = True
        self._outbox.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _write_loop(self) -> None:
        outbox = self._outbox
        ws = self.ws
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while outbox:
                    if len(outbox) == 1 or self.transport is None:
                        await ws.send_str(outbox.popleft())
                        self.frames_sent += 1
                    else:
                        await self._write_chunk(outbox)
        except (ConnectionError, RuntimeError) as exc:
            # The peer went away mid-write; the read side notices and the handler cleans up.
            log.debug("websocket writer stopped: %s", type(exc).__name__)
            self.closed = True

    async def _write_chunk(self, outbox: deque[str]) -> None:
        """Write waiting frames back to back (up to CHUNK_BYTES) in one transport write, then respect backpressure."""
        transport = self.transport
        assert transport is not None
        parts = []  # header, payload, header, payload...: joined once, not concatenated per frame
        append = parts.append
        size = 0
        while outbox and size < CHUNK_BYTES:
            payload = outbox.popleft().encode()
            header = frame_header(len(payload))
            append(header)
            append(payload)
            size += len(header) + len(payload)
        if transport.is_closing():
            raise ConnectionResetError("the socket is closing")
        transport.write(b"".join(parts))
        self.frames_sent += len(parts) // 2
        while transport.get_write_buffer_size() > HIGH_WATER:
            if transport.is_closing():
                raise ConnectionResetError("the socket is closing")
            await asyncio.sleep(DRAIN_POLL)
