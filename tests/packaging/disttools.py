"""Helpers shared by the distribution checks: running the project's tools offline, failing with their output.

Where the repository is and the environment the tools get come from scripts/rulebook_process.py, so these
checks, the end-to-end tests and `make demo` run every tool the same way.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rulebook_process import BIN, REPO, tool_env

__all__ = ["MODULES", "REPO", "run", "tool"]

# The modules the collection ships, named once: each distribution check must find every one of them.
MODULES = ("mo", "tenant", "query_info", "health_info", "fault_info", "audit_info", "endpoint_info")


def tool(name: str) -> str:
    """The path of a command-line tool installed in the project's virtualenv."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {BIN}; run `make venv`")
    return str(path)


def run(cmd: list[str], *, cwd: Path | str | None = None, timeout: float = 300, **env: str) -> str:
    """Run a command, fail the test with its output when it exits non-zero, return stdout and stderr."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=tool_env(env), capture_output=True, text=True, timeout=timeout, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-6000:]}")
    return output
