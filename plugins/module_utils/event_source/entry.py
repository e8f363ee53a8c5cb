# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plugin file calls: argument checks, then the source until it is cancelled or signalled.

Kept out of the plugin file so the file ansible-rulebook loads stays a thin shell, and so tests can
drive exactly the same code.

Stopping on SIGTERM and SIGINT: ansible-rulebook's own handler raises KeyboardInterrupt in whatever frame
runs, and under load that is the rule engine's post, which catches every exception: the signal is lost
and the process never ends. So while sources run, the event loop handles both signals instead (one
handler for every source of the process, since a loop keeps one callback per signal): the handler cancels
each source's run, the source cleans up (closes its socket, logs out), and ``run`` then returns normally.
A source whose ``main`` returns is how ansible-rulebook lets a source end an activation: it broadcasts a
shutdown to every ruleset, ends them (at once when no action is running, else after --shutdown-delay),
cancels the other sources and exits 0. When the last source ends, the handlers that were installed
before are put back. A cancellation that does not come from a signal still propagates after cleanup.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.async_client import HAS_AIOHTTP
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import parse_settings
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.source import EventSource

log = logging.getLogger(__name__)

_NEEDS_AIOHTTP = ("fabricops.aci.websocket needs the Python package aiohttp where ansible-rulebook runs; "
                  "install it (pip install aiohttp) or use the collection's decision environment")


def build_source(queue, args, environ=None) -> EventSource:
    """Validate the arguments and build the source; SourceError with one line on any mistake."""
    if not HAS_AIOHTTP:
        raise SourceError(_NEEDS_AIOHTTP)
    try:
        settings = parse_settings(args if args is not None else {}, environ)
    except ValueError as exc:
        raise SourceError(f"fabricops.aci.websocket: {exc}") from None
    return EventSource(settings, queue, feedback_queue=(args or {}).get("eda_feedback_queue"))


async def run(queue, args) -> None:
    """The plugin's ``main``: run the source until cancelled (propagated after cleanup) or until SIGTERM or
    SIGINT (returns after cleanup, which ends the activation)."""
    source = build_source(queue, args)
    log.info("fabricops.aci.websocket starting: %d subscription(s), %d APIC(s)",
             len(source.settings.subscriptions), len(source.settings.connections))
    try:
        await until_stopped(source.run())
    finally:
        log.info("fabricops.aci.websocket stopped after %d event(s)", source.stats.events)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Running:
    """One source's run, as the signal handler sees it."""

    __slots__ = ("signalled", "task")

    def __init__(self, task: asyncio.Future) -> None:
        self.task = task
        self.signalled = False


class _SignalStop:
    """The process-wide handler of STOP_SIGNALS while sources run, and the handlers it stands in for."""

    def __init__(self) -> None:
        self.running: list[_Running] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.previous: dict[int, object] = {}  # signal number -> what signal.getsignal returned before

    def watch(self, running: _Running) -> bool:
        """Stop ``running`` on a signal. False when this loop cannot handle signals (not the main thread, a
        loop without signal support): the signals are then left to whoever handles them."""
        loop = asyncio.get_running_loop()
        if self.loop is not None and self.loop.is_closed():  # sources of a loop that was closed under them
            self.running.clear()
            self._restore()
        if not self.running and not self._install(loop):
            return False
        if loop is not self.loop:
            return False
        self.running.append(running)
        return True

    def unwatch(self, running: _Running) -> None:
        """``running`` has ended; the last one to end puts the previous handlers back."""
        if running in self.running:
            self.running.remove(running)
            if not self.running:
                self._restore()

    def _install(self, loop: asyncio.AbstractEventLoop) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False
        self.loop = loop
        self.previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        try:
            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, self._on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError) as exc:
            log.debug("stop signals stay with the process's own handlers: %s", exc)
            self._restore()
            return False
        return True

    def _restore(self) -> None:
        loop, previous = self.loop, self.previous
        self.loop, self.previous = None, {}
        for sig, handler in previous.items():
            if loop is not None and not loop.is_closed():
                loop.remove_signal_handler(sig)
            if handler is not None:  # None: set outside Python, nothing to put back from here
                signal.signal(sig, handler)

    def _on_signal(self, sig: int) -> None:
        name = signal.Signals(sig).name
        fresh = [running for running in self.running if not running.signalled]
        if not fresh:
            log.debug("%s received again; already stopping", name)
            return
        log.info("%s received: stopping %d fabricops.aci.websocket source(s)", name, len(fresh))
        for running in fresh:
            running.signalled = True
            running.task.cancel()


_SIGNAL_STOP = _SignalStop()


async def until_stopped(work) -> None:
    """Run the coroutine ``work`` until it ends, a stop signal ends it, or the caller is cancelled.

    After a signal, ``work`` is cancelled, its cleanup runs to the end, and this returns normally. A
    cancellation of the caller is passed on to ``work`` and, after its cleanup, raised.
    """
    running = _Running(asyncio.ensure_future(work))
    _SIGNAL_STOP.watch(running)
    try:
        await running.task
    except asyncio.CancelledError:
        if not running.signalled or _caller_cancelled():
            raise
    finally:
        _SIGNAL_STOP.unwatch(running)


def _caller_cancelled() -> bool:
    """Whether the current task itself was asked to cancel (known on Python 3.11 and later only)."""
    cancelling = getattr(asyncio.current_task(), "cancelling", None)
    return bool(cancelling is not None and cancelling())


class PrintQueue:
    """Standalone runs: print each event as one JSON line instead of queueing it."""

    async def put(self, event: dict) -> None:
        """Print the event."""
        sys.stdout.write(json.dumps(event, sort_keys=True) + "\n")
        sys.stdout.flush()


def standalone_args(argv: list) -> dict:
    """Arguments for a run outside ansible-rulebook: a JSON file of arguments, or class names.

    Connection options come from the ACI_* environment variables either way.
    """
    if len(argv) == 1 and os.path.isfile(argv[0]):
        with open(argv[0], encoding="utf-8") as handle:
            return json.load(handle)
    return {"subscriptions": argv or ["fvTenant"]}


def run_standalone(argv: list) -> int:
    """``python websocket.py [args.json | CLASS ...]``: print events until Ctrl-C or SIGTERM (``run`` then
    returns, as under ansible-rulebook)."""
    try:
        asyncio.run(run(PrintQueue(), standalone_args(argv)))
    except SourceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    return 0
