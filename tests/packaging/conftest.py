"""Fixtures for the distribution checks: galaxy.yml, the tarball in dist/, a freshly built tarball.

The fresh tarball is built once per session from the working tree, exactly as `make collection` builds it,
so the content check and galaxy-importer see the same artifact users would get from Galaxy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from disttools import REPO, run, tool


def tarball_name(galaxy_meta: dict) -> str:
    """The file name ansible-galaxy gives the tarball of galaxy.yml's namespace, name and version."""
    return f"{galaxy_meta['namespace']}-{galaxy_meta['name']}-{galaxy_meta['version']}.tar.gz"


@pytest.fixture(scope="session")
def galaxy_meta() -> dict:
    """galaxy.yml as data."""
    return yaml.safe_load((REPO / "galaxy.yml").read_text())


@pytest.fixture(scope="session")
def dist_tarball(galaxy_meta: dict) -> Path:
    """The tarball `make collection` built into dist/ (the environment definitions point at it)."""
    path = REPO / "dist" / tarball_name(galaxy_meta)
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO)} is missing; run `make collection` (make test does)")
    return path


@pytest.fixture(scope="session")
def fresh_tarball(tmp_path_factory: pytest.TempPathFactory, galaxy_meta: dict) -> Path:
    """A tarball built now from the working tree with ansible-galaxy, as users and Galaxy get it."""
    out = tmp_path_factory.mktemp("tarball")
    run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(out), str(REPO)], timeout=120)
    return out / tarball_name(galaxy_meta)
