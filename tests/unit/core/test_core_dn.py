"""DN parsing must respect brackets (nested ones included), or objects get cut in half."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import dn


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("uni", ["uni"]),
        ("uni/tn-a/ap-b", ["uni", "tn-a", "ap-b"]),
        ("uni/tn-a/BD-b/subnet-[10.0.0.1/24]", ["uni", "tn-a", "BD-b", "subnet-[10.0.0.1/24]"]),
        ("topology/pod-1/node-101/sys/phys-[eth1/3]", ["topology", "pod-1", "node-101", "sys", "phys-[eth1/3]"]),
        (
            "uni/tn-x/subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]",
            ["uni", "tn-x", "subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]"],
        ),
        ("", []),
    ],
)
def test_split_dn_keeps_bracketed_values_whole(value, expected):
    assert dn.split_dn(value) == expected
    assert dn.join_dn(expected) == value


@pytest.mark.parametrize("value", ["uni/tn-[a", "uni/tn-a]/x", "uni//tn-a", "/uni", "uni/"])
def test_split_dn_rejects_malformed(value):
    with pytest.raises(ValueError, match="DN"):
        dn.split_dn(value)


def test_parent_and_rn():
    child = "uni/tn-a/BD-b/subnet-[10.0.0.1/24]"
    assert dn.parent_dn(child) == "uni/tn-a/BD-b"
    assert dn.rn_of(child) == "subnet-[10.0.0.1/24]"
    assert dn.parent_dn("uni") == ""
    assert dn.rn_of("") == ""


def test_make_rn_brackets_only_when_needed():
    assert dn.make_rn("subnet", "10.0.0.1/24") == "subnet-[10.0.0.1/24]"
    assert dn.make_rn("tn", "prod") == "tn-prod"
    assert dn.make_rn("phys", "eth1", bracket=True) == "phys-[eth1]"
    with pytest.raises(ValueError):
        dn.make_rn("", "x")


def test_rn_value_strips_brackets():
    assert dn.rn_value("subnet-[10.0.0.1/24]", "subnet") == "10.0.0.1/24"
    assert dn.rn_value("tn-a", "tn") == "a"
    assert dn.rn_value("ap-a", "tn") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("uni/tn-a/ap-b", "a"),
        ("uni/tn-a", "a"),
        ("uni/tn-common/BD-x/subnet-[1.1.1.1/24]", "common"),
        ("uni", None),
        ("uni/infra", None),
        ("topology/pod-1", None),
        ("uni/tn-[broken", None),
    ],
)
def test_tenant_of(value, expected):
    assert dn.tenant_of(value) == expected
