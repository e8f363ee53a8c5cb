"""The real ansible-rulebook runs fabricops.aci.websocket from the collection installed from its tarball.

A rule fires on a simulated tenant creation and prints the event; SIGTERM then ends ansible-rulebook with
exit code 0 (the JVM leaves the signal to Python because of JAVA_TOOL_OPTIONS=-Xrs). Connection settings
come from the ACI_* environment variables and one value through --env-vars, so both paths a rulebook
uses to reach the source are covered. The process runner is the one `make demo` uses
(scripts/rulebook_process.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rulebook_process import RulebookProcess
from rulebook_runs import listening, login_env

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


def _printed_event(text: str) -> dict:
    """The event print_event showed for uni/tn-e2e (a Python literal on one line)."""
    for line in text.splitlines():
        if "'uni/tn-e2e'" in line and "'aci'" in line:
            return ast.literal_eval(line[line.index("{"):])
    raise AssertionError(f"no printed event for uni/tn-e2e in:\n{text}")


@pytest.mark.rulebook
@pytest.mark.slow
def test_rulebook_fires_on_tenant_creation_and_sigterm_exits_zero(apic_thread, tmp_path: Path):
    (tmp_path / "rulebook.yml").write_text(RULEBOOK)
    (tmp_path / "vars.yml").write_text(f"ca_path: {apic_thread.ca_file}\n")
    (tmp_path / "inventory.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n")
    env = login_env(apic_thread, E2E_REFRESH_TIMEOUT="5")  # text, as --env-vars delivers it: the source coerces it
    rulebook = RulebookProcess("rulebook.yml", cwd=tmp_path, vars_file=tmp_path / "vars.yml",
                               inventory=tmp_path / "inventory.yml", env=env,
                               extra_args=("--env-vars", "E2E_REFRESH_TIMEOUT"))
    # On leaving: SIGTERM must end it with 0, nothing left behind, logged out, no secret printed.
    with listening(rulebook, apic_thread):
        apic_thread.call(apic_thread.control.create_tenant, "e2e")
        rulebook.wait_for_output("'uni/tn-e2e'")
    event = _printed_event(rulebook.output)
    aci = event["aci"]
    assert (aci["class"], aci["status"], aci["subscription"], aci["recovered"]) == (
        "fvTenant", "created", "tenants", False)
    assert aci["apic"] == f"127.0.0.1:{apic_thread.port}"
    assert aci["attributes"]["name"] == "e2e"
    assert len(event["meta"]["uuid"]) == 36
