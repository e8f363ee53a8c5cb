"""Helpers shared by the distribution checks: where the repository is, and running its tools offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The path of a command-line tool installed in the project's virtualenv."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {BIN}; run `make venv`")
    return str(path)


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for the tools: the venv's bin first on PATH, no network, no APIC of the developer's.

    ``ACI_*`` variables of the calling shell are dropped so a test never talks to a real APIC by accident.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACI_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_NOCOLOR"] = "1"
    env["PIP_NO_INDEX"] = "1"
    env.update(extra)
    return env


def run(cmd: list[str], *, cwd: Path | str | None = None, timeout: float = 300, **env: str) -> str:
    """Run a command, fail the test with its output when it exits non-zero, return stdout and stderr."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=tool_env(**env), capture_output=True, text=True, timeout=timeout, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-6000:]}")
    return output
