"""The molecule scenario of the reaction playbooks (extensions/molecule/default) against a real simulator.

The simulator runs as the `apicsim serve` command (its fault timers 100 times faster), which writes the
apicsim.json the scenario's inventory reads. molecule runs with its own HOME and ANSIBLE_HOME, so it leaves
nothing in the user's home, and uses the collection installed from the tarball.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
from rulebook_process import BIN, REPO, tool_env, wait_until
from rulebook_runs import assert_no_secret, require_installed_collection

STEPS = ("destroy", "create", "prepare", "converge", "idempotence", "verify")


@pytest.mark.playbook
@pytest.mark.slow
def test_molecule_converges_idempotently_and_verifies(tmp_path: Path):
    require_installed_collection()
    state = tmp_path / "apicsim"
    sim = subprocess.Popen(
        [str(BIN / "apicsim"), "serve", "--port", "0", "--state-dir", str(state), "--fault-time-scale", "0.01"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        facts_file = state / "apicsim.json"
        wait_until(facts_file.exists, "the simulator to start", 60, lambda: _alive(sim))
        password = json.loads(facts_file.read_text())["password"]
        home = tmp_path / "home"  # molecule and ansible-compat create folders under ~ and ~/.ansible
        env = tool_env({"APICSIM_STATE_DIR": str(state), "HOME": str(home), "ANSIBLE_HOME": str(home / ".ansible"),
                        "NO_COLOR": "1", "ANSIBLE_FORCE_COLOR": "0"})
        result = subprocess.run([str(BIN / "molecule"), "test"], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=600, check=False)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim_code = sim.wait(timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    for step in STEPS:
        assert f"[default > {step}] Executed: Successful" in output, f"{step} did not succeed:\n{output[-6000:]}"
    assert "Another version of 'fabricops.aci'" not in output, "molecule used a collection other than the tarball's"
    assert_no_secret(output, password)
    assert sim_code == 0


def _alive(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is not None:
        raise RuntimeError(f"apicsim serve ended with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
