"""Event shaping: typed, rule-friendly fields next to the attributes as sent, and a stable uuid."""

import json
import re
import uuid
from pathlib import Path

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import events


def _event(cls="fvTenant", dn="uni/tn-a", status="created", attributes=None, **kwargs):
    attributes = {"dn": dn, "status": status, "name": "a"} if attributes is None else attributes
    return events.build_event(cls, dn, status, attributes, kwargs.pop("subscription", "tenants"),
                              kwargs.pop("apic", "apic1"), **kwargs)


def test_object_event_fields():
    attributes = {"dn": "uni/tn-a/ap-web", "status": "created", "name": "web", "rn": ""}
    event = events.build_event("fvAp", "uni/tn-a/ap-web", "created", attributes, "apps", "10.0.0.1")
    aci = event["aci"]
    assert aci == {
        "class": "fvAp", "dn": "uni/tn-a/ap-web", "rn": "ap-web", "parent_dn": "uni/tn-a", "tenant": "a",
        "status": "created", "attributes": attributes, "changed": [], "subscription": "apps",
        "apic": "10.0.0.1", "recovered": False,
    }
    assert aci["attributes"] is attributes  # handed on, never copied
    assert uuid.UUID(event["meta"]["uuid"]).version == 5


def test_modified_event_lists_changed_properties_and_recovered_flag():
    event = _event(status="modified", attributes={"dn": "uni/tn-a", "descr": "x"}, recovered=True,
                   changed=["descr"])
    assert event["aci"]["changed"] == ["descr"]
    assert event["aci"]["recovered"] is True


@pytest.mark.parametrize(("dn", "parent", "rn", "tenant"), [
    ("uni/tn-a", "uni", "tn-a", "a"),
    ("uni", "", "uni", None),
    ("uni/tn-common/BD-b/subnet-[10.0.0.1/24]", "uni/tn-common/BD-b", "subnet-[10.0.0.1/24]", "common"),
    ("uni/tn-x/subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]", "uni/tn-x",
     "subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]", "x"),
    ("topology/pod-1/node-101/sys/phys-[eth1/3]", "topology/pod-1/node-101/sys", "phys-[eth1/3]", None),
    ("uni/infra", "uni", "infra", None),
])
def test_dn_derived_fields_respect_brackets(dn, parent, rn, tenant):
    aci = _event(dn=dn)["aci"]
    assert (aci["parent_dn"], aci["rn"], aci["tenant"]) == (parent, rn, tenant)


def test_health_fields_are_integers_and_parent_is_the_scored_object():
    attributes = {"dn": "uni/tn-a/health", "cur": "65", "prev": "100", "chng": "-35", "maxSev": "major",
                  "twScore": "70", "status": "modified"}
    aci = _event("healthInst", "uni/tn-a/health", "modified", attributes)["aci"]
    assert aci["health"] == {"current": 65, "previous": 100, "change": -35, "max_severity": "major",
                             "tw_score": 70}
    assert aci["parent_dn"] == "uni/tn-a"
    assert "fault" not in aci


def test_sparse_health_gives_none_not_an_error():
    aci = _event("healthInst", "uni/tn-a/health", "modified", {"dn": "uni/tn-a/health", "cur": "n/a"})["aci"]
    assert aci["health"]["current"] is None
    assert aci["health"]["previous"] is None


def test_fault_fields_are_typed():
    attributes = {"dn": "uni/tn-a/fault-F0467", "code": "F0467", "severity": "major", "lc": "raised",
                  "occur": "3", "ack": "no", "delegated": "yes", "descr": "config failed", "cause": "x",
                  "prevSeverity": "minor", "status": "modified"}
    aci = _event("faultInst", "uni/tn-a/fault-F0467", "modified", attributes)["aci"]
    fault = aci["fault"]
    assert (fault["code"], fault["severity"], fault["lifecycle"], fault["occurrences"]) == (
        "F0467", "major", "raised", 3)
    assert fault["acknowledged"] is False
    assert fault["delegated"] is True
    assert fault["previous_severity"] == "minor"
    assert fault["description"] == "config failed"
    assert aci["parent_dn"] == "uni/tn-a"
    assert "health" not in aci


def test_uuid_is_stable_for_the_same_change_and_differs_otherwise():
    base = {"dn": "uni/tn-a", "status": "modified", "descr": "x", "modTs": "t1"}
    same = dict(reversed(list(base.items())))  # attribute order must not matter
    first = _event(status="modified", attributes=base)["meta"]["uuid"]
    assert _event(status="modified", attributes=same)["meta"]["uuid"] == first
    assert _event(status="modified", attributes=dict(base, descr="y"))["meta"]["uuid"] != first
    assert _event(status="modified", attributes=dict(base, modTs="t2"))["meta"]["uuid"] != first
    assert _event(status="modified", attributes=base, subscription="other")["meta"]["uuid"] != first
    assert _event(status="deleted", attributes=base)["meta"]["uuid"] != first
    # the delivering host is not part of the change: a failover re-delivery keeps its id
    assert _event(status="modified", attributes=base, apic="apic2")["meta"]["uuid"] == first


def test_changed_names_drop_bookkeeping():
    assert events.changed_names({"dn": "d", "status": "modified", "modTs": "t", "rn": "", "childAction": "",
                                 "descr": "x", "nameAlias": ""}) == ["descr", "nameAlias"]


def test_status_event_lives_under_its_own_key():
    event = events.status_event({"connected": True}, "id-1")
    assert event == {"aci_status": {"connected": True}, "meta": {"uuid": "id-1"}}
    assert "aci" not in event


def test_uuid_is_the_same_with_or_without_orjson(monkeypatch):
    attributes = {"dn": "uni/tn-a", "descr": 'caf\u00e9 "quoted" / \\ tab\t', "modTs": "t1", "status": "modified"}
    fast = events.event_uuid("subs", "fvTenant", "modified", attributes)
    monkeypatch.setattr(events, "HAS_ORJSON", False)
    assert events.event_uuid("subs", "fvTenant", "modified", attributes) == fast


_WEB_CREATED = {"annotation": "", "childAction": "", "descr": "web shop", "dn": "uni/tn-web", "extMngdBy": "",
                "lcOwn": "local", "modTs": "2026-11-27T21:27:14.020+00:00", "monPolDn": "uni/tn-common/monepg-default",
                "name": "web", "nameAlias": "", "ownerKey": "", "ownerTag": "", "status": "created", "uid": "0",
                "userdom": ":all:", "rn": ""}
_WEB_MODIFIED = {"descr": "web shop, prod", "dn": "uni/tn-web", "status": "modified",
                 "modTs": "2026-11-27T21:27:14.022+00:00", "rn": "", "childAction": ""}


@pytest.mark.parametrize(("status", "attributes", "changed", "expected"), [
    ("created", _WEB_CREATED, None, "ddb8e422-8121-5fa0-b67f-33f9f809b331"),
    ("modified", _WEB_MODIFIED, ["descr"], "5e84e495-a64b-54b4-8e08-7a553b85b6a5"),
    ("deleted", {"dn": "uni/tn-web", "status": "deleted"}, [], "4a57322e-01e1-507a-9864-7f9c23bbc21f"),
])
def test_uuid_of_a_change_stays_the_same_across_releases(status, attributes, changed, expected):
    # a change emitted again after an upgrade must keep the id the engine (or a consumer) saw before
    event = events.build_event("fvTenant", "uni/tn-web", status, dict(attributes), "tenants", "apic1", False, changed)
    assert event["meta"]["uuid"] == expected


def test_the_event_reference_examples_carry_the_uuid_the_source_computes():
    """docs/event_reference.md shows whole events; their meta.uuid must be what a source would send."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "event_reference.md").read_text()
    checked = 0
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        example = json.loads(block)
        aci = example.get("aci")
        if not aci or "..." in aci:  # an abbreviated example
            continue
        assert example["meta"]["uuid"] == events.event_uuid(aci["subscription"], aci["class"], aci["status"],
                                                            aci["attributes"], aci["changed"], aci["dn"]), aci["dn"]
        checked += 1
    assert checked >= 4
