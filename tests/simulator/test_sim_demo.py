"""`make demo` (scripts/demo.py): a tenant created, its push frame shown, no secret printed, exit 0."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"
# Simulator tokens are ~128 base64 characters; nothing that long and token-like may be printed.
TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")


def test_demo_shows_the_created_tenant_frame_and_no_secret():
    result = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    start = out.index("6. Push frame received on the websocket:\n") + len("6. Push frame received on the websocket:\n")
    end = out.index("   -> ")
    frame = json.loads(out[start:end])
    attrs = frame["imdata"][0]["fvTenant"]["attributes"]
    assert (attrs["dn"], attrs["status"]) == ("uni/tn-demo-tenant", "created")
    assert "verified against the simulator's CA" in out and out.rstrip().endswith("in another.")
    assert "apicsim-demo" not in out + result.stderr  # the password
    assert not TOKEN_LIKE.search(out + result.stderr)
