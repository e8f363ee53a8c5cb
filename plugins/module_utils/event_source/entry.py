# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plugin file calls: argument checks, then the source until it is cancelled.

Kept out of the plugin file so the file ansible-rulebook loads stays a thin shell, and so tests can
drive exactly the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.apic import HAS_AIOHTTP
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.settings import parse_settings
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.supervisor import EventSource

log = logging.getLogger(__name__)

_NEEDS_AIOHTTP = ("fabricops.aci.websocket needs the Python package aiohttp where ansible-rulebook runs; "
                  "install it (pip install aiohttp) or use the collection's decision environment")


def build_source(queue, args, environ=None, backoff=None) -> EventSource:
    """Validate the arguments and build the source; SourceError with one line on any mistake."""
    if not HAS_AIOHTTP:
        raise SourceError(_NEEDS_AIOHTTP)
    try:
        settings = parse_settings(args if args is not None else {}, environ)
    except ValueError as exc:
        raise SourceError(f"fabricops.aci.websocket: {exc}") from None
    return EventSource(settings, queue, backoff=backoff, feedback_queue=(args or {}).get("eda_feedback_queue"))


async def run(queue, args) -> None:
    """The plugin's ``main``: run the source until cancelled; cancellation propagates after cleanup."""
    source = build_source(queue, args)
    log.info("fabricops.aci.websocket starting: %d subscription(s), %d APIC(s)",
             len(source.settings.subscriptions), len(source.settings.connections))
    try:
        await source.run()
    finally:
        log.info("fabricops.aci.websocket stopped after %d event(s)", source.stats.events)


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
    """``python websocket.py [args.json | CLASS ...]``: print events until Ctrl-C or SIGTERM."""

    async def _main() -> None:
        task = asyncio.ensure_future(run(PrintQueue(), standalone_args(argv)))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(_main())
    except SourceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    return 0
