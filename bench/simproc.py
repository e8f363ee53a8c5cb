"""The benchmark's handle on a simulator host process (bench/simhost.py): start, command, stop."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 300.0


class SimProcess:
    """A running `python -m bench.simhost`; use as `async with SimProcess(state_dir) as sim:`."""

    def __init__(self, state_dir: Path, **options: Any) -> None:
        self.state_dir = state_dir
        self.options = options
        self.facts: dict[str, Any] = {}
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> SimProcess:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.simhost", "--state-dir", str(self.state_dir),
            "--options", json.dumps(self.options),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 24,
        )
        line = await asyncio.wait_for(self._proc.stdout.readline(), START_TIMEOUT)
        if not line:
            raise RuntimeError(f"the simulator host exited with {await self._proc.wait()} before it started")
        self.facts = json.loads(line)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    @property
    def pid(self) -> int:
        """The host process's id (for a profiler to attach to)."""
        assert self._proc is not None, "the simulator host is not running"
        return self._proc.pid

    async def call(self, op: str, **kwargs: Any) -> dict[str, Any]:
        """Send one command and return its reply; RuntimeError with the host's message when it failed."""
        assert self._proc is not None, "the simulator host is not running"
        async with self._lock:  # one command in flight: replies come back in order
            self._proc.stdin.write((json.dumps({"op": op, **kwargs}) + "\n").encode())
            await self._proc.stdin.drain()
            line = await asyncio.wait_for(self._proc.stdout.readline(), COMMAND_TIMEOUT)
        if not line:
            raise RuntimeError(f"the simulator host died during {op}")
        reply = json.loads(line)
        if not reply.pop("ok"):
            raise RuntimeError(reply["error"])
        return reply

    async def control(self, action: str, **kwargs: Any) -> Any:
        """One action of the simulator's control surface (create_tenant, burst, drop, stats...)."""
        return (await self.call("control", action=action, kwargs=kwargs))["result"]

    async def cpu(self) -> float:
        """CPU seconds the simulator process has used so far."""
        return (await self.call("cpu"))["cpu"]

    async def subscriptions(self) -> int:
        """Live subscriptions across the simulator's members."""
        stats = await self.control("stats")
        return sum(member["subscriptions"] for member in stats["members"])

    def source_args(self, *, checkpoint: str, **extra: Any) -> dict[str, Any]:
        """Event source arguments that reach this simulator over verified TLS.

        ``checkpoint`` has no default on purpose: the source's own default writes into the user's state
        directory, which a benchmark must not touch, so each section says what it runs with (``off``, or
        a path in a temporary directory).
        """
        facts = self.facts
        return {"host": f"127.0.0.1:{facts['port']}", "username": facts["username"],
                "password": facts["password"], "ca_path": facts["ca_file"], "checkpoint": checkpoint, **extra}
