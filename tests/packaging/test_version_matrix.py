"""The supported versions, each in a fresh virtualenv with the collection installed from the built tarball.

By default the oldest and the newest supported combination of Python, ansible-core and ansible-rulebook
(scripts/version_matrix.py); `make matrix` runs every combination (FABRICOPS_MATRIX=all). In each one, with
that virtualenv's own tools and the simulator of the project's virtualenv:

* the modules' integration playbook passes (every module and case, the secrets checks of
  tests/modules/test_modules_playbook.py included);
* a play through ansible.netcommon.httpapi and the fabricops.aci.aci plugin logs in once;
* the shipped tenant_watch rulebook, run by that virtualenv's ansible-rulebook, onboards a new tenant through
  the tenant_onboard playbook, and stopping it ends it cleanly: exit code 0, the source logged out (SIGTERM from
  ansible-rulebook 1.3.0, which handles it; SIGINT before, since older releases die on SIGTERM).

Virtualenvs are reused while their stamp matches (`make matrix-envs` prepares them before `make test`);
packages come from the wheel cache under build/matrix, never from an index, so the test runs offline.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from playbook_tools import SECRET_PROBE, apic_tasks_play, httpapi_inventory, run_module_cases, run_playbook
from rulebook_process import ONBOARD_PLAY, RulebookProcess, contract_files
from rulebook_runs import listening
from sim_requests import LOGIN, recording_requests
from sim_tokens import record_issued_tokens
from version_matrix import COMBOS as ALL_COMBOS
from version_matrix import NEWEST, OLDEST, ROOT, Combo, MatrixError, install_collections, prepare, select

USER, PASSWORD = "mxuser", "Mx-S3cret-!k2"
SESSION_TASKS = 6

pytestmark = [pytest.mark.playbook, pytest.mark.rulebook, pytest.mark.slow]

COMBOS = select(os.environ.get("FABRICOPS_MATRIX", "oldest,newest"))


def installed_versions(combo: Combo) -> str:
    """What the virtualenv really runs: its Python and the ansible-core and ansible-rulebook it holds."""
    code = ("import sys, importlib.metadata as m; print('%d.%d' % sys.version_info[:2], "
            "m.version('ansible-core'), m.version('ansible-rulebook'))")
    return subprocess.run([str(combo.bin / "python"), "-c", code], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def module_cases(apic_thread, workdir: Path, combo: Combo, collections: Path, issued: list[str]) -> None:
    workdir.mkdir()
    code, output = run_module_cases(apic_thread, workdir, USER, PASSWORD, bin_dir=combo.bin,
                                    env={"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    assert code == 0, output[-8000:]
    assert f"ansible-playbook [core {combo.ansible_core}]" in output
    assert "ALL MODULE CASES PASSED" in output and "failed=0" in output
    for secret in (PASSWORD, SECRET_PROBE, *issued):
        assert secret not in output


def session_play(apic_thread, workdir: Path, combo: Combo, collections: Path) -> int:
    """Run a short play through the httpapi connection; the logins it cost."""
    workdir.mkdir()
    playbook = workdir / "session.yml"
    playbook.write_text(yaml.safe_dump(apic_tasks_play(SESSION_TASKS), sort_keys=False))
    env = {"ACI_USERNAME": USER, "ACI_PASSWORD": PASSWORD, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    inventory = httpapi_inventory(workdir / "inventory.yml", apic_thread.sim)
    with recording_requests() as requests:
        code, output = run_playbook(playbook, {"ca_file": str(apic_thread.sim.ca_file)}, env, workdir,
                                    inventory=inventory, bin_dir=combo.bin)
    assert code == 0, output[-6000:]
    assert f"ok={SESSION_TASKS}" in output and "failed=0" in output, output[-3000:]
    return requests.count(LOGIN)


def onboarding_rulebook(apic_thread, workdir: Path, combo: Combo, collections: Path) -> None:
    files = contract_files(workdir, apic_thread, workdir / "reports")
    env = {**files.env, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    stop = signal.SIGTERM if combo.stops_on_sigterm else signal.SIGINT
    process = RulebookProcess("fabricops.aci.tenant_watch", cwd=workdir, vars_file=files.vars_file,
                              inventory=files.inventory, env=env, bin_dir=combo.bin, stop_signal=stop)
    with listening(process, apic_thread):
        apic_thread.call(apic_thread.control.create_tenant, "matrix")
        run = process.wait_for_run(ONBOARD_PLAY, 1, timeout=120)
        assert run.failed == 0, "\n".join(run.lines)
    tenant = apic_thread.call(apic_thread.control.get, "uni/tn-matrix")
    baseline = {next(iter(child)) for child in tenant["fvTenant"].get("children", [])}
    assert {"fvCtx", "fvBD", "fvAp"} <= baseline, f"the tenant did not get its baseline: {tenant}"


@pytest.mark.apicsim(users={USER: PASSWORD})
@pytest.mark.parametrize("combo", COMBOS, ids=lambda combo: combo.name)
def test_supported_combination(combo: Combo, dist_tarball: Path, apic_thread, tmp_path: Path, monkeypatch, capsys):
    issued = record_issued_tokens(monkeypatch)
    timings: list[str] = []
    started = last = time.monotonic()

    def lap(what: str) -> None:
        nonlocal last
        now = time.monotonic()
        timings.append(f"{what} {now - last:.0f} s")
        last = now

    try:
        built = prepare(combo, online=False)
        lap("virtualenv built" if built else "virtualenv reused")
        collections = install_collections(combo, dist_tarball)
    except MatrixError as exc:
        pytest.fail(str(exc))
    assert installed_versions(combo) == f"{combo.python} {combo.ansible_core} {combo.ansible_rulebook}"
    lap("collections installed")

    module_cases(apic_thread, tmp_path / "modules", combo, collections, issued)
    lap("module playbook")
    logins = session_play(apic_thread, tmp_path / "session", combo, collections)
    assert logins == 1, f"{SESSION_TASKS} tasks over the httpapi connection logged in {logins} times"
    lap(f"httpapi play ({logins} login for {SESSION_TASKS} tasks)")
    onboarding_rulebook(apic_thread, tmp_path / "rulebook", combo, collections)
    lap("tenant_watch rulebook")
    with capsys.disabled():
        print(f"\n{combo.name}: {', '.join(timings)}; total {time.monotonic() - started:.0f} s")


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_the_stated_versions_are_the_tested_ones():
    """README, meta/runtime.yml and requirements.txt claim exactly the range the combinations span."""
    readme = " ".join((ROOT / "README.md").read_text().split())
    claim = re.search(r"\*\*Supported versions: Python (\S+) to (\S+), ansible-core (\S+) or newer \(tested up to "
                      r"(\S+)\), ansible-rulebook (\S+) or newer\*\*", readme)
    assert claim, "README must state the supported versions in its Requirements section"
    assert claim.groups() == (OLDEST.python, NEWEST.python, _minor(OLDEST.ansible_core), _minor(NEWEST.ansible_core),
                              OLDEST.ansible_rulebook)
    pythons = sorted({combo.python for combo in ALL_COMBOS}, key=lambda v: tuple(map(int, v.split("."))))
    assert (pythons[0], pythons[-1]) == (OLDEST.python, NEWEST.python)
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == f">={_minor(OLDEST.ansible_core)}.0"
    for combo in ALL_COMBOS:
        for version in (combo.ansible_core, combo.ansible_rulebook):
            assert version in readme, f"README's Supported versions table must list the tested {version}"
    requirements = (ROOT / "requirements.txt").read_text()
    assert f"ansible-rulebook {OLDEST.ansible_rulebook} or newer" in " ".join(requirements.split())
