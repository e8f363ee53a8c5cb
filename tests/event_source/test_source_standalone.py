"""``python websocket.py`` outside ansible-rulebook: prints events as JSON lines, stops cleanly on SIGTERM."""

import json
import signal
import subprocess
import sys

from rulebook_process import live_subscriptions, tool_env, wait_until
from source_harness import PLUGIN


def test_standalone_runner_prints_events_and_stops_on_sigterm(apic_thread, tmp_path):
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ca_path": str(apic_thread.ca_file), "subscriptions": ["fvTenant"]}))
    env = tool_env({"ACI_HOST": f"127.0.0.1:{apic_thread.port}", "ACI_USERNAME": apic_thread.username,
                    "ACI_PASSWORD": apic_thread.password, "ACI_LOG_LEVEL": "DEBUG"})
    proc = subprocess.Popen([sys.executable, str(PLUGIN), str(args_file)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

    def running() -> None:
        assert proc.poll() is None, proc.communicate()[1]

    try:
        wait_until(lambda: live_subscriptions(apic_thread), "the standalone source to subscribe", 30, running)
        apic_thread.call(apic_thread.control.create_tenant, "standalone")
        line = proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    event = json.loads(line)
    assert (event["aci"]["dn"], event["aci"]["status"]) == ("uni/tn-standalone", "created")
    assert proc.returncode == 0, stderr
    assert "fabricops.aci.websocket stopped" in stderr
    assert apic_thread.password not in stderr


def test_standalone_runner_reports_bad_arguments_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(PLUGIN), "fvTenant"], env=tool_env(), capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: fabricops.aci.websocket: host: required; give the APIC address, a list of cluster members, "
        "or export ACI_HOST")
