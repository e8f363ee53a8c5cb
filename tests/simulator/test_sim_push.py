"""Pushes as the APIC sends them: frame shapes, subscriptionRefresh, expiry, health, faults."""

from __future__ import annotations

import pytest

MINIMAL = {"dn", "status", "modTs", "rn", "childAction"}
HEALTH_PROPS = {"cur", "prev", "maxSev", "twScore", "chng", "updTs"}


async def test_frame_envelope_and_created_is_full(client):
    _token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.create_tenant("full", descr="hello")
    frame = await client.next_frame(ws)
    assert set(frame) == {"subscriptionId", "imdata"}  # no totalCount in pushes
    assert frame["subscriptionId"] == [sub]
    cls, attrs = client.only_mo(frame)
    stored = client.sim.mit.get("uni/tn-full").attrs
    assert cls == "fvTenant" and attrs["status"] == "created"
    assert attrs["rn"] == "" and attrs["childAction"] == ""
    assert set(stored) - {"status"} <= set(attrs)
    assert attrs["descr"] == "hello" and attrs["name"] == "full"
    assert all(isinstance(v, str) for v in attrs.values())
    await ws.close()


async def test_one_frame_lists_every_matching_subscription(client):
    token, ws, by_class = await client.subscribed("/api/class/fvTenant.json")
    wcard = 'query-target-filter=wcard(fvTenant.name,"mul")'
    by_filter = await client.subscription(f"/api/class/fvTenant.json?{wcard}", token)
    by_dn = await client.subscription("/api/mo/uni/tn-multi.json", token)
    other = await client.subscription("/api/class/fvBD.json", token)
    client.sim.control.create_tenant("multi")
    frame = await client.next_frame(ws)
    assert sorted(frame["subscriptionId"]) == sorted([by_class, by_filter, by_dn])
    assert other not in frame["subscriptionId"] and len(frame["imdata"]) == 1
    await ws.close()


async def test_modified_config_push_is_sparse(client):
    client.sim.control.create_tenant("sparse")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-sparse.json")
    client.sim.control.modify("uni/tn-sparse", {"descr": "changed", "nameAlias": "alias"})
    cls, attrs = client.only_mo(await client.next_frame(ws))
    assert cls == "fvTenant"
    assert set(attrs) == MINIMAL | {"descr", "nameAlias"}
    assert (attrs["status"], attrs["descr"], attrs["rn"], attrs["childAction"]) == ("modified", "changed", "", "")
    await ws.close()


async def test_deleted_push_is_minimal(client):
    client.sim.control.create_tenant("gone")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-gone.json")
    client.sim.control.delete("uni/tn-gone")
    cls, attrs = client.only_mo(await client.next_frame(ws))
    assert cls == "fvTenant" and set(attrs) == MINIMAL
    assert (attrs["dn"], attrs["status"]) == ("uni/tn-gone", "deleted")
    await ws.close()


async def test_rest_post_and_delete_push_like_control_changes(client):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    body = {"fvTenant": {"attributes": {"name": "viarest", "status": "created,modified"}}}
    status, data, _ = await client.request("POST", "/api/mo/uni/tn-viarest.json", token=token, body=body)
    assert (status, data) == (200, {"totalCount": "0", "imdata": []})
    assert client.only_mo(await client.next_frame(ws))[1]["status"] == "created"
    status, _, _ = await client.request("DELETE", "/api/mo/uni/tn-viarest.json", token=token)
    frame = await client.next_frame(ws)
    assert status == 200 and frame["subscriptionId"] == [sub]
    assert client.only_mo(frame)[1]["status"] == "deleted"
    await ws.close()


async def test_post_with_rsp_subtree_modified_reports_the_changes(client):
    token = await client.token()
    body = {"fvTenant": {"attributes": {"name": "report"}}}
    status, data, _ = await client.request("POST", "/api/mo/uni.json?rsp-subtree=modified", token=token, body=body)
    assert status == 200
    statuses = {(cls, mo["attributes"]["status"]) for item in data["imdata"] for cls, mo in item.items()}
    assert ("fvTenant", "created") in statuses


async def test_post_of_an_unknown_class_is_the_apic_error(client):
    token = await client.token()
    status, data, _ = await client.request("POST", "/api/mo/uni.json", token=token, body={"fvNope": {"attributes": {}}})
    assert status == 400
    assert data["imdata"][0]["error"]["attributes"] == {"code": "122", "text": "unknown managed object class fvNope"}


@pytest.mark.apicsim(multi_mo_frames=True, max_mos_per_frame=2)
async def test_multi_mo_frames_option_groups_a_commit(client):
    _token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    body = {"polUni": {"attributes": {}, "children": [
        {"fvTenant": {"attributes": {"name": f"m{i}"}}} for i in range(3)
    ]}}
    client.sim.control.post("", body)
    first, second = await client.next_frame(ws), await client.next_frame(ws)
    assert first["subscriptionId"] == [sub] == second["subscriptionId"]
    names = [mo["fvTenant"]["attributes"]["name"] for f in (first, second) for mo in f["imdata"]]
    assert (len(first["imdata"]), len(second["imdata"])) == (2, 1) and names == ["m0", "m1", "m2"]
    await ws.close()


async def test_one_mo_per_frame_by_default(client):
    _token, ws, _ = await client.subscribed("/api/class/fvTenant.json")
    tenants = [{"fvTenant": {"attributes": {"name": f"s{i}"}}} for i in range(2)]
    body = {"polUni": {"attributes": {}, "children": tenants}}
    client.sim.control.post("", body)
    frames = [await client.next_frame(ws) for _ in range(2)]
    assert [len(f["imdata"]) for f in frames] == [1, 1]
    await ws.close()


# ------------------------------------------------------------------ refresh


async def test_subscription_refresh_live_unknown_and_numeric_prefix(client):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    status, body, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token)
    assert (status, body) == (200, {"totalCount": "0", "imdata": []})
    status, _, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}-junk", token=token)
    assert status == 200  # the APIC parses a numeric prefix
    status, body, _ = await client.request("GET", "/api/subscriptionRefresh.json?id=72057594037927936", token=token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["code"] == "400"
    status, _, _ = await client.request("GET", "/api/subscriptionRefresh.json", token=token)
    assert status == 400
    status, _, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}")
    assert status == 403  # refreshing needs the session cookie like any request
    await ws.close()


async def test_expired_subscription_stops_pushing_silently_and_cannot_be_refreshed(client):
    token, ws, short = await client.subscribed("/api/class/fvTenant.json?refresh-timeout=30")
    default = await client.subscription("/api/class/fvTenant.json", token)  # 60 s
    client.sim.clock.advance(25)
    assert (await client.request("GET", f"/api/subscriptionRefresh.json?id={default}", token=token))[0] == 200
    client.sim.clock.advance(10)  # short: 35 s > 30 s; default: refreshed 10 s ago
    client.sim.control.create_tenant("after-expiry")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [default]
    status, _, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={short}", token=token)
    assert status == 400
    await ws.close()


async def test_default_refresh_timeout_is_60_seconds(client):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.clock.advance(59)
    assert (await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token))[0] == 200
    client.sim.clock.advance(61)
    assert (await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token))[0] == 400
    await ws.close()


@pytest.mark.apicsim(refresh_error_status=404)
async def test_refresh_error_status_is_an_option(client):
    token = await client.token()
    status, body, _ = await client.request("GET", "/api/subscriptionRefresh.json?id=1", token=token)
    assert status == 404 and body["imdata"][0]["error"]["attributes"]["code"] == "404"


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
async def test_invalid_refresh_timeout_is_400(client, value):
    token, ws = await client.session()
    status, _ = await client.subscribe(f"/api/class/fvTenant.json?refresh-timeout={value}", token)
    assert status == 400
    await ws.close()


# ------------------------------------------------------------ health, faults


async def test_health_pushes_with_rsp_subtree_include_health(client):
    client.sim.control.create_tenant("healthy")
    _token, ws, sub = await client.subscribed("/api/mo/uni/tn-healthy.json?rsp-subtree-include=health")
    client.sim.control.set_health("uni/tn-healthy", 72, "major")
    frame = await client.next_frame(ws)
    cls, attrs = client.only_mo(frame)
    assert frame["subscriptionId"] == [sub] and cls == "healthInst"
    assert attrs["dn"] == "uni/tn-healthy/health" and attrs["status"] == "modified"
    assert set(attrs) >= HEALTH_PROPS
    assert (attrs["cur"], attrs["prev"], attrs["chng"], attrs["maxSev"]) == ("72", "100", "-28", "major")
    await ws.close()


async def test_health_is_not_pushed_without_the_include(client):
    client.sim.control.create_tenant("quiet")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-quiet.json")
    client.sim.control.set_health("uni/tn-quiet", 50)
    client.sim.control.modify("uni/tn-quiet", {"descr": "sentinel"})
    assert client.only_mo(await client.next_frame(ws))[0] == "fvTenant"
    await ws.close()


@pytest.mark.apicsim(fault_retention_interval=300)  # keeps the whole lifecycle inside one session window
async def test_fault_lifecycle_pushes_full_faultinst(client):
    client.sim.control.create_tenant("faulty")
    token, ws = await client.session()
    # a window longer than the fault intervals jumped below, or the subscription would lapse first
    sub = await client.subscription("/api/class/faultInst.json?refresh-timeout=86400", token)
    control, clock = client.sim.control, client.sim.clock

    async def step() -> dict[str, str]:
        frame = await client.next_frame(ws)
        assert frame["subscriptionId"] == [sub]
        cls, attrs = client.only_mo(frame)
        assert cls == "faultInst"
        return attrs

    control.raise_fault("uni/tn-faulty", "F0467", severity="major", initial_severity="warning")
    created = await step()
    assert (created["status"], created["lc"], created["severity"], created["occur"]) == (
        "created", "soaking", "warning", "1")
    assert created["dn"] == "uni/tn-faulty/fault-F0467" and created["code"] == "F0467"
    clock.advance(120)
    raised = await step()
    assert (raised["status"], raised["lc"], raised["severity"], raised["prevSeverity"]) == (
        "modified", "raised", "major", "warning")
    assert {"cause", "descr", "code", "created", "highestSeverity", "lastTransition", "occur"} <= set(raised)
    control.raise_fault("uni/tn-faulty", "F0467", severity="major")  # the condition again
    assert (await step())["occur"] == "2"
    control.clear_fault("uni/tn-faulty", "F0467")
    assert (await step())["lc"] == "raised-clearing"
    clock.advance(120)
    retaining = await step()
    assert (retaining["lc"], retaining["severity"], retaining["highestSeverity"]) == ("retaining", "cleared", "major")
    clock.advance(299)
    assert client.sim.mit.get("uni/tn-faulty/fault-F0467") is not None
    clock.advance(1)
    deleted = await step()
    assert (deleted["status"], set(deleted)) == ("deleted", MINIMAL)
    assert client.sim.mit.get("uni/tn-faulty/fault-F0467") is None
    await ws.close()


async def test_fault_cleared_while_soaking_goes_soaking_clearing_and_back(client):
    control, clock, mit = client.sim.control, client.sim.clock, client.sim.mit
    control.create_tenant("flap")
    dn = control.raise_fault("uni/tn-flap", "F1111")["dn"]
    control.clear_fault("uni/tn-flap", "F1111")
    assert mit.get(dn).attrs["lc"] == "soaking-clearing"
    control.raise_fault("uni/tn-flap", "F1111")
    assert (mit.get(dn).attrs["lc"], mit.get(dn).attrs["occur"]) == ("soaking", "2")
    control.clear_fault("uni/tn-flap", "F1111")
    clock.advance(120)
    assert mit.get(dn).attrs["lc"] == "retaining"
    control.raise_fault("uni/tn-flap", "F1111")  # back during retention: soaking again, counted
    assert (mit.get(dn).attrs["lc"], mit.get(dn).attrs["occur"]) == ("soaking", "3")


@pytest.mark.apicsim(fault_time_scale=0.001)
async def test_fault_time_scale_compresses_the_real_intervals(client):
    client.sim.control.create_tenant("fast")
    _token, ws, _ = await client.subscribed("/api/class/faultInst.json")
    client.sim.control.raise_fault("uni/tn-fast", "F2222")
    lcs = [client.only_mo(await client.next_frame(ws))[1].get("lc") for _ in range(2)]
    assert lcs == ["soaking", "raised"]  # 0.12 s of real time, no clock jump
    await ws.close()


async def test_fault_subscription_via_rsp_subtree_include_faults(client):
    client.sim.control.create_tenant("withfaults")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-withfaults.json?rsp-subtree-include=faults")
    client.sim.control.raise_fault("uni/tn-withfaults", "F3333", cls="faultDelegate", affected="uni/tn-withfaults/BD-x")
    cls, attrs = client.only_mo(await client.next_frame(ws))
    assert cls == "faultDelegate" and attrs["dn"] == "uni/tn-withfaults/fd-[uni/tn-withfaults/BD-x]-fault-F3333"
    await ws.close()


async def test_bad_fault_requests_name_the_problem(client):
    client.sim.control.create_tenant("badfault")
    status_texts = []
    for kwargs in ({"severity": "apocalyptic"}, {"cls": "fvTenant"}):
        try:
            client.sim.control.raise_fault("uni/tn-badfault", "F1", **kwargs)
        except Exception as exc:  # ApiError with a readable text
            status_texts.append(exc.text)
    assert len(status_texts) == 2 and "severity" in status_texts[0] and "faultInst" in status_texts[1]


@pytest.mark.apicsim(follow_up_modified=True, follow_up_delay=5)
async def test_follow_up_modified_after_a_create(client):
    client.sim.control.create_tenant("seg")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-seg.json?query-target=subtree&target-subtree-class=fvBD")
    client.sim.control.post("uni/tn-seg", {"fvBD": {"attributes": {"name": "bd"}}})
    created = client.only_mo(await client.next_frame(ws))[1]
    client.sim.clock.advance(5)
    follow = client.only_mo(await client.next_frame(ws))[1]
    assert (created["status"], follow["status"], follow["dn"]) == ("created", "modified", "uni/tn-seg/BD-bd")
    assert {"seg", "pcTag", "bcastP"} <= set(follow) and follow["seg"] != created["seg"]
    assert client.sim.mit.get("uni/tn-seg/BD-bd").attrs["seg"] == follow["seg"]
    await ws.close()


async def test_no_follow_up_by_default(client):
    client.sim.control.create_tenant("noseg")
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-noseg.json?query-target=subtree&target-subtree-class=fvBD")
    client.sim.control.post("uni/tn-noseg", {"fvBD": {"attributes": {"name": "bd"}}})
    assert client.only_mo(await client.next_frame(ws))[1]["status"] == "created"
    client.sim.clock.advance(5)
    client.sim.control.modify("uni/tn-noseg/BD-bd", {"descr": "sentinel"})
    assert client.only_mo(await client.next_frame(ws))[1]["descr"] == "sentinel"
    await ws.close()


@pytest.mark.apicsim(derived_mos=True)
async def test_derived_mos_reach_subtree_subscriptions(client):
    control = client.sim.control
    control.create_tenant("derive")
    control.post("uni/tn-derive", {"fvBD": {"attributes": {"name": "bd"}}})
    control.post("uni/tn-derive", {"fvAp": {"attributes": {"name": "ap"}}})
    _token, ws, _ = await client.subscribed("/api/mo/uni/tn-derive/BD-bd.json?query-target=subtree")
    epg = {"fvAEPg": {"attributes": {"name": "web"}, "children": [{"fvRsBd": {"attributes": {"tnFvBDName": "bd"}}}]}}
    control.post("uni/tn-derive/ap-ap", epg)
    cls, attrs = client.only_mo(await client.next_frame(ws))
    assert cls == "fvRtBd" and attrs["status"] == "created"
    assert attrs["dn"] == "uni/tn-derive/BD-bd/rtbd-[uni/tn-derive/ap-ap/epg-web]"
    assert attrs["tDn"] == "uni/tn-derive/ap-ap/epg-web"
    await ws.close()


async def test_lapsed_subscriptions_are_forgotten(client):
    token, ws = await client.session()
    for _ in range(3):
        await client.subscription("/api/class/fvBD.json?refresh-timeout=10", token)
    table = client.sim.cluster.members[0].subs
    assert len(table) == 3
    client.sim.clock.advance(31)  # past their window and past one sweep, with no push or refresh touching them
    assert len(table) == 0
    await ws.close()
