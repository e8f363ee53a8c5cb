"""The shipped rulebooks and playbooks follow the credential contract of docs/controller.md, and the
controller variants stay the local rulebooks' twins.

The guide's YAML examples are the contract: every rulebook's source passes the connection variables exactly
as the guide's source example does, every reaction playbook sets its module defaults exactly as the guide's
playbook example does, and a controller variant differs from its local rulebook only in its actions, which
launch a job template the guide's way and never pass a connection variable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from contract import guide_yaml_block
from rulebook_process import REPO

RULEBOOKS = sorted((REPO / "rulebooks").glob("*.yml"))
CONTROLLER = REPO / "rulebooks" / "controller"
PLAYBOOKS = sorted((REPO / "playbooks").glob("*.yml"))
SOURCE = "fabricops.aci.websocket"
CONNECTION_PREFIX = "aci_"


def load(path: Path) -> list:
    return yaml.safe_load(path.read_text())


def actions(rule: dict) -> list[dict]:
    return rule.get("actions") or [rule["action"]]


def test_every_rulebook_has_a_controller_variant_and_nothing_else_is_there():
    assert [p.name for p in RULEBOOKS] == [
        "change_audit.yml", "endpoint_watch.yml", "fault_watch.yml", "health_watch.yml", "interface_watch.yml",
        "node_watch.yml", "tenant_watch.yml"]
    assert sorted(p.name for p in CONTROLLER.glob("*.yml")) == [p.name for p in RULEBOOKS]


@pytest.mark.parametrize("path", [*RULEBOOKS, *sorted(CONTROLLER.glob("*.yml"))], ids=lambda p: p.stem)
def test_sources_pass_the_connection_exactly_as_the_guide_says(path: Path):
    guide = yaml.safe_load(guide_yaml_block(f"{SOURCE}:"))["sources"][0][SOURCE]
    for ruleset in load(path):
        (source,) = ruleset["sources"]
        args = source[SOURCE]
        assert {k: v for k, v in args.items() if k in guide} == guide
        assert set(args) - set(guide) == {"subscriptions"}, "only subscriptions beside the contract's options"


@pytest.mark.parametrize("path", RULEBOOKS, ids=lambda p: p.stem)
def test_local_rulebooks_run_a_shipped_playbook(path: Path):
    for ruleset in load(path):
        for rule in ruleset["rules"]:
            for action in actions(rule):
                (name,) = action
                assert name == "run_playbook", f"{rule['name']}: local rulebooks run playbooks"
                playbook = action[name]["name"]
                assert playbook.startswith("fabricops.aci."), "run the installed collection's playbook"
                assert (REPO / "playbooks" / f"{playbook.rsplit('.', 1)[1]}.yml").exists()
                assert "extra_vars" not in action[name], "local runs pass nothing: the playbook reads ACI_*"


@pytest.mark.parametrize("path", RULEBOOKS, ids=lambda p: p.stem)
def test_controller_variant_is_the_same_rulebook_launching_a_job_template(path: Path):
    guide_action = yaml.safe_load(guide_yaml_block("run_job_template:"))["action"]["run_job_template"]
    local, variant = load(path), load(CONTROLLER / path.name)
    assert len(local) == len(variant)
    for mine, theirs in zip(local, variant, strict=True):
        assert {k: v for k, v in mine.items() if k != "rules"} == {k: v for k, v in theirs.items() if k != "rules"}
        assert len(mine["rules"]) == len(theirs["rules"])
        for rule, twin in zip(mine["rules"], theirs["rules"], strict=True):
            assert {k: v for k, v in rule.items() if k not in ("action", "actions")} == {
                k: v for k, v in twin.items() if k not in ("action", "actions")}
            (launch,) = actions(twin)
            job = launch["run_job_template"]
            assert job["organization"] == guide_action["organization"]
            assert job["job_args"] == guide_action["job_args"]
            assert not [v for v in job["job_args"]["extra_vars"] if v.startswith(CONNECTION_PREFIX) and
                        v != "aci_fabric"], "a job template never receives connection variables"
            assert job["name"].startswith("{{ job_template_prefix | default('fabricops.aci') }} ")


def test_the_guide_shows_the_tenant_watch_variant_action_verbatim():
    """The guide's run_job_template example is what controller/tenant_watch.yml does, to the letter: the e2e
    run of that variant against the controller API stand-in then also proves the guide's example."""
    guide_action = yaml.safe_load(guide_yaml_block("run_job_template:"))["action"]
    (ruleset,) = load(CONTROLLER / "tenant_watch.yml")
    (rule,) = ruleset["rules"]
    assert actions(rule) == [guide_action]


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_playbooks_set_the_connection_exactly_as_the_guide_says(path: Path):
    guide = yaml.safe_load(guide_yaml_block("group/fabricops.aci.all"))[0]
    for play in load(path):
        for key in ("hosts", "connection", "gather_facts", "module_defaults"):
            assert play[key] == guide[key], f"{path.name}: {key} differs from docs/controller.md"
