"""The collection tarball holds what users need and nothing else.

"What users need" is listed here on purpose, file by file where it matters, so a plugin that silently
falls out of the build (a build_ignore pattern too wide, a file in the wrong folder) fails the suite, and
so does anything that should never reach Galaxy: the simulator, tests, caches, build junk, key material.
"""

from __future__ import annotations

import fnmatch
import json
import re
import tarfile
from pathlib import Path

import pytest
from disttools import MODULES

TOP_LEVEL = ("MANIFEST.json", "FILES.json", "README.md", "LICENSE", "CHANGELOG.rst", "CHANGELOG.md", "requirements.txt",
             "CONTRIBUTING.md", "CODE_OF_CONDUCT.md")
REQUIRED = {
    *TOP_LEVEL,
    "changelogs/changelog.yaml",
    "meta/runtime.yml",
    "meta/extensions.yml",
    "meta/execution-environment.yml",
    "extensions/eda/plugins/event_source/websocket.py",
    "plugins/doc_fragments/connection.py",
    "plugins/httpapi/aci.py",
    "controller/credential_types/eda_apic.yml",
    "controller/credential_types/awx_apic.yml",
    "docs/controller.md",
    "docs/operations.md",
    "docs/event_reference.md",
    "docs/docsite/links.yml",
    "tests/config.yml",
    *(f"plugins/modules/{name}.py" for name in MODULES),
}
# Every file in the tarball must match one of these; anything else is junk for a user.
ALLOWED = (
    *TOP_LEVEL,
    "meta/*.yml",
    "plugins/modules/*.py",
    "plugins/doc_fragments/*.py",
    "plugins/httpapi/*.py",
    "plugins/module_utils/*.py",
    "plugins/module_utils/*/*.py",
    "extensions/eda/plugins/event_source/*.py",
    "extensions/eda/plugins/event_source/*.json",
    "rulebooks/*.yml",
    "rulebooks/*/*.yml",
    "playbooks/*.yml",
    "playbooks/*/*.yml",
    "playbooks/templates/*.j2",
    "docs/*.md",
    "docs/images/*.svg",
    "docs/docsite/links.yml",
    "changelogs/changelog.yaml",
    "changelogs/config.yaml",
    "controller/credential_types/*.yml",
    "tests/config.yml",
)
PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")
MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def members(fresh_tarball: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fresh_tarball) as tar:
        return {member.name: member for member in tar.getmembers()}


def files_of(members: dict[str, tarfile.TarInfo]) -> set[str]:
    return {name for name, member in members.items() if not member.isdir()}


def test_everything_users_need_is_there(members: dict[str, tarfile.TarInfo]):
    missing = sorted(REQUIRED - files_of(members))
    assert not missing, f"missing from the tarball: {missing}"
    names = files_of(members)
    assert any(fnmatch.fnmatch(name, "rulebooks/*.yml") for name in names), "no rulebook in the tarball"
    assert any(fnmatch.fnmatch(name, "playbooks/*.yml") for name in names), "no playbook in the tarball"


def test_nothing_else_is_there(members: dict[str, tarfile.TarInfo]):
    unexpected = sorted(
        name for name in files_of(members) if not any(fnmatch.fnmatch(name, pattern) for pattern in ALLOWED)
    )
    assert not unexpected, f"files users do not need in the tarball: {unexpected}"
    for name, member in members.items():
        assert member.isfile() or member.isdir(), f"{name}: links and special files do not belong in a tarball"
        assert not name.startswith("/") and ".." not in name.split("/")
        assert not member.mode & 0o002, f"{name} is world-writable"


def test_no_key_material_and_a_sane_size(fresh_tarball: Path, members: dict[str, tarfile.TarInfo]):
    assert fresh_tarball.stat().st_size < MAX_BYTES, "the tarball grew past 2 MB: build junk?"
    with tarfile.open(fresh_tarball) as tar:
        for name in sorted(files_of(members)):
            data = tar.extractfile(name).read()
            assert not PRIVATE_KEY.search(data), f"{name} holds a private key"


def test_manifest_describes_the_collection(fresh_tarball: Path, members: dict[str, tarfile.TarInfo], galaxy_meta):
    with tarfile.open(fresh_tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        listed = json.load(tar.extractfile("FILES.json"))
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (
        galaxy_meta["namespace"],
        galaxy_meta["name"],
        galaxy_meta["version"],
    )
    assert info["license"] == ["GPL-3.0-or-later"]
    assert {"eda", "networking", "cisco", "aci"} <= set(info["tags"])
    listed_files = {entry["name"] for entry in listed["files"] if entry["ftype"] == "file"}
    assert listed_files == files_of(members) - {"MANIFEST.json", "FILES.json"}
