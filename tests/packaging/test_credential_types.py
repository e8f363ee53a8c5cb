"""The controller credential types are valid, match the written contract, and really connect.

No EDA controller or AWX runs here. The definitions are checked against the rules those controllers apply
when a credential type is created, their injectors are rendered the way the controllers render them
(Jinja2 over the credential's inputs), and what they inject is then fed to the real ansible-playbook,
from the installed tarball, against the simulator, with the playbook header docs/controller.md prescribes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import ENV_FALLBACKS
from contract import guide_table, guide_yaml_block, load, render, write_contract_rulebook
from disttools import run, tool
from rulebook_process import RulebookProcess
from rulebook_runs import listening

SECRETS = ("password", "private_key")


def run_contract_rulebook(workdir: Path, apic, env: dict[str, str], tenant: str, logs_out: bool = True) -> str:
    """ansible-rulebook on workdir/rulebook.yml with vars.yml: it subscribes, `tenant` is created, the rule
    prints "contract-ok uni/tn-<tenant>", and SIGTERM ends it cleanly (see rulebook_runs.listening).
    Returns everything it printed."""
    process = RulebookProcess("rulebook.yml", cwd=workdir, vars_file=workdir / "vars.yml", env=env)
    with listening(process, apic, logs_out=logs_out):
        apic.call(apic.control.create_tenant, tenant)
        process.wait_for_output(f"contract-ok uni/tn-{tenant}")
    return process.output


@pytest.mark.parametrize("name", ["eda_apic.yml", "awx_apic.yml"])
def test_definition_follows_the_controller_rules(name: str):
    definition = load(name)
    assert isinstance(definition["name"], str) and definition["name"]
    fields = definition["inputs"]["fields"]
    ids = [f["id"] for f in fields]
    assert len(ids) == len(set(ids)), "duplicate field ids"
    for field in fields:
        assert re.fullmatch(r"\w+", field["id"]) and not field["id"].upper().startswith("EDA_")
        assert isinstance(field["label"], str) and field["label"]
        assert field.get("type", "string") in ("string", "boolean")
        for flag in ("secret", "multiline"):
            assert isinstance(field.get(flag, False), bool)
        if "default" in field:
            expected = bool if field.get("type") == "boolean" else str
            assert isinstance(field["default"], expected), f"{field['id']}: default of the wrong type"
    assert set(definition["inputs"].get("required", [])) <= set(ids)
    for secret in SECRETS:
        assert next(f for f in fields if f["id"] == secret).get("secret") is True, f"{secret} must be secret"
    assert next(f for f in fields if f["id"] == "private_key").get("multiline") is True
    env = jinja2.Environment()
    for section in definition["injectors"].values():
        for key, template in section.items():
            used = jinja2.meta.find_undeclared_variables(env.parse(template))
            assert used <= set(ids), f"{key} uses undefined inputs {sorted(used - set(ids))}"
            assert not key.upper().startswith(("EDA_", "ANSIBLE_")), f"{key}: reserved prefix"


def test_eda_type_injects_only_extra_vars_named_by_the_contract():
    definition = load("eda_apic.yml")
    # extra_vars is the one injector every EDA controller release accepts.
    assert set(definition["injectors"]) == {"extra_vars"}
    injected = set(definition["injectors"]["extra_vars"])
    table = guide_table()
    assert injected == {name for name, cells in table.items() if cells[3] == "EDA credential"}
    assert injected | {"aci_fabric"} == set(table)


def test_awx_type_injects_the_environment_the_modules_read():
    definition = load("awx_apic.yml")
    assert set(definition["injectors"]) == {"env"}
    table = guide_table()
    from_awx = {name: cells for name, cells in table.items() if cells[4].startswith("AWX credential")}
    expected_env = {cells[2].strip("`") for cells in from_awx.values()}
    assert set(definition["injectors"]["env"]) == expected_env
    for name in from_awx:
        option = name.removeprefix("aci_")
        assert table[name][2] == f"`{ENV_FALLBACKS[option][0]}`", f"{name}: not the variable the modules read"


def test_both_types_ask_the_same_way_for_the_login():
    eda = {f["id"]: f for f in load("eda_apic.yml")["inputs"]["fields"]}
    awx = {f["id"]: f for f in load("awx_apic.yml")["inputs"]["fields"]}
    assert set(awx) <= set(eda)
    for field_id, field in awx.items():
        assert {k: v for k, v in field.items() if k != "help_text"} == {
            k: v for k, v in eda[field_id].items() if k != "help_text"
        }


def test_eda_injector_renders_native_values():
    definition = load("eda_apic.yml")
    rendered = render(definition, "extra_vars", {"host": "apic1.example.net,apic2.example.net", "password": "s3"})
    assert rendered["aci_host"] == "apic1.example.net,apic2.example.net"
    assert rendered["aci_port"] == 443 and rendered["aci_validate_certs"] is True
    assert rendered["aci_username"] == "admin"
    assert rendered["aci_private_key"] == "" and rendered["aci_ca_path"] == ""


OPS_PASSWORD = "20261127"  # digits only: templating turns it into a number, it must still log in


@pytest.mark.playbook
@pytest.mark.apicsim(users={"ops": OPS_PASSWORD})
def test_awx_credential_and_inventory_drive_the_documented_playbook(apic_thread, tmp_path: Path):
    """AWX job: login from the credential's environment, address from the fabric's host vars, via the guide."""
    password = OPS_PASSWORD
    env = render(load("awx_apic.yml"), "env", {"username": "ops", "password": password})
    inventory = {
        "all": {
            "hosts": {
                "dc1": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                    "aci_host": apic_thread.host,
                    "aci_port": apic_thread.port,
                    "aci_validate_certs": True,
                    "aci_ca_path": str(apic_thread.ca_file),
                }
            }
        }
    }
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = yaml.safe_load(guide_yaml_block("group/fabricops.aci.all"))
    play[0]["tasks"] = [
        {"name": "Onboard a tenant", "fabricops.aci.tenant": {"name": "contract-awx", "state": "present"}}
    ]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    output = run(
        [tool("ansible-playbook"), "-v", "-i", "inventory.yml", "--limit", "dc1", "-e", "aci_fabric=dc1", "play.yml"],
        cwd=tmp_path,
        timeout=180,
        **env,
    )
    assert "ok=1" in output and "changed=1" in output and "failed=0" in output
    assert password not in output
    assert apic_thread.call(apic_thread.control.get, "uni/tn-contract-awx"), "the tenant was not created"


@pytest.mark.rulebook
@pytest.mark.slow
def test_eda_credential_drives_the_documented_rulebook_source(apic_thread, tmp_path: Path):
    """EDA activation: a certificate user's credential, rendered as the controller does, read by the guide's source."""
    key_pem = Path(apic_thread.cert_user.key).read_text()
    extra_vars = render(
        load("eda_apic.yml"),
        "extra_vars",
        {
            "host": apic_thread.host,
            "port": str(apic_thread.port),
            "username": apic_thread.cert_user.user,
            "private_key": key_pem,
            "certificate_name": apic_thread.cert_user.cert_name,
            "ca_path": str(apic_thread.ca_file),
        },
    )
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra_vars))
    write_contract_rulebook(tmp_path)
    output = run_contract_rulebook(tmp_path, apic_thread, {}, "contract-eda", logs_out=False)
    body = "".join(key_pem.strip().splitlines()[1:-1])
    assert body[:40] not in output.replace("\n", ""), "the private key leaked into the output"


@pytest.mark.rulebook
@pytest.mark.slow
@pytest.mark.apicsim(users={"ops": OPS_PASSWORD})
def test_laptop_vars_file_and_environment_drive_the_same_source(apic_thread, tmp_path: Path):
    """On a laptop: address in a vars file, login only in the ACI_* environment, the rest left out."""
    vars_file = {"aci_host": apic_thread.host, "aci_port": apic_thread.port, "aci_ca_path": str(apic_thread.ca_file)}
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(vars_file))
    write_contract_rulebook(tmp_path)
    env = {"ACI_USERNAME": "ops", "ACI_PASSWORD": OPS_PASSWORD}
    output = run_contract_rulebook(tmp_path, apic_thread, env, "contract-laptop")
    assert OPS_PASSWORD not in output
