"""Paged snapshots over real sockets: large classes start, recover, and survive drops while being read.

The simulator refuses results above ``max_query_objects`` as a real APIC does ("result dataset is too
big"); the source reads such classes in pages and must lose and invent nothing.
"""

import asyncio

import pytest
from source_harness import exactly_once, live, source_args

TENANTS = 1000


def _dns(prefix, count):
    return [f"uni/tn-{prefix}{index:04d}" for index in range(count)]


def _create(apic, dns):
    for dn in dns:
        apic.control.create_tenant(dn.split("tn-", 1)[1])


def _pages(requests_seen) -> int:
    return sum("page=" in line and "subscription=yes" not in line for line in requests_seen.lines)


def _status(log):
    """The latest heartbeat's ``aci_status``, or None."""
    beats = [event["aci_status"] for event in log.events if "aci_status" in event]
    return beats[-1] if beats else None


async def _ready(log, after: int = 0):
    """Wait until a heartbeat says every subscription is live (its whole snapshot read), after ``after`` pages."""
    def ready(seen):
        status = _status(seen)
        return status is not None and status["subscriptions"]["alive"] == status["subscriptions"]["total"] \
            and status["snapshot_pages"] >= after
    await log.wait_for(ready, "every subscription live after its paged snapshot")


async def _when(requests_seen, predicate, timeout=15.0):
    """Wait (polling the access log, which the simulator writes as it answers) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "the source never read the pages the test waits for"
        await asyncio.sleep(0.002)


@pytest.mark.apicsim(max_query_objects=100)
async def test_a_class_above_the_apic_limit_starts_paged_and_recovers_every_missed_change(
        apic, start_source, requests_seen):
    dns = _dns("p", TENANTS)
    _create(apic, dns)
    log = await start_source(source_args(apic, page_size=50, refresh_timeout=30, heartbeat_interval=0.05))
    await _ready(log, after=TENANTS // 50)  # the snapshot took every page
    assert _pages(requests_seen) >= TENANTS // 50
    # while the source is away: modify, delete and create on pages all over the class
    apic.control.drop()
    modified, deleted, created = dns[::97], dns[5::101], _dns("q", 30)
    for dn in modified:
        apic.control.modify(dn, {"descr": "while away"})
    for dn in deleted:
        apic.control.delete(dn)
    _create(apic, created)
    await log.wait_for(lambda seen: {a["dn"] for a in seen.of("deleted")} >= set(deleted)
                       and {a["dn"] for a in seen.of("created")} >= set(created)
                       and {a["dn"] for a in seen.of("modified")} >= set(modified), "every missed change")
    assert exactly_once(log, "created", created) == []
    assert exactly_once(log, "deleted", deleted) == []
    assert exactly_once(log, "modified", modified) == []
    assert {a["dn"] for a in log.of("deleted")} == set(deleted), "a page boundary made a live object look deleted"
    assert all(a["recovered"] for a in log.objects)


@pytest.mark.apicsim(max_query_objects=100)
async def test_drops_and_changes_while_the_pages_are_read_lose_nothing(apic, start_source, requests_seen):
    dns = _dns("d", TENANTS)
    _create(apic, dns)
    log = await start_source(source_args(apic, page_size=50, refresh_timeout=30, heartbeat_interval=0.05))
    await _ready(log, after=TENANTS // 50)
    requests_seen.lines.clear()
    apic.control.drop()
    # the next connection starts the subscription again; drop it once more in the middle of its pages
    await _when(requests_seen, lambda: _pages(requests_seen) >= 5)
    apic.control.drop()
    requests_seen.lines.clear()
    await _when(requests_seen, lambda: _pages(requests_seen) >= 3)
    # then change the class while the third connection is still reading it: deletions move page boundaries
    gone = dns[:40:2] + dns[500:540:2]
    for dn in gone:
        apic.control.delete(dn)
    fresh = _dns("e", 20)
    _create(apic, fresh)
    for dn in dns[900:910]:
        apic.control.modify(dn, {"descr": "during paging"})
    await log.wait_for(lambda seen: {a["dn"] for a in seen.of("deleted")} >= set(gone)
                       and {a["dn"] for a in seen.of("created")} >= set(fresh)
                       and len([a for a in seen.of("modified") if a["attributes"].get("descr") == "during paging"])
                       >= 10, "the changes made during the paging")
    await live(log, apic)
    await asyncio.sleep(0.3)  # anything wrongly reported would come with the same snapshot
    assert exactly_once(log, "created", fresh) == []
    assert exactly_once(log, "deleted", gone) == []
    assert {a["dn"] for a in log.of("deleted")} == set(gone), "a page boundary made a live object look deleted"
    assert not log.of("created", dn=None) or {a["dn"] for a in log.of("created")} == set(fresh)


@pytest.mark.apicsim(max_query_objects=100)
async def test_an_unpaged_source_falls_back_to_pages_when_the_apic_finds_the_result_too_big(
        apic, start_source, requests_seen):
    dns = _dns("u", 300)
    _create(apic, dns)
    log = await start_source(source_args(apic, page_size=0, refresh_timeout=30, heartbeat_interval=0.05))
    await _ready(log, after=2)
    # 10,000 is still above the limit of 100: the source went on to 1,000, then to 100 per page
    assert requests_seen.count("page-size=10000 400") == 1 and requests_seen.count("page-size=1000 400") == 1
    assert requests_seen.count("page-size=100 200") == 4  # 305 tenants
    requests_seen.lines.clear()
    apic.control.drop()
    apic.control.delete(dns[150])
    await log.wait_for(lambda seen: seen.of("deleted", dn=dns[150]), "the deletion missed while away")
    assert [a["dn"] for a in log.of("deleted")] == [dns[150]]
    # the next connection starts with the page size that worked
    assert requests_seen.count(" 400 ") == 0 and requests_seen.count("page-size=100 200") == 4


@pytest.mark.apicsim(max_query_objects=5)
async def test_a_class_too_big_even_for_the_smallest_page_stops_the_source_with_one_line(apic, start_source):
    _create(apic, _dns("z", 20))  # pages of 10, the smallest the source tries, are still above 5
    log = await start_source(source_args(apic, page_size=1000, subscriptions=[{"name": "all", "class": "fvTenant"}]))
    await asyncio.wait([log.task], timeout=15)
    assert log.task.done()
    with pytest.raises(Exception) as info:  # the type is the plugin's own, loaded by path
        log.task.result()
    text = str(info.value)
    assert "subscription 'all'" in text and "result dataset is too big" in text and "\n" not in text
