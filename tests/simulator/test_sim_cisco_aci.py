"""Clients written by others work unchanged: real ansible-playbook running cisco.aci against the simulator.

cisco.aci comes from the pinned ansible wheel (`make thirdparty`); TLS is verified with the simulator's CA
through SSL_CERT_FILE, which ansible's URL helpers honour when `validate_certs` is true.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
THIRDPARTY = REPO / "build" / "thirdparty"
PLAYBOOK = Path(__file__).parent / "files" / "cisco_aci_against_apicsim.yml"


def run_playbook(extra: dict[str, object], tmp_path: Path, ca_file: Path | None) -> subprocess.CompletedProcess[str]:
    if not (THIRDPARTY / "ansible_collections" / "cisco" / "aci" / "MANIFEST.json").exists():
        pytest.fail("cisco.aci is missing: run `make thirdparty` (make test does it for you)")
    env = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join([str(THIRDPARTY), os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")]),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
    }
    if ca_file is not None:
        env["SSL_CERT_FILE"] = str(ca_file)
    else:
        env.pop("SSL_CERT_FILE", None)
    playbook = str(Path(sys.executable).parent / "ansible-playbook")
    return subprocess.run(
        [playbook, "-i", "localhost,", str(PLAYBOOK), "-e", json.dumps(extra)],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )


@pytest.mark.playbook
def test_cisco_aci_modules_work_against_the_simulator(apic_thread, tmp_path):
    extra = {
        "apic_port": apic_thread.port,
        "apic_password": apic_thread.password,
        "cert_user": apic_thread.cert_user.user,
        "cert_key": str(apic_thread.cert_user.key),
    }
    result = run_playbook(extra, tmp_path, apic_thread.ca_file)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    # the playbook really went through the simulator: its object tree saw the tenants come and go
    stats = apic_thread.call(apic_thread.control.stats)
    assert stats["sessions"] >= 1
    assert apic_thread.call(apic_thread.mit.get, "uni/tn-ansible-made") is None


@pytest.mark.playbook
def test_cisco_aci_refuses_the_simulator_without_its_ca(apic_thread, tmp_path):
    """The other side of verified TLS: without the CA, validate_certs makes cisco.aci fail to connect."""
    extra = {"apic_port": apic_thread.port, "apic_password": apic_thread.password,
             "cert_user": "x", "cert_key": "x"}
    result = run_playbook(extra, tmp_path, None)
    assert result.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in result.stdout
