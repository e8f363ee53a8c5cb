"""Running the real ansible-playbook against a simulator from the collection installed from its tarball.

Shared by the module tests (tests/modules) and the version matrix (tests/packaging), which runs the same
plays with the ansible-playbook of other virtualenvs (``bin_dir``) and their installed collections.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from loopback import closed_port
from rulebook_process import BIN, REPO, tool_env

MODULE_CASES = REPO / "tests" / "modules" / "playbooks" / "modules.yml"
# ansible.netcommon (the httpapi connection) and ansible.utils, from the pinned ansible wheel (`make thirdparty`).
THIRDPARTY = REPO / "build" / "thirdparty"
NETCOMMON = THIRDPARTY / "ansible_collections" / "ansible" / "netcommon"
SECRET_PROBE = "Wrong-Pa55-probe"


def unrelated_ca(path: Path) -> Path:
    """A self-signed CA that did not sign the simulator's certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "unrelated CA")])
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - keep the 3.8 spelling used in plugins
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(7).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def run_playbook(playbook: Path, extra_vars: dict, env: dict, tmp_path: Path, timeout: float = 300,
                 inventory: Path | None = None, bin_dir: Path | None = None) -> tuple:
    """Run ansible-playbook; returns (exit code, combined output).

    Without ``inventory`` the play runs on localhost over the local connection (the modules talk to the APIC
    themselves); an inventory can name other hosts and connections (the persistent httpapi session).
    ``bin_dir`` runs the ansible-playbook (and module Python) of another virtualenv than the project's.
    """
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(extra_vars))
    # A persistent connection's socket path must fit a Unix socket address (108 bytes), which a test's
    # temporary directory under a parallel run's worker directory does not: a short directory of its own.
    sockets = tempfile.mkdtemp(prefix="apc-")
    # The project's tool environment (installed collection, no ACI_* of the caller's shell), kept out of ~.
    full_env = tool_env({
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": str(bin_dir / "python") if bin_dir else sys.executable,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": sockets,
        **env,
    })
    target = ["-i", str(inventory)] if inventory is not None else ["-i", "localhost,", "-c", "local"]
    try:
        proc = subprocess.run(
            [str((bin_dir or BIN) / "ansible-playbook"), "-vvv", *target, str(playbook),
             "-e", f"@{vars_file}"],
            env=full_env, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp_path,
        )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return proc.returncode, proc.stdout + proc.stderr


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


def run_module_cases(apic_thread, tmp_path: Path, user: str, password: str, env: dict | None = None,
                     bin_dir: Path | None = None) -> tuple:
    """The modules' integration playbook (tests/modules/playbooks/modules.yml) against ``apic_thread``,
    the fabric prepared first; returns (exit code, output). ``user`` must exist on the simulator."""
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
    aci = {"ACI_HOST": "127.0.0.1", "ACI_PORT": str(sim.port), "ACI_USERNAME": user, "ACI_PASSWORD": password}
    return run_playbook(MODULE_CASES, extra_vars, {**aci, **(env or {})}, tmp_path, bin_dir=bin_dir)


def apic_tasks_play(tasks: int) -> list:
    """A play of ``tasks`` APIC tasks: create a tenant, then change and read it with every module, delete it."""
    dn = "uni/tn-reuse"
    cycle = [
        {"name": "mo changes the description", "fabricops.aci.mo": {
            "dn": dn, "class_name": "fvTenant", "attributes": {"descr": "step {{ step }}"}}},
        {"name": "query_info reads the tenant", "fabricops.aci.query_info": {"dn": dn}},
        {"name": "health_info reads its score", "fabricops.aci.health_info": {"dn": dn}},
        {"name": "fault_info reads its faults", "fabricops.aci.fault_info": {"dn": dn}},
        {"name": "tenant keeps its baseline", "fabricops.aci.tenant": {"name": "reuse", "baseline": {"vrf": "main"}}},
    ]
    body = []
    for step in range(tasks - 2):
        task = dict(cycle[step % len(cycle)])
        task["vars"] = {"step": step}
        task["name"] = f"{task['name']} ({step + 2} of {tasks})"
        body.append(task)
    return [{
        "name": f"{tasks} APIC tasks",
        "hosts": "all",
        "gather_facts": False,
        "module_defaults": {"group/fabricops.aci.all": {"ca_path": "{{ ca_file }}"}},
        "tasks": [
            {"name": f"tenant is created (1 of {tasks})", "fabricops.aci.tenant": {"name": "reuse"}},
            *body,
            {"name": f"tenant is deleted ({tasks} of {tasks})",
             "fabricops.aci.tenant": {"name": "reuse", "state": "absent"}},
        ],
    }]


def httpapi_inventory(path: Path, sim) -> Path:
    """One APIC host reached through the persistent connection; the login comes from ACI_* (not the file)."""
    host = {
        "ansible_connection": "ansible.netcommon.httpapi",
        "ansible_network_os": "fabricops.aci.aci",
        "ansible_host": "127.0.0.1",
        "ansible_httpapi_port": sim.port,
        "ansible_httpapi_use_ssl": True,
        "ansible_httpapi_ca_path": str(sim.ca_file),
    }
    path.write_text(yaml.safe_dump({"all": {"hosts": {"apic": host}}}))
    return path
