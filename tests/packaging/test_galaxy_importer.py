"""galaxy-importer, the tool Galaxy runs on every upload, accepts the tarball without a warning.

It is configured by tests/packaging/galaxy-importer.cfg (offline, no container engine; see there why
ansible-test is left to test_sanity.py). It reads the docs of every plugin through ansible-doc, lints the
collection (playbooks and rulebooks included) with ansible-lint's production profile, and checks the
metadata and the changelog; any WARNING or ERROR line it logs fails the test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from disttools import MODULES, REPO, run

EVENT_SOURCE = ("eda/plugins/event_source", "websocket")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def imported(fresh_tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    work = tmp_path_factory.mktemp("galaxy-importer")
    output = run(
        [sys.executable, "-m", "galaxy_importer.main", str(fresh_tarball)],
        cwd=work,  # it writes importer_result.json into the current directory
        timeout=600,
        GALAXY_IMPORTER_CONFIG=str(REPO / "tests" / "packaging" / "galaxy-importer.cfg"),
        GALAXY_IMPORTER_TMP_ROOT_DIR=str(work),
        GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=str(work / "ansible-tmp"),
    )
    return output, json.loads((work / "importer_result.json").read_text())


def test_import_succeeds_without_warnings(imported: tuple[str, dict]):
    output, _ = imported
    assert "Importer processing completed successfully" in output
    assert "Linting collection via ansible-lint" in output and "ansible-lint run complete" in output
    problems = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert not problems, "galaxy-importer complained:\n" + "\n".join(problems)


def test_galaxy_sees_every_plugin_with_its_docs(imported: tuple[str, dict]):
    _, result = imported
    found = {(item["content_type"], item["name"]) for item in result["contents"]}
    assert {("module", name) for name in MODULES} | {EVENT_SOURCE} <= found
    documented = {
        (item["content_type"], item["content_name"])
        for item in result["docs_blob"]["contents"]
        if item.get("doc_strings")
    }
    assert {("module", name) for name in MODULES} | {EVENT_SOURCE} <= documented
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    assert result["requires_ansible"] == runtime["requires_ansible"]
    assert result["docs_blob"]["collection_readme"]["html"]
