"""The README's five-minute path, run as written, from the collection and the simulator wheel alone.

The three shell blocks of "Try it in five minutes, with the simulator" run through bash in a fresh
virtualenv, with HOME in a temporary folder and no ANSIBLE_COLLECTIONS_PATH, so nothing of the repository
is reachable. Only what cannot happen offline is replaced, each replacement checked against the README's
text: the package downloads (ansible-core, ansible-rulebook, aiohttp and cryptography come from the project's
virtualenv through a .pth file), the Galaxy download (the tarball built now) and the wheel's location (built
now from simulator/ as `make dist` builds it); the simulator gets a free port instead of 8443. The tenant
the operator creates must be onboarded by the rulebook's playbook, visible in the simulator and recorded
in the README's reports folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from disttools import REPO, run
from loopback import closed_port
from rulebook_process import tool_env

pytestmark = [pytest.mark.rulebook, pytest.mark.slow]

SECTION = "## Try it in five minutes, with the simulator"


def quickstart_blocks() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the README's quick start no longer says {old!r}: update this test with it"
    return text.replace(old, new)


def wait_for(check, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def stop(process: subprocess.Popen, sig: int) -> str:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


def test_five_minute_path_works_from_the_tarball_and_the_wheel(fresh_tarball: Path, tmp_path: Path):
    install, start, operate = quickstart_blocks()
    home = tmp_path / "home"
    home.mkdir()
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(wheels), str(REPO / "simulator")],
        timeout=300)
    (wheel,) = wheels.glob("apicsim-*-py3-none-any.whl")
    port = closed_port()
    venv_python = f"{sys.executable} -m venv ~/aci-try"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    install = replace(install, "python3 -m venv ~/aci-try", venv_python)
    install = replace(install, "pip install ansible-core ansible-rulebook aiohttp cryptography",
                      f"echo {site_packages} > \"$(python -c 'import sysconfig; print(sysconfig.get_paths()"
                      "[\"purelib\"])')/project-packages.pth\"")
    install = replace(install, "ansible-galaxy collection install fabricops.aci",
                      f"ansible-galaxy collection install {fresh_tarball}")
    install = replace(install, f"pip install {wheel.name}", f"pip install --no-deps --no-index {wheel}")
    install = re.sub(r"(?m)^apicsim\b.*$", "", install)  # terminal 1: started below, on a free port
    start = replace(start, "127.0.0.1:8443", f"127.0.0.1:{port}")

    env = tool_env({"HOME": str(home), "PIP_NO_INDEX": "1"})
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_HOME", "VIRTUAL_ENV", "XDG_STATE_HOME", "APICSIM_STATE_DIR"):
        env.pop(name, None)
    # The README's default folder, spelled out: with HOME moved, ansible's copy would expand ~ to the
    # account's home from the password database instead.
    record = home / "fabricops-aci" / "reports" / "onboard-demo.json"
    env["FABRICOPS_REPORTS_DIR"] = str(record.parent)
    # The project's tools stay reachable (as `pip install ansible-core ansible-rulebook` would make them),
    # after the fresh virtualenv's own commands.
    env["PATH"] = f"{home / 'aci-try' / 'bin'}{os.pathsep}{env['PATH']}"

    def bash(script: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-euc", script], cwd=home, env=env, capture_output=True, text=True,
                              check=False, **kwargs)

    installed = bash(install, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    apicsim = home / "aci-try" / "bin" / "apicsim"
    assert apicsim.exists(), "the wheel did not install the apicsim command"
    origin = bash(". ~/aci-try/bin/activate && python -c 'import apicsim; print(apicsim.__file__)'")
    assert str(home / "aci-try") in origin.stdout, f"apicsim came from elsewhere: {origin.stdout}{origin.stderr}"

    simulator = subprocess.Popen([str(apicsim), "--port", str(port)], cwd=home, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    rulebook = None
    try:
        def ctl(*args: str) -> subprocess.CompletedProcess:
            return bash(". ~/aci-try/bin/activate && apicsim ctl " + " ".join(args), timeout=60)

        wait_for(lambda: ctl("stats").returncode == 0, "the simulator", 60)
        rulebook = subprocess.Popen(["bash", "-euc", ". ~/aci-try/bin/activate\n" + start], cwd=home, env=env,
                                    text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        wait_for(lambda: rulebook.poll() is not None
                 or json.loads(ctl("stats").stdout)["members"][0]["subscriptions"] > 0, "the subscription", 120)
        assert rulebook.poll() is None, stop(rulebook, signal.SIGTERM)

        operated = bash(". ~/aci-try/bin/activate\n" + operate, timeout=60)
        assert operated.returncode == 0, operated.stdout + operated.stderr
        deadline = time.monotonic() + 120
        while not record.exists() and rulebook.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert record.exists(), "no onboarding record:\n" + stop(rulebook, signal.SIGTERM)[-6000:]
        tenant = json.loads(ctl("get", "uni/tn-demo").stdout)
        children = [next(iter(child)) for child in tenant["fvTenant"].get("children", [])]
        assert {"fvCtx", "fvBD", "fvAp"} <= set(children), children
    finally:
        output = stop(rulebook, signal.SIGTERM) if rulebook is not None else ""
        stop(simulator, signal.SIGINT)
    assert rulebook.returncode == 0, output[-6000:]
    assert "apicsim-demo" not in output, "the password was printed"
