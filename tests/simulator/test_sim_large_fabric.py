"""The large-fabric profile: generated switches, ports, tenants and endpoints, seen by queries and subscriptions."""

from __future__ import annotations

import pytest
from apicsim.large_fabric import FabricSize, seed_large_fabric
from apicsim.mit import Mit
from apicsim.options import SimOptions
from apicsim.query import TOO_BIG_TEXT

SMALL = {"pods": 1, "spines": 2, "leaves": 4, "ports": 8, "tenants": 2, "vrfs": 1, "bds": 2, "epgs": 3,
         "endpoints": 1500}


def test_the_profile_creates_the_expected_counts_and_dn_forms():
    mit = Mit.from_seed()
    before = len(mit)
    result = seed_large_fabric(mit, SMALL)
    assert result["classes"] == {
        "fabricPod": 0, "fabricNode": 6, "topSystem": 6, "l1PhysIf": 32, "ethpmPhysIf": 32, "fvTenant": 2,
        "fvCtx": 2, "fvBD": 4, "fvRsCtx": 4, "fvAp": 2, "fvAEPg": 6, "fvRsBd": 6, "fvCEp": 1500, "fvIp": 1500,
        "fvRsCEpToPathEp": 1500}
    assert result["objects"] == len(mit) - before > 4500
    assert mit.get("topology/pod-1/node-1001/sys").attrs["role"] == "spine"
    leaf = mit.get("topology/pod-1/node-1101")
    assert leaf.cls == "fabricNode" and leaf.attrs["role"] == "leaf"
    assert mit.get("topology/pod-1/node-1101/sys/phys-[eth1/8]/phys").attrs["operSt"] == "up"
    assert mit.get("topology/pod-1/node-1101/sys/phys-[eth1/9]") is None
    cep = mit.get("uni/tn-lf0001/ap-app/epg-epg1/cep-02:00:00:00:00:01")
    path = "topology/pod-1/paths-1101/pathep-[eth1/1]"
    assert cep.cls == "fvCEp" and cep.attrs["fabricPathDn"] == path and cep.attrs["ip"] == "10.0.0.1"
    assert cep.attrs["mac"] == "02:00:00:00:00:01" and cep.attrs["encap"].startswith("vlan-")
    assert mit.get(f"{cep.dn}/ip-[10.0.0.1]").attrs["fabricPathDn"] == path
    assert mit.get(f"{cep.dn}/rscEpToPathEp-[{path}]").attrs["tDn"] == path
    # every endpoint sits on a leaf port that exists, and relations resolve as a POST would resolve them
    for mo in mit.of_class("fvCEp"):
        pod_node, iface = mo.attrs["fabricPathDn"].split("/pathep-[")
        node = pod_node.rsplit("-", 1)[1]
        assert mit.get(f"topology/pod-1/node-{node}/sys/phys-[{iface[:-1]}]") is not None
    rsbd = mit.get("uni/tn-lf0002/ap-app/epg-epg3/rsbd")
    assert rsbd.attrs["tDn"] == "uni/tn-lf0002/BD-bd1" and rsbd.attrs["state"] == "formed"
    assert mit.get("uni/tn-lf0001/health") is not None
    with pytest.raises(ValueError, match="seed it once"):
        seed_large_fabric(mit, SMALL)


def test_bad_sizes_name_the_size_and_the_fix():
    with pytest.raises(ValueError, match=r"unknown size\(s\) \['endpionts'\]"):
        FabricSize.parse("endpionts=5")
    with pytest.raises(ValueError, match="leaves must be >= 1"):
        FabricSize.parse({"leaves": 0})
    with pytest.raises(ValueError, match="name=count"):
        SimOptions(large_fabric="endpoints").validate()
    assert FabricSize.parse("endpoints=10, leaves=3").leaves == 3


@pytest.mark.apicsim(large_fabric=SMALL, max_query_objects=1000)
async def test_a_class_query_and_subscription_on_fvcep_see_the_profile_page_by_page(client):
    token, ws = await client.session()
    status, body, _ = await client.request("GET", "/api/class/fvCEp.json", token=token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT
    seen: list[str] = []
    for page in range(2):
        status, body, _ = await client.request(
            "GET", f"/api/class/fvCEp.json?order-by=fvCEp.dn&page={page}&page-size=1000", token=token)
        assert status == 200, body
        assert body["totalCount"] == "1502"  # the default fabric's two endpoints beside the profile's
        seen.extend(item["fvCEp"]["attributes"]["dn"] for item in body["imdata"])
    assert len(seen) == len(set(seen)) == 1502
    assert sum("/cep-02:00:00:" in dn for dn in seen) == 1500
    status, body = await client.subscribe("/api/class/fvCEp.json?page=0&page-size=1000", token)
    assert status == 200 and len(body["imdata"]) == 1000 and body["subscriptionId"]
    status, body = await client.subscribe("/api/class/fvCEp.json", token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT
    await ws.close()


async def test_the_control_action_seeds_a_running_simulator(client):
    result = client.sim.control.large_fabric(**{**SMALL, "endpoints": 10})
    assert result["classes"]["fvCEp"] == 10
    status, body, _ = await client.request(
        "GET", '/api/class/fvCEp.json?query-target-filter=wcard(fvCEp.dn,"tn-lf0001")', token=await client.token())
    assert status == 200 and body["totalCount"] == "6"  # endpoints go round-robin over the 6 EPGs, 3 per tenant
