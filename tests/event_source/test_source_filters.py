"""modified_attributes and fold_window over real sockets: what reaches the queue, in which order, and what the
heartbeat counts."""

import asyncio

from source_harness import live, source_args

DN = "uni/tn-noisy"


def _status(log):
    beats = [event["aci_status"] for event in log.events if "aci_status" in event]
    return beats[-1] if beats else None


async def test_filtered_and_folded_changes_keep_creations_deletions_and_the_latest_state(apic, start_source):
    subscription = {"name": "tenants", "class": "fvTenant", "modified_attributes": ["descr"], "fold_window": 1.0}
    log = await start_source(source_args(apic, subscriptions=[subscription], heartbeat_interval=0.05))
    await live(log, apic)
    apic.control.create_tenant("noisy")
    apic.control.modify(DN, {"nameAlias": "not listed"})  # filtered
    apic.control.modify(DN, {"descr": "first"})  # emitted at once, opens the window
    for index in range(5):
        apic.control.modify(DN, {"descr": f"flap-{index}"})  # folded
    apic.control.modify(DN, {"nameAlias": "still not listed"})  # filtered, inside the window
    await log.wait_for(lambda seen: any(a.get("folded") for a in seen.of("modified", dn=DN)), "the folded event")
    modified = log.of("modified", dn=DN)
    assert [a["attributes"]["descr"] for a in modified] == ["first", "flap-4"]
    assert modified[1]["folded"] == 5 and modified[1]["changed"] == ["descr"] and "folded" not in modified[0]
    # the window that folded something opened the next one: these fold too, and the deletion right after
    # them sends the folded change first, then itself
    for index in range(3):
        apic.control.modify(DN, {"descr": f"last-{index}"})
    apic.control.delete(DN)
    await log.wait_for(lambda seen: seen.of("deleted", dn=DN), "the deletion")
    statuses = [(a["status"], a["attributes"].get("descr"), a.get("folded")) for a in log.of(dn=DN)]
    assert statuses == [("created", "", None), ("modified", "first", None), ("modified", "flap-4", 5),
                        ("modified", "last-2", 3), ("deleted", None, None)]
    await asyncio.sleep(0.15)  # the next heartbeat
    status = _status(log)
    assert (status["filtered"], status["folded"]) == (2, 8)
