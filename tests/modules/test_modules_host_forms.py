"""Every form of host (and ACI_HOST, ACI_PORT) through the real ansible-playbook, against the simulator.

The playbook (playbooks/host_forms.yml) asserts each case: host:port, a bare address with port, a YAML
list and comma-separated text whose first member is a closed port (the module goes on to the next member,
as the event source fails over), ACI_HOST/ACI_PORT alone, and a cluster with no member up. It runs once
over IPv4 and once over IPv6, where the address is bracketed to carry a port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import closed_port
from playbook_tools import run_playbook

PLAYBOOK = Path(__file__).parent / "playbooks" / "host_forms.yml"
USER, PASSWORD = "hostforms", "Hf-S3cret-!x9"

pytestmark = [pytest.mark.playbook, pytest.mark.slow]


def run_host_forms(apic_thread, tmp_path: Path, bare: str) -> None:
    sim = apic_thread.sim
    apic = f"[{bare}]" if ":" in bare else bare
    closed = closed_port()
    other_closed = closed_port()
    while other_closed == closed:
        other_closed = closed_port()
    extra_vars = {"ca_file": str(sim.ca_file), "apic": apic, "bare": bare, "sim_port": sim.port,
                  "closed_port": closed, "other_closed_port": other_closed}
    env = {"ACI_HOST": f"{apic}:{closed},{apic}", "ACI_PORT": str(sim.port), "ACI_USERNAME": USER,
           "ACI_PASSWORD": PASSWORD}
    code, output = run_playbook(PLAYBOOK, extra_vars, env, tmp_path)
    assert code == 0, output[-8000:]
    assert "ALL HOST FORMS PASSED" in output
    assert "failed=0" in output
    assert PASSWORD not in output
    assert apic_thread.call(sim.control.get, "uni/tn-host-forms") == {}
    assert apic_thread.call(sim.control.stats)["sessions"] == 0, "every password session was logged out"


@pytest.mark.apicsim(users={USER: PASSWORD})
def test_host_forms_over_ipv4(apic_thread, tmp_path):
    run_host_forms(apic_thread, tmp_path, "127.0.0.1")


@pytest.mark.apicsim(host="::1", users={USER: PASSWORD})
def test_host_forms_over_ipv6(apic_thread, tmp_path):
    run_host_forms(apic_thread, tmp_path, "::1")
