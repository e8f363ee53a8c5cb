"""Sphinx settings for the fabricops.aci documentation site (built by scripts/build-docs into build/docs).

The plugin pages are antsibull-docs output (hence its Sphinx extension and theme); the guides are the
Markdown files of docs/, read with MyST. Nothing here reaches the network: no intersphinx inventories,
so the build works offline and every warning is ours (the build runs with -W).
"""

from pathlib import Path

import yaml

GALAXY = yaml.safe_load((Path(__file__).resolve().parents[2] / "galaxy.yml").read_text())

project = "fabricops.aci"
copyright = "fabricops maintainers"
author = "fabricops maintainers"
title = "fabricops.aci documentation"
html_short_title = "fabricops.aci"

extensions = ["sphinx_antsibull_ext", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {
    "collapse_navigation": False,
    "navigation_depth": 3,
    # The theme's top bar would link to Ansible's blog and forum; this site's links are the project's own.
    "topbar_links": {"Repository": GALAXY["repository"], "Issues": GALAXY["issues"]},
}

# Markdown headings become link targets, so guides can link to each other's sections.
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]
