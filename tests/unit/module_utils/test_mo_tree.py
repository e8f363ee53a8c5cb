"""Idempotency is decided here: only declared attributes and children are compared and written."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils import mo_tree as t

DN = "uni/tn-prod/BD-web"


def existing_bd(**attributes):
    base = {"dn": DN, "name": "web", "descr": "", "arpFlood": "no", "modTs": "2026-01-01"}
    base.update(attributes)
    return t.from_apic(
        {
            "fvBD": {
                "attributes": base,
                "children": [
                    {"fvRsCtx": {"attributes": {"rn": "rsctx", "tnFvCtxName": "default"}}},
                    {"fvSubnet": {"attributes": {"dn": DN + "/subnet-[10.0.0.1/24]", "ip": "10.0.0.1/24"}}},
                ],
            }
        },
        "dn",
    )


def desired_bd(attributes=None, children=None):
    return t.from_apic({"fvBD": {"attributes": attributes or {"name": "web"}, "children": children or []}})


def test_create_posts_everything_declared():
    desired = desired_bd({"name": "web", "arpFlood": True}, [{"fvRsCtx": {"attributes": {"tnFvCtxName": "prod"}}}])
    result = t.plan(desired, None, DN)
    assert result["changed"] is True
    assert result["payload"] == {
        "fvBD": {
            "attributes": {"dn": DN, "name": "web", "arpFlood": "yes"},
            "children": [{"fvRsCtx": {"attributes": {"tnFvCtxName": "prod"}}}],
        }
    }
    assert result["before"] == {}
    assert result["after"]["fvBD"]["attributes"] == {"name": "web", "arpFlood": "yes"}


def test_no_change_when_declared_values_match():
    desired = desired_bd({"name": "web", "arpFlood": False, "descr": ""},
                         [{"fvSubnet": {"attributes": {"ip": "10.0.0.1/24"}}}])
    result = t.plan(desired, existing_bd(), DN)
    assert result["changed"] is False
    assert result["payload"] is None
    assert result["before"] == result["after"]


def test_only_changed_attributes_and_children_are_sent():
    desired = desired_bd(
        {"name": "web", "descr": "tier"},
        [
            {"fvRsCtx": {"attributes": {"tnFvCtxName": "prod"}}},
            {"fvSubnet": {"attributes": {"ip": "10.0.0.1/24"}}},
            {"fvSubnet": {"attributes": {"ip": "10.0.1.1/24", "scope": "public"}}},
        ],
    )
    result = t.plan(desired, existing_bd(), DN)
    assert result["changed"] is True
    assert result["payload"] == {
        "fvBD": {
            "attributes": {"dn": DN, "descr": "tier"},
            "children": [
                {"fvRsCtx": {"attributes": {"tnFvCtxName": "prod"}}},
                {"fvSubnet": {"attributes": {"ip": "10.0.1.1/24", "scope": "public"}}},
            ],
        }
    }
    assert result["before"]["fvBD"] == {
        "attributes": {"name": "web", "descr": ""},
        "children": [
            {"fvRsCtx": {"attributes": {"tnFvCtxName": "default"}}},
            {"fvSubnet": {"attributes": {"ip": "10.0.0.1/24"}}},
        ],
    }
    assert len(result["after"]["fvBD"]["children"]) == 3


def test_children_matched_by_rn_from_dn():
    desired = desired_bd({"name": "web"}, [{"fvSubnet": {"attributes": {"rn": "subnet-[10.0.0.1/24]", "scope": "x"}}}])
    result = t.plan(desired, existing_bd(), DN)
    child = result["payload"]["fvBD"]["children"][0]
    assert child == {"fvSubnet": {"attributes": {"rn": "subnet-[10.0.0.1/24]", "scope": "x"}}}
    assert result["before"]["fvBD"]["children"] == [{"fvSubnet": {"attributes": {}}}]


def test_status_is_never_compared():
    result = t.plan(desired_bd({"name": "web", "status": "created,modified"}), existing_bd(), DN)
    assert result["changed"] is False


def test_class_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="holds a fvBD object, not a fvAp"):
        t.plan(t.from_apic({"fvAp": {"attributes": {"name": "x"}}}), existing_bd(), DN)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({}, "exactly one class"),
        ({"fvBD": {}, "fvAp": {}}, "exactly one class"),
        ({"fvBD": {"attrs": {}}}, "unknown keys"),
        ({"fvBD": "x"}, "must be a mapping"),
        ({"fvBD": {"attributes": {"a": [1]}}}, "attribute 'a'"),
        ({"Bad-Class": {}}, "not an APIC class name"),
    ],
)
def test_bad_input(obj, message):
    with pytest.raises(ValueError, match=message):
        t.from_apic(obj, "children")


def test_predicted_attributes():
    assert t.predicted_attributes(None, desired_bd({"name": "web", "status": "created"}), DN) == {
        "dn": DN, "name": "web"}
    predicted = t.predicted_attributes(existing_bd(), desired_bd({"descr": "x"}), DN)
    assert predicted["descr"] == "x" and predicted["modTs"] == "2026-01-01"


def test_singleton_child_ambiguous_when_several():
    existing = t.node("fvBD", {"dn": DN}, [t.node("fvRsCtx", {"tnFvCtxName": "a"}), t.node("fvRsCtx", {})])
    assert t.find_child(t.node("fvRsCtx", {"tnFvCtxName": "b"}), existing["children"]) is None
