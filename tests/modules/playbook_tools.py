"""Running the real ansible-playbook against a simulator from the collection installed from its tarball."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rulebook_process import BIN, tool_env


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
    # The project's tool environment (installed collection, no ACI_* of the caller's shell), kept out of ~.
    full_env = tool_env({
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": str(bin_dir / "python") if bin_dir else sys.executable,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        **env,
    })
    target = ["-i", str(inventory)] if inventory is not None else ["-i", "localhost,", "-c", "local"]
    proc = subprocess.run(
        [str((bin_dir or BIN) / "ansible-playbook"), "-vvv", *target, str(playbook),
         "-e", f"@{vars_file}"],
        env=full_env, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp_path,
    )
    return proc.returncode, proc.stdout + proc.stderr
