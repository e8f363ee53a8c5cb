"""Deletions that move page boundaries while a snapshot is read, over real sockets against the simulator.

A deletion committed between two page reads moves every later object one place up, so the first objects
of the next page slip into the page already read. When the pushes of those deletions reach the source
only after the last page (held back here by the simulator), nothing in the pages says the slipped objects
are alive: the source must ask the APIC before it reports any of them deleted.
"""

import asyncio

import pytest
from source_harness import exactly_once, source_args

TENANTS = 200
PAGE = 50


def _dns(prefix, count):
    return [f"uni/tn-{prefix}{index:04d}" for index in range(count)]


def _status(log):
    beats = [event["aci_status"] for event in log.events if "aci_status" in event]
    return beats[-1] if beats else None


async def _ready(log, after: int):
    """Every subscription live, after ``after`` snapshot pages in all."""
    def ready(seen):
        status = _status(seen)
        return status is not None and status["subscriptions"]["alive"] == status["subscriptions"]["total"] \
            and status["snapshot_pages"] >= after
    await log.wait_for(ready, f"every subscription live after {after} page(s)")


def _checks(requests_seen) -> list:
    """The queries that asked for objects by DN (not pages, not subscribes)."""
    return [line for line in requests_seen.lines if ".dn,%22" in line or '.dn,"' in line]


async def _started(apic, start_source, prefix):
    dns = _dns(prefix, TENANTS)
    for dn in dns:
        apic.control.create_tenant(dn.split("tn-", 1)[1])
    log = await start_source(source_args(apic, page_size=PAGE, refresh_timeout=30, heartbeat_interval=0.05))
    await _ready(log, after=TENANTS // PAGE)
    return dns, log


@pytest.mark.apicsim(max_query_objects=100)
async def test_objects_a_late_pushed_deletion_moves_into_a_page_already_read_are_not_reported_deleted(
        apic, start_source, requests_seen):
    dns, log = await _started(apic, start_source, "s")
    pages = _status(log)["snapshot_pages"]
    # While the next connection reads its pages: just before page 2 is answered, three objects of page 0
    # are deleted, and their pushes reach the source only after the whole snapshot is in.
    doomed = dns[:3]
    apic.control.hold_pushes()
    apic.control.delete_on_query("page=2&", doomed)
    requests_seen.lines.clear()
    apic.control.drop()
    await _ready(log, after=pages + TENANTS // PAGE)
    assert apic.chaos.state()["query_traps"] == 0, "the deletions never happened between two page reads"
    apic.control.release_pushes()
    await log.wait_for(lambda seen: {a["dn"] for a in seen.of("deleted")} >= set(doomed), "the late deletions")
    await asyncio.sleep(0.3)  # a wrongly reported object would come with the same snapshot
    assert {a["dn"] for a in log.of("deleted")} == set(doomed), "a live object that slipped between pages " \
        "was reported deleted"
    assert exactly_once(log, "deleted", doomed) == []
    assert not log.of("created") and not log.of("modified")
    assert 1 <= len(_checks(requests_seen)) <= 1, "the objects between two pages were not asked for in one query"


@pytest.mark.apicsim(max_query_objects=100)
async def test_a_mass_deletion_while_away_costs_few_checks_and_every_deletion_is_reported_once(
        apic, start_source, requests_seen):
    dns, log = await _started(apic, start_source, "m")
    apic.control.drop()
    gone = [dn for index, dn in enumerate(dns) if index % 4]  # 150 of 200, on every page: 2 pages are left
    for dn in gone:
        apic.control.delete(dn)
    requests_seen.lines.clear()
    await log.wait_for(lambda seen: {a["dn"] for a in seen.of("deleted")} >= set(gone), "the missed deletions")
    await asyncio.sleep(0.3)
    assert exactly_once(log, "deleted", gone) == []
    assert {a["dn"] for a in log.of("deleted")} == set(gone)
    # Only objects between the last DN of one page and the first of the next are asked for: one query
    # for three of them, not 150 DNs in batches of 50.
    checks = _checks(requests_seen)
    assert len(checks) == 1 and checks[0].count(".dn,") == 3, checks


@pytest.mark.apicsim(max_query_objects=100)
async def test_a_drop_while_the_unseen_objects_are_checked_is_a_drop_while_paging(apic, start_source, requests_seen):
    dns, log = await _started(apic, start_source, "c")
    pages = _status(log)["snapshot_pages"]
    doomed = dns[:3]
    apic.control.hold_pushes()
    apic.control.delete_on_query("page=2&", doomed)
    apic.control.drop_on_query(".dn,")  # the connection is lost while the check's query is on its way
    requests_seen.lines.clear()
    apic.control.drop()
    await _ready(log, after=pages + 2 * (TENANTS // PAGE))  # read again from page 0 on the next connection
    assert apic.chaos.state()["query_traps"] == 0
    apic.control.release_pushes()
    await log.wait_for(lambda seen: {a["dn"] for a in seen.of("deleted")} >= set(doomed), "the late deletions")
    await asyncio.sleep(0.3)
    assert {a["dn"] for a in log.of("deleted")} == set(doomed)
    assert exactly_once(log, "deleted", doomed) == []
    assert len(_checks(requests_seen)) >= 1
