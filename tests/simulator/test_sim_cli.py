"""The `apicsim` command: serve prints what a newcomer needs, ctl drives it, Ctrl-C/SIGTERM exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

APICSIM = [sys.executable, "-m", "apicsim"]


def start(state_dir: Path, *args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start `apicsim serve` and read its banner up to the 'Stop with Ctrl-C.' line."""
    proc = subprocess.Popen(
        [*APICSIM, "--port", "0", "--state-dir", str(state_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    banner: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Stop with Ctrl-C"):
            break
        key, _, value = line.strip().partition("  ")
        banner[key.strip()] = value.strip()
    else:
        proc.wait(10)
        raise AssertionError(f"apicsim exited early with {proc.returncode}: {banner}")
    return proc, banner


def ctl(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*APICSIM, "ctl", "--state-dir", str(state_dir), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_everything_and_stops_cleanly(tmp_path, sig):
    proc, banner = start(tmp_path)
    try:
        assert banner["URL"].startswith("https://127.0.0.1:")
        assert banner["port"] == banner["URL"].rsplit(":", 1)[1]
        assert banner["user"] == "admin" and banner["password"].startswith("apicsim-demo")
        assert Path(banner["CA file"].split()[0]).is_file()
        assert Path(banner["cert key"]).is_file() and Path(banner["cert file"]).is_file()
        assert banner["control URL"].split()[0] == banner["URL"] + "/_sim"
        facts = json.loads((tmp_path / "apicsim.json").read_text())
        assert facts["url"] == banner["URL"] and oct((tmp_path / "apicsim.json").stat().st_mode & 0o777) == "0o600"

        created = ctl(tmp_path, "create-tenant", "cli-demo")
        assert created.returncode == 0, created.stderr
        tenant = {"status": "created", "cls": "fvTenant", "dn": "uni/tn-cli-demo"}
        assert tenant in json.loads(created.stdout)["changes"]
        health = ctl(tmp_path, "set-health", "uni/tn-cli-demo", "40")
        assert health.returncode == 0 and json.loads(health.stdout)["changes"][0]["dn"] == "uni/tn-cli-demo/health"
        fault = ctl(tmp_path, "raise-fault", "uni/tn-cli-demo", "F0467", "--severity", "minor")
        assert json.loads(fault.stdout) == {"dn": "uni/tn-cli-demo/fault-F0467"}
        burst = ctl(tmp_path, "burst", "50")
        assert json.loads(burst.stdout)["count"] == 50
        held = ctl(tmp_path, "disturb-refreshes", "--count", "1", "--delay", "0.5", "--no-fail", "--before-auth")
        assert json.loads(held.stdout)["refresh_before_auth"] is True, held.stderr
        stats = json.loads(ctl(tmp_path, "stats").stdout)
        assert stats["members"][0]["up"] is True and stats["objects"] > 100
        failed = ctl(tmp_path, "set-health", "uni/tn-absent", "40")
        assert failed.returncode == 1 and "uni/tn-absent" in failed.stderr
    finally:
        proc.send_signal(sig)
        rest = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, rest
    assert "stopping" in rest and "Traceback" not in rest
    assert not (tmp_path / "apicsim.json").exists()


def test_ctl_without_a_server_says_how_to_start_one(tmp_path):
    result = ctl(tmp_path, "stats")
    assert result.returncode == 2 and "start one with `apicsim`" in result.stderr


def test_bad_options_are_one_clear_line(tmp_path):
    result = subprocess.run([*APICSIM, "--port", "0", "--state-dir", str(tmp_path), "--refresh-timeout", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "apicsim: refresh_timeout must be > 0 seconds, not 0.0"


def test_port_in_use_is_reported(tmp_path):
    proc, banner = start(tmp_path / "a")
    try:
        port = banner["port"]
        result = subprocess.run([*APICSIM, "--port", port, "--state-dir", str(tmp_path / "b")],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and f"port {port}" in result.stderr and "--port" in result.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


def test_http_and_environment_state_dir(tmp_path):
    env = {**os.environ, "APICSIM_STATE_DIR": str(tmp_path)}
    proc = subprocess.Popen([*APICSIM, "--port", "0", "--http"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        assert lines[1].split()[1].startswith("http://127.0.0.1:")
        result = subprocess.run([*APICSIM, "ctl", "create-tenant", "via-env"], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0, result.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_a_large_fabric_and_a_churn_from_the_command_line(tmp_path):
    proc, _ = start(tmp_path, "--large-fabric", "leaves=2,ports=4,tenants=1,epgs=2,endpoints=40")
    try:
        again = ctl(tmp_path, "large-fabric", "leaves=1", "endpoints=1")
        assert again.returncode == 1 and "seed it once" in again.stderr
        churn = ctl(tmp_path, "churn", "0.4", "--rate", "50", "--seed", "4", "--mix", "link_flap=1", "config=1")
        assert churn.returncode == 0, churn.stderr
        assert json.loads(churn.stdout)["running"] is True
        stopped = json.loads(ctl(tmp_path, "churn-stop").stdout)
        assert stopped["running"] is False and stopped["seed"] == 4
        stats = json.loads(ctl(tmp_path, "stats").stdout)
        assert stats["churn"]["counts"]["endpoint_move"] == 0 and stats["objects"] > 150
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
