"""Every module through the real ansible-playbook, against the simulator, in one run.

The playbook (playbooks/modules.yml, run by tests/support/playbook_tools.py, which the version matrix shares)
asserts each case itself: create, no-op re-run, check mode, diff, absent, certificate auth, wrong password,
unknown class, unreachable host, a TLS certificate from an untrusted CA with validate_certs on. The fabric
state the info modules read is prepared first; the playbook runs once; this test then checks what only the
outside can see: the simulator's state and that no secret (password, private key, any session token issued
during the run) reached the output at -vvv.
"""

from __future__ import annotations

import pytest
from playbook_tools import SECRET_PROBE, run_module_cases
from sim_tokens import record_issued_tokens

USER, PASSWORD = "pbuser", "Pb-S3cret-!x9"

pytestmark = [pytest.mark.playbook, pytest.mark.slow]


@pytest.mark.apicsim(users={USER: PASSWORD})
def test_all_modules_in_one_playbook(apic_thread, tmp_path, monkeypatch):
    issued = record_issued_tokens(monkeypatch)
    sim = apic_thread.sim
    code, output = run_module_cases(apic_thread, tmp_path, USER, PASSWORD)
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
    key_lines = [line for line in sim.cert_user.key.read_text().splitlines() if line and not line.startswith("-----")]
    for secret in [PASSWORD, SECRET_PROBE, *issued, *key_lines]:
        assert secret not in output
