"""Which known objects a paged snapshot asks the APIC for before reporting them deleted, and how."""

import asyncio

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import SubscriptionSpec
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.unseen_check import (
    BATCH_DNS,
    check_unseen,
    check_urls,
)


def _tenant(name):
    return {"fvTenant": {"attributes": {"dn": f"uni/tn-{name}", "name": name, "descr": ""}}}


def _known(spec, names):
    """A router whose subscription knows ``names``, and that subscription."""
    router = Router((spec,), asyncio.Queue(), SourceStats(1))
    router.reset("apic1")
    sub = router.subscriptions[0]
    router.begin_subscribe(sub)
    router.end_subscribe(sub, "1", [_tenant(name) for name in names], 0.0)
    router.begin_subscribe(sub)
    return router, sub


def _read(router, sub, pages):
    snapshot = router.start_snapshot(sub)
    for page in pages:
        snapshot.add([_tenant(name) for name in page])
    return snapshot


CLASS = SubscriptionSpec("tenants", "/api/class/fvTenant.json")
NAMES = [f"t{index:02d}" for index in range(12)]


def test_only_objects_between_two_pages_of_a_class_read_in_dn_order_are_asked_for():
    router, sub = _known(CLASS, NAMES)
    # t04 and t05 slipped between pages 0 and 1; t01 and t10 were deleted (they lie inside a page)
    snapshot = _read(router, sub, [["t00", "t02", "t03"], ["t06", "t07", "t08"], ["t09", "t11"]])
    to_check, certain = snapshot.unseen()
    assert to_check == [("uni/tn-t04", "fvTenant"), ("uni/tn-t05", "fvTenant")]
    assert certain == 2


def test_a_page_out_of_dn_order_makes_every_unseen_object_asked_for():
    router, sub = _known(CLASS, NAMES)
    snapshot = _read(router, sub, [["t00", "t03", "t02"], ["t06", "t07", "t08"], ["t09", "t11"]])
    assert sorted(dn for dn, _ in snapshot.unseen()[0]) == [f"uni/tn-{n}" for n in ("t01", "t04", "t05", "t10")]


def test_a_subtree_query_and_a_dn_subscription_have_no_trusted_order():
    for spec in (SubscriptionSpec("bds", "/api/class/fvTenant.json?query-target=subtree&target-subtree-class=fvBD"),
                 SubscriptionSpec("tree", "/api/mo/uni.json?query-target=subtree")):
        router, sub = _known(spec, NAMES)
        snapshot = _read(router, sub, [["t00", "t02", "t03"], ["t06", "t07", "t08"], ["t09", "t11"]])
        assert len(snapshot.unseen()[0]) == 4, spec


def test_a_first_snapshot_or_a_single_page_asks_for_nothing():
    router, sub = _known(CLASS, NAMES)
    assert _read(router, sub, [["t00"]]).unseen() == ([], 0)


def test_overlapping_pages_and_a_later_page_ending_before_an_earlier_one_still_bound_the_gaps():
    router, sub = _known(CLASS, NAMES)
    # page 1 overlaps page 0 (creations); page 2 ends before page 1 ended (many deletions in between)
    snapshot = _read(router, sub, [["t00", "t02"], ["t02", "t06"], ["t03", "t04"]])
    to_check, _ = snapshot.unseen()
    # gaps: (t02, t02) is empty, (t06, t03) is empty: nothing lies between pages, every unseen one is gone
    assert to_check == []
    snapshot = _read(router, sub, [["t00", "t01"], ["t09", "t10"], ["t02", "t03"], ["t04", "t05"]])
    # gaps (t01, t09) and (t03, t04): the second lies inside the first, which still holds t06 to t08
    assert [dn for dn, _ in snapshot.unseen()[0]] == [f"uni/tn-{n}" for n in ("t06", "t07", "t08")]


def test_the_check_is_the_subscriptions_own_query_narrowed_to_the_dns_in_bounded_batches():
    unseen = [(f"uni/tn-x{index:03d}", "fvTenant") for index in range(BATCH_DNS + 1)]
    urls = check_urls('/api/class/fvTenant.json?query-target-filter=eq(fvTenant.descr,"a%20b")&rsp-subtree=children',
                      unseen)
    assert len(urls) == 2
    first = urls[0]
    assert first.startswith("/api/class/fvTenant.json?rsp-subtree=children&query-target-filter=and(eq(fvTenant.descr,"
                            '"a%20b"),or(eq(fvTenant.dn,"uni/tn-x000"),eq(fvTenant.dn,"uni/tn-x001"),')
    assert first.count("eq(fvTenant.dn,") == BATCH_DNS
    assert urls[1].endswith('query-target-filter=and(eq(fvTenant.descr,"a%20b"),eq(fvTenant.dn,"uni/tn-x050"))')
    long = [(f"uni/tn-{'y' * 200}{index}", "fvTenant") for index in range(40)]
    assert all(len(url) < 4000 for url in check_urls("/api/class/fvTenant.json", long))


def test_a_dn_no_filter_can_quote_is_read_by_itself():
    urls = check_urls("/api/mo/uni.json?query-target=subtree&rsp-prop-include=config-only",
                      [('uni/tn-a"b', "fvTenant"), ("uni/tn-c", "fvTenant")])
    assert urls == ['/api/mo/uni/tn-a"b.json?rsp-prop-include=config-only',
                    '/api/mo/uni.json?query-target=subtree&rsp-prop-include=config-only&query-target-filter='
                    'eq(fvTenant.dn,"uni/tn-c")']


async def test_objects_the_apic_still_has_stay_and_only_the_others_are_reported_deleted():
    router, sub = _known(CLASS, NAMES)
    snapshot = _read(router, sub, [["t00", "t01", "t02", "t03"], ["t06", "t07", "t08", "t09"], ["t10", "t11"]])
    asked = []

    async def query(url):
        asked.append(url)
        return 1, [_tenant("t04")]  # t05 is gone

    await check_unseen(query, sub, snapshot)
    tickets = router.end_subscribe(sub, "2", snapshot, 0.0)
    assert len(asked) == 1
    assert [(t.event["aci"]["status"], t.event["aci"]["dn"]) for t in tickets] == [("deleted", "uni/tn-t05")]
