"""ansible-lint's production profile passes on what users copy: the rulebooks and the reaction playbooks.

Offline (the repository's .ansible-lint says so), against the collection installed from the tarball, so
module names and arguments are checked against the real modules. A deliberately broken rulebook must fail,
which shows that ansible-lint really validates the rulebooks (against ansible-rulebook's schema) rather than
passing them over.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from rulebook_process import BIN, REPO, tool_env
from rulebook_runs import require_installed_collection

LINTED = ("playbooks", "rulebooks", "extensions/molecule")


def ansible_lint(*paths: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """ansible-lint in ``cwd`` with its .ansible-lint (the repository's, copied when ``cwd`` is elsewhere)."""
    command = [str(BIN / "ansible-lint"), "--nocolor", *paths]
    return subprocess.run(command, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=300,
                          check=False)


def test_production_profile_passes_on_rulebooks_and_playbooks():
    require_installed_collection()
    result = ansible_lint(*LINTED)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Profile 'production' was required, and it passed" in output, output
    assert "0 failure(s), 0 warning(s)" in output, output


def test_a_broken_rulebook_fails(tmp_path: Path):
    broken = (REPO / "rulebooks" / "health_watch.yml").read_text().replace("once_within: 5 minutes",
                                                                           "once_within: soon")
    shutil.copy(REPO / ".ansible-lint", tmp_path / ".ansible-lint")
    (tmp_path / "rulebooks").mkdir()
    (tmp_path / "rulebooks" / "health_watch.yml").write_text(broken)
    result = ansible_lint("rulebooks", cwd=tmp_path)
    assert result.returncode != 0
    assert "schema[rulebook]" in result.stdout + result.stderr, result.stdout + result.stderr
