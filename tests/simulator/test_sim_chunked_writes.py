"""A burst leaves the simulator in chunked writes, yet every frame arrives whole, alone and in order.

The channel writes waiting frames back to back (channel.py) so a benchmark measures the client, not the
simulator's per-frame TLS cost; these tests pin that a client cannot tell the difference.
"""

from __future__ import annotations

import asyncio
import struct

import pytest
from apicsim import channel
from apicsim.channel import CHUNK_BYTES, text_frame


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 70000])
def test_text_frame_header_follows_rfc_6455(size):
    payload = b"x" * size
    frame = text_frame(payload)
    assert frame[0] == 0x81  # FIN, text, unmasked
    if size < 126:
        assert frame[1] == size and frame[2:] == payload
    elif size < 65536:
        assert frame[1] == 126 and struct.unpack("!H", frame[2:4])[0] == size and frame[4:] == payload
    else:
        assert frame[1] == 127 and struct.unpack("!Q", frame[2:10])[0] == size and frame[10:] == payload


async def test_a_burst_arrives_frame_by_frame_in_order(client):
    _token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    count = 3000  # several chunks' worth of frames
    burst = client.sim.control.burst(count)
    seen = []
    while len(seen) < count:
        frame = await client.next_frame(ws)
        assert frame["subscriptionId"] == [sub]
        _cls, attrs = client.only_mo(frame)
        if attrs["dn"] == burst["dn"] and attrs.get("descr", "").startswith("burst-"):
            seen.append(int(attrs["descr"].split("-")[1]))
    assert seen == list(range(burst["first"], burst["last"] + 1))
    await ws.close()


async def test_large_frames_and_a_slow_reader_lose_nothing(client, monkeypatch):
    """Frames above 64 KiB, and far more data than socket buffers and the high-water mark hold unread."""
    _token, ws, _sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.create_tenant("big")
    await client.next_frame(ws)
    big = "y" * (CHUNK_BYTES + 10)
    count = (16 << 20) // len(big)  # 16 MiB: beyond loopback socket buffers, so the writer must wait
    for n in range(count):
        client.sim.control.modify("uni/tn-big", {"descr": f"{n}-{big}"})
    waits = []
    real_sleep = asyncio.sleep
    monkeypatch.setattr(channel.asyncio, "sleep", lambda delay: waits.append(delay) or real_sleep(delay))
    await real_sleep(0.2)  # the writer fills the transport up to its high-water mark and waits
    received = []
    for _ in range(count):
        _cls, attrs = client.only_mo(await client.next_frame(ws))
        received.append(attrs["descr"])
    assert received == [f"{n}-{big}" for n in range(count)]
    assert waits, "the writer never had to wait for the reader"
    await ws.close()
