"""The decision and execution environment definitions give build contexts that hold what the images need.

No container engine runs here, so building the images is documented (docs/controller.md), not run. These
tests run the real `ansible-builder create` once per definition, then replay on this machine the two build
steps that decide what goes into an image, with the scripts and files of the generated context: the galaxy
stage (ansible-galaxy installs the collection from the context's requirements.yml) and the builder stage's
introspection (which Python and system packages the image gets, the collection's own included).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from bindep.depends import Depends
from disttools import REPO, run, tool

ENVIRONMENTS = ("decision", "execution")
RHEL_RUNTIME = ["platform:rpm", "platform:redhat", "default"]


@dataclass
class BuildContext:
    """What `ansible-builder create` produced for one definition, plus the replayed build steps."""

    name: str
    definition: Path
    root: Path
    containerfile: str
    collections: Path
    pip: list[str]
    bindep: str

    def final_stage(self) -> str:
        """The Containerfile instructions of the image that ships (the last stage)."""
        return self.containerfile.split("FROM base AS final", 1)[1]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def context(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, dist_tarball: Path):
    """Create the build context of one environment and replay its galaxy and introspection steps."""
    name = request.param
    definition = REPO / "environments" / name / "execution-environment.yml"
    root = tmp_path_factory.mktemp(f"ee-{name}")
    run(
        [
            tool("ansible-builder"),
            "create",
            "-f",
            str(definition),
            "-c",
            str(root),
            "--output-filename",
            "Containerfile",
        ],
        timeout=120,
    )
    build = root / "_build"
    collections = root / "replay" / "collections"
    # The galaxy stage runs exactly this, from the context's _build folder (WORKDIR /build).
    run(
        [
            tool("ansible-galaxy"),
            "collection",
            "install",
            "-r",
            "requirements.yml",
            "--collections-path",
            str(collections),
        ],
        cwd=build,
        timeout=120,
        ANSIBLE_GALAXY_DISABLE_GPG_VERIFY="1",
        # As in the image: no other collection path, where it would find fabricops.aci already installed.
        ANSIBLE_COLLECTIONS_PATH=str(collections),
    )
    # The builder stage runs the context's introspect.py over what the galaxy stage installed.
    out = root / "replay" / "out"
    args = [
        sys.executable,
        str(build / "scripts" / "introspect.py"),
        "introspect",
        str(collections),
        f"--write-pip={out / 'requirements.txt'}",
        f"--write-bindep={out / 'bindep.txt'}",
    ]
    for option, filename in (("--user-pip", "requirements.txt"), ("--user-bindep", "bindep.txt")):
        if (build / filename).exists():
            args.append(f"{option}={build / filename}")
    run(args)
    pip = (out / "requirements.txt").read_text().splitlines() if (out / "requirements.txt").exists() else []
    bindep = (out / "bindep.txt").read_text() if (out / "bindep.txt").exists() else ""
    return BuildContext(name, definition, root, (root / "Containerfile").read_text(), collections, pip, bindep)


def test_context_carries_the_tested_tarball(context: BuildContext, dist_tarball: Path, galaxy_meta: dict):
    shipped = context.root / "_build" / "collections" / dist_tarball.name
    assert shipped.exists(), (
        f"{context.definition.relative_to(REPO)} must ship {dist_tarball.name} (galaxy.yml version "
        f"{galaxy_meta['version']}); update its additional_build_files and galaxy entries after a version bump"
    )
    digest = hashlib.sha256(shipped.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(dist_tarball.read_bytes()).hexdigest()
    with tarfile.open(shipped) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert manifest["collection_info"]["version"] == galaxy_meta["version"]


def test_base_image_is_a_short_name_a_build_arg_replaces(context: BuildContext):
    """No registry host in the definitions: podman resolves the short name through its short-name aliases,
    and --build-arg EE_BASE_IMAGE=<full name> replaces it for other engines or bases (docs/controller.md)."""
    arg = re.search(r'^ARG EE_BASE_IMAGE="([^"]+)"$', context.containerfile, re.M)
    assert arg, "the base image must stay the EE_BASE_IMAGE build argument"
    image = arg.group(1)
    first = image.split("/", 1)[0]
    assert "/" in image and "." not in first and ":" not in first and first != "localhost", (
        f"{image}: name the base image by its short name, not with a registry host"
    )
    assert re.search(r"^FROM \$EE_BASE_IMAGE AS base$", context.containerfile, re.M)
    assert "EE_BASE_IMAGE" in (REPO / "docs" / "controller.md").read_text(), "the guide must show the override"


def test_galaxy_stage_installs_the_collection(context: BuildContext):
    installed = context.collections / "ansible_collections" / "fabricops" / "aci"
    assert (installed / "MANIFEST.json").exists()
    assert (installed / "meta" / "execution-environment.yml").exists()
    assert (installed / "extensions" / "eda" / "plugins" / "event_source" / "websocket.py").exists()
    assert list((installed / "plugins" / "modules").glob("*.py")), "no modules in the installed collection"
    assert "COPY --from=galaxy /usr/share/ansible /usr/share/ansible" in context.final_stage()


def test_image_gets_the_collection_python_needs(context: BuildContext):
    """meta/execution-environment.yml makes introspection pick up requirements.txt of the collection."""
    wanted = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    wanted = [line for line in wanted if line]
    assert wanted, "requirements.txt lists no runtime packages"
    from_collection = [line.split("#")[0].strip() for line in context.pip if "from collection fabricops.aci" in line]
    assert sorted(from_collection) == sorted(wanted)


def test_image_runs_the_versions_the_suite_tests(context: BuildContext):
    tested = _pins(REPO / "requirements" / "dev.txt")
    install_refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"', context.containerfile, re.M)
    assert install_refs, "ansible-core and ansible-runner must be installed by the definition"
    pinned = dict(ref.split("==", 1) for ref in install_refs.group(1).split())
    assert pinned == {"ansible-core": tested["ansible-core"], "ansible-runner": tested["ansible-runner"]}
    assert "RUN /output/scripts/check_ansible $PYCMD" in context.final_stage()


def test_decision_environment_has_the_rule_engine(context: BuildContext):
    if context.name != "decision":
        assert not any(line.startswith("ansible-rulebook") for line in context.pip)
        assert "java" not in context.bindep
        return
    tested = _pins(REPO / "requirements" / "dev.txt")
    assert f"ansible-rulebook=={tested['ansible-rulebook']}  # from collection user" in context.pip
    runtime = [rule[0] for rule in Depends(context.bindep).active_rules(RHEL_RUNTIME)]
    assert "java-17-openjdk-headless" in runtime
    assert not [name for name in runtime if name.endswith("-devel") or name == "gcc"], "build tools in the image"
    final = context.final_stage()
    assert re.search(r"^ENV JAVA_TOOL_OPTIONS=-Xrs$", final, re.M), "the JVM must leave SIGTERM to ansible-rulebook"
    assert re.search(r"^ENV JAVA_HOME=/usr/lib/jvm/jre-17-openjdk$", final, re.M)
    assert "-Xrs" in context.definition.read_text().split("ENV JAVA_TOOL_OPTIONS")[0], "say why -Xrs is set"
