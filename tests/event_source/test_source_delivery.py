"""Delivery: nothing the APIC committed is lost when a fault cuts events off in queue.put, or across a restart.

The first tests reproduce the situation production meets most: a one-slot queue (as ansible-rulebook gives
every source) with a slow consumer, so recovered events wait in ``put`` when the next fault hits. The
others stop the source, change the fabric while it is down, and start it again from its checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from source_harness import exactly_once, live, member_host, source_args

CONSUMER_DELAY = 0.002  # seconds per event: a rule engine that keeps events waiting in put


def _tenants(prefix, count):
    return [f"uni/tn-{prefix}{index}" for index in range(count)]


def _create(apic, dns):
    for dn in dns:
        apic.control.create_tenant(dn.split("tn-", 1)[1])


def _all_created(dns):
    wanted = set(dns)
    return lambda log: wanted <= {aci["dn"] for aci in log.of("created")}


def _some_recovered(log):
    return any(aci["recovered"] for aci in log.objects)


def _slow(apic, **extra):
    return source_args(apic, reconnect_delay=0.05, reconnect_delay_max=0.2, **extra)


async def _backlog(apic, log, dns):
    """Logins refused and the socket dropped while ``dns`` are created: they come back as recovered events."""
    apic.control.throttle_logins(0.5)
    apic.control.drop()
    _create(apic, dns)
    await log.wait_for(_some_recovered, "the first recovered events")


@pytest.mark.parametrize("fault", ["drop", "expire_sessions"])
async def test_a_fault_while_recovered_events_wait_in_put_loses_nothing(apic, start_source, fault):
    log = await start_source(_slow(apic), queue=asyncio.Queue(maxsize=1), delay=CONSUMER_DELAY)
    await live(log, apic)
    dns = _tenants("p", 300)
    await _backlog(apic, log, dns)
    getattr(apic.control, fault)()  # most of the 300 still wait in put: the connection is torn down
    await log.wait_for(_all_created(dns), f"every tenant after a {fault} during delivery", timeout=30)
    assert exactly_once(log, "created", dns) == []
    assert sum(aci["recovered"] for aci in log.of("created")) == len(dns)


@pytest.mark.apicsim(members=2)
async def test_a_failover_while_recovered_events_wait_in_put_loses_nothing(apic, start_source):
    hosts = [member_host(apic, 0), member_host(apic, 1)]
    log = await start_source(_slow(apic, host=hosts), queue=asyncio.Queue(maxsize=1), delay=CONSUMER_DELAY)
    await live(log, apic)
    dns = _tenants("m", 300)
    await _backlog(apic, log, dns)
    serving = next(aci["apic"] for aci in log.objects if aci["recovered"])  # either member, after the throttle
    await apic.control.member_down(hosts.index(serving))
    await log.wait_for(_all_created(dns), "every tenant after a failover during delivery", timeout=30)
    assert exactly_once(log, "created", dns) == []
    assert {aci["apic"] for aci in log.of("created")} == set(hosts)  # some came through each member


async def test_a_restart_emits_exactly_the_changes_made_while_it_was_down(apic, start_source):
    args = source_args(apic)
    log = await start_source(args)
    await live(log, apic)
    kept, changed, gone = "uni/tn-kept", "uni/tn-changed", "uni/tn-gone"
    _create(apic, [kept, changed, gone])
    await log.wait_for(_all_created([kept, changed, gone]), "the tenants created before the stop")
    await log.stop()

    _create(apic, ["uni/tn-whiledown"])
    apic.control.modify(changed, {"descr": "edited while down"})
    apic.control.delete(gone)
    again = await start_source(args)
    await again.wait_for(lambda seen: len(seen.objects) >= 3, "the changes made while the source was down")
    await asyncio.sleep(0.3)  # anything more would arrive with them
    seen = sorted((aci["status"], aci["dn"], aci["changed"], aci["recovered"]) for aci in again.objects)
    assert seen == [("created", "uni/tn-whiledown", [], True), ("deleted", gone, [], True),
                    ("modified", changed, ["descr"], True)]
    assert again.of("modified")[0]["attributes"]["descr"] == "edited while down"


async def test_a_first_start_takes_the_snapshot_as_its_baseline(apic, start_source):
    _create(apic, ["uni/tn-before"])
    log = await start_source(source_args(apic))
    await live(log, apic)
    _create(apic, ["uni/tn-after"])
    await log.wait_for(_all_created(["uni/tn-after"]), "the tenant created once the source runs")
    assert [aci["dn"] for aci in log.objects] == ["uni/tn-after"]


async def test_without_a_checkpoint_a_restart_starts_from_a_new_baseline(apic, start_source):
    args = source_args(apic, checkpoint="off")
    log = await start_source(args)
    await live(log, apic)
    await log.stop()
    _create(apic, ["uni/tn-unseen"])
    again = await start_source(args)
    await live(again, apic)
    _create(apic, ["uni/tn-seen"])
    await again.wait_for(_all_created(["uni/tn-seen"]), "the tenant created after the restart")
    assert [aci["dn"] for aci in again.objects] == ["uni/tn-seen"]


async def test_a_changed_subscription_definition_starts_a_new_baseline_with_one_warning(apic, start_source,
                                                                                       caplog):
    log = await start_source(source_args(apic, {"name": "watched", "class": "fvTenant"}))
    await live(log, apic)
    await log.stop()
    _create(apic, ["uni/tn-meanwhile"])
    changed = {"name": "watched", "class": "fvTenant", "query_target_filter": 'ne(fvTenant.name,"x")'}
    with caplog.at_level(logging.WARNING):
        again = await start_source(source_args(apic, changed))
        await live(again, apic)
        _create(apic, ["uni/tn-later"])
        await again.wait_for(_all_created(["uni/tn-later"]), "the tenant created after the restart")
    assert [aci["dn"] for aci in again.objects] == ["uni/tn-later"]
    warnings = [r.getMessage() for r in caplog.records if "changed its definition" in r.getMessage()]
    assert len(warnings) == 1 and "watched" in warnings[0]


async def _failure(start_source, args) -> str:
    log = await start_source(args)
    await asyncio.wait([log.task], timeout=10)
    assert log.task.done(), "the source did not stop on a checkpoint it cannot use"
    error = log.task.exception()
    assert error is not None
    text = str(error)
    assert "\n" not in text
    return text


async def test_two_sources_on_one_checkpoint_the_second_stops_with_a_clear_error(apic, start_source):
    args = source_args(apic)
    first = await start_source(args)
    await live(first, apic)
    text = await _failure(start_source, args)
    assert "in use" in text and "checkpoint" in text
    apic.control.create_tenant("still-served")
    await first.wait_for(_all_created(["uni/tn-still-served"]), "the first source, unharmed")


async def test_a_corrupt_checkpoint_stops_the_source_with_one_line(apic, start_source, tmp_path):
    path = tmp_path / "checkpoint.sqlite3"
    path.write_bytes(b"this is not a database, only some bytes " * 100)
    text = await _failure(start_source, source_args(apic, checkpoint=str(path)))
    assert str(path) in text and "checkpoint" in text
    with pytest.raises(sqlite3.DatabaseError):  # the file is left as it was, for the user to look at
        sqlite3.connect(path).execute("select * from sqlite_master").fetchall()


async def test_a_checkpoint_directory_that_cannot_be_created_stops_the_source(apic, start_source, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    text = await _failure(start_source, source_args(apic, checkpoint=f"{blocker}/checkpoints/"))
    assert str(blocker) in text and "checkpoint" in text


async def test_a_restart_on_another_node_resumes_from_a_postgresql_checkpoint(apic, start_source, postgres_running,
                                                                             monkeypatch, tmp_path):
    args = source_args(apic, checkpoint=postgres_running.create_database("moving"),
                       checkpoint_password=postgres_running.password)
    log = await start_source(args)
    await live(log, apic)
    _create(apic, ["uni/tn-first"])
    await log.wait_for(_all_created(["uni/tn-first"]), "the tenant created on the first node")
    await log.stop()
    _create(apic, ["uni/tn-moved"])
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-node"))  # nothing local comes along
    again = await start_source(args)
    await again.wait_for(_all_created(["uni/tn-moved"]), "the tenant created while the activation moved")
    await asyncio.sleep(0.3)
    assert [(aci["dn"], aci["recovered"]) for aci in again.objects] == [("uni/tn-moved", True)]
    assert not (tmp_path / "another-node").exists()


async def test_a_checkpoint_that_fails_later_is_reported_once_and_events_keep_flowing(apic, start_source,
                                                                                      postgres_running, caplog):
    args = source_args(apic, checkpoint=postgres_running.create_database("failing"),
                       checkpoint_password=postgres_running.password)
    log = await start_source(args)
    await live(log, apic)
    postgres_running.stop()
    with caplog.at_level(logging.ERROR):
        for batch in range(3):
            dns = _tenants(f"late{batch}-", 5)
            _create(apic, dns)
            await log.wait_for(_all_created(dns), "events while the checkpoint cannot be written")
            await asyncio.sleep(0.3)  # one write interval: each batch meets the failed store
    failures = [r.getMessage() for r in caplog.records if "can no longer be written" in r.getMessage()]
    assert len(failures) == 1, failures
    assert postgres_running.password not in caplog.text
