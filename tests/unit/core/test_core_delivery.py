"""The delivery ledger: what the rule engine received, kept apart from what the APIC showed."""

from array import array

from ansible_collections.fabricops.aci.plugins.module_utils.core.delivery import (
    PUT,
    AwaitingFeedback,
    Outstanding,
    drop_all,
)


def _record(*values):
    return array("q", [0, *values])


def _ticket(outstanding, dn, before, event="e"):
    return outstanding.add("tenants", "fvTenant", dn, PUT, {}, before, event)


def test_confirmed_tickets_are_forgotten_and_nothing_is_rewound():
    outstanding = Outstanding()
    first = _ticket(outstanding, "uni/tn-a", None)
    second = _ticket(outstanding, "uni/tn-a", _record(1))
    outstanding.confirm(first)
    outstanding.confirm(second)
    objects = {"uni/tn-a": _record(2)}
    assert outstanding.rewind(objects) == 0
    assert objects == {"uni/tn-a": _record(2)}
    assert len(outstanding) == 0


def test_a_dropped_creation_is_rewound_to_absent():
    outstanding = Outstanding()
    drop_all([_ticket(outstanding, "uni/tn-new", None)])
    objects = {"uni/tn-new": _record(5), "uni/tn-old": _record(1)}
    assert outstanding.rewind(objects) == 1
    assert objects == {"uni/tn-old": _record(1)}  # the next snapshot reports tn-new as created again
    assert len(outstanding) == 0


def test_rewind_goes_back_to_the_first_dropped_change_and_keeps_confirmed_ones():
    outstanding = Outstanding()
    created = _ticket(outstanding, "uni/tn-a", None)
    modified = _ticket(outstanding, "uni/tn-a", _record(1))
    deleted = _ticket(outstanding, "uni/tn-a", _record(2))
    outstanding.confirm(created)  # the engine saw the creation...
    drop_all([modified, deleted])  # ...but neither the modification nor the deletion
    objects = {}
    assert outstanding.rewind(objects) == 1
    assert objects == {"uni/tn-a": _record(1)}  # as created: the snapshot's diff reports the rest


def test_tickets_still_on_their_way_are_not_rewound():
    outstanding = Outstanding()
    waiting = _ticket(outstanding, "uni/tn-a", _record(1))  # handed over, feedback not back yet
    objects = {"uni/tn-a": _record(2)}
    assert outstanding.rewind(objects) == 0
    assert objects == {"uni/tn-a": _record(2)}
    outstanding.confirm(waiting)
    assert len(outstanding) == 0


def test_a_late_confirmation_after_a_rewind_changes_nothing():
    outstanding = Outstanding()
    ticket = _ticket(outstanding, "uni/tn-a", None)
    drop_all([ticket])
    outstanding.rewind({})
    outstanding.confirm(ticket)  # must not raise
    assert len(outstanding) == 0


def test_feedback_confirms_in_order_and_reports_what_it_skipped():
    outstanding = Outstanding()
    awaiting = AwaitingFeedback()
    tickets = [_ticket(outstanding, f"uni/tn-{name}", None) for name in "abc"]
    for index, ticket in enumerate(tickets):
        awaiting.handed(ticket, f"uuid-{index}", now=10.0 + index)
    assert awaiting.confirmed("not-ours") == (None, [])  # a heartbeat: nothing pops
    assert awaiting.confirmed(None) == (None, [])
    confirmed, skipped = awaiting.confirmed("uuid-1")
    assert confirmed is tickets[1] and skipped == [tickets[0]]  # the engine skipped uuid-0 (an error)
    assert len(awaiting) == 1


def test_feedback_with_the_same_uuid_twice_confirms_the_oldest_first():
    outstanding = Outstanding()
    awaiting = AwaitingFeedback()
    first, second = _ticket(outstanding, "uni/tn-a", None), _ticket(outstanding, "uni/tn-a", _record(1))
    awaiting.handed(first, "same", 0.0)
    awaiting.handed(second, "same", 1.0)
    assert awaiting.confirmed("same") == (first, [])
    assert awaiting.confirmed("same") == (second, [])
    assert awaiting.confirmed("same") == (None, [])


def test_overdue_gives_up_on_the_oldest_only():
    outstanding = Outstanding()
    awaiting = AwaitingFeedback()
    old, new = _ticket(outstanding, "uni/tn-a", None), _ticket(outstanding, "uni/tn-b", None)
    awaiting.handed(old, "u1", 0.0)
    awaiting.handed(new, "u2", 8.0)
    assert awaiting.overdue(10.0, timeout=5.0) == [old]
    assert awaiting.confirmed("u1") == (None, [])  # given up on: a late confirmation is ignored
    assert awaiting.confirmed("u2") == (new, [])
