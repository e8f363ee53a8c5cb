"""The README and the guides in the tarball send a Galaxy user only to what the tarball holds.

Every relative link of README.md and docs/*.md, as shipped, must resolve inside the tarball (anchors to a
heading of the same page); every repository path they name must be in the tarball, unless the paragraph
is about a clone of the source repository, where it must be in the repository instead; `make` appears only
there, with a real target. Install commands and URLs are left alone (see readme_paths.py for the rules).
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from disttools import REPO
from readme_paths import GENERATED, Tree, problems

PAGES = re.compile(r"^(README\.md|docs/[^/]+\.md)$")


@pytest.fixture(scope="module")
def repository() -> Tree:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return Tree(frozenset(listed.split()))


@pytest.fixture(scope="module")
def top_level(repository: Tree) -> set[str]:
    return {name.split("/", 1)[0] for name in repository.files} | set(GENERATED)


@pytest.fixture(scope="module")
def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (REPO / "Makefile").read_text(), re.MULTILINE))


@pytest.fixture(scope="module")
def shipped(fresh_tarball: Path) -> tuple[Tree, dict[str, str]]:
    with tarfile.open(fresh_tarball) as tar:
        files = frozenset(member.name for member in tar.getmembers() if member.isfile())
        pages = {name: tar.extractfile(name).read().decode() for name in files if PAGES.match(name)}
    return Tree(files), pages


def test_every_path_the_shipped_pages_name_is_there(shipped, repository, top_level, make_targets):
    tarball, pages = shipped
    assert "README.md" in pages and "docs/controller.md" in pages, sorted(pages)
    found = []
    for name, text in sorted(pages.items()):
        found += problems(name, text, tarball, repository, top_level, make_targets)
    assert not found, "\n".join(found)


def test_the_readme_links_its_sections_and_the_project_files(shipped):
    _, pages = shipped
    readme = pages["README.md"]
    for heading in ("Installation", "Requirements", "Support", "Contributing", "Release notes", "License"):
        assert re.search(rf"^## {heading}$", readme, re.MULTILINE), f"README: no {heading} section"
    for target in ("CONTRIBUTING.md", "CODE_OF_CONDUCT.md", "CHANGELOG.md", "LICENSE"):
        assert f"]({target})" in readme, f"README does not link {target}"
    assert "ansible-galaxy collection install fabricops.aci" in readme


def test_the_checker_catches_what_a_galaxy_user_could_not_follow(shipped, repository, top_level, make_targets):
    tarball, _ = shipped
    page = "\n".join([
        "# Title",
        "",
        "Run `make demo`, then look in `build/collections` and [the notes](DEVELOPERS.md).",
        "",
        "```sh",
        ".venv/bin/apicsim ctl drop",
        "ansible-galaxy collection install dist/fabricops-aci-0.1.0.tar.gz",
        "```",
        "",
        "See [below](#nowhere) and [the guide](docs/controller.md#1-build), `rulebooks/controller/`.",
        "",
        "In a clone: `make nosuchtarget`, `environments/decision/execution-environment.yml`, `bench/nothing.py`.",
    ])
    found = "\n".join(problems("README.md", page, tarball, repository, top_level, make_targets))
    expected = [
        "README.md:3: `make demo` for a reader without a clone",
        "README.md:3: build/collections is not in the tarball",
        "README.md:3: links to DEVELOPERS.md, which the tarball does not contain",
        "README.md:5: .venv/bin/apicsim is not in the tarball",
        "README.md:10: link to a missing heading #nowhere",
        "README.md:12: `make nosuchtarget` is not a target of the Makefile",
        "README.md:12: bench/nothing.py is not in the repository",
    ]
    for line in expected:
        assert line in found, f"missed: {line}\n{found}"
    assert "dist/fabricops" not in found, "an install command was checked"
    assert "controller.md" not in found and "rulebooks/controller" not in found
    assert "environments/decision" not in found, "a path of a clone was checked against the tarball"
