"""SIGTERM and SIGINT stop every running source of the process; the handlers from before come back after.

Real signals sent to this process; stand-in sources whose cleanup awaits (as closing a socket and logging
out do) show that cleanup runs to its end before ``until_stopped`` returns. The handlers the tests install
first only record: a signal that reached them instead of the sources' handler fails the test rather than
ending the test run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import entry

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StandIn:
    """A source that runs until cancelled, then spends a moment cleaning up."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cleaned_up = False

    async def run(self) -> None:
        self.started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.05)  # the logout's round trip
            self.cleaned_up = True


@pytest.fixture
def previous():
    """Recording handlers for SIGTERM and SIGINT, as ansible-rulebook installs its own; the originals are put
    back afterwards."""
    received: list[int] = []

    def record(signum, frame) -> None:
        received.append(signum)

    originals = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, record)
    yield record, received
    for sig, handler in originals.items():
        signal.signal(sig, handler)
    assert entry._SIGNAL_STOP.running == [], "a source stayed registered"


async def _start(*sources: StandIn) -> list[asyncio.Task]:
    tasks = [asyncio.ensure_future(entry.until_stopped(source.run())) for source in sources]
    await asyncio.wait_for(asyncio.gather(*(source.started.wait() for source in sources)), 5)
    return tasks


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda sig: signal.Signals(sig).name)
async def test_one_signal_stops_every_source_after_its_cleanup(previous, sig):
    record, received = previous
    first, second = StandIn(), StandIn()
    tasks = await _start(first, second)
    assert all(signal.getsignal(s) is not record for s in SIGNALS), "the sources did not take the signals"

    os.kill(os.getpid(), sig)
    done, _ = await asyncio.wait(tasks, timeout=5)

    assert done == set(tasks), "a source did not stop on the signal"
    assert [task.result() for task in tasks] == [None, None], "a signalled source must return, not raise"
    assert first.cleaned_up and second.cleaned_up
    assert received == [], "the signal reached the previous handler instead of the sources"


async def test_previous_handlers_come_back_when_the_last_source_ends(previous):
    record, received = previous
    first, second = StandIn(), StandIn()
    tasks = await _start(first, second)

    tasks[0].cancel()
    await asyncio.wait([tasks[0]], timeout=5)
    assert all(signal.getsignal(s) is not record for s in SIGNALS), "handlers restored while a source runs"

    tasks[1].cancel()
    await asyncio.wait([tasks[1]], timeout=5)
    assert {s: signal.getsignal(s) for s in SIGNALS} == {s: record for s in SIGNALS}
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.05)
    assert received == [signal.SIGTERM], "a signal after the last source ended must reach the previous handler"


async def test_a_cancel_that_is_not_a_signal_raises_after_cleanup(previous):
    _, received = previous
    source = StandIn()
    (task,) = await _start(source)

    task.cancel()
    await asyncio.wait([task], timeout=5)

    assert task.cancelled(), "a cancellation from the caller must propagate as CancelledError"
    assert source.cleaned_up
    assert received == []


async def test_a_second_signal_does_not_cut_the_cleanup_short(previous):
    _, received = previous
    source = StandIn()
    (task,) = await _start(source)

    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.01)  # the source is now cleaning up
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait([task], timeout=5)

    assert task.result() is None
    assert source.cleaned_up
    assert received == []


def test_off_the_main_thread_the_signals_are_left_alone(previous):
    record, _ = previous
    seen: dict[str, object] = {}

    async def main() -> None:
        source = StandIn()
        task = asyncio.ensure_future(entry.until_stopped(source.run()))
        await source.started.wait()
        seen["handler"] = signal.getsignal(signal.SIGTERM)
        task.cancel()
        await asyncio.wait([task], timeout=5)
        seen["cancelled"] = task.cancelled()

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    thread.join(10)
    assert seen == {"handler": record, "cancelled": True}
