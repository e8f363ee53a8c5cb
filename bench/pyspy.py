"""py-spy, the sampling profiler that bench.profile and the rulebook section attach to a running process.

One place to find it, start it, stop it and read its raw output ("frame;frame;... count" lines), so the
two users differ only in what they sample and how they group the samples.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path


def executable() -> str | None:
    """py-spy from the virtualenv running the benchmark, else from PATH; None when it is not installed."""
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


async def record(pid: int, out: Path, rate: int, settle: float) -> asyncio.subprocess.Process | None:
    """py-spy sampling `pid` `rate` times a second into `out`, given `settle` seconds to attach; None
    without py-spy. It samples without stopping the process (--nonblocking)."""
    py_spy = executable()
    if py_spy is None:
        return None
    proc = await asyncio.create_subprocess_exec(
        py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--full-filenames",
        "--nonblocking", "--output", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(settle)
    return proc


async def stop(proc: asyncio.subprocess.Process) -> None:
    """SIGINT, on which py-spy writes its output file, then wait for it to end."""
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    await asyncio.wait_for(proc.wait(), 30)


def samples(collapsed: str) -> Iterator[tuple[list[str], int]]:
    """(frames, outermost first; how many samples had that stack) for each line of py-spy's raw output."""
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)
