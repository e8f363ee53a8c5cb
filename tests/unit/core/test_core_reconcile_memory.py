"""The reconciliation state's documented memory bound: well under 1 KB per tracked object.

The figure is printed (run with -s) and asserted against the bound core/reconcile.py states (350 to 450
bytes per object including the DN key; this 25-attribute bridge domain measures about 400); memory, unlike
time, does not depend on machine load.
"""

import gc
import tracemalloc

from ansible_collections.fabricops.aci.plugins.module_utils.core.frames import Change
from ansible_collections.fabricops.aci.plugins.module_utils.core.reconcile import KnownState

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
