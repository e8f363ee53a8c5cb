"""Every module through the real ansible-playbook, against the simulator, in one run.

The playbook (playbooks/modules.yml) asserts each case itself: create, no-op re-run, check mode, diff,
absent, certificate auth, wrong password, unknown class, unreachable host, a TLS certificate from an
untrusted CA with validate_certs on. This test prepares the fabric state the info modules read, runs the
playbook once, then checks what only the outside can see: the simulator's state and that no secret
(password, private key, any session token issued during the run) reached the output at -vvv.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import closed_port
from playbook_tools import run_playbook, unrelated_ca
from sim_tokens import record_issued_tokens

PLAYBOOK = Path(__file__).parent / "playbooks" / "modules.yml"
USER, PASSWORD = "pbuser", "Pb-S3cret-!x9"
SECRET_PROBE = "Wrong-Pa55-probe"

pytestmark = [pytest.mark.playbook, pytest.mark.slow]


def prepare_fabric(apic_thread) -> None:
    """A tenant with known health scores, faults, audit records and endpoints for the info modules."""
    control = apic_thread.sim.control
    apic_thread.call(control.post, "uni", {"fvTenant": {"attributes": {"name": "pb-health"}, "children": [
        {"fvBD": {"attributes": {"name": "b"}}},
        {"fvAp": {"attributes": {"name": "a"}, "children": [{"fvAEPg": {"attributes": {"name": "e"}}}]}},
    ]}})
    for dn, score in (("uni/tn-pb-health", 88), ("uni/tn-pb-health/BD-b", 60),
                      ("uni/tn-pb-health/ap-a", 85), ("uni/tn-pb-health/ap-a/epg-e", 40)):
        apic_thread.call(control.set_health, dn, score, "major")
    apic_thread.call(control.raise_fault, "uni/tn-pb-health", "F0999", "critical")
    apic_thread.call(control.raise_fault, "uni/tn-pb-health/BD-b", "F0998", "warning")
    apic_thread.call(control.advance_clock, 300)  # past soaking: both faults are raised
    # For audit_info: a change made by hand by another user. For endpoint_info: an endpoint learned on one
    # leaf port that then moved twice, and one that aged out.
    apic_thread.call(control.modify, "uni/tn-pb-health", {"descr": "changed by hand"}, user="jdoe")
    epg = "uni/tn-pb-health/ap-a/epg-e"
    apic_thread.call(control.endpoint_learn, epg, "00:50:56:BB:00:01", 101, "eth1/1", ip="10.9.9.9")
    apic_thread.call(control.endpoint_move, epg, "00:50:56:BB:00:01", 102, "eth1/4")
    apic_thread.call(control.endpoint_move, epg, "00:50:56:BB:00:01", 102, "eth1/5")
    apic_thread.call(control.endpoint_learn, epg, "00:50:56:BB:00:02", 101, "eth1/2")
    apic_thread.call(control.endpoint_age_out, epg, "00:50:56:BB:00:02")


@pytest.mark.apicsim(users={USER: PASSWORD})
def test_all_modules_in_one_playbook(apic_thread, tmp_path, monkeypatch):
    issued = record_issued_tokens(monkeypatch)
    sim = apic_thread.sim
    prepare_fabric(apic_thread)
    cert = sim.cert_user
    extra_vars = {
        "ca_file": str(sim.ca_file),
        "wrong_ca_file": str(unrelated_ca(tmp_path / "unrelated-ca.pem")),
        "cert_user": cert.user,
        "cert_name": cert.cert_name,
        "cert_key": str(cert.key),
        "closed_port": closed_port(),
        "secret_probe": SECRET_PROBE,
    }
    env = {"ACI_HOST": "127.0.0.1", "ACI_PORT": str(sim.port), "ACI_USERNAME": USER, "ACI_PASSWORD": PASSWORD}
    code, output = run_playbook(PLAYBOOK, extra_vars, env, tmp_path)
    assert code == 0, output[-8000:]
    assert "ALL MODULE CASES PASSED" in output
    assert "failed=0" in output

    # What the playbook left behind on the APIC.
    assert apic_thread.call(sim.control.get, "uni/tn-pb-mo") == {}
    assert apic_thread.call(sim.control.get, "uni/tn-pb-tenant") == {}
    signed = apic_thread.call(sim.control.get, "uni/tn-pb-cert")
    assert signed["fvTenant"]["attributes"]["descr"] == "signed"
    assert apic_thread.call(sim.control.stats)["sessions"] == 0, "every password session was logged out"

    # No secret anywhere in -vvv output.
    assert issued, "password sessions were opened, so tokens were issued"
    key_lines = [line for line in cert.key.read_text().splitlines() if line and not line.startswith("-----")]
    for secret in [PASSWORD, SECRET_PROBE, *issued, *key_lines]:
        assert secret not in output
