"""The changelog is kept with antsibull-changelog fragments and the generated files are never hand-edited.

Pending fragments must be valid (lint), changelogs/changelog.yaml must be valid, CHANGELOG.rst and
CHANGELOG.md must be exactly what `antsibull-changelog generate` writes from it, and the version the
tarball ships (galaxy.yml) must be the latest release in it, so Galaxy users read the right notes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from disttools import REPO, run, tool

GENERATED = ("CHANGELOG.rst", "CHANGELOG.md")


def test_fragments_and_changelog_yaml_are_valid():
    run([tool("antsibull-changelog"), "lint"], cwd=REPO)
    run([tool("antsibull-changelog"), "lint-changelog-yaml", "changelogs/changelog.yaml"], cwd=REPO)


def test_generated_files_match_changelog_yaml(tmp_path: Path):
    shutil.copy(REPO / "galaxy.yml", tmp_path)
    shutil.copytree(REPO / "changelogs", tmp_path / "changelogs")
    run([tool("antsibull-changelog"), "generate"], cwd=tmp_path)
    for name in GENERATED:
        assert (REPO / name).read_text() == (tmp_path / name).read_text(), (
            f"{name} differs from what antsibull-changelog generates; never edit it by hand, run `make changelog`"
        )


def test_shipped_version_is_the_latest_release(galaxy_meta: dict):
    releases = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text())["releases"]
    latest = max(releases, key=lambda version: tuple(int(part) for part in version.split(".")[:3]))
    assert latest == galaxy_meta["version"], (
        f"galaxy.yml ships {galaxy_meta['version']} but the changelog's latest release is {latest}; "
        "add a release_summary fragment and run `make changelog`"
    )
    assert releases[latest]["changes"].get("release_summary")
