"""When a rule fired: the audit messages ansible-rulebook sends to an EDA server, received on 127.0.0.1.

ansible-rulebook started with `--websocket-url ws://... --id N` reports every action it runs over that
websocket, as it does to the EDA controller: for `run_playbook`, a `Job` message when the playbook starts
and an `Action` message when it has ended. Both carry `rule_run_at`, the wall-clock time (UTC) at which
ansible-rulebook took the rule's match from its action queue and started the action: the moment the rule
fired, read from ansible-rulebook itself, with no playbook start-up and no output pipe in between. This
receiver stands in for the server and keeps, per matched object (the event's `aci.dn`), when its rule
fired and whether its playbook has ended. With `--heartbeat N` it also keeps the rule engine's latest
session statistics (`SessionStats`: events processed, rules triggered...), sent every N seconds and
before every action.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from aiohttp import WSMsgType, web


def epoch(timestamp: str) -> float:
    """`2026-12-02T06:10:00.123456Z` (ansible-rulebook's run_at) as seconds since the epoch, like time.time()."""
    return dt.datetime.fromisoformat(timestamp).timestamp()


def matched_dn(message: dict[str, Any]) -> str | None:
    """The DN of the event a Job or Action message reports (a single-event match), else None."""
    event = (message.get("matching_events") or {}).get("m") or {}
    return (event.get("aci") or {}).get("dn")


class AuditReceiver:
    """The websocket ansible-rulebook reports to; `async with AuditReceiver() as audit:` then `audit.url`."""

    def __init__(self) -> None:
        self.fired: dict[str, float] = {}  # DN -> rule_run_at (epoch seconds) of the first action on it
        self.ended: dict[str, str] = {}  # DN -> the playbook's status ("successful", "failed", ...)
        self.messages = 0
        self.session: dict[str, Any] = {}  # the rule engine's latest session statistics (with --heartbeat)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> AuditReceiver:
        app = web.Application()
        app.router.add_get("/", self._serve)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # the port the system chose
        self.url = f"ws://127.0.0.1:{port}/"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                await self._take(json.loads(frame.data))
        return socket

    async def _take(self, message: dict[str, Any]) -> None:
        self.messages += 1
        kind, dn = message.get("type"), matched_dn(message)
        if kind == "SessionStats":
            self.session = message.get("stats") or {}
            return
        if dn is None or kind not in ("Job", "Action"):
            return
        async with self._changed:
            if message.get("rule_run_at"):
                self.fired.setdefault(dn, epoch(message["rule_run_at"]))
            if kind == "Action":
                self.ended[dn] = str(message.get("status", ""))
            self._changed.notify_all()

    async def wait_fired(self, dn: str, timeout: float) -> float | None:
        """When the rule fired on `dn` (epoch seconds), or None if it did not within `timeout` seconds."""
        return await self._wait(lambda: self.fired.get(dn), timeout)

    async def wait_ended(self, dn: str, timeout: float) -> str | None:
        """The status of the action started on `dn` once it has ended, or None after `timeout` seconds."""
        return await self._wait(lambda: self.ended.get(dn), timeout)

    async def _wait(self, value, timeout: float):
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: value() is not None), timeout)
            except TimeoutError:
                return None
            return value()
