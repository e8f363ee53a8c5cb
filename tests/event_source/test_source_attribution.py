"""changed_by over real sockets: events name who made the change, from the audit records the simulator writes,
never wait longer than changed_by_wait, and none is lost when the connection drops while they wait."""

import asyncio
import ssl

import aiohttp
import pytest
from source_harness import live, source_args

DN = "uni/tn-attributed"


class RestUser:
    """A REST client of the simulator (its own login and session), as a person or a playbook would be."""

    def __init__(self, sim) -> None:
        self.sim = sim
        self.base = f"https://127.0.0.1:{sim.port}"
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), connector=aiohttp.TCPConnector(
            ssl=ssl.create_default_context(cafile=str(sim.ca_file))))
        self.session_id = ""

    async def login(self) -> None:
        body = {"aaaUser": {"attributes": {"name": self.sim.username, "pwd": self.sim.password}}}
        async with self.http.post(f"{self.base}/api/aaaLogin.json", json=body) as answer:
            answer.raise_for_status()
            login = (await answer.json())["imdata"][0]["aaaLogin"]["attributes"]
        self.session_id = login["sessionId"]

    async def post(self, dn: str, body: dict) -> None:
        async with self.http.post(f"{self.base}/api/mo/{dn}.json", json=body) as answer:
            answer.raise_for_status()

    async def close(self) -> None:
        await self.http.close()


def _status(log):
    beats = [event["aci_status"] for event in log.events if "aci_status" in event]
    return beats[-1] if beats else None


async def test_configuration_events_name_the_user_session_and_change_set(apic, start_source):
    log = await start_source(source_args(apic, {"name": "tenants", "class": "fvTenant"},
                                         {"name": "faults", "class": "faultInst", "changed_by": False},
                                         changed_by=True, heartbeat_interval=0.05))
    await live(log, apic, count=3)  # the two, and the audit log's
    user = RestUser(apic)
    try:
        await user.login()
        await user.post("uni", {"fvTenant": {"attributes": {"name": "attributed", "descr": "by REST"}}})
        await user.post(DN, {"fvTenant": {"attributes": {"descr": "changed"}}})
    finally:
        await user.close()
    apic.control.delete(DN, user="operator-two")
    await log.wait_for(lambda seen: seen.of("deleted", dn=DN), "the deletion")
    created, modified, deleted = log.of("created", dn=DN) + log.of("modified", dn=DN) + log.of("deleted", dn=DN)
    assert created["changed_by"]["user"] == apic.username
    assert created["changed_by"]["session"] == user.session_id
    assert "descr:by REST" in created["changed_by"]["change_set"]
    assert modified["changed_by"]["change_set"] == "descr (Old: by REST, New: changed)"
    assert modified["changed_by"]["transaction"] != created["changed_by"]["transaction"]
    assert deleted["changed_by"]["user"] == "operator-two"
    assert deleted["changed_by"]["record"].startswith(f"subj-[{DN}]/mod-")
    assert not any("changed_by_reason" in aci for aci in (created, modified, deleted))
    await asyncio.sleep(0.15)
    status = _status(log)
    assert status["subscriptions"] == {"total": 2, "alive": 2}
    assert status["changed_by"]["matched"] >= 3 and status["changed_by"]["unmatched"] == 0


@pytest.mark.apicsim(audit_delay=0.3)
async def test_an_event_waits_for_a_record_that_follows_it(apic, start_source):
    log = await start_source(source_args(apic, changed_by=True, changed_by_wait=10))
    await live(log, apic, count=2)
    apic.control.create_tenant("attributed")
    apic.control.create_tenant("second")
    await log.wait_for(lambda seen: seen.of("created", dn="uni/tn-second"), "the second tenant")
    events = log.of("created")
    assert [aci["dn"] for aci in events] == [DN, "uni/tn-second"]  # in order, each with its own record
    assert [aci["changed_by"]["record"].split("/mod-")[0] for aci in events] == [f"subj-[{DN}]",
                                                                               "subj-[uni/tn-second]"]


@pytest.mark.apicsim(audit_delay=30)
async def test_a_record_that_never_comes_leaves_the_event_null_with_its_reason(apic, start_source):
    log = await start_source(source_args(apic, changed_by=True, changed_by_wait=0.2))
    await live(log, apic, count=2)
    apic.control.create_tenant("attributed")
    await log.wait_for(lambda seen: seen.of("created", dn=DN), "the tenant")
    (created,) = log.of("created", dn=DN)
    assert created["changed_by"] is None
    assert created["changed_by_reason"] == "no_audit_record"


@pytest.mark.apicsim(audit_delay=30)
async def test_events_waiting_when_the_connection_drops_come_back_recovered(apic, start_source):
    log = await start_source(source_args(apic, changed_by=True, changed_by_wait=30))
    await live(log, apic, count=2)
    apic.control.create_tenant("attributed")
    await asyncio.sleep(0.3)  # pushed, and waiting for a record due in 30 s
    assert log.of(dn=DN) == []
    apic.control.drop()
    await log.wait_for(lambda seen: seen.of("created", dn=DN), "the tenant, after the reconnect")
    (created,) = log.of("created", dn=DN)
    assert created["recovered"] is True
    assert (created["changed_by"], created["changed_by_reason"]) == (None, "recovered")


async def test_without_changed_by_events_carry_no_such_field_and_no_audit_subscription(apic, start_source):
    log = await start_source(source_args(apic, heartbeat_interval=0.05))
    await live(log, apic)
    apic.control.create_tenant("attributed")
    await log.wait_for(lambda seen: seen.of("created", dn=DN), "the tenant")
    assert "changed_by" not in log.of("created", dn=DN)[0]
    await asyncio.sleep(0.15)
    assert _status(log)["changed_by"] is None
    assert sum(member.stats()["subscriptions"] for member in apic.cluster.members) == 1
