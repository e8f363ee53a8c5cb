"""The source against the simulator: each kind of change arrives as the documented event."""

import asyncio
import uuid

import pytest
from source_harness import live, source_args

TENANTS = {"name": "tenants", "class": "fvTenant", "rsp_subtree_include": "health"}


async def test_create_modify_delete_arrive_as_typed_events(apic, start_source):
    log = await start_source(source_args(apic, TENANTS))
    await live(log, apic)
    apic.control.create_tenant("blue", descr="first")
    apic.control.modify("uni/tn-blue", {"descr": "second"})
    apic.control.delete("uni/tn-blue")
    await log.wait_for(lambda seen: seen.of("deleted", "uni/tn-blue", "fvTenant"), "the tenant deletion")

    created, = log.of("created", "uni/tn-blue", "fvTenant")
    assert created["attributes"]["name"] == "blue"
    assert created["attributes"]["descr"] == "first"
    assert (created["rn"], created["parent_dn"], created["tenant"]) == ("tn-blue", "uni", "blue")
    assert (created["subscription"], created["apic"], created["recovered"]) == ("tenants", f"127.0.0.1:{apic.port}",
                                                                                False)
    modified, = log.of("modified", "uni/tn-blue", "fvTenant")
    assert modified["changed"] == ["descr"]
    assert modified["attributes"]["descr"] == "second"
    deleted, = log.of("deleted", "uni/tn-blue", "fvTenant")
    assert deleted["attributes"]["dn"] == "uni/tn-blue"
    uuids = [event["meta"]["uuid"] for event in log.events]
    assert len(set(uuids)) == len(uuids)
    assert all(uuid.UUID(value).version == 5 for value in uuids)


async def test_health_scores_are_integers_a_rule_can_compare(apic, start_source):
    log = await start_source(source_args(apic, TENANTS))
    await live(log, apic)
    apic.control.set_health("uni/tn-prod", 55)
    await log.wait_for(lambda seen: [a for a in seen.of("modified", "uni/tn-prod/health")
                                     if a["health"]["current"] == 55], "the health drop of uni/tn-prod")
    health = log.of("modified", "uni/tn-prod/health")[-1]
    assert health["class"] == "healthInst"
    assert health["health"]["current"] < 70
    assert isinstance(health["health"]["previous"], int)
    assert health["health"]["change"] == health["health"]["current"] - health["health"]["previous"]
    assert health["parent_dn"] == "uni/tn-prod"
    assert health["tenant"] == "prod"
    assert "cur" in health["changed"]


@pytest.mark.apicsim(fault_time_scale=0.005, fault_retention_interval=100)
async def test_fault_lifecycle_arrives_with_typed_fault_fields(apic, start_source):
    faults = {"name": "faults", "class": "faultInst"}
    log = await start_source(source_args(apic, faults))
    await live(log, apic)
    dn = apic.control.raise_fault("uni/tn-prod", "F0321", severity="major", descr="test fault")["dn"]
    await log.wait_for(lambda seen: [a for a in seen.of("modified", dn) if a["fault"]["lifecycle"] == "raised"],
                       "the fault to be raised")
    apic.control.clear_fault("uni/tn-prod", "F0321")
    await log.wait_for(lambda seen: seen.of("deleted", dn), "the cleared fault to be deleted")
    created = log.of("created", dn)[0]
    assert created["class"] == "faultInst"
    assert created["fault"]["code"] == "F0321"
    assert created["fault"]["lifecycle"] == "soaking"
    assert created["parent_dn"] == "uni/tn-prod"
    raised = next(a for a in log.of("modified", dn) if a["fault"]["lifecycle"] == "raised")
    assert raised["fault"]["severity"] == "major"
    assert isinstance(raised["fault"]["occurrences"], int)
    assert raised["fault"]["acknowledged"] is False
    assert raised["fault"]["description"] == "test fault"
    lifecycles = [a["fault"]["lifecycle"] for a in log.of(dn=dn) if a["status"] != "deleted"]
    assert lifecycles[:2] == ["soaking", "raised"]
    assert "retaining" in lifecycles


async def test_emit_existing_reports_the_objects_present_at_start(apic, start_source):
    log = await start_source(source_args(apic, "fvTenant", emit_existing=True))
    await log.wait_for(lambda seen: seen.of("existing", "uni/tn-common"), "the existing tenants")
    existing = {a["dn"] for a in log.of("existing")}
    assert {"uni/tn-common", "uni/tn-infra", "uni/tn-mgmt"} <= existing
    assert all(not a["recovered"] for a in log.of("existing"))


@pytest.mark.apicsim(multi_mo_frames=True)
async def test_frames_with_several_objects_and_several_ids_are_fanned_out(apic, start_source):
    log = await start_source(source_args(apic, {"name": "tenants", "class": "fvTenant"},
                                         {"name": "blue-only", "dn": "uni/tn-blue"}))
    await live(log, apic, 2)
    body = {"fvTenant": {"attributes": {"name": "blue"}}}
    apic.control.post("uni", body)
    apic.control.post("uni", {"polUni": {"attributes": {}, "children": [
        {"fvTenant": {"attributes": {"name": f"many{i}"}}} for i in range(5)]}})
    await log.wait_for(lambda seen: len(seen.of("created", cls="fvTenant")) >= 7,
                       "every created tenant, on both subscriptions")
    by_subscription = {(a["subscription"], a["dn"]) for a in log.of("created", cls="fvTenant")}
    assert ("tenants", "uni/tn-blue") in by_subscription
    assert ("blue-only", "uni/tn-blue") in by_subscription
    assert {f"uni/tn-many{i}" for i in range(5)} <= {dn for name, dn in by_subscription if name == "tenants"}


async def test_a_certificate_user_holds_its_socket_through_webtoken_session(apic_factory, start_source,
                                                                           requests_seen):
    apic = await apic_factory(refresh_timeout=2)  # the webtoken session idles out unless signed requests touch it
    cert = apic.cert_user
    args = source_args(apic, TENANTS, username=cert.user, private_key=str(cert.key), certificate_name=cert.cert_name)
    del args["password"]
    log = await start_source(args)
    await live(log, apic)
    apic.control.create_tenant("cert-one")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-cert-one"), "a creation seen by the certificate user")
    await asyncio.sleep(3)  # longer than the session window: only the signed refreshes keep it alive
    apic.control.create_tenant("cert-two")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-cert-two"), "a creation after the session window")
    assert not log.of("created", "uni/tn-cert-two")[0]["recovered"]
    # one session and one subscribe all along: the signed refreshes kept both alive, nothing was rebuilt
    assert requests_seen.count("/api/webtokenSession.json") == 1
    assert requests_seen.count("subscription=yes") == 1
    assert requests_seen.count("/api/subscriptionRefresh.json") >= 3


async def test_heartbeat_status_events_report_the_feed(apic, start_source):
    log = await start_source(source_args(apic, TENANTS, heartbeat_interval=0.1))
    await live(log, apic)

    def heartbeats(seen):
        return [event["aci_status"] for event in seen.events if "aci_status" in event]

    await log.wait_for(lambda seen: any(h["connected"] for h in heartbeats(seen)), "a connected heartbeat")
    apic.control.drop()
    apic.control.create_tenant("beat")
    await log.wait_for(lambda seen: any(h["reconnects"] == 1 and h["connected"] and h["recovered"] >= 1
                                        for h in heartbeats(seen)), "a heartbeat after the reconnect")
    status = heartbeats(log)[-1]
    assert status["apic"] == f"127.0.0.1:{apic.port}"
    assert status["subscriptions"] == {"total": 1, "alive": 1}
    assert status["events"] >= 2  # the recovered tenant and its health
    assert status["logins"] >= 2
    assert all("aci" not in event for event in log.events if "aci_status" in event)


async def test_ipv6_literal_hosts_work(apic_factory, start_source):
    apic = await apic_factory(host="::1")
    args = source_args(apic, TENANTS, host=f"[::1]:{apic.port}")
    log = await start_source(args)
    await live(log, apic)
    apic.control.create_tenant("six")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-six"), "a creation over IPv6")
    assert log.of("created", "uni/tn-six")[0]["apic"] == f"[::1]:{apic.port}"
