"""The router without sockets: fan-out, unknown ids, bad frames, and the snapshot-vs-push ordering rule."""

import asyncio
import json
import logging

from ansible_collections.fabricops.aci.plugins.module_utils.core.delivery import Outstanding
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import router as router_mod
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.router import Router
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.stats import SourceStats
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import SubscriptionSpec


def _router(*names, emit_existing=False, queue=None):
    specs = tuple(SubscriptionSpec(name, f"/api/class/{name}.json") for name in names or ("fvTenant",))
    return Router(specs, asyncio.Queue() if queue is None else queue, SourceStats(len(specs)), emit_existing)


def _tenant(name, status="", **extra):
    attributes = {"dn": f"uni/tn-{name}", "name": name, "descr": "", "modTs": "t0", "status": status}
    attributes.update(extra)
    return {"fvTenant": {"attributes": attributes}}


def _frame(ids, *mos):
    return json.dumps({"subscriptionId": ids, "imdata": list(mos)})


def _events(tickets):
    """The events the router's tickets carry (None stays None)."""
    return None if tickets is None else [ticket.event for ticket in tickets]


def _route(router, data):
    return _events(router.route(data))


def _end(router, sub, sub_id, snapshot):
    return _events(router.end_subscribe(sub, sub_id, snapshot, 0.0))


def _subscribe(router, sub, sub_id, *snapshot):
    router.begin_subscribe(sub)
    return _end(router, sub, sub_id, list(snapshot))


def _tickets(*events):
    """Tickets for plain values, for the emit tests."""
    outstanding = Outstanding()
    return [outstanding.add("s", "c", f"dn{index}", None, None, None, event) for index, event in enumerate(events)]


def _summary(events):
    return [(e["aci"]["status"], e["aci"]["dn"], e["aci"]["recovered"], e["aci"]["changed"]) for e in events]


def test_frames_for_a_live_subscription_become_events():
    router = _router()
    sub = router.subscriptions[0]
    router.reset("apic1")
    assert _subscribe(router, sub, "1", _tenant("a")) == []
    events = _route(router, _frame(["1"], _tenant("b", status="created"),
                                 {"fvTenant": {"attributes": {"dn": "uni/tn-a", "descr": "x", "status": "modified"}}}))
    assert _summary(events) == [("created", "uni/tn-b", False, []), ("modified", "uni/tn-a", False, ["descr"])]
    assert events[0]["aci"]["apic"] == "apic1"
    assert router.stats.frames == 1


def test_emit_existing_reports_the_first_snapshot():
    router = _router(emit_existing=True)
    router.reset("apic1")
    events = _subscribe(router, router.subscriptions[0], "1", _tenant("a"), _tenant("b"))
    assert _summary(events) == [("existing", "uni/tn-a", False, []), ("existing", "uni/tn-b", False, [])]


def test_later_snapshots_report_missed_changes_as_recovered():
    router = _router(emit_existing=True)
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1", _tenant("a"), _tenant("b"))
    router.reset("apic2")  # a new connection: ids void, known state kept
    assert sub.id is None
    events = _subscribe(router, sub, "7", _tenant("a", descr="new", modTs="t1"), _tenant("c"))
    assert _summary(events) == [("modified", "uni/tn-a", True, ["descr"]), ("created", "uni/tn-c", True, []),
                                ("deleted", "uni/tn-b", True, [])]
    assert router.stats.recovered == 3
    assert {e["aci"]["apic"] for e in events} == {"apic2"}


def test_ordering_rule_snapshot_first_then_held_pushes_without_duplicates():
    router = _router()
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1", _tenant("a"), _tenant("gone"))
    router.reset("apic1")
    router.begin_subscribe(sub)
    # While the subscribe is in flight, the APIC already pushes on the new id "2":
    assert _route(router, _frame(["2"], _tenant("b", status="created"))) is None  # already in the snapshot
    assert _route(router, _frame(["2"], {"fvTenant": {"attributes": {
        "dn": "uni/tn-b", "descr": "after", "modTs": "t2", "status": "modified"}}})) is None  # newer than it
    assert _route(router, _frame(["2"], {"fvTenant": {"attributes": {
        "dn": "uni/tn-gone", "status": "deleted"}}})) is None  # the snapshot already lacks it
    events = _end(router, sub, "2", [_tenant("a"), _tenant("b")])
    assert _summary(events) == [
        ("created", "uni/tn-b", True, []),        # from the snapshot (recovered)
        ("deleted", "uni/tn-gone", True, []),     # from the snapshot (recovered)
        ("modified", "uni/tn-b", False, ["descr"]),  # the held push that is newer than the snapshot
    ]
    assert router.stats.duplicates == 2  # the held created and deleted pushes were already in the snapshot
    # once live, frames go straight through
    events = _route(router, _frame(["2"], _tenant("c", status="created")))
    assert _summary(events) == [("created", "uni/tn-c", False, [])]


def test_unknown_ids_outside_a_subscribe_window_are_counted_and_dropped():
    router = _router()
    router.reset("apic1")
    _subscribe(router, router.subscriptions[0], "1")
    assert _route(router, _frame(["99"], _tenant("x", status="created"))) is None
    assert router.stats.unknown_frames == 1


def _holding(held_id):
    """A router whose only subscription is being subscribed, holding one frame for ``held_id``."""
    router = _router()
    sub = router.subscriptions[0]
    router.reset("apic1")
    router.begin_subscribe(sub)
    _route(router, _frame([held_id], _tenant("x", status="created")))
    return router, sub


def test_held_frames_nobody_claims_are_dropped_when_the_window_closes():
    router, sub = _holding("old")
    _end(router, sub, "new", [])
    assert router.stats.unknown_frames == 1
    assert _route(router, _frame(["new"], _tenant("x", status="created")))  # not swallowed by a stale hold


def test_failed_subscribe_closes_the_window():
    router, sub = _holding("2")
    assert _end(router, sub, None, None) == []
    assert sub.id is None
    assert router.stats.subscriptions_alive == 0


def test_hold_overflow_asks_for_the_subscription_to_be_read_again(monkeypatch):
    monkeypatch.setattr(router_mod, "PENDING_LIMIT", 2)
    router = _router()
    sub = router.subscriptions[0]
    router.reset("apic1")
    router.begin_subscribe(sub)
    for name in "abc":
        _route(router, _frame(["2"], _tenant(name, status="created")))
    _end(router, sub, "2", [])
    assert router.take_resync() == [sub]
    assert router.take_resync() == []


def test_one_frame_for_several_subscriptions_gives_each_its_own_event():
    router = _router("tenants", "all")
    one, two = router.subscriptions
    router.reset("apic1")
    _subscribe(router, one, "1")
    _subscribe(router, two, "2")
    events = _route(router, _frame(["1", "2"], _tenant("a", status="created")))
    assert [e["aci"]["subscription"] for e in events] == ["tenants", "all"]
    assert events[0]["aci"]["attributes"] == events[1]["aci"]["attributes"]
    assert events[0]["aci"]["attributes"] is not events[1]["aci"]["attributes"]
    assert events[0]["meta"]["uuid"] != events[1]["meta"]["uuid"]


def test_bad_frames_and_bad_objects_are_logged_and_skipped(caplog):
    router = _router()
    router.reset("apic1")
    _subscribe(router, router.subscriptions[0], "1")
    with caplog.at_level(logging.WARNING):
        assert _route(router, "{broken") is None
        assert _route(router, b'{"imdata": []}') is None
        events = _route(router, _frame(["1"], {"fvTenant": {"attributes": {"name": "no-dn"}}},
                                     _tenant("ok", status="created")))
    assert _summary(events) == [("created", "uni/tn-ok", False, [])]
    assert router.stats.bad_frames == 2
    assert router.stats.skipped_objects == 1
    assert "not valid JSON" in caplog.text
    assert "no dn" in caplog.text


async def test_emit_keeps_order_and_waits_for_a_full_queue():
    queue = asyncio.Queue(maxsize=1)
    router = _router(queue=queue)
    first = asyncio.ensure_future(router.emit(_tickets(1, 2, 3)))
    second = asyncio.ensure_future(router.emit(_tickets(4)))
    received = []
    for _ in range(4):
        received.append(await asyncio.wait_for(queue.get(), 1))
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert received == [1, 2, 3, 4]
    assert router.stats.events == 4


async def test_emit_now_only_when_nothing_is_waiting_and_the_events_fit():
    queue = asyncio.Queue(maxsize=2)
    router = _router(queue=queue)
    assert router.emit_now(_tickets(1, 2))
    assert not router.emit_now(_tickets(3))  # full: the caller must await emit()
    assert [queue.get_nowait(), queue.get_nowait()] == [1, 2]
    blocked = asyncio.ensure_future(router.emit(_tickets(3, 4, 5)))
    await asyncio.sleep(0)
    assert not router.emit_now(_tickets(6))  # someone is emitting: keep the order
    assert [await queue.get() for _ in range(3)] == [3, 4, 5]
    await blocked
    assert router.emit_now(_tickets(6))


class _WrapperQueue:
    """A queue like ansible-rulebook's FilteredQueue: only ``put``."""

    def __init__(self):
        self.items = []

    async def put(self, item):
        self.items.append(item)


async def test_emit_now_never_bypasses_a_wrapper_queue():
    wrapper = _WrapperQueue()
    router = _router(queue=wrapper)
    assert not router.emit_now(_tickets(1))
    await router.emit(_tickets(1))
    assert wrapper.items == [1]


async def test_a_cancelled_emitter_does_not_block_the_next_ones():
    queue = asyncio.Queue(maxsize=1)
    router = _router(queue=queue)
    first = asyncio.ensure_future(router.emit(_tickets(1, 2)))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(router.emit(_tickets(99)))
    third = asyncio.ensure_future(router.emit(_tickets(3)))
    await asyncio.sleep(0)
    waiting.cancel()
    received = [await asyncio.wait_for(queue.get(), 1) for _ in range(3)]
    await asyncio.wait_for(asyncio.gather(first, third), 1)
    assert received == [1, 2, 3]
    assert waiting.cancelled()
    assert not router._emitting


def test_a_frame_that_breaks_processing_is_logged_and_skipped(caplog, monkeypatch):
    router = _router()
    router.reset("apic1")
    _subscribe(router, router.subscriptions[0], "1")

    def broken(*args, **kwargs):
        raise KeyError("unexpected shape")

    monkeypatch.setattr(router_mod, "build_event", broken)  # stands in for a shape no test foresaw
    with caplog.at_level(logging.ERROR):
        assert _route(router, _frame(["1"], _tenant("x", status="created"))) is None
    assert router.stats.bad_frames == 1
    assert "could not be processed: KeyError" in caplog.text


async def test_changes_cut_off_in_put_are_emitted_again_by_the_next_snapshot():
    queue = asyncio.Queue(maxsize=1)
    router = _router(queue=queue)
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1", _tenant("a"))
    tickets = router.route(_frame(["1"], _tenant("b", status="created"), _tenant("c", status="created"),
                                  {"fvTenant": {"attributes": {"dn": "uni/tn-a", "descr": "x", "status": "modified"}}}))
    emitter = asyncio.ensure_future(router.emit(tickets))
    await asyncio.sleep(0.01)  # b is in the queue; c waits in put
    emitter.cancel()  # a drop tears the connection down
    await asyncio.wait([emitter])
    assert queue.get_nowait()["aci"]["dn"] == "uni/tn-b"
    router.reset("apic1")  # the next connection: the APIC has all three changes
    events = _subscribe(router, sub, "2", _tenant("a", descr="x"), _tenant("b"), _tenant("c"))
    assert _summary(events) == [("modified", "uni/tn-a", True, ["descr"]), ("created", "uni/tn-c", True, [])]


async def test_changes_still_waiting_for_their_turn_are_not_emitted_twice_by_a_resubscribe():
    queue = asyncio.Queue(maxsize=1)
    router = _router(queue=queue)
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1")
    emitter = asyncio.ensure_future(router.emit(router.route(_frame(["1"], _tenant("b", status="created"),
                                                                    _tenant("c", status="created")))))
    await asyncio.sleep(0.01)
    router.begin_subscribe(sub)  # the same connection subscribes again (a refresh was refused)
    assert _end(router, sub, "2", [_tenant("b"), _tenant("c")]) == []  # b and c are still on their way
    assert [(await queue.get())["aci"]["dn"] for _ in range(2)] == ["uni/tn-b", "uni/tn-c"]
    await emitter


class _Recorder:
    """A checkpoint stand-in that records what the router asks it to keep."""

    def __init__(self):
        self.baselines, self.records = [], []

    def baseline(self, sub, changes):
        self.baselines.append((sub.name, [change.dn for change in changes]))

    def add_baseline(self, sub, changes):
        self.baselines[-1][1].extend(change.dn for change in changes)

    def record(self, ticket):
        self.records.append((ticket.op, ticket.dn))


async def test_the_checkpoint_follows_what_the_engine_took_and_nothing_else():
    queue = asyncio.Queue(maxsize=1)
    router = _router(queue=queue)
    router.checkpoint = recorder = _Recorder()
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1", _tenant("a"))
    assert recorder.baselines == [("fvTenant", ["uni/tn-a"])]
    emitter = asyncio.ensure_future(router.emit(router.route(_frame(
        ["1"], _tenant("b", status="created"),
        {"fvTenant": {"attributes": {"dn": "uni/tn-a", "descr": "x", "status": "modified"}}},
        {"fvTenant": {"attributes": {"dn": "uni/tn-a", "status": "deleted"}}}))))
    await asyncio.sleep(0.05)
    assert recorder.records == []  # b was handed over but still waits in the engine's queue
    await queue.get()  # the engine takes b; the modification takes its place
    await asyncio.sleep(0.05)
    assert recorder.records == [("put", "uni/tn-b")]
    emitter.cancel()  # the deletion never reaches the queue
    await asyncio.wait([emitter])
    await queue.get()
    await asyncio.sleep(0.05)
    assert recorder.records == [("put", "uni/tn-b"), ("merge", "uni/tn-a")]
    router.close()


async def test_with_feedback_only_confirmed_events_reach_the_checkpoint():
    specs = (SubscriptionSpec("fvTenant", "/api/class/fvTenant.json"),)
    router = Router(specs, asyncio.Queue(), SourceStats(1), feedback=True)
    router.checkpoint = recorder = _Recorder()
    sub = router.subscriptions[0]
    router.reset("apic1")
    _subscribe(router, sub, "1")
    tickets = router.route(_frame(["1"], _tenant("b", status="created"), _tenant("c", status="created")))
    await router.emit(tickets)
    assert recorder.records == []  # handed over, not confirmed
    router.feedback({"meta": {"uuid": "heartbeat"}})
    router.feedback(tickets[1].event)  # the engine confirmed c; it skipped b (an error processing it)
    assert recorder.records == [("put", "uni/tn-c")]
    assert router.stats.unconfirmed == 1
    router.reset("apic1")  # after a reconnect b is emitted again, c is not
    again = _subscribe(router, sub, "2", _tenant("b"), _tenant("c"))
    assert _summary(again) == [("created", "uni/tn-b", True, [])]
    assert again[0]["meta"]["uuid"] == tickets[0].event["meta"]["uuid"]  # the same change, the same id
