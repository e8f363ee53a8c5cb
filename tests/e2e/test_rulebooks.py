"""The shipped rulebooks, run by the real ansible-rulebook from the tarball-installed collection.

One ansible-rulebook per rulebook (its JVM start-up is the expensive part), each covering several cases
against a fresh simulator: the rule fires and the reaction playbook's effect is visible (on the simulator or
in the report), changes that must not match fire nothing, and throttling holds under a burst.

"Fires nothing" is proven with a barrier: after the changes that must not match, one change that must match
is made; ansible-rulebook handles events in order and runs playbooks one after another, so once the
barrier's run has finished every earlier event has been decided, and the runs can be counted.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import yaml
from contract import load, render
from controller_api import ControllerAPI
from rulebook_process import (
    ONBOARD_PLAY,
    TRIAGE_PLAY,
    RulebookProcess,
    RunFiles,
    contract_files,
    fault_lifecycle,
    wait_until,
)
from rulebook_runs import listening

pytestmark = [pytest.mark.rulebook, pytest.mark.slow]

THRESHOLD, DROP = 70, 20


def running(apic, tmp_path: Path, rulebook: str, subscriptions: int, extra_args: tuple[str, ...] = (),
            files: RunFiles | None = None) -> AbstractContextManager[RulebookProcess]:
    """ansible-rulebook on ``fabricops.aci.<rulebook>``, subscribed; on exit SIGTERM must end it cleanly.

    It connects the laptop way of docs/controller.md (contract_files) unless ``files`` says otherwise.
    """
    files = files or contract_files(tmp_path, apic, tmp_path / "reports", health_threshold=THRESHOLD,
                                    health_drop=DROP)
    process = RulebookProcess(f"fabricops.aci.{rulebook}", cwd=tmp_path, vars_file=files.vars_file,
                              inventory=files.inventory, env=files.env, extra_args=extra_args)
    return listening(process, apic, subscriptions)


def read_json(path: Path) -> dict:
    assert path.exists(), f"{path.name} was not written; files there: {sorted(p.name for p in path.parent.glob('*'))}"
    return json.loads(path.read_text())


def children(mo: dict, cls: str) -> list[dict]:
    """Attributes of the direct children of class ``cls`` of an object in the APIC JSON form."""
    ((_, body),) = mo.items()
    return [child[cls]["attributes"] for child in body.get("children", []) if cls in child]


def triaged(process: RulebookProcess) -> list[str]:
    """The object of every triage run so far (from the playbook's last message), in order."""
    return [run.messages[-1].split(":", 1)[0] for run in process.runs(TRIAGE_PLAY)]


def set_health(apic, dn: str, *scores: int) -> None:
    for score in scores:
        apic.call(apic.control.set_health, dn, score)


def test_tenant_watch_onboards_each_new_tenant_once(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    with running(apic, tmp_path, "tenant_watch", 1) as rulebook:
        apic.call(apic.control.create_tenant, "e2e-a", "", "jane")
        run = rulebook.wait_for_run(ONBOARD_PLAY, 1)
        assert (run.failed, run.changed) == (0, 3), "\n".join(run.lines)

        tenant = apic.call(apic.control.get, "uni/tn-e2e-a")
        assert tenant["fvTenant"]["attributes"]["annotation"] == "orchestrator:fabricops-eda"
        assert [a["name"] for a in children(tenant, "fvCtx")] == ["main"]
        assert [a["name"] for a in children(tenant, "fvAp")] == ["main-ap"]
        (bd,) = (child for child in tenant["fvTenant"]["children"] if "fvBD" in child)
        assert bd["fvBD"]["attributes"]["name"] == "main-bd"
        assert [a["tnFvCtxName"] for a in children(bd, "fvRsCtx")] == ["main"]

        record = read_json(reports / "onboard-e2e-a.json")
        assert (record["tenant"], record["dn"]) == ("e2e-a", "uni/tn-e2e-a")
        assert record["trigger"]["rule"] == "Tenant created" and len(record["trigger"]["event_uuid"]) == 36
        # who created it, joined by the event source from the APIC's audit record (changed_by)
        assert record["trigger"]["changed_by"]["user"] == "jane"
        assert "name:e2e-a" in record["trigger"]["changed_by"]["change_set"]
        sent_classes = {next(iter(child)) for child in record["sent"]["fvTenant"]["children"]}
        assert sent_classes == {"fvCtx", "fvBD", "fvAp"}

        # Must not match: a tenant modified, an object of another class created, a tenant deleted.
        apic.call(apic.control.modify, "uni/tn-e2e-a", {"descr": "changed"})
        apic.call(apic.control.create, "fvBD", "uni/tn-prod/BD-e2e", {"name": "e2e"})
        apic.call(apic.control.delete, "uni/tn-e2e-a")
        # Loop guard: a tenant the automation created itself (it carries the automation's annotation).
        apic.call(apic.control.post, "uni", {"fvTenant": {"attributes": {
            "name": "e2e-auto", "annotation": "orchestrator:fabricops-eda"}}})
        # Barrier, and a burst of two creations: each is onboarded exactly once.
        apic.call(apic.control.create_tenant, "e2e-b")
        apic.call(apic.control.create_tenant, "e2e-c")
        rulebook.wait_for_run(ONBOARD_PLAY, 3)
        onboarded = [run.messages[-1].split(":", 1)[0] for run in rulebook.runs(ONBOARD_PLAY)]
        assert onboarded == ["uni/tn-e2e-a", "uni/tn-e2e-b", "uni/tn-e2e-c"]
        assert all(run.failed == 0 for run in rulebook.runs(ONBOARD_PLAY))
        assert sorted(p.name for p in reports.glob("onboard-*")) == [
            "onboard-e2e-a.json", "onboard-e2e-b.json", "onboard-e2e-c.json"]


@pytest.mark.apicsim(fault_time_scale=0.01)
def test_health_watch_triages_drops_once_per_object(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    with running(apic, tmp_path, "health_watch", 3) as rulebook:
        # Below the threshold (the default fabric has uni/tn-prod at 92).
        set_health(apic, "uni/tn-prod", 60)
        run = rulebook.wait_for_run(TRIAGE_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        report = read_json(reports / "triage-uni_tn-prod.json")
        assert report["trigger"]["kind"] == "health" and report["trigger"]["dn"] == "uni/tn-prod/health"
        assert (report["trigger"]["health"]["previous"], report["trigger"]["health"]["current"]) == (92, 60)
        assert (report["dn"], report["health"], report["exists"]) == ("uni/tn-prod", 60, True)
        assert report["unhealthiest"][0]["dn"] == "uni/tn-prod/ap-shop/epg-web"  # 85, below the report's 90
        assert [(f["code"], f["severity"]) for f in report["faults"]] == [("F0467", "minor")]
        markdown = (reports / "triage-uni_tn-prod.md").read_text()
        assert "dropped from 92 to 60" in markdown and "| minor | F0467 | raised |" in markdown

        # A fall of DROP points or more while still above the threshold (a switch: 100 -> 75).
        set_health(apic, "topology/pod-1/node-102/sys", 75)
        rulebook.wait_for_run(TRIAGE_PLAY, 2)

        # Must not match: a small fall, a rise, a small fall of a subscribed EPG, an unsubscribed class (BD).
        set_health(apic, "uni/tn-common", 95, 99)
        set_health(apic, "uni/tn-prod/ap-shop/epg-web", 80)
        set_health(apic, "uni/tn-prod/BD-web-bd", 10)
        # A flapping score: one triage only.
        set_health(apic, "uni/tn-infra", 60, 50, 65, 40, 30, 20)
        # Barrier (and the EPG subscription firing).
        set_health(apic, "uni/tn-prod/ap-shop/epg-web", 30)
        rulebook.wait_for_run(TRIAGE_PLAY, 4)
        assert triaged(rulebook) == ["uni/tn-prod", "topology/pod-1/node-102/sys", "uni/tn-infra",
                                     "uni/tn-prod/ap-shop/epg-web"]
        infra = read_json(reports / "triage-uni_tn-infra.json")
        assert infra["trigger"]["health"] == {**infra["trigger"]["health"], "previous": 100, "current": 60}


@pytest.mark.apicsim(fault_time_scale=0.01)
def test_fault_watch_triages_new_severe_faults_once(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    web_bd = "uni/tn-prod/BD-web-bd"
    with running(apic, tmp_path, "fault_watch", 1) as rulebook:
        apic.call(apic.control.raise_fault, web_bd, "F0467", "major", descr="e2e: no subnet")
        run = rulebook.wait_for_run(TRIAGE_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        report = read_json(reports / "triage-uni_tn-prod_BD-web-bd.json")
        trigger = report["trigger"]
        assert (trigger["kind"], trigger["fault"]["code"], trigger["fault"]["severity"]) == ("fault", "F0467", "major")
        assert trigger["fault"]["lifecycle"] == "raised"
        assert [(f["code"], f["severity"], f["lifecycle"]) for f in report["faults"]] == [("F0467", "major", "raised")]
        assert "| major | F0467 | raised | uni/tn-prod/BD-web-bd | e2e: no subnet |" in (
            reports / "triage-uni_tn-prod_BD-web-bd.md").read_text()

        # Must not match: a minor fault (raised), the major one clearing. Then it comes back twice: throttled.
        apic.call(apic.control.raise_fault, "uni/tn-prod/BD-app-bd", "F1111", "minor")
        for _ in range(2):
            apic.call(apic.control.clear_fault, web_bd, "F0467")
            apic.call(apic.control.raise_fault, web_bd, "F0467", "major")
            wait_until(lambda: fault_lifecycle(apic, f"{web_bd}/fault-F0467") == "raised", "F0467 raised again", 30)
        wait_until(lambda: fault_lifecycle(apic, "uni/tn-prod/BD-app-bd/fault-F1111") == "raised", "F1111", 30)
        # Barrier: a critical fault elsewhere.
        apic.call(apic.control.raise_fault, "uni/tn-common/BD-default", "F0999", "critical")
        rulebook.wait_for_run(TRIAGE_PLAY, 2)
        assert triaged(rulebook) == [web_bd, "uni/tn-common/BD-default"]
        assert apic.call(apic.control.get, f"{web_bd}/fault-F0467")["faultInst"]["attributes"]["occur"] == "3"


def activation_files(apic, tmp_path: Path, fabric: str) -> RunFiles:
    """What an EDA controller activation gets: the vars of its eda_apic credential, rendered as the controller
    renders them, plus its own ``aci_fabric``; no ACI_* environment, so the credential is the only way in."""
    files = contract_files(tmp_path, apic, tmp_path / "reports")
    injected = tmp_path / "credential-files"
    injected.mkdir()
    credential = render(load("eda_apic.yml"), "extra_vars", {
        "host": apic.host, "port": str(apic.port), "username": apic.username, "password": apic.password,
        "ca_certificate": Path(apic.ca_file).read_text()}, injected)
    files.vars_file.write_text(yaml.safe_dump({**credential, "aci_fabric": fabric}))
    return RunFiles(files.vars_file, files.inventory, env={})


def test_controller_variant_launches_the_job_template_for_the_fabric(apic_thread, tmp_path: Path):
    """rulebooks/controller/tenant_watch.yml asks the controller to run the onboarding job for its fabric.

    The activation connects with its credential (controller/credential_types/eda_apic.yml) and talks to
    the controller API stand-in over TLS with its token. The stand-in only knows templates of organization
    "Default" (ansible-rulebook checks it), so a launch also proves the variant's default organization.
    The guide's run_job_template example is this variant's action (test_rulebook_contract.py).
    """
    apic = apic_thread
    template = "fabricops.aci tenant onboard"
    with ControllerAPI([template, "fabricops.aci health triage"], apic.tls.server_context()) as controller:
        args = ("--controller-url", controller.url, "--controller-token", controller.token,
                "--controller-ssl-verify", str(apic.ca_file))
        files = activation_files(apic, tmp_path, "dc1")
        with running(apic, tmp_path, "controller/tenant_watch", 1, args, files) as rulebook:
            apic.call(apic.control.create_tenant, "e2e-ctl")
            rulebook.wait_for(lambda: controller.launches, "the job template launch", 60)
            apic.call(apic.control.modify, "uni/tn-e2e-ctl", {"descr": "must not launch"})
            apic.call(apic.control.create_tenant, "e2e-ctl2")  # barrier
            rulebook.wait_for(lambda: len(controller.launches) >= 2, "the second launch", 60)
    assert [name for name, _ in controller.launches] == [template, template]
    (_, first), (_, second) = controller.launches
    assert first["limit"] == "dc1"
    assert first["extra_vars"]["aci_fabric"] == "dc1"
    assert (first["extra_vars"]["ansible_eda"]["rule"], first["extra_vars"]["ansible_eda"]["event"]["aci"]["dn"]) == (
        "Tenant created", "uni/tn-e2e-ctl")
    assert second["extra_vars"]["ansible_eda"]["event"]["aci"]["dn"] == "uni/tn-e2e-ctl2"
    assert not [v for v in first["extra_vars"] if v.startswith("aci_") and v != "aci_fabric"], first["extra_vars"]
    sent = yaml.safe_dump([body for _, body in controller.launches])
    assert apic.password not in sent, "a launch carried the APIC password"
    assert rulebook.runs() == [], "the controller variant never runs a playbook itself"
