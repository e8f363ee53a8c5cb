"""The reconciliation state's documented memory bound: well under 1 KB per tracked object.

The figure is printed (run with -s) and asserted against the bound core/reconcile.py states (350 to 450
bytes per object including the DN key; this 25-attribute bridge domain measures about 400); memory, unlike
time, does not depend on machine load.
"""

import gc
import sys
import tracemalloc

from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import Change
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import KnownState, Reconciliation

DOCUMENTED_BOUND = 450  # bytes per object, the upper end core/reconcile.py states


def _bridge_domain(index):
    dn = f"uni/tn-tenant{index % 500:03d}/BD-bridge-domain-{index:06d}"
    attributes = {
        "dn": dn, "status": "", "rn": dn.rsplit("/", 1)[1], "childAction": "", "name": f"bridge-domain-{index:06d}",
        "descr": "", "arpFlood": "no", "epMoveDetectMode": "", "ipLearning": "yes", "limitIpLearnToSubnets": "yes",
        "mac": "00:22:BD:F8:19:FF", "mcastAllow": "no", "multiDstPktAct": "bd-flood", "nameAlias": "",
        "ownerKey": "", "ownerTag": "", "type": "regular", "unicastRoute": "yes", "unkMacUcastAct": "proxy",
        "unkMcastAct": "flood", "vmac": "not-applicable", "annotation": "", "uid": "15374", "extMngdBy": "",
        "modTs": f"2026-11-27T10:00:00.{index:06d}+00:00", "lcOwn": "local", "pcTag": str(49152 + index % 1000),
        "scope": str(2555904 + index), "seg": str(16000000 + index),
    }
    return Change("fvBD", dn, "", attributes)


def test_memory_per_tracked_object_is_within_the_documented_bound():
    count = 20_000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        snapshot = [_bridge_domain(index) for index in range(count)]
        state = KnownState()
        state.reconcile(snapshot)
        del snapshot
        gc.collect()
        per_object = (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()
    print(f"reconciliation state: {per_object:.0f} bytes per tracked object (25 attributes)")
    assert len(state) == count
    assert per_object < DOCUMENTED_BOUND


def _copy(change):
    """The same object as a fresh snapshot brings it: equal values, new strings and dictionaries."""
    attributes = {"".join(name): "".join(value) for name, value in change.attributes.items()}
    return Change(change.cls, attributes["dn"], "", attributes)


def test_a_recovery_adds_about_one_table_to_the_state_not_a_second_copy():
    count = 20_000
    state = KnownState()
    state.reconcile([_bridge_domain(index) for index in range(count)])
    known_keys = {dn: dn for dn in state.objects}
    known_records = dict(state.objects)
    pages = [[_copy(_bridge_domain(index)) for index in range(start, start + 5000)] for start in range(0, count, 5000)]
    pages[-1][-1].attributes["descr"] = "changed while dropped"
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        reconciliation = Reconciliation(state)
        for page in pages:
            reconciliation.add(page)
        grown = (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()
    missed = reconciliation.finish()
    print(f"reading a snapshot of a known class: {grown:.0f} bytes per object on top of the state")
    assert [(change.status, names) for change, names, _old in missed] == [("modified", ["descr"])]
    kept = [dn for dn in state.objects if dn is known_keys[dn] and state.objects[dn] is known_records[dn]]
    assert len(kept) == count - 1  # every unchanged object keeps its DN string and record
    assert grown < 100  # the new dictionary's table; a second copy of DN strings and records is over 250


def test_a_snapshot_that_finds_most_of_the_class_gone_leaves_a_table_sized_for_what_is_left():
    state = KnownState()
    state.reconcile([_bridge_domain(index) for index in range(20_000)])
    reconciliation = Reconciliation(state)
    reconciliation.add([_copy(_bridge_domain(index)) for index in range(100)])
    missed = reconciliation.finish()
    assert len(state) == 100 and len(missed) == 19_900
    assert [change.dn for change, _names, _old in missed[:2]] == [_bridge_domain(100).dn, _bridge_domain(101).dn]
    assert sys.getsizeof(state.objects) < sys.getsizeof({_bridge_domain(index).dn: 0 for index in range(1000)})
