"""`make demo` (scripts/demo.py) end to end, so the demo cannot rot: every step printed, exit 0, no secret.

It runs the real ansible-rulebook three times (and restarts one) from the tarball-installed collection, so it
is as slow as the demo itself (about 40 s here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rulebook_process import REPO
from rulebook_runs import assert_no_secret, require_installed_collection

DEMO = REPO / "scripts" / "demo.py"
DEMO_PASSWORD = "apicsim-demo"  # the simulator's fixed demo password


@pytest.mark.rulebook
@pytest.mark.slow
def test_demo_tells_the_whole_story_and_stops_cleanly(tmp_path: Path):
    require_installed_collection()
    env = dict(os.environ, FABRICOPS_REPORTS_DIR=str(tmp_path))  # not the checkout's reports/
    result = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=240, check=False,
                            env=env)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    steps = [int(n) for n in re.findall(r"^(\d+)\. ", out, re.MULTILINE)]
    assert steps == list(range(1, 11)), f"numbered steps 1 to 10 expected, got {steps}:\n{out}"
    assert re.search(r"fabricops\.aci\.tenant_onboard: ok=5 changed=[23] failed=0", out)  # 2: reports/ existed
    assert "fvBD main-bd" in out and "annotation=orchestrator:fabricops-eda" in out
    assert "triage runs so far, by object: uni/tn-demo, uni/tn-prod" in out
    assert "# Triage of uni/tn-demo" in out and "dropped from 100 to 55" in out
    assert "| major | F0467 | raised | uni/tn-demo/BD-main-bd |" in out
    # the loop guard: the hand-made change and the drift guard's restore are audited; the restore starts nothing
    assert "audit record: jdoe modification tnFvCtxName (Old: main, New: elsewhere)" in out
    assert "audit record: admin modification tnFvCtxName (Old: elsewhere, New: main)" in out
    assert "the rule skipped it, as it skipped the onboarding's writes. change_audit ran 2 times" in out
    # attribution: the tenant's event named who created it, from the APIC's audit record
    assert "Who created it: jdoe (transaction " in out
    assert out.count("exit code 0, no process left behind") == 3
    # the restart: the tenant created while tenant_watch was down is onboarded when it starts again
    assert "tenant_watch stopped (exit code 0)" in out and "uni/tn-while-down: baseline applied" in out
    assert_no_secret(out + result.stderr, DEMO_PASSWORD)
    assert (tmp_path / "onboard-demo.json").exists() and (tmp_path / "triage-uni_tn-demo.json").exists()
    assert (tmp_path / "onboard-while-down.json").exists()
