"""The real ansible-rulebook runs fabricops.aci.websocket from the collection installed from its tarball.

A rule fires on a simulated tenant creation and prints the event; SIGTERM then ends ansible-rulebook with
exit code 0 (the JVM leaves the signal to Python because of JAVA_TOOL_OPTIONS=-Xrs). Connection settings
come from the ACI_* environment variables and one value through --env-vars, so both paths a rulebook
uses to reach the source are covered.
"""

from __future__ import annotations

import ast
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "build" / "collections"
INSTALLED_SOURCE = COLLECTIONS / "ansible_collections" / "fabricops" / "aci" / "extensions" / "eda" / "plugins" \
    / "event_source" / "websocket.py"
BIN = Path(sys.executable).parent
DEADLINE = 120.0  # JVM start-up on a loaded 2-core machine is the slow part

RULEBOOK = """
- name: fabricops.aci.websocket end to end
  hosts: all
  sources:
    - fabricops.aci.websocket:
        ca_path: "{{ ca_path }}"
        refresh_timeout: "{{ E2E_REFRESH_TIMEOUT }}"
        subscriptions:
          - name: tenants
            class: fvTenant
  rules:
    - name: a tenant was created
      condition: event.aci.class == "fvTenant" and event.aci.status == "created" and event.aci.dn == "uni/tn-e2e"
      action:
        print_event:
          pretty: false
"""


class Output:
    """ansible-rulebook's combined output, read on a thread so the test never blocks on a pipe."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def text(self) -> str:
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return "".join(self.seen)

    def wait_until(self, condition, what: str, deadline: float) -> None:
        while not condition():
            assert self.proc.poll() is None, f"ansible-rulebook ended before {what}:\n{self.text()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{self.text()}"
            time.sleep(0.1)

    def close(self) -> None:
        self._thread.join(timeout=10)


def _printed_event(text: str) -> dict:
    """The event print_event showed for uni/tn-e2e (a Python literal on one line)."""
    for line in text.splitlines():
        if "'uni/tn-e2e'" in line and "'aci'" in line:
            return ast.literal_eval(line[line.index("{"):])
    raise AssertionError(f"no printed event for uni/tn-e2e in:\n{text}")


@pytest.mark.rulebook
@pytest.mark.slow
def test_rulebook_fires_on_tenant_creation_and_sigterm_exits_zero(apic_thread, tmp_path: Path):
    if not INSTALLED_SOURCE.exists():
        pytest.fail(f"{INSTALLED_SOURCE} is missing; run `make collection` (make test does)")
    (tmp_path / "rulebook.yml").write_text(RULEBOOK)
    (tmp_path / "vars.yml").write_text(f"ca_path: {apic_thread.ca_file}\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACI_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        JAVA_TOOL_OPTIONS="-Xrs",
        ANSIBLE_NOCOLOR="1",
        ACI_HOST="127.0.0.1",
        ACI_PORT=str(apic_thread.port),
        ACI_USERNAME=apic_thread.username,
        ACI_PASSWORD=apic_thread.password,
        E2E_REFRESH_TIMEOUT="5",  # text, as --env-vars delivers it: the source coerces it
    )
    command = [str(BIN / "ansible-rulebook"), "-r", "rulebook.yml", "--vars", "vars.yml",
               "--env-vars", "E2E_REFRESH_TIMEOUT"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    output = Output(proc)
    try:
        deadline = time.monotonic() + DEADLINE

        def subscribed() -> bool:
            return sum(m["subscriptions"] for m in apic_thread.call(apic_thread.control.stats)["members"]) > 0

        output.wait_until(subscribed, "the source to subscribe", deadline)
        apic_thread.call(apic_thread.control.create_tenant, "e2e")
        output.wait_until(lambda: "'uni/tn-e2e'" in output.text(), "the rule to fire", deadline)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        output.close()
    text = output.text()
    assert code == 0, f"SIGTERM must end ansible-rulebook with 0, got {code}:\n{text}"
    event = _printed_event(text)
    aci = event["aci"]
    assert (aci["class"], aci["status"], aci["subscription"], aci["recovered"]) == ("fvTenant", "created", "tenants",
                                                                                    False)
    assert aci["apic"] == f"127.0.0.1:{apic_thread.port}"
    assert aci["attributes"]["name"] == "e2e"
    assert len(event["meta"]["uuid"]) == 36
    assert apic_thread.password not in text
    assert apic_thread.call(lambda: apic_thread.control.stats()["sessions"]) == 0, "the source did not log out"
