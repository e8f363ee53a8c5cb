"""The router with paged snapshots, attribute filters and fold windows: what reaches the engine, and when."""

import asyncio
import json

from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import (
    SubscriptionSpec,
    parse_subscriptions,
)


def _router(spec=None, checkpoint=None):
    spec = spec or SubscriptionSpec("fvTenant", "/api/class/fvTenant.json")
    return Router((spec,), asyncio.Queue(), SourceStats(1), checkpoint=checkpoint)


def _tenant(name, status="", **extra):
    attributes = {"dn": f"uni/tn-{name}", "name": name, "descr": "", "modTs": "t0", "status": status}
    attributes.update(extra)
    return {"fvTenant": {"attributes": attributes}}


def _push(name, status="modified", **attrs):
    return {"fvTenant": {"attributes": dict({"dn": f"uni/tn-{name}", "status": status}, **attrs)}}


def _frame(sub_id, *mos):
    return json.dumps({"subscriptionId": [sub_id], "imdata": list(mos)})


def _summary(tickets):
    return [(t.event["aci"]["status"], t.event["aci"]["dn"], t.event["aci"]["recovered"], t.event["aci"]["changed"])
            for t in tickets or []]


def _paged(router, sub, sub_id, pages, between=None):
    """Subscribe with the pages of a snapshot; ``between[i]`` frames arrive after page i."""
    router.begin_subscribe(sub)
    snapshot = router.start_snapshot(sub)
    routed = []
    for index, page in enumerate(pages):
        snapshot.add(page)
        for frame in (between or {}).get(index, ()):
            routed.append(router.route(frame))
    return routed, router.end_subscribe(sub, sub_id, snapshot, 0.0)


def _baseline(router, sub, *names):
    router.reset("apic1")
    router.begin_subscribe(sub)
    router.end_subscribe(sub, "1", [_tenant(name) for name in names], 0.0)


# ------------------------------------------------------------------ paging


def test_paged_snapshot_is_reconciled_once_then_the_held_pushes_in_arrival_order():
    router = _router()
    sub = router.subscriptions[0]
    _baseline(router, sub, "a", "b", "c", "d")
    router.reset("apic1")  # a drop: while away, b changed, d went, e came
    pages = [[_tenant("a"), _tenant("b", descr="away", modTs="t1")], [_tenant("c"), _tenant("e")]]
    between = {0: [_frame("2", _push("a", descr="during", modTs="t2")),  # a is on page 0 already: newer
                   _frame("2", _push("e", descr="during", modTs="t2"))],  # e is on page 1, read after it
               1: [_frame("2", _push("c", status="deleted"))]}
    routed, tickets = _paged(router, sub, "2", pages, between)
    assert routed == [None, None, None]  # held: nothing reaches the engine before the snapshot is complete
    # d is not reported deleted early although page 0 lacked it; the held pushes follow in arrival order
    assert _summary(tickets) == [
        ("modified", "uni/tn-b", True, ["descr"]),
        ("created", "uni/tn-e", True, []),
        ("deleted", "uni/tn-d", True, []),
        ("modified", "uni/tn-a", False, ["descr"]),
        ("modified", "uni/tn-e", False, ["descr"]),
        ("deleted", "uni/tn-c", False, []),
    ]
    assert sorted(sub.state.objects) == ["uni/tn-a", "uni/tn-b", "uni/tn-e"]
    assert sub.id == "2"


def test_an_object_two_pages_return_counts_once_and_a_page_never_looks_like_deletions():
    router = _router()
    sub = router.subscriptions[0]
    _baseline(router, sub, *"abcdef")
    router.reset("apic1")
    # a creation before the boundary moved c onto both pages
    _routed, tickets = _paged(router, sub, "2", [[_tenant("a"), _tenant("b"), _tenant("c")],
                                                 [_tenant("c"), _tenant("d"), _tenant("e"), _tenant("f")]])
    assert tickets == [] and len(sub.state) == 6


def test_a_snapshot_abandoned_between_pages_leaves_the_state_as_it_was():
    router = _router()
    sub = router.subscriptions[0]
    _baseline(router, sub, "a", "b")
    router.reset("apic1")
    router.begin_subscribe(sub)
    snapshot = router.start_snapshot(sub)
    snapshot.add([_tenant("a", descr="x")])
    assert router.end_subscribe(sub, None, None, 0.0) == []  # the drop: the subscribe failed
    assert sorted(sub.state.objects) == ["uni/tn-a", "uni/tn-b"] and sub.id is None
    router.reset("apic1")  # the next connection starts again and finds the change
    _routed, tickets = _paged(router, sub, "3", [[_tenant("a", descr="x", modTs="t1")], [_tenant("b")]])
    assert _summary(tickets) == [("modified", "uni/tn-a", True, ["descr"])]


def test_dropped_tickets_are_rewound_before_the_first_page_is_compared():
    router = _router()
    sub = router.subscriptions[0]
    _baseline(router, sub, "a")
    (ticket,) = router.route(_frame("1", _push("a", descr="lost", modTs="t1")))
    ticket.dropped = True  # never handed over: the drop cut it off
    router.reset("apic1")
    _routed, tickets = _paged(router, sub, "2", [[_tenant("a", descr="lost", modTs="t1")], []])
    assert _summary(tickets) == [("modified", "uni/tn-a", True, ["descr"])]


# ------------------------------------------------------------------ filters


def _spec(**item):
    return parse_subscriptions([dict({"class": "fvTenant"}, **item)])[0]


def test_modified_attributes_emit_only_listed_changes_and_the_state_follows_every_change():
    router = _router(_spec(modified_attributes=["descr"]))
    sub = router.subscriptions[0]
    _baseline(router, sub, "a")
    assert router.route(_frame("1", _push("a", nameAlias="x", modTs="t1"))) == []
    assert router.stats.filtered == 1
    # the state took the filtered change: the same value again is a duplicate, not a change
    assert router.route(_frame("1", _push("a", nameAlias="x"))) == []
    assert router.stats.duplicates == 1
    tickets = router.route(_frame("1", _push("a", descr="y", nameAlias="z", modTs="t2")))
    assert _summary(tickets) == [("modified", "uni/tn-a", False, ["descr", "nameAlias"])]
    # creations and deletions are never filtered
    tickets = router.route(_frame("1", _tenant("n", status="created"), _push("a", status="deleted")))
    assert [t.event["aci"]["status"] for t in tickets] == ["created", "deleted"]


class _Checkpoint:
    """What the router writes to a checkpoint: ``recorded`` holds (op, dn, attributes) per confirmed change."""

    def __init__(self):
        self.recorded = []

    def baseline(self, sub, changes):
        pass

    def add_baseline(self, sub, changes):
        pass

    def record(self, ticket):
        self.recorded.append((ticket.op, ticket.dn, dict(ticket.attributes)))


def test_filtered_pushes_cost_no_checkpoint_write_and_the_emitted_ones_still_do():
    checkpoint = _Checkpoint()
    router = _router(_spec(modified_attributes=["descr"]), checkpoint=checkpoint)
    sub = router.subscriptions[0]
    _baseline(router, sub, "a")
    for n in range(3):  # a noisy attribute nobody listed
        assert router.route(_frame("1", _push("a", nameAlias=f"x{n}", modTs=f"t{n}"))) == []
    assert router.stats.filtered == 3 and checkpoint.recorded == []
    (ticket,) = router.route(_frame("1", _push("a", descr="listed", modTs="t9")))
    router.confirm(ticket)
    assert [(op, dn) for op, dn, _ in checkpoint.recorded] == [("merge", "uni/tn-a")]


def test_recovered_modifications_are_filtered_too_and_recorded_as_delivered():
    checkpoint = _Checkpoint()
    recorded = checkpoint.recorded
    router = _router(_spec(modified_attributes=["descr"]), checkpoint=checkpoint)
    sub = router.subscriptions[0]
    _baseline(router, sub, "a", "b")
    router.reset("apic1")
    _routed, tickets = _paged(router, sub, "2", [[_tenant("a", nameAlias="n", modTs="t1"),
                                                  _tenant("b", descr="d", modTs="t1")]])
    assert _summary(tickets) == [("modified", "uni/tn-b", True, ["descr"])]
    assert [(op, dn) for op, dn, _ in recorded] == [("put", "uni/tn-a")] and recorded[0][2]["nameAlias"] == "n"


# ------------------------------------------------------------------ folding


def _fold_router(window=60.0, **item):
    router = _router(_spec(fold_window=window, **item))
    sub = router.subscriptions[0]
    _baseline(router, sub, "a", "b")
    return router, sub


def test_the_first_change_goes_at_once_and_the_rest_of_the_window_folds_into_one_latest_event():
    router, sub = _fold_router()
    assert _summary(router.route(_frame("1", _push("a", descr="1", modTs="t1")))) == [
        ("modified", "uni/tn-a", False, ["descr"])]
    before = bytes(sub.state.objects["uni/tn-a"])
    assert router.route(_frame("1", _push("a", descr="2", modTs="t2"))) == []
    assert router.route(_frame("1", _push("a", nameAlias="x", modTs="t3"))) == []
    assert router.route(_frame("1", _push("a", descr="4", modTs="t4"))) == []
    assert router.stats.folded == 3 and router.due_folds() == []  # the window is still open
    (ticket,) = router.due_folds(now=10 ** 9)
    aci = ticket.event["aci"]
    assert (aci["status"], aci["folded"], aci["changed"]) == ("modified", 3, ["descr", "nameAlias"])
    assert (aci["attributes"]["descr"], aci["attributes"]["nameAlias"], aci["attributes"]["modTs"]) == ("4", "x", "t4")
    assert bytes(ticket.before) == before  # the ledger can rewind to before the first folded change
    assert router.due_folds(now=10 ** 9) == []


def test_a_delete_flushes_the_folded_change_first_and_a_create_is_never_folded():
    router, _sub = _fold_router()
    router.route(_frame("1", _push("a", descr="1")))
    router.route(_frame("1", _push("a", descr="2")))
    tickets = router.route(_frame("1", _push("a", status="deleted"), _tenant("a", status="created", descr="new")))
    assert [(t.event["aci"]["status"], t.event["aci"].get("folded")) for t in tickets] == [
        ("modified", 1), ("deleted", None), ("created", None)]
    assert tickets[0].event["aci"]["attributes"]["descr"] == "2"
    # the re-created object's next change is not folded into anything from before the delete
    assert _summary(router.route(_frame("1", _push("a", descr="3")))) == [("modified", "uni/tn-a", False, ["descr"])]
    assert router.due_folds(now=10 ** 9) == []


def test_a_drop_with_a_folded_change_pending_emits_it_from_the_next_snapshot():
    router, sub = _fold_router()
    router.route(_frame("1", _push("a", descr="1", modTs="t1")))  # emitted (and confirmed)
    router.confirm(router.subscriptions[0].outstanding.by_dn["uni/tn-a"][0])
    router.route(_frame("1", _push("a", descr="2", modTs="t2")))  # folded, not emitted yet
    router.reset("apic1")  # the connection drops before the window ends
    assert sub.windows == {}
    _routed, tickets = _paged(router, sub, "2", [[_tenant("a", descr="2", modTs="t2"), _tenant("b")]])
    assert _summary(tickets) == [("modified", "uni/tn-a", True, ["descr"])]
    assert tickets[0].event["aci"]["attributes"]["descr"] == "2"


def test_folding_with_a_filter_counts_only_listed_changes():
    router, _sub = _fold_router(modified_attributes=["descr"])
    router.route(_frame("1", _push("a", descr="1")))
    assert router.route(_frame("1", _push("a", nameAlias="ignored"))) == []
    router.route(_frame("1", _push("a", descr="2")))
    (ticket,) = router.due_folds(now=10 ** 9)
    assert ticket.event["aci"]["folded"] == 1 and router.stats.filtered == 1
    status = router.stats.status_fields()
    assert (status["filtered"], status["folded"]) == (1, 1)


def test_a_folded_change_taken_along_by_a_snapshot_that_fails_is_emitted_by_the_next_one():
    router, sub = _fold_router()
    router.route(_frame("1", _push("a", descr="1", modTs="t1")))
    router.confirm(sub.outstanding.by_dn["uni/tn-a"][0])
    router.route(_frame("1", _push("a", descr="2", modTs="t2")))  # folded
    router.begin_subscribe(sub)  # a resubscribe on the same connection: the folded change goes along
    snapshot = router.start_snapshot(sub)
    snapshot.add([_tenant("a", descr="2", modTs="t2")])
    assert router.end_subscribe(sub, None, None, 0.0) == []  # the paging failed: nothing handed over
    router.reset("apic1")
    _routed, tickets = _paged(router, sub, "3", [[_tenant("a", descr="2", modTs="t2"), _tenant("b")]])
    assert _summary(tickets) == [("modified", "uni/tn-a", True, ["descr"])]


def test_a_first_paged_snapshot_goes_to_the_checkpoint_page_by_page_and_keeps_no_page():
    written = []

    class Checkpoint:
        def baseline(self, sub, changes):
            written.append(("reset", [change.dn for change in changes]))

        def add_baseline(self, sub, changes):
            written.append(("page", [change.dn for change in changes]))

    router = _router(checkpoint=Checkpoint())
    sub = router.subscriptions[0]
    router.reset("apic1")
    router.begin_subscribe(sub)
    snapshot = router.start_snapshot(sub)
    snapshot.add([_tenant("a"), _tenant("b")])
    assert written == [("reset", []), ("page", ["uni/tn-a", "uni/tn-b"])]  # before the snapshot is complete
    snapshot.add([_tenant("c")])
    assert snapshot.kept is None
    assert router.end_subscribe(sub, "1", snapshot, 0.0) == []
    assert written[-1] == ("page", ["uni/tn-c"]) and len(sub.state) == 3
