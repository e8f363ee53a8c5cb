"""The credential contract of docs/controller.md as test helpers: the types, their rendering, the guide.

The controllers render a credential type's injectors with Jinja2 over the credential's inputs (the EDA
controller with native types, AWX as text); `render` does the same, so tests can feed the exact values
an activation or a job would get to the real ansible-rulebook and ansible-playbook.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import jinja2
import jinja2.nativetypes
import yaml
from rulebook_process import REPO

TYPES = REPO / "controller" / "credential_types"
GUIDE = REPO / "docs" / "controller.md"


def load(name: str) -> dict:
    """One credential type definition of controller/credential_types/ as data."""
    return yaml.safe_load((TYPES / name).read_text())


def field_defaults(definition: dict, inputs: dict) -> dict:
    """The inputs as a controller stores them: a field's default fills a missing value."""
    values = {f["id"]: f["default"] for f in definition["inputs"]["fields"] if "default" in f}
    values.update(inputs)
    return values


# The name under which each controller gives templates the paths of the files it wrote.
FILE_NAMESPACES = {"extra_vars": "eda", "env": "tower"}


def render_files(definition: dict, inputs: dict, directory: Path) -> dict[str, str]:
    """Write the file injectors' files as the controller does: one file per ``template.<name>``, under a
    random name (so nothing may be inferred from it), readable by its owner only. Returns ``{name: path}``."""
    context = field_defaults(definition, inputs)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    paths = {}
    for key, template in definition["injectors"].get("file", {}).items():
        descriptor, path = tempfile.mkstemp(dir=directory)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(env.from_string(template).render(context))
        paths[key.split(".", 1)[1]] = path
    return paths


def render(definition: dict, kind: str, inputs: dict, files_dir: Path | None = None) -> dict:
    """Render one injector section as the controller does (EDA: native types; AWX: text).

    With file injectors, their files are written to ``files_dir`` first and their paths are what
    ``eda.filename.<name>`` (EDA) or ``tower.filename.<name>`` (AWX) name in the section.
    """
    env_class = jinja2.nativetypes.NativeEnvironment if kind == "extra_vars" else jinja2.Environment
    env = env_class(undefined=jinja2.StrictUndefined)
    context = field_defaults(definition, inputs)
    if "file" in definition["injectors"]:
        if files_dir is None:
            raise ValueError("this credential type writes files: pass files_dir")
        context[FILE_NAMESPACES[kind]] = {"filename": render_files(definition, inputs, files_dir)}
    return {key: env.from_string(value).render(context) for key, value in definition["injectors"][kind].items()}


def guide_table() -> dict[str, list[str]]:
    """The credential contract table of docs/controller.md: variable -> its row's cells."""
    section = GUIDE.read_text().split("## 3. The credential contract", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(aci_\w+)`", cells[0]) if line.startswith("|") else None
        if match:
            rows[match.group(1)] = cells
    return rows


def guide_yaml_block(marker: str) -> str:
    """The YAML example of docs/controller.md that contains `marker`, dedented."""
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), re.S)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, f"docs/controller.md must have exactly one YAML example with {marker!r}"
    lines = found[0].splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines) + "\n"


def write_contract_rulebook(workdir: Path) -> None:
    """A rulebook whose source is the guide's example, verbatim, plus a tenant subscription and a rule.

    The rule prints a debug message "contract-ok <dn>" for every tenant created.
    """
    source = yaml.safe_load(guide_yaml_block("fabricops.aci.websocket:"))["sources"][0]
    source["fabricops.aci.websocket"]["subscriptions"] = ["fvTenant"]
    rulebook = [
        {
            "name": "credential contract",
            "hosts": "all",
            "sources": [source],
            "rules": [
                {
                    "name": "tenant created",
                    "condition": 'event.aci.class == "fvTenant" and event.aci.status == "created"',
                    "action": {"debug": {"msg": "contract-ok {{ event.aci.dn }}"}},
                }
            ],
        }
    ]
    (workdir / "rulebook.yml").write_text(yaml.safe_dump(rulebook, sort_keys=False))
