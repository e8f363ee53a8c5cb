"""The controller credential types are valid, match the written contract, and really connect.

No EDA controller or AWX runs here. The definitions are checked against the rules those controllers apply
when a credential type is created, their injectors are rendered the way the controllers render them
(Jinja2 over the credential's inputs), and what they inject is then fed to the real ansible-playbook,
from the installed tarball, against the simulator, with the playbook header docs/controller.md prescribes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import ENV_FALLBACKS
from contract import FILE_NAMESPACES, GUIDE, guide_table, guide_yaml_block, load, render, write_contract_rulebook
from disttools import run, tool
from rulebook_process import INSTALLED, RulebookProcess, tool_env
from rulebook_runs import listening, require_installed_collection

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
    namespace = FILE_NAMESPACES["extra_vars" if "extra_vars" in definition["injectors"] else "env"]
    for kind, section in definition["injectors"].items():
        for key, template in section.items():
            used = jinja2.meta.find_undeclared_variables(env.parse(template))
            known = set(ids) if kind == "file" else set(ids) | {namespace}
            assert used <= known, f"{key} uses undefined inputs {sorted(used - known)}"
            assert not key.upper().startswith(("EDA_", "ANSIBLE_")), f"{key}: reserved prefix"
            if kind == "file":
                assert re.fullmatch(r"template\.(\w+)", key), f"{key}: files are named template.<name>"


def test_eda_type_injects_only_extra_vars_named_by_the_contract():
    definition = load("eda_apic.yml")
    assert set(definition["injectors"]) == {"extra_vars", "file"}
    injected = set(definition["injectors"]["extra_vars"])
    table = guide_table()
    assert injected == {name for name, cells in table.items() if cells[3].startswith("EDA credential")}
    assert injected | {"aci_fabric"} == set(table)
    # What the guide says arrives as a file is exactly what names a file the controller wrote.
    as_files = {name for name, template in definition["injectors"]["extra_vars"].items() if "eda.filename" in template}
    assert as_files == {name for name, cells in table.items() if cells[3] == "EDA credential (file)"}


def test_awx_type_injects_the_environment_the_modules_read():
    definition = load("awx_apic.yml")
    assert set(definition["injectors"]) == {"env", "file"}
    table = guide_table()
    from_awx = {name: cells for name, cells in table.items() if cells[4].startswith("AWX credential")}
    expected_env = {cells[2].strip("`") for cells in from_awx.values()}
    assert set(definition["injectors"]["env"]) == expected_env
    as_files = {name for name, template in definition["injectors"]["env"].items() if "tower.filename" in template}
    assert as_files == {cells[2].strip("`") for cells in from_awx.values() if "(file" in cells[4]}
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


def test_eda_injector_renders_native_values(tmp_path: Path):
    definition = load("eda_apic.yml")
    rendered = render(definition, "extra_vars", {"host": "apic1.example.net,apic2.example.net", "password": "s3"},
                      tmp_path)
    assert rendered["aci_host"] == "apic1.example.net,apic2.example.net"
    assert rendered["aci_port"] == 443 and rendered["aci_validate_certs"] is True
    assert rendered["aci_username"] == "admin" and rendered["aci_certificate_name"] == "admin"
    assert rendered["aci_private_key"] == "" and rendered["aci_ca_path"] == "", "no file named when none is given"


# Both controllers: who writes the files, under which variable the path is handed on, and the section.
FILE_INJECTION = [
    ("eda_apic.yml", "extra_vars", {"private_key": "aci_private_key", "ca_certificate": "aci_ca_path"}),
    ("awx_apic.yml", "env", {"private_key": "ACI_PRIVATE_KEY", "ca_certificate": "ACI_CA_PATH"}),
]


@pytest.mark.parametrize(("name", "kind", "handed_on"), FILE_INJECTION)
def test_key_and_ca_are_injected_as_files_never_as_values(name: str, kind: str, handed_on: dict, tmp_path: Path):
    definition = load(name)
    fields = {f["id"]: f for f in definition["inputs"]["fields"]}
    assert set(definition["injectors"]["file"]) == {f"template.{field}" for field in handed_on}
    for field in handed_on:
        assert fields[field].get("multiline") is True, f"{field}: PEM text needs a multiline field"
    key_pem = "-----BEGIN PRIVATE KEY-----\nS3CRETKEYBODY\n-----END PRIVATE KEY-----\n"
    ca_pem = "-----BEGIN CERTIFICATE-----\nCABODY\n-----END CERTIFICATE-----\n"
    rendered = render(definition, kind, {"username": "eda", "private_key": key_pem, "ca_certificate": ca_pem},
                      tmp_path)
    for field, variable in handed_on.items():
        path = Path(rendered[variable])
        assert path.parent == tmp_path, f"{variable} is not the path of the file the controller wrote"
        assert path.read_text() == {"private_key": key_pem, "ca_certificate": ca_pem}[field]
    assert "S3CRETKEYBODY" not in repr(rendered) and "CABODY" not in repr(rendered)
    certificate_name = "aci_certificate_name" if kind == "extra_vars" else "ACI_CERTIFICATE_NAME"
    assert rendered[certificate_name] == "eda", "a key file's random name must not become the certificate name"


OPS_PASSWORD = "20261127"  # digits only: templating turns it into a number, it must still log in


@pytest.mark.playbook
@pytest.mark.apicsim(users={"ops": OPS_PASSWORD})
def test_awx_credential_and_inventory_drive_the_documented_playbook(apic_thread, tmp_path: Path):
    """AWX job: login and CA from the credential (environment and file), address from the fabric's host vars,
    via the guide's playbook header."""
    password = OPS_PASSWORD
    files = tmp_path / "job-files"
    files.mkdir()
    env = render(load("awx_apic.yml"), "env",
                 {"username": "ops", "password": password, "ca_certificate": Path(apic_thread.ca_file).read_text()},
                 files)
    inventory = {
        "all": {
            "hosts": {
                "dc1": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                    "aci_host": apic_thread.host,
                    "aci_port": apic_thread.port,
                    "aci_validate_certs": True,
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
    """EDA activation: a certificate user's credential, rendered as the controller does (key and CA written to
    files, certificate name left empty), read by the guide's source."""
    key_pem = Path(apic_thread.cert_user.key).read_text()
    assert apic_thread.cert_user.cert_name == apic_thread.cert_user.user, "the empty name must mean the user"
    files = tmp_path / "activation-files"
    files.mkdir()
    extra_vars = render(
        load("eda_apic.yml"),
        "extra_vars",
        {
            "host": apic_thread.host,
            "port": str(apic_thread.port),
            "username": apic_thread.cert_user.user,
            "private_key": key_pem,
            "ca_certificate": Path(apic_thread.ca_file).read_text(),
        },
        files,
    )
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra_vars))
    assert "PRIVATE KEY" not in (tmp_path / "vars.yml").read_text(), "the key travelled as a variable"
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


# A stand-in for ansible.eda.credential_type and awx.awx.credential_type (no controller runs here): it
# accepts the options the guide passes and returns them as it received them.
STUB_MODULE = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule

SPEC = {name: {"type": "raw"} for name in ("name", "description", "kind", "inputs", "injectors")}
module = AnsibleModule(argument_spec=SPEC)
module.exit_json(changed=False, received={k: v for k, v in module.params.items() if v is not None})
"""


def stub_collections(root: Path) -> Path:
    for namespace, name in (("ansible", "eda"), ("awx", "awx")):
        modules = root / "ansible_collections" / namespace / name / "plugins" / "modules"
        modules.mkdir(parents=True)
        (modules / "credential_type.py").write_text(STUB_MODULE)
    return root


def test_guide_playbook_creates_both_types_verbatim_and_without_warnings(tmp_path: Path):
    """The guide's playbook, unchanged, on the definitions of the installed collection: each option reaches
    the module as the file has it (injector templates untouched), and ansible-playbook warns about nothing,
    in particular not "Using a template for task args is unsafe"."""
    require_installed_collection()
    play = yaml.safe_load(guide_yaml_block("ansible.eda.credential_type:"))
    eda_task, awx_task = play[0]["tasks"]
    eda_task["register"], awx_task["register"] = "eda_result", "awx_result"
    received = tmp_path / "received.json"
    play[0]["tasks"].append({"name": "Keep what the modules received", "ansible.builtin.copy": {
        "content": "{{ {'eda': eda_result.received, 'awx': awx_result.received} | to_json }}",
        "dest": str(received), "mode": "0600"}})
    (tmp_path / "types.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    output = run([tool("ansible-playbook"), "-i", "localhost,", "-c", "local", "types.yml",
                  "-e", f"fabricops_aci_dir={INSTALLED}"], cwd=tmp_path, timeout=180,
                 ANSIBLE_COLLECTIONS_PATH=str(stub_collections(tmp_path / "stubs")),
                 ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    assert "failed=0" in output
    assert "task args is unsafe" not in output, output
    assert "[WARNING]" not in output, output
    got = json.loads(received.read_text())
    for key, name, options in (("eda", "eda_apic.yml", ("name", "description", "inputs", "injectors")),
                               ("awx", "awx_apic.yml", ("name", "description", "kind", "inputs", "injectors"))):
        definition = yaml.safe_load((INSTALLED / "controller" / "credential_types" / name).read_text())
        assert got[key] == {option: definition[option] for option in options}


@pytest.mark.rulebook
def test_controller_variant_without_a_platform_credential_stops_as_the_guide_says(tmp_path: Path):
    """An activation of a controller variant needs an Automation Platform credential (controller URL and
    token): without one, ansible-rulebook refuses to start with the message the guide quotes."""
    require_installed_collection()
    quoted = re.search(r'ansible-rulebook refuses the rulebook with "([^"]+)"', GUIDE.read_text().replace("\n", " "))
    assert quoted, "docs/controller.md must quote ansible-rulebook's refusal"
    env = tool_env({"ACI_HOST": "127.0.0.1", "ACI_PASSWORD": "unused"})
    for name in [name for name in env if name.startswith("EDA_CONTROLLER")]:
        del env[name]
    (tmp_path / "inventory.yml").write_text("all:\n  hosts:\n    localhost: {}\n")
    rulebook = INSTALLED / "rulebooks" / "controller" / "tenant_watch.yml"
    proc = subprocess.run([tool("ansible-rulebook"), "-r", str(rulebook), "-i", "inventory.yml"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert quoted.group(1) in " ".join(output.split()), output[-4000:]
