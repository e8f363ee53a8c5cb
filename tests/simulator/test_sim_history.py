"""Audit records (aaaModLR) for configuration changes, and the operational events of ports, switches and endpoints.

What an APIC shows is checked through the simulator's own REST and websocket surface: a change committed
through REST or the control API leaves one audit record per object naming who made it, and a subscriber to
aaaModLR receives it; a port going down, a switch leaving the fabric and an endpoint moving change the
operational objects, run the related fault through its lifecycle and leave an event record.
"""

from __future__ import annotations

import pytest
from apicsim.cli import _CTL_COMMANDS, ctl_request, main
from apicsim.simulator import Simulator

EPG = "uni/tn-prod/ap-shop/epg-web"
PORT = "topology/pod-1/node-101/sys/phys-[eth1/1]"
MAC = "00:50:56:AA:00:01"


def records(sim: Simulator, cls: str, affected: str) -> list[dict[str, str]]:
    return [dict(mo.attrs) for mo in sim.mit.of_class(cls) if mo.attrs["affected"] == affected]


def attrs(sim: Simulator, dn: str) -> dict[str, str]:
    mo = sim.mit.get(dn)
    assert mo is not None, f"{dn} does not exist"
    return dict(mo.attrs)


async def test_rest_changes_are_audited_with_user_session_and_change_set(client):
    login = await client.login("apic#fallback\\admin")
    token = login["token"]
    body = {"fvTenant": {"attributes": {"name": "audited", "descr": "first"}}}
    assert (await client.request("POST", "/api/mo/uni.json", token=token, body=body))[0] == 200
    body = {"fvTenant": {"attributes": {"descr": "second"}}}
    assert (await client.request("POST", "/api/mo/uni/tn-audited.json", token=token, body=body))[0] == 200
    assert (await client.request("DELETE", "/api/mo/uni/tn-audited.json", token=token))[0] == 200

    created, modified, deleted = records(client.sim, "aaaModLR", "uni/tn-audited")
    assert {r["user"] for r in (created, modified, deleted)} == {"admin"}  # the domain login, by its user
    assert {r["sessionId"] for r in (created, modified, deleted)} == {login["sessionId"]}
    assert [r["ind"] for r in (created, modified, deleted)] == ["creation", "modification", "deletion"]
    assert created["changeSet"] == "descr:first, name:audited"
    assert modified["changeSet"] == "descr (Old: first, New: second)"
    assert (created["descr"], deleted["descr"]) == ("Tenant audited created", "Tenant audited deleted")
    assert created["dn"] == f"subj-[uni/tn-audited]/mod-{created['id']}"
    assert created["created"] <= modified["created"] <= deleted["created"]
    assert len({r["txId"] for r in (created, modified, deleted)}) == 3
    # The health score created with the tenant is the system's, not the user's change.
    assert records(client.sim, "aaaModLR", "uni/tn-audited/health") == []


async def test_audit_records_are_pushed_to_subscribers_and_queryable(client):
    token, ws, sub = await client.subscribed("/api/class/aaaModLR.json")
    client.sim.control.create_tenant("pushed", user="jdoe")
    frame = await client.next_frame(ws)
    cls, pushed = client.only_mo(frame)
    assert (frame["subscriptionId"], cls, pushed["status"]) == ([sub], "aaaModLR", "created")
    assert (pushed["affected"], pushed["user"], pushed["ind"]) == ("uni/tn-pushed", "jdoe", "creation")
    query = '/api/class/aaaModLR.json?query-target-filter=eq(aaaModLR.user,"jdoe")'
    status, data, _ = await client.request("GET", query, token=token)
    assert status == 200 and [mo["aaaModLR"]["attributes"]["affected"] for mo in data["imdata"]] == ["uni/tn-pushed"]
    status, data, _ = await client.request("GET", "/api/mo/uni/tn-pushed.json?rsp-subtree-include=audit-logs",
                                           token=token)
    ((_, tenant),) = data["imdata"][0].items()
    assert [next(iter(mo)) for mo in tenant["children"]] == ["aaaModLR"]
    await ws.close()


async def test_relation_resolution_is_not_anybodys_change(client):
    """Creating a VRF re-resolves the relations that named it: the APIC changes them, no user did."""
    client.sim.control.post("uni", {"fvTenant": {"attributes": {"name": "rel"}, "children": [
        {"fvBD": {"attributes": {"name": "bd"}, "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "v"}}}]}}]}})
    before = len(list(client.sim.mit.of_class("aaaModLR")))
    client.sim.control.create("fvCtx", "uni/tn-rel/ctx-v", {"name": "v"}, user="jdoe")
    new = list(client.sim.mit.of_class("aaaModLR"))[before:]
    assert [(r.attrs["affected"], r.attrs["user"]) for r in new] == [("uni/tn-rel/ctx-v", "jdoe")]


@pytest.mark.apicsim(history_records_max=3)
async def test_oldest_records_roll_over(client):
    for name in ("r1", "r2", "r3", "r4"):
        client.sim.control.create_tenant(name)
    kept = [mo.attrs["affected"] for mo in client.sim.mit.of_class("aaaModLR")]
    assert "uni/tn-r1" not in kept and kept[-3:] == ["uni/tn-r2", "uni/tn-r3", "uni/tn-r4"]


async def test_control_actions_refuse_an_empty_user(client):
    with pytest.raises(Exception, match="user must be a non-empty APIC user name"):
        client.sim.control.create_tenant("nobody", user="")
    assert client.sim.mit.get("uni/tn-nobody") is None


@pytest.mark.apicsim(fault_time_scale=0.001)
async def test_link_down_and_up_change_the_port_raise_and_clear_its_fault(client):
    _token, ws, _ = await client.subscribed("/api/class/ethpmPhysIf.json")
    sim = client.sim
    result = sim.control.link_down(101, "eth1/1", reason="sfp-missing")
    cls, pushed = client.only_mo(await client.next_frame(ws))
    assert (cls, pushed["dn"], pushed["operSt"], pushed["status"]) == (
        "ethpmPhysIf", f"{PORT}/phys", "down", "modified")
    assert (attrs(sim, f"{PORT}/phys")["operStQual"], attrs(sim, f"{PORT}/phys")["resetCtr"]) == ("sfp-missing", "1")
    fault_dn = result["fault"]
    assert fault_dn == f"{PORT}/fault-F0532" and attrs(sim, fault_dn)["lc"] == "soaking"
    sim.clock.advance(1)
    assert (attrs(sim, fault_dn)["lc"], attrs(sim, fault_dn)["severity"]) == ("raised", "warning")

    sim.control.link_up(101, "eth1/1")
    assert client.only_mo(await client.next_frame(ws))[1]["operSt"] == "up"
    assert attrs(sim, fault_dn)["lc"] == "raised-clearing"
    sim.clock.advance(1)
    assert attrs(sim, fault_dn)["lc"] == "retaining"
    events = records(sim, "eventRecord", f"{PORT}/phys")
    assert [(e["cause"], e["changeSet"]) for e in events] == [
        ("port-down", "operSt (Old: up, New: down)"), ("port-up", "operSt (Old: down, New: up)")]
    assert records(sim, "aaaModLR", f"{PORT}/phys") == [], "nobody configured a port going down"
    await ws.close()


async def test_link_flap_counts_resets_and_a_new_port_is_created_on_demand(client):
    sim = client.sim
    sim.control.link_flap(102, "eth1/7", times=3)
    oper = attrs(sim, "topology/pod-1/node-102/sys/phys-[eth1/7]/phys")
    assert (oper["operSt"], oper["resetCtr"]) == ("up", "3")
    causes = [e["cause"] for e in records(sim, "eventRecord", "topology/pod-1/node-102/sys/phys-[eth1/7]/phys")]
    assert causes == ["port-down", "port-up"] * 3
    with pytest.raises(Exception, match="no switch node-999"):
        sim.control.link_down(999, "eth1/1")
    with pytest.raises(Exception, match="interface must look like eth1/1"):
        sim.control.link_down(101, "ethernet1")


@pytest.mark.apicsim(fault_time_scale=0.001)
async def test_node_down_and_up(client):
    _token, ws, _ = await client.subscribed("/api/class/fabricNode.json")
    sim = client.sim
    sim.control.node_down(102)
    _cls, pushed = client.only_mo(await client.next_frame(ws))
    assert (pushed["dn"], pushed["fabricSt"]) == ("topology/pod-1/node-102", "inactive")
    sim.clock.advance(1)
    fault = attrs(sim, "topology/pod-1/node-102/fault-F0110")
    assert (fault["severity"], fault["lc"]) == ("critical", "raised")
    sim.control.node_up(102)
    assert client.only_mo(await client.next_frame(ws))[1]["fabricSt"] == "active"
    assert attrs(sim, "topology/pod-1/node-102/fault-F0110")["lc"] == "raised-clearing"
    assert [e["changeSet"] for e in records(sim, "eventRecord", "topology/pod-1/node-102")] == [
        "fabricSt (Old: active, New: inactive)", "fabricSt (Old: inactive, New: active)"]
    await ws.close()


async def test_endpoint_learn_move_and_age_out(client):
    _token, ws, _ = await client.subscribed("/api/class/fvCEp.json")
    sim = client.sim
    cep = f"{EPG}/cep-{MAC}"
    sim.control.endpoint_learn(EPG, MAC.lower(), 101, "eth1/1", ip="10.1.1.50")
    cls, pushed = client.only_mo(await client.next_frame(ws))
    path_101 = "topology/pod-1/paths-101/pathep-[eth1/1]"
    assert (cls, pushed["status"], pushed["dn"], pushed["fabricPathDn"]) == ("fvCEp", "created", cep, path_101)
    assert (pushed["mac"], pushed["ip"], pushed["encap"]) == (MAC, "10.1.1.50", "vlan-100")  # the static path's
    assert attrs(sim, f"{cep}/ip-[10.1.1.50]")["fabricPathDn"] == path_101
    assert attrs(sim, f"{cep}/rscEpToPathEp-[{path_101}]")["tDn"] == path_101

    path_102 = "topology/pod-1/paths-102/pathep-[eth1/5]"
    sim.control.endpoint_move(EPG, MAC, 102, "eth1/5")
    _cls, pushed = client.only_mo(await client.next_frame(ws))
    assert (pushed["status"], pushed["fabricPathDn"]) == ("modified", path_102)
    assert sim.mit.get(f"{cep}/rscEpToPathEp-[{path_101}]") is None
    assert attrs(sim, f"{cep}/ip-[10.1.1.50]")["fabricPathDn"] == path_102

    sim.control.endpoint_age_out(EPG, MAC)
    assert client.only_mo(await client.next_frame(ws))[1]["status"] == "deleted"
    history = records(sim, "eventRecord", cep)
    assert [(e["cause"], e["ind"]) for e in history] == [
        ("endpoint-learned", "creation"), ("endpoint-moved", "modification"), ("endpoint-aged-out", "deletion")]
    assert history[1]["changeSet"] == f"fabricPathDn (Old: {path_101}, New: {path_102})"
    with pytest.raises(Exception, match="mac must look like"):
        sim.control.endpoint_learn(EPG, "not-a-mac", 101, "eth1/1")
    await ws.close()


async def test_operational_actions_over_http(client):
    status, body, _ = await client.request("POST", "/_sim/link_down", body={"node": 101, "interface": "eth1/1"})
    assert status == 200 and body["operSt"] == "down"
    status, body, _ = await client.request("POST", "/_sim/endpoint-learn", body={
        "epg": EPG, "mac": MAC, "node": 102, "interface": "eth1/1"})
    assert status == 200 and body["dn"] == f"{EPG}/cep-{MAC}"
    status, body, _ = await client.request("POST", "/_sim/node_down", body={"node": "abc"})
    assert status == 400 and "node and pod must be numbers" in body["imdata"][0]["error"]["attributes"]["text"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["link-down", "101", "eth1/1", "--reason", "admin-down"],
     ("link_down", {"node": 101, "interface": "eth1/1", "pod": 1, "reason": "admin-down"})),
    (["link-flap", "101", "eth1/1", "--times", "4"],
     ("link_flap", {"node": 101, "interface": "eth1/1", "pod": 1, "times": 4})),
    (["node-up", "201"], ("node_up", {"node": 201, "pod": 1})),
    (["endpoint-move", EPG, MAC, "102", "eth1/2"],
     ("endpoint_move", {"epg": EPG, "mac": MAC, "node": 102, "interface": "eth1/2", "pod": 1})),
    (["endpoint-age-out", EPG, MAC], ("endpoint_age_out", {"epg": EPG, "mac": MAC})),
    (["modify", "uni/tn-prod", "descr=x", "--user", "jdoe"],
     ("modify", {"dn": "uni/tn-prod", "attrs": {"descr": "x"}, "user": "jdoe"})),
])
def test_ctl_commands_map_to_control_actions(argv, expected):
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    from apicsim.cli import _ctl_parser

    _ctl_parser(sub)
    args = parser.parse_args(["ctl", *argv])
    assert ctl_request(args) == expected
    assert argv[0] in _CTL_COMMANDS and callable(main)
