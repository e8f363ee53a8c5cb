"""`ansible-test sanity` on the collection as installed from its tarball, with no ignore file.

The installed tree (build/collections, what `make collection` installs from dist/) is copied outside
the git work tree first: inside it, ansible-test lists files with git, and build/ is ignored, so it
would find nothing to test. scripts/seed-ansible-test-cache replaces the get-pip download ansible-test
would otherwise attempt (see CONTRIBUTING.md). Skipped sanity tests, because their tools cannot exist
here and the collection has no file they would check: pslint (PowerShell) and shellcheck (shell scripts).
"""

from __future__ import annotations

import shutil
import sys

import pytest
from disttools import REPO, run, tool
from rulebook_process import INSTALLED
from rulebook_runs import require_installed_collection

SKIPPED = ("pslint", "shellcheck")

pytestmark = pytest.mark.slow


def test_sanity_passes_with_no_ignore_file(tmp_path):
    require_installed_collection()
    assert not (INSTALLED / "tests" / "sanity").exists(), "the tarball must not carry sanity ignore files"
    collection = tmp_path / "ansible_collections" / "fabricops" / "aci"
    shutil.copytree(INSTALLED, collection)
    run([sys.executable, str(REPO / "scripts" / "seed-ansible-test-cache")], timeout=300, PIP_NO_INDEX="false")
    command = [tool("ansible-test"), "sanity", "--venv", "--python", "3.11", "--color", "no"]
    for name in SKIPPED:
        command += ["--skip-test", name]
    output = run(command, cwd=collection, timeout=900, PIP_NO_INDEX="false")
    assert "Running sanity test \"validate-modules\"" in output
    assert "Running sanity test \"pylint\"" in output
    assert "Running sanity test \"import\"" in output
