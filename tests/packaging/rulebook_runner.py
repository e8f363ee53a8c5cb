"""Run the real ansible-rulebook against a simulator: wait until subscribed, make a change, stop it cleanly."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from disttools import REPO, tool, tool_env

COLLECTIONS = REPO / "build" / "collections"


def run_rulebook_until(
    workdir: Path,
    apic,
    env: dict[str, str],
    tenant: str,
    done: Callable[[str], bool] | None = None,
    args: tuple[str, ...] = (),
) -> str:
    """Run ansible-rulebook on workdir/rulebook.yml with vars.yml, create `tenant` once subscribed, stop it.

    It is stopped with SIGTERM once `done(output so far)` holds (by default: the output shows
    "contract-ok uni/tn-<tenant>"), and must then exit 0. Returns everything it printed.
    """
    marker = f"contract-ok uni/tn-{tenant}"
    done = done or (lambda output: marker in output)
    lines: queue.Queue[str] = queue.Queue()
    command = [tool("ansible-rulebook"), "-r", "rulebook.yml", "--vars", "vars.yml", *args]
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=tool_env(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), JAVA_TOOL_OPTIONS="-Xrs", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while not sum(m["subscriptions"] for m in apic.call(apic.control.stats)["members"]):
            assert proc.poll() is None, "ansible-rulebook ended early:\n" + "".join(seen) + drain(lines)
            assert time.monotonic() < deadline, "the event source never subscribed:\n" + "".join(seen) + drain(lines)
            seen.append(drain(lines))
            time.sleep(0.2)
        apic.call(apic.control.create_tenant, tenant)
        while not done("".join(seen)):
            assert time.monotonic() < deadline, f"the rule did not fire for {tenant}:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                assert proc.poll() is None, "ansible-rulebook ended early:\n" + "".join(seen)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "SIGTERM must end ansible-rulebook cleanly:\n" + "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=10)
    return "".join(seen) + drain(lines)


def drain(lines: queue.Queue[str]) -> str:
    out = []
    while True:
        try:
            out.append(lines.get_nowait())
        except queue.Empty:
            return "".join(out)
