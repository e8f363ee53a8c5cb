"""ansible-lint's production profile passes on the whole repository, as a fresh clone has it.

The tracked files (and new ones not yet ignored) are copied to a directory outside the work tree, with no
build/ and no installed collection, and ansible-lint runs there with no ANSIBLE_COLLECTIONS_PATH: the
repository's ansible.cfg must make fabricops.aci (module_defaults group/fabricops.aci.all, module
arguments) resolve on its own. Offline, as the repository's .ansible-lint says. Deliberate mistakes in a
module's EXAMPLES, a test playbook and a rulebook must each fail, which shows those parts are linted rather
than passed over (rulebooks against ansible-rulebook's schema).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rulebook_process import BIN, REPO, tool_env

pytestmark = pytest.mark.slow


def clone(target: Path) -> Path:
    """The repository's files as a fresh clone would have them (links kept as links), in ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, copy = REPO / name, target / name
        if not source.is_symlink() and not source.exists():  # deleted in the work tree, not yet committed
            continue
        if source.is_symlink() and os.path.isabs(os.readlink(source)):  # a local link such as .venv
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target


def ansible_lint(cwd: Path, *paths: str) -> tuple[int, str]:
    """ansible-lint in ``cwd`` with its .ansible-lint and ansible.cfg, and no collection path of ours."""
    env = tool_env({"ANSIBLE_HOME": str(cwd.parent / "ansible-home")})
    env.pop("ANSIBLE_COLLECTIONS_PATH")
    command = [str(BIN / "ansible-lint"), "--nocolor", *paths]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clone(tmp_path_factory.mktemp("lint") / "fabricops.aci")


def test_production_profile_passes_on_the_whole_repository(fresh_clone: Path):
    assert not (fresh_clone / "build").exists()
    code, output = ansible_lint(fresh_clone)
    assert code == 0, output[-8000:]
    assert "Profile 'production' was required, and it passed" in output, output
    assert "0 failure(s), 0 warning(s)" in output, output
    processed = re.search(r"in (\d+) files processed", output)
    assert processed and int(processed.group(1)) >= 150, f"far fewer files than the repository holds:\n{output}"


def test_mistakes_anywhere_in_the_tree_fail(fresh_clone: Path, tmp_path: Path):
    broken = clone(tmp_path / "fabricops.aci")
    example = broken / "plugins" / "modules" / "fault_info.py"
    example.write_text(example.read_text().replace("severity: [critical, major]", "severity: [ critical, major ]"))
    playbook = broken / "tests" / "modules" / "playbooks" / "host_forms.yml"
    playbook.write_text(playbook.read_text().replace("- name: Every member closed", "- name: every member closed"))
    rulebook = broken / "rulebooks" / "health_watch.yml"
    rulebook.write_text(rulebook.read_text().replace("once_within: 5 minutes", "once_within: soon"))
    code, output = ansible_lint(broken)
    assert code != 0
    assert re.search(r"yaml\[brackets\].*\n.*plugins/modules/fault_info\.py", output), output[-6000:]
    assert re.search(r"name\[casing\].*\n.*tests/modules/playbooks/host_forms\.yml", output), output[-6000:]
    assert "schema[rulebook]" in output and "rulebooks/health_watch.yml" in output, output[-6000:]
