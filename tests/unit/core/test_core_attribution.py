"""Who made a change: events joined with audit records, on a fake clock, never held longer than the wait."""

from ansible_collections.fabricops.aci.plugins.module_utils.core.attribution import (
    REASON_BUSY,
    REASON_EXISTING,
    REASON_NO_RECORD,
    REASON_NOT_AUDITED,
    REASON_RECOVERED,
    Attribution,
    changed_by,
)


class _Ticket:
    """What the line reads of a delivery ticket: its subscription and its event."""

    def __init__(self, dn, status="created", subscription="tenants", **aci):
        self.subscription = subscription
        self.event = {"aci": {"dn": dn, "status": status, "recovered": False, **aci}}

    @property
    def aci(self):
        return self.event["aci"]


def _record(dn, ind="creation", user="alice", tx="1", session="s1"):
    return {"dn": f"subj-[{dn}]/mod-{tx}", "affected": dn, "ind": ind, "user": user, "sessionId": session,
            "created": "2026-12-02T06:00:00.000+00:00", "changeSet": "name:a", "txId": tx, "descr": "Tenant a created"}


def test_an_event_after_its_record_leaves_at_once_with_who_made_it():
    line = Attribution(["tenants"], wait=2.0)
    assert line.record(_record("uni/tn-a"), now=0.0) == []
    ticket = _Ticket("uni/tn-a")
    assert line.admit([ticket], now=0.1) == [ticket]
    assert ticket.aci["changed_by"] == {
        "user": "alice", "session": "s1", "time": "2026-12-02T06:00:00.000+00:00", "change_set": "name:a",
        "transaction": "1", "description": "Tenant a created", "record": "subj-[uni/tn-a]/mod-1"}
    assert "changed_by_reason" not in ticket.aci
    assert len(line) == 0


def test_an_event_before_its_record_waits_for_it_and_keeps_the_order():
    line = Attribution(["tenants"], wait=2.0)
    first, second = _Ticket("uni/tn-a"), _Ticket("uni/tn-b")
    assert line.admit([first, second], now=0.0) == []
    assert line.record(_record("uni/tn-b", tx="2"), now=0.1) == []  # b has its record, a is still ahead of it
    assert line.record(_record("uni/tn-a", tx="1"), now=0.2) == [first, second]
    assert first.aci["changed_by"]["transaction"] == "1"
    assert second.aci["changed_by"]["transaction"] == "2"
    assert line.waited_max == 0.2


def test_no_record_within_the_wait_leaves_null_with_the_reason_and_no_later():
    line = Attribution(["tenants"], wait=2.0)
    ticket = _Ticket("uni/tn-a")
    line.admit([ticket], now=10.0)
    assert line.next_deadline() == 12.0
    assert line.due(11.99) == []
    assert line.due(12.0) == [ticket]
    assert ticket.aci["changed_by"] is None
    assert ticket.aci["changed_by_reason"] == REASON_NO_RECORD
    assert line.unmatched == 1
    # the record arriving late attributes nothing it should not: it waits for a later change of the object
    assert line.record(_record("uni/tn-a"), now=12.5) == []
    assert line.status_fields()["records_kept"] == 1


def test_events_behind_a_waiting_one_wait_with_it_but_never_past_their_own_wait():
    line = Attribution(["tenants", "faults"], wait=1.0)
    waiting = _Ticket("uni/tn-a")
    fault = _Ticket("uni/tn-a/fault-F1", subscription="unattributed")
    late = _Ticket("uni/tn-c")
    assert line.admit([waiting, fault], now=0.0) == []
    assert line.admit([late], now=0.5) == []
    assert line.due(1.0) == [waiting, fault]  # the one nobody attributes leaves with the one ahead of it
    assert "changed_by" not in fault.aci
    assert line.due(1.5) == [late]


def test_each_kind_of_change_takes_its_own_record():
    line = Attribution(["tenants"], wait=2.0)
    line.record(_record("uni/tn-a", ind="modification", user="bob"), now=0.0)
    created = _Ticket("uni/tn-a", "created")
    modified = _Ticket("uni/tn-a", "modified")
    assert line.admit([created], now=0.1) == []  # the modification's record is not the creation's
    assert line.admit([modified], now=0.1) == []  # behind the creation, although its record is there
    assert modified.aci["changed_by"]["user"] == "bob"
    line.record(_record("uni/tn-a", ind="creation", user="carol"), now=0.2)
    assert created.aci["changed_by"]["user"] == "carol"


def test_snapshot_changes_and_existing_objects_are_not_held():
    line = Attribution(["tenants"], wait=2.0)
    recovered = _Ticket("uni/tn-a", "deleted", recovered=True)
    existing = _Ticket("uni/tn-b", "existing")
    assert line.admit([recovered, existing], now=0.0) == [recovered, existing]
    assert (recovered.aci["changed_by"], recovered.aci["changed_by_reason"]) == (None, REASON_RECOVERED)
    assert (existing.aci["changed_by"], existing.aci["changed_by_reason"]) == (None, REASON_EXISTING)


def test_faults_health_and_records_never_wait_for_an_audit_record():
    line = Attribution(["tenants"], wait=2.0)
    tickets = [_Ticket(dn, "created", **{"class": cls}) for dn, cls in (
        ("uni/tn-a/fault-F1", "faultInst"), ("uni/tn-a/health", "healthInst"),
        ("subj-[uni/tn-a]/mod-1", "aaaModLR"))]
    assert line.admit(tickets, now=0.0) == tickets
    assert all((t.aci["changed_by"], t.aci["changed_by_reason"]) == (None, REASON_NOT_AUDITED) for t in tickets)


def test_subscriptions_without_attribution_pass_untouched():
    line = Attribution(["tenants"], wait=2.0)
    ticket = _Ticket("uni/tn-a", subscription="faults")
    assert line.admit([ticket], now=0.0) == [ticket]
    assert "changed_by" not in ticket.aci


def test_a_folded_event_takes_the_newest_record_of_its_object():
    line = Attribution(["tenants"], wait=2.0)
    for tx, user in (("1", "alice"), ("2", "bob")):
        line.record(_record("uni/tn-a", ind="modification", user=user, tx=tx), now=0.0)
    folded = _Ticket("uni/tn-a", "modified", folded=2)
    assert line.admit([folded], now=0.1) == [folded]
    assert folded.aci["changed_by"]["user"] == "bob"
    assert line.status_fields()["records_kept"] == 0


def test_the_line_is_bounded_the_oldest_leaves_first():
    line = Attribution(["tenants"], wait=60.0, limit=3)
    tickets = [_Ticket(f"uni/tn-{index}") for index in range(5)]
    assert line.admit(tickets[:3], now=0.0) == []
    assert line.admit(tickets[3:], now=0.0) == tickets[:2]
    assert tickets[0].aci["changed_by_reason"] == REASON_BUSY
    assert len(line) == 3


def test_records_are_kept_for_a_while_and_bounded():
    line = Attribution(["tenants"], wait=1.0, keep=5.0, record_limit=2)
    for index in range(3):
        line.record(_record(f"uni/tn-{index}"), now=0.0)
    assert line.status_fields()["records_kept"] == 2  # the oldest was forgotten
    late = _Ticket("uni/tn-2")
    assert line.admit([late], now=5.0) == []  # its record is as old as keep: it belongs to no new event
    assert line.due(6.0) == [late]
    assert late.aci["changed_by"] is None


def test_records_that_are_not_changes_of_an_object_are_ignored():
    line = Attribution(["tenants"], wait=1.0)
    assert line.record({"affected": "uni/tn-a", "ind": "special"}, now=0.0) == []
    assert line.record({"ind": "creation"}, now=0.0) == []
    assert line.status_fields()["records_kept"] == 0


def test_a_dropped_connection_hands_back_everything_in_the_line():
    line = Attribution(["tenants"], wait=1.0)
    tickets = [_Ticket("uni/tn-a"), _Ticket("uni/tn-b", subscription="faults")]
    line.admit(tickets, now=0.0)
    assert line.drop() == tickets
    assert len(line) == 0
    assert line.next_deadline() is None
    assert line.record(_record("uni/tn-a"), now=0.1) == []  # nobody waits for it any more


def test_changed_by_names_only_what_the_record_holds():
    assert changed_by({}) == {"user": "", "session": "", "time": "", "change_set": "", "transaction": "",
                              "description": "", "record": ""}
