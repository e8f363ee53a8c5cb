"""Fault tests: whatever breaks, every change made on the fabric reaches the queue exactly once.

Each test makes a known set of changes (distinct tenants, so every change is observable on its own) while
a failure is injected, then compares that set with the events received after reconciliation.
"""

import asyncio

import pytest
from source_harness import exactly_once, live, member_host, source_args


def _tenants(prefix, count):
    return [f"uni/tn-{prefix}{index}" for index in range(count)]


def _create(apic, dns):
    for dn in dns:
        apic.control.create_tenant(dn.split("tn-", 1)[1])


async def _create_paced(apic, dns, pause):
    """Create the tenants one by one, ``pause`` seconds apart, so a failure window falls among them."""
    for dn in dns:
        _create(apic, [dn])
        await asyncio.sleep(pause)


def _all_created(dns):
    wanted = set(dns)
    return lambda log: wanted <= {aci["dn"] for aci in log.of("created")}


async def test_websocket_drops_in_the_middle_of_a_burst_lose_nothing(apic, start_source):
    log = await start_source(source_args(apic))
    await live(log, apic)
    first, second, third = _tenants("a", 150), _tenants("b", 150), _tenants("c", 150)
    _create(apic, first)
    apic.control.drop()  # frames still in the simulator's send buffer die with the socket
    _create(apic, second)
    await log.wait_for(_all_created(first + second), "the creations around the first drop")
    _create(apic, third)
    apic.control.drop(abort=False)
    for dn in first:
        apic.control.modify(dn, {"descr": "final"})
    for dn in second:
        apic.control.delete(dn)
    apic.control.drop()
    await log.wait_for(lambda seen: _all_created(third)(seen) and {a["dn"] for a in seen.of("deleted")} >= set(second)
                       and {a["dn"] for a in seen.of("modified") if a["attributes"].get("descr") == "final"}
                       >= set(first), "every creation, modification and deletion")
    assert exactly_once(log, "created", first + second + third) == []
    assert exactly_once(log, "deleted", second) == []
    assert log.of(status=None) and any(aci["recovered"] for aci in log.objects), "no drop ever lost a frame"


@pytest.mark.apicsim(refresh_timeout=1, maximum_lifetime=3)
async def test_sessions_expiring_every_few_seconds_lose_nothing(apic, start_source, requests_seen):
    log = await start_source(source_args(apic))
    await live(log, apic)
    dns = _tenants("s", 60)
    for index, dn in enumerate(dns):
        _create(apic, [dn])
        if index in (20, 40):
            apic.control.expire_sessions()
        await asyncio.sleep(0.05)  # spread the changes over several session lifetimes (about 3 s)
    await log.wait_for(_all_created(dns), "every tenant created across session expiries")
    assert exactly_once(log, "created", dns) == []
    assert requests_seen.count("/api/aaaLogin.json") >= 3
    assert requests_seen.count("/api/aaaRefresh.json") >= 1


async def test_subscriptions_refused_at_refresh_are_resubscribed_without_loss(apic, start_source, requests_seen):
    log = await start_source(source_args(apic, refresh_timeout=1))
    await live(log, apic)
    apic.control.disturb_refreshes(seconds=1.5, fail=True)
    dns = _tenants("r", 40)
    await _create_paced(apic, dns, 0.04)
    await log.wait_for(_all_created(dns), "every tenant created while refreshes were refused")
    assert exactly_once(log, "created", dns) == []
    assert requests_seen.count("subscription=yes") >= 2  # it did resubscribe


async def test_subscriptions_lapsing_behind_slow_refreshes_recover_what_they_missed(apic, start_source):
    log = await start_source(source_args(apic, refresh_timeout=1))
    await live(log, apic)
    # Refreshes answer after 2 s, past the 1 s refresh-timeout: the simulator lets the subscription lapse
    # silently (no more pushes) until the source notices and subscribes again; changes in the gap are missed.
    apic.control.disturb_refreshes(seconds=2.5, delay=2.0, fail=False)
    dns = _tenants("l", 100)
    await _create_paced(apic, dns, 0.025)
    await log.wait_for(_all_created(dns), "the tenants created while the subscription kept lapsing")
    assert exactly_once(log, "created", dns) == []
    assert any(aci["recovered"] for aci in log.of("created")), "no creation fell into a lapse"


async def test_logins_throttled_with_503_back_off_and_lose_nothing(apic, start_source, requests_seen):
    delay, delay_max, window = 0.2, 1.0, 3.0
    log = await start_source(source_args(apic, reconnect_delay=delay, reconnect_delay_max=delay_max))
    await live(log, apic)
    apic.control.throttle_logins(window)
    apic.control.expire_sessions()  # the socket closes; every login for the next 3 s gets 503
    dns = _tenants("t", 30)
    _create(apic, dns)
    await log.wait_for(_all_created(dns), "the tenants created while logins were throttled", timeout=20)
    assert exactly_once(log, "created", dns) == []
    # Backoff with 50% jitter waits at least delay/2, delay, 2*delay... (capped): count what fits in the window.
    bound, waited, step = 1, 0.0, delay
    while waited <= window:
        waited += min(step, delay_max) / 2
        step *= 2
        bound += 1
    logins = requests_seen.count("/api/aaaLogin.json")
    assert 3 <= logins <= bound + 2, f"{logins} logins in about {window} s (a hot loop would make hundreds)"


@pytest.mark.apicsim(members=2)
async def test_failover_to_the_next_cluster_member_loses_nothing(apic, start_source):
    hosts = [member_host(apic, 0), member_host(apic, 1)]
    log = await start_source(source_args(apic, host=hosts))
    await live(log, apic)
    before, during, after = _tenants("f", 10), _tenants("g", 10), _tenants("h", 10)
    _create(apic, before)
    await log.wait_for(_all_created(before), "the tenants created before the failover")
    await apic.control.member_down(0)
    _create(apic, during)
    await log.wait_for(lambda seen: any(a["apic"] == hosts[1] for a in seen.objects), "events from the second member")
    _create(apic, after)
    await log.wait_for(_all_created(before + during + after), "every tenant across the failover")
    assert exactly_once(log, "created", before + during + after) == []
    assert {a["apic"] for a in log.of("created") if a["dn"] in after} == {hosts[1]}
    assert {a["apic"] for a in log.of("created") if a["dn"] in before} == {hosts[0]}


async def test_a_slow_consumer_with_a_one_slot_queue_loses_nothing(apic, start_source):
    log = await start_source(source_args(apic), queue=asyncio.Queue(maxsize=1), delay=0.002)
    await live(log, apic)
    first, second = _tenants("q", 100), _tenants("w", 100)
    _create(apic, first)
    apic.control.drop()
    _create(apic, second)
    await log.wait_for(_all_created(first + second), "every tenant through a one-slot queue")
    assert exactly_once(log, "created", first + second) == []
    live_order = [a["dn"] for a in log.of("created") if not a["recovered"] and a["dn"] in second]
    assert live_order == [dn for dn in second if dn in live_order]  # pushes keep their order


async def test_changes_racing_the_resubscribe_are_neither_lost_nor_doubled(apic, start_source):
    log = await start_source(source_args(apic))
    await live(log, apic)
    dns = _tenants("race", 400)
    producer = asyncio.ensure_future(_create_paced(apic, dns, 0.002))  # pushes keep coming while resubscribing
    for _ in range(4):
        await asyncio.sleep(0.15)
        apic.control.drop()
    await producer
    await log.wait_for(_all_created(dns), "every tenant created while the source kept resubscribing")
    assert exactly_once(log, "created", dns) == []
    recovered = sum(aci["recovered"] for aci in log.of("created") if aci["dn"] in dns)
    assert 0 < recovered < len(dns)  # some came from snapshots, the rest live


async def test_one_slow_refresh_holds_up_no_other_subscription(apic, start_source, requests_seen):
    log = await start_source(source_args(apic, "fvTenant", "fvBD", refresh_timeout=1))
    await live(log, apic, 2)
    apic.control.disturb_refreshes(count=1, delay=3.0, fail=False)  # only the next refresh hangs, for 3 s
    before = requests_seen.count("/api/subscriptionRefresh.json")
    await asyncio.sleep(1.5)  # about four refresh rounds of 0.33 s
    answered = requests_seen.count("/api/subscriptionRefresh.json") - before
    assert answered >= 3, f"only {answered} refreshes answered while one hung: the others were held up"
    apic.control.create_tenant("after-slow")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-after-slow"), "an event after the slow refresh")
