"""The reactions to ports, switches, endpoints and hand-made changes, run by the real ansible-rulebook.

As in test_rulebooks.py: one ansible-rulebook per rulebook from the tarball-installed collection against a
fresh simulator; the rule fires on the situation and the playbook's report is checked against the
simulator's state; noise fires nothing, proven with a barrier (a later change that must match: runs are
handled in order, so once the barrier's run has finished every earlier event has been decided); throttling
holds under a burst. The change_audit case also proves the loop guard: the drift guard's own writes to the
fabric never start a rule again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rulebook_process import RulebookProcess, contract_files
from test_rulebooks import read_json, running

pytestmark = [pytest.mark.rulebook, pytest.mark.slow]

INTERFACE_PLAY = "Triage a switch port that went down or flaps"
NODE_PLAY = "Report a switch that left or rejoined the fabric"
ENDPOINT_PLAY = "Report an endpoint that moves too often or appears where it should not"
AUDIT_PLAY = "Record a change made by hand to a managed object"
WEB = "uni/tn-prod/ap-shop/epg-web"
WEB_MAC = "00:50:56:A1:01:11"  # learned on node-101 eth1/1 in the default fabric


def subjects(process: RulebookProcess, play: str) -> list[str]:
    """The object of every run of ``play`` so far (the playbook's last message starts with it), in order."""
    return [run.messages[-1].split(": ", 1)[0] for run in process.runs(play)]


@pytest.mark.apicsim(fault_time_scale=0.001)
def test_interface_watch_triages_a_port_down_and_a_flapping_port(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    port = "topology/pod-1/node-101/sys/phys-[eth1/1]"
    with running(apic, tmp_path, "interface_watch", 1) as rulebook:
        apic.call(apic.control.link_down, 101, "eth1/1")
        run = rulebook.wait_for_run(INTERFACE_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        report = read_json(reports / "interface-101-eth1_1.json")
        assert (report["dn"], report["trigger"]["kind"], report["state"]) == (port, "down", "down")
        assert report["trigger"]["rule"] == "Switch port down"
        node = apic.call(apic.control.get, "topology/pod-1/node-101")["fabricNode"]["attributes"]
        assert report["switch"] == {"dn": "topology/pod-1/node-101", "name": node["name"], "role": "leaf",
                                    "model": node["model"], "state": "active"}
        assert report["epgs"] == [WEB] and report["endpoint_epgs"] == [WEB]
        assert [e["mac"] for e in report["endpoints"]] == [WEB_MAC]
        assert [f["code"] for f in report["faults"]] == ["F0532"] and report["downs"] == 1
        markdown = (reports / "interface-101-eth1_1.md").read_text()
        assert "- Why: the port went down" in markdown and f"| {WEB_MAC} | 10.1.1.11 | vlan-100 | {WEB} |" in markdown

        # Noise: ports coming up, a port already up "going up", a switch leaving (not a port).
        apic.call(apic.control.link_up, 101, "eth1/1")
        apic.call(apic.control.link_up, 102, "eth1/1")
        apic.call(apic.control.node_down, 201)
        # Flapping: two more downs of the same port within the window; the "down" rule stays throttled.
        apic.call(apic.control.link_flap, 101, "eth1/1", times=2)
        flapping = rulebook.wait_for_run(INTERFACE_PLAY, 2)
        assert flapping.failed == 0, "\n".join(flapping.lines)
        report = read_json(reports / "interface-101-eth1_1.json")
        assert (report["trigger"]["kind"], report["downs"], report["state"]) == ("flapping", 3, "up")
        # Barrier: another port goes down.
        apic.call(apic.control.link_down, 102, "eth1/1", reason="sfp-missing")
        rulebook.wait_for_run(INTERFACE_PLAY, 3)
        assert subjects(rulebook, INTERFACE_PLAY) == [port, port, "topology/pod-1/node-102/sys/phys-[eth1/1]"]
        other = read_json(reports / "interface-102-eth1_1.json")
        assert (other["state_reason"], other["epgs"]) == ("sfp-missing", ["uni/tn-prod/ap-shop/epg-app"])


@pytest.mark.apicsim(fault_time_scale=0.001)
def test_node_watch_reports_switches_leaving_and_rejoining_once(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    leaf = "topology/pod-1/node-101"
    with running(apic, tmp_path, "node_watch", 1) as rulebook:
        apic.call(apic.control.node_down, 101)
        run = rulebook.wait_for_run(NODE_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        report = read_json(reports / "node-101.json")
        node = apic.call(apic.control.get, leaf)["fabricNode"]["attributes"]
        assert (report["trigger"]["kind"], report["state"], report["role"], report["pod"]) == (
            "left", "inactive", "leaf", 1)
        assert (report["name"], report["serial"], report["state_changed"]) == (
            node["name"], node["serial"], node["lastStateModTs"])
        assert report["epgs"] == [WEB]  # bound to eth1/1 and eth1/3 of node-101, endpoint learned on eth1/1
        assert sorted(b["tDn"] for b in report["bindings"]) == [
            "topology/pod-1/paths-101/pathep-[eth1/1]", "topology/pod-1/paths-101/pathep-[eth1/3]"]
        assert [e["mac"] for e in report["endpoints"]] == [WEB_MAC]
        assert "F0110" in [f["code"] for f in report["faults"]]
        assert "- Why: the switch left the fabric" in (reports / "node-101.md").read_text()

        # Noise: a controller "leaving" (not subscribed), a port going down, the same state again.
        apic.call(apic.control.node_down, 1)
        apic.call(apic.control.link_down, 102, "eth1/1")
        apic.call(apic.control.node_down, 101)
        apic.call(apic.control.node_up, 101)
        rulebook.wait_for_run(NODE_PLAY, 2)
        assert read_json(reports / "node-101.json")["trigger"]["kind"] == "rejoined"
        # The switch bounces again within 5 minutes: both directions are throttled.
        apic.call(apic.control.node_down, 101)
        apic.call(apic.control.node_up, 101)
        # Barrier: a spine leaves; nothing depended on it.
        apic.call(apic.control.node_down, 202)
        rulebook.wait_for_run(NODE_PLAY, 3)
        assert subjects(rulebook, NODE_PLAY) == [leaf, leaf, "topology/pod-1/node-202"]
        spine = read_json(reports / "node-202.json")
        assert (spine["role"], spine["epgs"], spine["endpoints"]) == ("spine", [], [])
        assert "Nothing: no EPG is bound to its ports" in (reports / "node-202.md").read_text()


def managed_tenant(name: str) -> dict:
    """A tenant as tenant_onboard leaves it: the automation's annotation and the baseline."""
    return {"fvTenant": {"attributes": {"name": name, "annotation": "orchestrator:fabricops-eda"}, "children": [
        {"fvCtx": {"attributes": {"name": "main"}}},
        {"fvBD": {"attributes": {"name": "main-bd"},
                  "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "main"}}}]}},
        {"fvAp": {"attributes": {"name": "main-ap"}}},
    ]}}


def test_change_audit_records_hand_made_changes_and_its_restores_never_loop(apic_thread, tmp_path: Path):
    """The loop guard, end to end: the drift guard writes the baseline back as the automation's user, and
    those writes (audit records like any other) never start the rule again."""
    apic = apic_thread
    reports = tmp_path / "reports"
    files = contract_files(tmp_path, apic, reports, automation_user=apic.username)
    files.env["FABRICOPS_DRIFT_GUARD"] = "restore"
    rsctx = "uni/tn-m1/BD-main-bd/rsctx"
    with running(apic, tmp_path, "change_audit", 1, files=files) as rulebook:
        # The automation's own writes (the user the event source and playbooks log in as): never a run.
        apic.call(apic.control.post, "uni", managed_tenant("m1"), user=apic.username)
        apic.call(apic.control.create_tenant, "u1", user=apic.username)
        apic.call(apic.control.modify, "uni/tn-m1", {"descr": "by the automation"}, user=apic.username)
        # Someone changes the managed BD's VRF by hand (logged in through a login domain).
        apic.call(apic.control.modify, rsctx, {"tnFvCtxName": "other"}, user="apic#fallback\\jdoe")
        run = rulebook.wait_for_run(AUDIT_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        (record_file,) = reports.glob("change-m1-*.json")
        record = read_json(record_file)
        assert (record["user"], record["action"], record["dn"], record["restored"]) == (
            "jdoe", "modification", rsctx, True)
        expected = [[{"property": "tnFvCtxName", "old": "main", "new": "other"}]]
        assert [c["changes"] for c in record["changes"]] == expected
        bd_relation = apic.call(apic.control.get, rsctx)["fvRsCtx"]["attributes"]
        assert bd_relation["tnFvCtxName"] == "main", "the drift guard put the baseline back"
        assert "- Who: jdoe (modification of uni/tn-m1/BD-main-bd/rsctx" in record_file.with_suffix(".md").read_text()

        # One commit deleting the managed BD (two audit records, one transaction): one run, BD restored.
        apic.call(apic.control.delete, "uni/tn-m1/BD-main-bd", user="jdoe")
        rulebook.wait_for_run(AUDIT_PLAY, 2)
        assert apic.call(apic.control.get, "uni/tn-m1/BD-main-bd"), "the deleted BD was restored"
        # Barrier: a hand-made change to a tenant the automation does not manage (looked at, never recorded or
        # touched). Had a restore started the rule, its run would come before this one.
        apic.call(apic.control.modify, "uni/tn-u1", {"descr": "mine"}, user="jdoe")
        rulebook.wait_for_run(AUDIT_PLAY, 3)
        assert subjects(rulebook, AUDIT_PLAY) == [rsctx, rsctx, "uni/tn-u1"]
        assert rulebook.runs(AUDIT_PLAY)[2].messages[-1].endswith("not managed by the automation, nothing recorded")
        assert all(run.failed == 0 for run in rulebook.runs(AUDIT_PLAY))
        assert not list(reports.glob("change-u1-*")), "an unmanaged tenant got a record"
        assert len(list(reports.glob("change-m1-*.json"))) == 2
        assert apic.call(apic.control.get, "uni/tn-u1")["fvTenant"]["attributes"]["annotation"] == ""


def test_endpoint_watch_reports_moving_and_misplaced_endpoints(apic_thread, tmp_path: Path):
    apic = apic_thread
    reports = tmp_path / "reports"
    quarantine = "uni/tn-dev/ap-lab/epg-test"
    files = contract_files(tmp_path, apic, reports, endpoint_unexpected_epgs=[quarantine])
    mover, misplaced, barrier = "00:50:56:CC:00:01", "00:50:56:CC:00:02", "00:50:56:CC:00:03"
    with running(apic, tmp_path, "endpoint_watch", 1, files=files) as rulebook:
        # Learned where expected, then three moves within the window: one report.
        apic.call(apic.control.endpoint_learn, WEB, mover, 101, "eth1/1", ip="10.1.1.77")
        for node, port in ((102, "eth1/1"), (101, "eth1/2"), (102, "eth1/3")):
            apic.call(apic.control.endpoint_move, WEB, mover, node, port)
        run = rulebook.wait_for_run(ENDPOINT_PLAY, 1)
        assert run.failed == 0, "\n".join(run.lines)
        report = read_json(reports / "endpoint-00_50_56_CC_00_01.json")
        assert (report["trigger"]["kind"], report["moves"], report["learned"]) == ("moving", 3, True)
        (where,) = report["locations"]
        assert (where["epg"], where["nodes"], where["interface"], where["ips"]) == (WEB, [102], "eth1/3", ["10.1.1.77"])
        assert apic.call(apic.control.get, f"{WEB}/cep-{mover}")["fvCEp"]["attributes"]["fabricPathDn"] == where["path"]
        assert [h["cause"] for h in report["history"]] == ["endpoint-moved"] * 3 + ["endpoint-learned"]
        assert len(report["paths"]) == 4
        assert "- Why: it moved 3 times in 10 minutes" in (reports / "endpoint-00_50_56_CC_00_01.md").read_text()

        # Noise: an endpoint ageing out, one move of another endpoint, a learn in an expected EPG.
        apic.call(apic.control.endpoint_age_out, WEB, WEB_MAC)
        apic.call(apic.control.endpoint_move, "uni/tn-prod/ap-shop/epg-app", "00:50:56:A1:02:11", 101, "eth1/9")
        apic.call(apic.control.endpoint_learn, "uni/tn-prod/ap-shop/epg-app", misplaced, 102, "eth1/1")
        # Learned in the quarantine EPG: reported; ageing out and coming back at once is throttled.
        apic.call(apic.control.endpoint_learn, quarantine, misplaced, 101, "eth1/4")
        rulebook.wait_for_run(ENDPOINT_PLAY, 2)
        report = read_json(reports / "endpoint-00_50_56_CC_00_02.json")
        assert (report["trigger"]["kind"], report["trigger"]["epg"]) == ("unexpected", quarantine)
        epgs = sorted(location["epg"] for location in report["locations"])
        assert epgs == sorted(["uni/tn-prod/ap-shop/epg-app", quarantine])
        apic.call(apic.control.endpoint_age_out, quarantine, misplaced)
        apic.call(apic.control.endpoint_learn, quarantine, misplaced, 101, "eth1/4")
        # Barrier: another endpoint in the quarantine EPG.
        apic.call(apic.control.endpoint_learn, quarantine, barrier, 101, "eth1/5")
        rulebook.wait_for_run(ENDPOINT_PLAY, 3)
        assert subjects(rulebook, ENDPOINT_PLAY) == [mover, misplaced, barrier]
