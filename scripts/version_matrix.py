#!/usr/bin/env python3
"""The versions fabricops.aci claims to support, each tried in a fresh virtualenv as a user would install it.

A combination is a Python, an ansible-core and an ansible-rulebook release. For each one this builds
`build/matrix/<combination>/`: a virtualenv of that Python with the pinned ansible-core and ansible-rulebook
and the collection's run-time requirements (requirements.txt), then `ansible-galaxy collection install`s the
built tarball (and ansible.netcommon with ansible.utils, for the persistent session) into its `collections/`.
tests/packaging/test_version_matrix.py then runs, with that virtualenv's tools, the modules' integration
playbook, a play through the httpapi connection, and the shipped tenant_watch rulebook end to end, all against
the simulator (which runs from the project's own virtualenv).

Speed: packages come from a wheel cache, build/matrix/wheels (`pip wheel`, filled from the package index the
first time a combination is prepared, then used with --no-index), and a virtualenv is reused as long as its
stamp matches the pins, the Python and requirements.txt. The collections are installed again on every run:
the tarball is what changes.

    scripts/version_matrix.py prepare oldest newest   virtualenvs for these (`make matrix-envs`, before `make test`)
    scripts/version_matrix.py run all                 prepare all, then run the matrix tests on them (`make matrix`)
    scripts/version_matrix.py list                    the combinations, oldest first
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MATRIX = ROOT / "build" / "matrix"
WHEELS = MATRIX / "wheels"
REQUIREMENTS = ROOT / "requirements.txt"
THIRDPARTY = ROOT / "build" / "thirdparty" / "ansible_collections"
# Collections installed beside fabricops.aci: the httpapi connection and what it needs (`make thirdparty`).
COMPANIONS = (THIRDPARTY / "ansible" / "netcommon", THIRDPARTY / "ansible" / "utils")
STAMP = ".matrix-stamp"


class MatrixError(Exception):
    """A combination cannot be prepared; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Combo:
    """One supported combination of Python, ansible-core and ansible-rulebook."""

    python: str
    ansible_core: str
    ansible_rulebook: str

    @property
    def name(self) -> str:
        return f"py{self.python}-core{self.ansible_core}-rulebook{self.ansible_rulebook}"

    @property
    def pins(self) -> tuple[str, ...]:
        return (f"ansible-core=={self.ansible_core}", f"ansible-rulebook=={self.ansible_rulebook}")

    @property
    def stops_on_sigterm(self) -> bool:
        """ansible-rulebook handles SIGTERM (cancelling its sources, exit 0) from 1.3.0; before, only SIGINT."""
        return tuple(int(part) for part in self.ansible_rulebook.split(".")[:2]) >= (1, 3)

    @property
    def venv(self) -> Path:
        return MATRIX / self.name

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def collections(self) -> Path:
        return self.venv / "collections"


# Oldest first. Each ansible-core release with a Python it supports on the controller (2.17: 3.10-3.12,
# 2.18 and 2.19: 3.11-3.13, 2.20 and 2.21: 3.12-3.14), the supported ends (Python 3.10, 3.13) included,
# each paired with an ansible-rulebook release from 1.1.1 (the oldest supported: 1.1.0 does not declare
# psycopg, which it imports, so a plain `pip install ansible-rulebook==1.1.0` cannot start) to the newest.
COMBOS = (
    Combo("3.10", "2.17.14", "1.1.1"),
    Combo("3.11", "2.18.19", "1.1.7"),
    Combo("3.12", "2.19.14", "1.2.3"),
    Combo("3.12", "2.20.10", "1.3.2"),
    Combo("3.13", "2.21.5", "1.3.2"),
)
OLDEST, NEWEST = COMBOS[0], COMBOS[-1]


def select(words: list[str] | str) -> list[Combo]:
    """Combinations by name, or `oldest`, `newest`, `all` (comma- or space-separated)."""
    if isinstance(words, str):
        words = words.replace(",", " ").split()
    chosen: list[Combo] = []
    for word in words or ["oldest", "newest"]:
        found = {"oldest": [OLDEST], "newest": [NEWEST], "all": list(COMBOS)}.get(word)
        if found is None:
            found = [combo for combo in COMBOS if combo.name == word]
        if not found:
            raise MatrixError(f"unknown combination {word!r}; choose oldest, newest, all or one of "
                              f"{', '.join(combo.name for combo in COMBOS)}")
        chosen.extend(combo for combo in found if combo not in chosen)
    return chosen


def _python_version(executable: str) -> str | None:
    try:
        proc = subprocess.run([executable, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def find_python(version: str) -> str:
    """An interpreter of ``version`` (3.12): $PYTHON3_12, python3.12 on PATH, or one installed by pyenv."""
    candidates = [os.environ.get("PYTHON" + version.replace(".", "_"), ""), shutil.which(f"python{version}") or ""]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(glob.glob(str(pyenv / f"{version}.*" / "bin" / f"python{version}")), reverse=True)
    for candidate in filter(None, candidates):
        if _python_version(candidate) == version:
            return candidate
    raise MatrixError(f"Python {version} not found: install it (for example `pyenv install {version}`) or set "
                      f"PYTHON{version.replace('.', '_')} to its interpreter")


def stamp_of(combo: Combo, python: str) -> str:
    """What a reusable virtualenv must have been built from."""
    facts = {"python": python, "pins": combo.pins, "requirements": REQUIREMENTS.read_text()}
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _pip(combo: Combo, *args: str, online: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PIP_NO_INDEX", None)
    extra = () if online else ("--no-index",)
    return subprocess.run([str(combo.bin / "python"), "-m", "pip", *args, *extra, "--find-links", str(WHEELS)],
                          env=env, capture_output=True, text=True, timeout=900, check=False)


def prepare(combo: Combo, online: bool = False) -> bool:
    """The virtualenv of ``combo``, ready; True when it was (re)built, False when reused.

    Installs from the wheel cache only; with ``online``, wheels missing from it are fetched first.
    """
    python = find_python(combo.python)
    stamp = stamp_of(combo, python)
    if (combo.venv / STAMP).is_file() and (combo.venv / STAMP).read_text() == stamp:
        return False
    shutil.rmtree(combo.venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(combo.venv)], check=True, timeout=300)
    packages = (*combo.pins, "-r", str(REQUIREMENTS))
    installed = _pip(combo, "install", "--quiet", *packages, online=False)
    if installed.returncode != 0:
        if not online:
            shutil.rmtree(combo.venv, ignore_errors=True)
            raise MatrixError(f"{combo.name}: packages missing from {WHEELS.relative_to(ROOT)}; run "
                              f"`make matrix-envs` (or scripts/version_matrix.py prepare {combo.name}):\n"
                              f"{installed.stderr[-2000:]}")
        WHEELS.mkdir(parents=True, exist_ok=True)
        built = _pip(combo, "wheel", "--quiet", "--wheel-dir", str(WHEELS), *packages, online=True)
        if built.returncode != 0:
            raise MatrixError(f"{combo.name}: pip wheel failed:\n{built.stderr[-3000:]}")
        installed = _pip(combo, "install", "--quiet", *packages, online=False)
        if installed.returncode != 0:
            raise MatrixError(f"{combo.name}: pip install failed:\n{installed.stderr[-3000:]}")
    (combo.venv / STAMP).write_text(stamp)
    return True


def install_collections(combo: Combo, tarball: Path) -> Path:
    """The built tarball (and the httpapi connection's collections) installed into the virtualenv's
    ``collections/``, with that virtualenv's ansible-galaxy, offline; returns that path."""
    missing = [str(path) for path in (tarball, *COMPANIONS) if not path.exists()]
    if missing:
        raise MatrixError(f"missing {', '.join(missing)}: run `make collection thirdparty`")
    shutil.rmtree(combo.collections, ignore_errors=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_HOME=str(combo.venv / "ansible-home"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(
        [str(combo.bin / "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p",
         str(combo.collections), str(tarball), *map(str, COMPANIONS)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    if proc.returncode != 0:
        raise MatrixError(f"{combo.name}: ansible-galaxy collection install failed:\n{proc.stdout}{proc.stderr}")
    return combo.collections


def built_tarball() -> Path:
    """dist/<namespace>-<name>-<version>.tar.gz, as `make collection` builds it."""
    meta = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    return ROOT / "dist" / f"{meta['namespace']}-{meta['name']}-{meta['version']}.tar.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("list", "prepare", "run"))
    parser.add_argument("combos", nargs="*", help="oldest, newest, all or combination names (default: oldest newest)")
    args = parser.parse_args(argv)
    try:
        combos = select(args.combos)
        if args.command == "list":
            for combo in COMBOS:
                print(combo.name)
            return 0
        for combo in combos:
            started = time.monotonic()
            built = prepare(combo, online=True)
            print(f"{combo.name}: virtualenv {'built' if built else 'reused'} "
                  f"({time.monotonic() - started:.0f} s) in {combo.venv.relative_to(ROOT)}")
    except MatrixError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.command == "prepare":
        return 0
    env = {**os.environ, "FABRICOPS_MATRIX": ",".join(combo.name for combo in combos)}
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                            str(ROOT / "tests" / "packaging" / "test_version_matrix.py")], env=env, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
