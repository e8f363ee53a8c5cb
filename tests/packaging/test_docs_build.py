"""The documentation site builds without a single warning and holds every plugin and guide.

scripts/build-docs (what `make docs` runs) fails on any warning of antsibull-docs, ansible-doc or
Sphinx; this runs it once and then checks the site really documents what the collection ships.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml
from disttools import MODULES, REPO, run, tool

EVENT_SOURCES = REPO / "extensions" / "eda" / "plugins" / "event_source"

pytestmark = pytest.mark.slow


# antsibull-docs lints a copy of the collection in a temporary directory; a name of it that ends in "_"
# once broke every plugin page's lint (about one run in 37). The build here always gets such a name.
UNLUCKY_TEMPORARY_NAMES = """
import tempfile

_mkdtemp = tempfile.mkdtemp


def mkdtemp(suffix=None, prefix=None, dir=None):
    if prefix == "antsibull-docs-":
        suffix = (suffix or "") + "_"
    return _mkdtemp(suffix, prefix, dir)


tempfile.mkdtemp = mkdtemp
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("docs")
    startup = tmp_path_factory.mktemp("startup")
    (startup / "sitecustomize.py").write_text(UNLUCKY_TEMPORARY_NAMES)
    path = os.pathsep.join(filter(None, (str(startup), os.environ.get("PYTHONPATH"))))
    output = run([sys.executable, str(REPO / "scripts" / "build-docs"), str(dest)], timeout=600, PYTHONPATH=path)
    assert "WARNING" not in output
    return dest / "html"


def text(page: Path) -> str:
    return re.sub(r"<[^>]+>", " ", page.read_text())


def test_every_module_has_its_page(site: Path):
    for module in MODULES:
        page = site / "collection" / f"{module}_module.html"
        assert page.exists(), f"no page for fabricops.aci.{module}"
        assert "fabricops.aci." + module in text(page)
    assert all(f"{module}_module.html" in (site / "collection" / "index.html").read_text() for module in MODULES)


def test_event_source_page_documents_every_option(site: Path):
    output = run(
        [tool("ansible-doc"), "--json", "-t", "module", "-M", str(EVENT_SOURCES), "websocket"],
        ANSIBLE_COLLECTIONS_PATH=str(REPO / "build" / "dev"),
    )
    options = json.loads(output)["websocket"]["doc"]["options"]
    page = text(site / "event_sources" / "websocket.html")
    assert "fabricops.aci.websocket" in page
    for name in options:
        assert name in page, f"option {name} missing from the event source page"
    assert "Examples" in page


def test_every_guide_is_in_the_site_and_linked(site: Path):
    index = (site / "index.html").read_text()
    for guide in (REPO / "docs").glob("*.md"):
        assert (site / "guides" / f"{guide.stem}.html").exists(), f"{guide.name} not in the site"
        assert f"guides/{guide.stem}.html" in index
    controller = (site / "guides" / "controller.html").read_text()
    assert 'href="operations.html"' in controller, "the guides' links to each other must resolve"


def test_collection_index_carries_the_links_of_links_yml(site: Path):
    """docs/docsite/links.yml (antsibull-docs format) reaches the collection's index page: every extra link
    and the forum, so the docs lead to the README, the guides, the release notes and the issue tracker."""
    links = yaml.safe_load((REPO / "docs" / "docsite" / "links.yml").read_text())
    index = (site / "collection" / "index.html").read_text()
    for link in links["extra_links"]:
        assert link["url"] in index, f"{link['description']} is not linked from the collection index"
    for forum in links["communication"]["forums"]:
        assert forum["url"] in index
