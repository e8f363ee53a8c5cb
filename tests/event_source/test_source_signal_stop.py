"""Two sources in one process (two sources of one rulebook) stop together on one SIGTERM: both log out and
their ``main`` returns, which is what tells ansible-rulebook to end the activation."""

from __future__ import annotations

import asyncio
import os
import signal

from source_harness import SHUTDOWN_LIMIT, live, source_args


async def test_one_sigterm_stops_both_sources_logged_out_and_returning(apic, start_source):
    received: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        tenants = await start_source(source_args(apic, {"name": "tenants", "class": "fvTenant"}))
        bds = await start_source(source_args(apic, {"name": "bds", "class": "fvBD"}))
        await live(tenants, apic, 2)
        assert apic.control.stats()["sessions"] == 2

        os.kill(os.getpid(), signal.SIGTERM)
        done, _ = await asyncio.wait([tenants.task, bds.task], timeout=SHUTDOWN_LIMIT + 1)

        assert done == {tenants.task, bds.task}, "a source did not stop on SIGTERM"
        assert [tenants.task.result(), bds.task.result()] == [None, None], "main must return after SIGTERM"
        assert apic.control.stats()["sessions"] == 0, "a source did not log out"
        assert received == [], "SIGTERM reached the handler the sources stand in for"
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0.05)
        assert received == [signal.SIGTERM], "the previous SIGTERM handler is not back"
    finally:
        signal.signal(signal.SIGTERM, before)
