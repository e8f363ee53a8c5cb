"""The real ansible-rulebook as a child process: start it, follow what it prints, stop it cleanly.

Shared by `make demo` (scripts/demo.py) and the tests that run ansible-rulebook (tests/e2e/,
tests/packaging/), which all run rulebooks from the collection installed out of the tarball. The output is
read on a thread, so a caller never blocks on a full pipe, and is parsed into the playbook runs it shows: a
rule fired when a run appears, the playbook worked when its recap says failed=0.

Stopping sends SIGTERM and expects exit code 0: with JAVA_TOOL_OPTIONS=-Xrs the JVM leaves the signal to
ansible-rulebook, which cancels its event sources. The process runs in its own session so that, if it ever
hangs, the whole group it started (and only that) can be killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / "build" / "collections"
INSTALLED = COLLECTIONS / "ansible_collections" / "fabricops" / "aci"
BIN = Path(sys.executable).parent

# The plays of the shipped reaction playbooks, as ansible-rulebook prints them (PLAY [...]).
ONBOARD_PLAY = "Onboard a new tenant with its baseline"
TRIAGE_PLAY = "Triage an object whose health dropped or that raised a fault"

_PLAY = re.compile(r"^PLAY \[(?P<name>.*)\] \**$")
_RECAP = re.compile(r"^\S+\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
                    r"failed=(?P<failed>\d+)")
_MSG = re.compile(r'^\s+"msg": "(?P<msg>.*)"$')


@dataclass
class PlaybookRun:
    """One playbook run as ansible-rulebook printed it."""

    play: str
    started: float
    """time.monotonic() when its first line was read."""
    lines: list[str] = field(default_factory=list)
    ended: float | None = None
    """time.monotonic() when its recap was read."""
    ok: int | None = None
    changed: int | None = None
    failed: int | None = None

    @property
    def finished(self) -> bool:
        return self.failed is not None

    @property
    def messages(self) -> list[str]:
        """The ``msg`` of every debug task, in order."""
        return [m.group("msg") for m in map(_MSG.match, self.lines) if m]


def playbook_runs(lines: list[tuple[float, str]]) -> list[PlaybookRun]:
    """Split ansible-rulebook's output, (read time, line) pairs, into its playbook runs (the last may be
    unfinished)."""
    runs: list[PlaybookRun] = []
    for when, line in lines:
        line = line.rstrip("\n")
        play = _PLAY.match(line)
        if play:
            runs.append(PlaybookRun(play.group("name"), when))
            continue
        if runs and not runs[-1].finished:
            runs[-1].lines.append(line)
            recap = _RECAP.match(line)
            if recap:
                runs[-1].ok, runs[-1].changed, runs[-1].failed = (
                    int(recap.group(k)) for k in ("ok", "changed", "failed"))
                runs[-1].ended = when
    return runs


def tool_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the project's tools run with (ansible-rulebook, ansible-playbook, ansible-galaxy, ...).

    The venv's tools come first on PATH and the collection is the one installed from the tarball, as under
    `make`; the JVM leaves SIGTERM to ansible-rulebook; no colour, and pip never reaches for an index.
    ``ACI_*`` variables of the calling shell are dropped, so nothing here ever talks to a real APIC by
    accident; the caller passes the ones it means in ``extra``, which overrides everything else. The event
    source keeps its checkpoint in a fresh state directory unless ``extra`` names one (XDG_STATE_HOME), so
    no run resumes from another's.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACI_")}
    env["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="fabricops-state-")
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        JAVA_TOOL_OPTIONS="-Xrs",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        PIP_NO_INDEX="1",
    )
    env.update(extra or {})
    return env


def live_subscriptions(apic: object) -> int:
    """Subscriptions a simulator (an apicsim SimulatorThread) holds, over all its cluster members."""
    stats = apic.call(apic.control.stats)  # type: ignore[attr-defined]
    return sum(member["subscriptions"] for member in stats["members"])


def fault_lifecycle(apic: object, fault_dn: str) -> str:
    """The lifecycle (``lc``: soaking, raised, ...) of a fault on a simulator, "" while it does not exist."""
    fault = apic.call(apic.control.get, fault_dn)  # type: ignore[attr-defined]
    return fault.get("faultInst", {}).get("attributes", {}).get("lc", "")


def wait_until(condition: Callable[[], object], what: str, timeout: float,
               alive: Callable[[], None] | None = None) -> object:
    """Poll ``condition`` until it is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if alive is not None:
            alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


class RulebookProcess:
    """``ansible-rulebook -r <rulebook>`` with a vars file (and an inventory, for playbooks), its output followed."""

    def __init__(self, rulebook: str, *, cwd: Path, vars_file: Path, env: Mapping[str, str],
                 inventory: Path | None = None, extra_args: tuple[str, ...] = (), bin_dir: Path = BIN,
                 stop_signal: signal.Signals = signal.SIGTERM) -> None:
        """``bin_dir``: the virtualenv whose ansible-rulebook (and, through PATH, ansible-playbook) runs.
        ``stop_signal``: what stop() sends; ansible-rulebook before 1.3.0 only stops cleanly on SIGINT."""
        self.rulebook = rulebook
        self.command = [str(bin_dir / "ansible-rulebook"), "-r", rulebook, "--vars", str(vars_file),
                        *(("-i", str(inventory)) if inventory is not None else ()), *extra_args]
        self._cwd = cwd
        path = {} if bin_dir == BIN else {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        self._env = tool_env({**path, **env})
        self._stop_signal = stop_signal
        self._lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self.proc: subprocess.Popen[str] | None = None
        self.leftovers = False  # set by stop() if processes of its group outlived it (they are then killed)

    def start(self) -> RulebookProcess:
        self.proc = subprocess.Popen(
            self.command, cwd=self._cwd, env=self._env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"read {self.rulebook}", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            now = time.monotonic()
            with self._lock:
                self._lines.append((now, line))

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(line for _, line in self._lines)

    def runs(self, play: str | None = None) -> list[PlaybookRun]:
        """The playbook runs printed so far (only those of ``play`` when given)."""
        with self._lock:
            runs = playbook_runs(list(self._lines))
        return [run for run in runs if play is None or run.play == play]

    def check_alive(self) -> None:
        """Fail with the output if ansible-rulebook ended on its own."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.rulebook}: ansible-rulebook ended with exit code {self.proc.returncode}:\n"
                               f"{self.output[-4000:]}")

    def wait_for_run(self, play: str, number: int, timeout: float = 60.0) -> PlaybookRun:
        """Wait until the ``number``-th run (1-based) of ``play`` has finished; return it."""
        def finished() -> PlaybookRun | None:
            runs = self.runs(play)
            return runs[number - 1] if len(runs) >= number and runs[number - 1].finished else None
        return self.wait_for(finished, f"run {number} of {play!r}", timeout)  # type: ignore[return-value]

    def wait_for_output(self, text: str, timeout: float = 60.0) -> float:
        """Wait until ansible-rulebook has printed a line holding ``text`` (a debug message, a printed event);
        returns the time.monotonic() at which that line was read (the benchmark times a run by it)."""
        return self.wait_for(lambda: self._read_at(text), f"{text!r} in the output", timeout)  # type: ignore[return-value]

    def _read_at(self, text: str) -> float | None:
        """When the first line holding ``text`` was read, or None."""
        with self._lock:
            return next((when for when, line in self._lines if text in line), None)

    def wait_for(self, condition: Callable[[], object], what: str, timeout: float) -> object:
        """wait_until while ansible-rulebook runs; a timeout shows what it printed so far."""
        try:
            return wait_until(condition, what, timeout, self.check_alive)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; output so far:\n{self.output[-4000:]}") from None

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (or the stop signal), then wait; returns the exit code. Kills its process group only if it
        does not end."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(self._stop_signal)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.proc.wait(10)
        if self._group_alive():  # a playbook run it left behind
            self.leftovers = True
            self._kill_group()
        if self._reader is not None:
            self._reader.join(10)
        return self.proc.returncode

    def _group_alive(self) -> bool:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _kill_group(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def __enter__(self) -> RulebookProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@dataclass(frozen=True)
class RunFiles:
    """What a local ansible-rulebook run needs to reach an APIC, written the credential contract's way."""

    vars_file: Path
    inventory: Path
    env: dict[str, str]


def contract_files(workdir: Path, apic: object, reports_dir: Path, **rulebook_vars: object) -> RunFiles:
    """Vars file, inventory and environment for the shipped rulebooks against ``apic`` (a simulator).

    As docs/controller.md lays it out for a laptop: where to connect and the login go in the ACI_*
    environment (the event source and the playbooks both read it), the CA file goes in the vars file (for
    the event source) and in the inventory's host variables (for the playbooks); nothing secret is written
    to a file. ``rulebook_vars`` are added to the vars file (thresholds and the like).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    ca_path = str(apic.ca_file)  # type: ignore[attr-defined]
    vars_file = workdir / "vars.yml"
    vars_file.write_text(yaml.safe_dump({"aci_ca_path": ca_path, **rulebook_vars}, sort_keys=False))
    inventory = workdir / "inventory.yml"
    host_vars = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                 "aci_ca_path": ca_path}
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": host_vars}}}, sort_keys=False))
    env = {
        "ACI_HOST": str(apic.host),  # type: ignore[attr-defined]
        "ACI_PORT": str(apic.port),  # type: ignore[attr-defined]
        "ACI_USERNAME": str(apic.username),  # type: ignore[attr-defined]
        "ACI_PASSWORD": str(apic.password),  # type: ignore[attr-defined]
        "FABRICOPS_REPORTS_DIR": str(reports_dir),
        # The event source's checkpoint: with the run's other files, so a run started again resumes from it.
        "XDG_STATE_HOME": str(workdir / "state"),
    }
    return RunFiles(vars_file, inventory, env)
