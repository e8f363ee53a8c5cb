"""One APIC session per play under the httpapi connection, one per task without it: counted on the simulator.

The same 20-task play (every module, a tenant created, changed, read and deleted) runs twice through the real
ansible-playbook: on localhost over the local connection, where each module logs in and out itself, and on
a host using ``ansible.netcommon.httpapi`` with ``ansible_network_os: fabricops.aci.aci``, where the
connection process logs in once and logs out when the play ends. The simulator's access log counts the
aaaLogin requests of each run; the session token may be printed nowhere and written to no file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playbook_tools import NETCOMMON, THIRDPARTY, apic_tasks_play, httpapi_inventory, run_playbook
from rulebook_process import COLLECTIONS
from sim_requests import LOGIN, recording_requests
from sim_tokens import record_issued_tokens

USER, PASSWORD = "reuser", "Re-S3cret-!q7"
TASKS = 20

pytestmark = [pytest.mark.playbook, pytest.mark.slow]


def logins_for_play(apic_thread, playbook: Path, workdir: Path, inventory: Path | None = None) -> tuple[int, str]:
    """Run the play; return the aaaLogin requests the simulator answered during it, and the output."""
    workdir.mkdir()
    sim = apic_thread.sim
    env = {
        "ACI_HOST": "127.0.0.1", "ACI_PORT": str(sim.port), "ACI_USERNAME": USER, "ACI_PASSWORD": PASSWORD,
        "ANSIBLE_COLLECTIONS_PATH": f"{COLLECTIONS}:{THIRDPARTY}",
        "ANSIBLE_PIPELINING": "1",  # fewer files per task; the login counts do not depend on it
    }
    with recording_requests() as requests:
        code, output = run_playbook(playbook, {"ca_file": str(sim.ca_file)}, env, workdir, inventory=inventory)
    assert code == 0, output[-6000:]
    assert f"ok={TASKS}" in output and "failed=0" in output, output[-3000:]
    return requests.count(LOGIN), output


def files_holding(root: Path, secrets: list[str]) -> list[str]:
    """Files under ``root`` whose bytes contain any of ``secrets``."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(secret.encode() in data for secret in secrets):
                hits.append(str(path))
    return hits


@pytest.mark.apicsim(users={USER: PASSWORD})
def test_a_play_reuses_one_session_through_the_httpapi_connection(apic_thread, tmp_path, monkeypatch, capsys):
    if not (NETCOMMON / "MANIFEST.json").exists():
        pytest.fail("ansible.netcommon is missing from build/thirdparty: run `make thirdparty` (make test does)")
    issued = record_issued_tokens(monkeypatch)
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(apic_tasks_play(TASKS), sort_keys=False))

    direct, _ = logins_for_play(apic_thread, playbook, tmp_path / "direct")
    direct_tokens = len(issued)
    persistent, output = logins_for_play(apic_thread, playbook, tmp_path / "persistent",
                                         httpapi_inventory(tmp_path / "inventory.yml", apic_thread.sim))
    with capsys.disabled():
        print(f"\naaaLogin per {TASKS}-task play: {direct} over the local connection, "
              f"{persistent} over ansible.netcommon.httpapi")

    assert direct == TASKS, "without the connection every task opens its own session"
    assert persistent == 1, f"the httpapi connection must log in once per play, not {persistent} times"
    assert apic_thread.call(apic_thread.sim.control.stats)["sessions"] == 0, "the play's session was not logged out"
    assert apic_thread.call(apic_thread.sim.control.get, "uni/tn-reuse") == {}

    play_tokens = issued[direct_tokens:]
    assert len(play_tokens) == 1
    assert PASSWORD not in output and play_tokens[0] not in output
    assert files_holding(tmp_path, [PASSWORD, *play_tokens]) == [], "a secret was written to a file"


EXPIRY_PLAY = """
- name: A session that times out in the middle of a play
  hosts: all
  gather_facts: false
  module_defaults:
    group/fabricops.aci.all: {ca_path: "{{ ca_file }}"}
  tasks:
    - name: Read the tenants with the play's session
      fabricops.aci.query_info: {class_name: fvTenant}
    - name: The APIC drops every session
      ansible.builtin.uri:
        url: "https://127.0.0.1:{{ sim_port }}/_sim/expire-sessions"
        method: POST
        ca_path: "{{ ca_file }}"
      delegate_to: localhost
      vars: {ansible_connection: local}
    - name: Create a tenant, which needs a new login
      fabricops.aci.tenant: {name: after-expiry}
    - name: Delete it with the new session
      fabricops.aci.tenant: {name: after-expiry, state: absent}
"""


@pytest.mark.apicsim(users={USER: PASSWORD})
def test_the_connection_logs_in_again_when_the_token_times_out_and_says_why_a_login_fails(apic_thread, tmp_path):
    sim = apic_thread.sim
    playbook = tmp_path / "expiry.yml"
    playbook.write_text(EXPIRY_PLAY)
    inventory = httpapi_inventory(tmp_path / "inventory.yml", sim)
    extra = {"ca_file": str(sim.ca_file), "sim_port": sim.port}
    env = {"ACI_USERNAME": USER, "ACI_PASSWORD": PASSWORD, "ANSIBLE_COLLECTIONS_PATH": f"{COLLECTIONS}:{THIRDPARTY}"}

    (tmp_path / "expiry").mkdir()
    with recording_requests() as requests:
        code, output = run_playbook(playbook, extra, env, tmp_path / "expiry", inventory=inventory)
    assert code == 0, output[-6000:]
    assert requests.count(LOGIN) == 2, "one login for the play and one after the APIC expired the session"
    assert apic_thread.call(sim.control.get, "uni/tn-after-expiry") == {}

    (tmp_path / "refused").mkdir()
    wrong = "Not-The-Pa55word"
    code, output = run_playbook(playbook, extra, {**env, "ACI_PASSWORD": wrong}, tmp_path / "refused",
                                inventory=inventory)
    assert code != 0
    assert '"error_class": "AuthenticationError"' in output and '"status": 401' in output, output[-3000:]
    assert wrong not in output and PASSWORD not in output
