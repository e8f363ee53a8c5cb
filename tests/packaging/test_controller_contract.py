"""The guide's controller variant of a rule launches the shared job template the way section 4 says.

An activation is the real ansible-rulebook run with `--controller-url`, as the EDA controller runs it, and
the activation's credential rendered as the controller renders it. AWX itself cannot run here, so its API
is a stand-in on loopback (controller_stub.py) that records the launch. The launch must name the template
and organization, limit the job to the fabric, and carry the fabric's name and the event, but not a single
connection setting or secret: the job finds those in its inventory and its own credential.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from contract import guide_yaml_block, load, render, write_contract_rulebook
from controller_stub import TOKEN, ControllerStub, ControllerStubThread, JobTemplate
from rulebook_runner import run_rulebook_until


@pytest.fixture
def controller():
    runner = ControllerStubThread(ControllerStub([JobTemplate("fabricops.aci tenant onboard")]))
    stub = runner.start()
    try:
        yield stub
    finally:
        runner.stop()


@pytest.mark.rulebook
@pytest.mark.slow
def test_controller_variant_launches_the_shared_template_for_the_fabric(apic_thread, controller, tmp_path: Path):
    password = apic_thread.password
    extra_vars = render(
        load("eda_apic.yml"),
        "extra_vars",
        {
            "host": apic_thread.host,
            "port": str(apic_thread.port),
            "username": apic_thread.username,
            "password": password,
            "ca_path": str(apic_thread.ca_file),
        },
    )
    extra_vars["aci_fabric"] = "dc1"  # the activation's own variable
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra_vars))
    action = yaml.safe_load(guide_yaml_block("run_job_template:"))["action"]
    write_contract_rulebook(tmp_path, action)

    output = run_rulebook_until(
        tmp_path,
        apic_thread,
        {},
        "contract-awx-launch",
        done=lambda _output: bool(controller.launches),
        args=("--controller-url", controller.url, "--controller-token", TOKEN),
    )

    assert len(controller.launches) == 1, output
    launch = controller.launches[0]
    assert launch["template"] == "fabricops.aci tenant onboard"
    assert launch["limit"] == "dc1"
    assert launch["extra_vars"]["aci_fabric"] == "dc1"
    assert launch["extra_vars"]["ansible_eda"]["event"]["aci"]["dn"] == "uni/tn-contract-awx-launch"
    sent = yaml.safe_dump(launch)
    assert not [name for name in launch["extra_vars"] if name.startswith("aci_") and name != "aci_fabric"]
    assert password not in sent and password not in output
