"""Cancellation ends every task and closes the socket within a second, whatever the source is doing."""

import asyncio

from source_harness import SHUTDOWN_LIMIT, live, source_args

OUR_CODE = ("module_utils/event_source", "aiohttp/client")


def _ours(tasks) -> list:
    """Pending tasks running the source's code (or aiohttp's client code on its behalf)."""
    pending = []
    for task in tasks:
        if task.done():
            continue
        code = getattr(task.get_coro(), "cr_code", None)
        frames = [code.co_filename] if code else []
        frames += [frame.f_code.co_filename for frame in task.get_stack()]
        if any(part in name for name in frames for part in OUR_CODE):
            pending.append(task)
    return pending


async def _sockets(apic) -> int:
    return sum(member.stats()["sockets"] for member in apic.cluster.members)


async def _stopped_cleanly(log, apic) -> float:
    took = await log.stop()
    assert log.task.cancelled(), "cancellation must propagate out of main"
    for _ in range(100):  # the simulator notices the closed socket and the logout
        if await _sockets(apic) == 0 and apic.control.stats()["sessions"] == 0:
            break
        await asyncio.sleep(0.01)
    assert await _sockets(apic) == 0
    assert apic.control.stats()["sessions"] == 0, "the session should have been logged out"
    assert _ours(asyncio.all_tasks()) == []
    return took


async def test_cancel_while_streaming(apic, start_source):
    log = await start_source(source_args(apic, heartbeat_interval=0.2))
    await live(log, apic)
    apic.control.create_tenant("x")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-x"), "a first event")
    assert await _stopped_cleanly(log, apic) < SHUTDOWN_LIMIT


async def test_cancel_while_the_reader_waits_on_a_full_queue(apic, start_source):
    queue = asyncio.Queue(maxsize=1)
    log = await start_source(source_args(apic), queue=queue, delay=10)  # the consumer takes one and stalls
    await live(log, apic)
    for index in range(20):
        apic.control.create_tenant(f"full{index}")
    await log.wait_for(lambda seen: queue.full(), "the queue to fill up")
    assert await _stopped_cleanly(log, apic) < SHUTDOWN_LIMIT


async def test_cancel_while_backing_off(apic, start_source, requests_seen):
    log = await start_source(source_args(apic, reconnect_delay=30, reconnect_delay_max=60))
    await live(log, apic)
    apic.control.throttle_logins(60)
    apic.control.expire_sessions()
    # the relogin gets 503 and the source settles into a backoff wait of 15 to 30 s
    await log.wait_for(lambda seen: requests_seen.count("/api/aaaLogin.json 503") >= 1, "a throttled relogin")
    assert not log.task.done()
    assert await _stopped_cleanly(log, apic) < SHUTDOWN_LIMIT
