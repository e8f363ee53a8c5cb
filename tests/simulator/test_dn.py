"""DN parsing: the bracket rules every other part of the simulator relies on."""

import pytest
from apicsim.dn import is_within, join_dn, parent_dn, rn_of, split_dn
from apicsim.errors import ApiError

NESTED = "uni/tn-x/BD-y/subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]"


@pytest.mark.parametrize(
    ("dn", "rns"),
    [
        ("", []),
        ("uni", ["uni"]),
        ("uni/tn-a/BD-b", ["uni", "tn-a", "BD-b"]),
        ("uni/tn-a/BD-b/subnet-[10.0.0.1/24]", ["uni", "tn-a", "BD-b", "subnet-[10.0.0.1/24]"]),
        ("topology/pod-1/node-101/sys/phys-[eth1/3]", ["topology", "pod-1", "node-101", "sys", "phys-[eth1/3]"]),
        (NESTED, ["uni", "tn-x", "BD-y", "subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]"]),
        ("subj-[uni/tn-a]/mod-5", ["subj-[uni/tn-a]", "mod-5"]),
    ],
)
def test_split_and_join_round_trip(dn, rns):
    assert split_dn(dn) == rns
    assert join_dn(rns) == dn


def test_join_skips_the_root_rn():
    assert join_dn(["", "uni", "tn-a"]) == "uni/tn-a"


@pytest.mark.parametrize(
    ("dn", "parent", "rn"),
    [
        ("uni", "", "uni"),
        ("uni/tn-a", "uni", "tn-a"),
        ("uni/tn-a/BD-b/subnet-[10.0.0.1/24]", "uni/tn-a/BD-b", "subnet-[10.0.0.1/24]"),
        (NESTED, "uni/tn-x/BD-y", "subnetBddefDn-[uni/bd-[uni/tn-x/BD-y]-isSvc-no]"),
        ("subj-[uni/tn-a/ap-b]/rec-1", "subj-[uni/tn-a/ap-b]", "rec-1"),
        ("", "", ""),
    ],
)
def test_parent_and_rn(dn, parent, rn):
    assert parent_dn(dn) == parent
    assert rn_of(dn) == rn


@pytest.mark.parametrize("dn", ["uni/tn-a/subnet-[10.0.0.1/24", "uni/tn-a]/x", "uni/[a/[b]", "uni//tn-a", "uni/"])
def test_malformed_dns_are_a_400(dn):
    with pytest.raises(ApiError) as err:
        split_dn(dn)
    assert err.value.status == 400
    assert "malformed dn" in err.value.text


def test_is_within_needs_a_whole_rn():
    assert is_within("uni/tn-a/BD-b", "uni/tn-a")
    assert is_within("uni/tn-a", "uni/tn-a")
    assert is_within("uni/tn-a", "")
    assert not is_within("uni/tn-ab", "uni/tn-a")
    assert is_within("uni/tn-a/BD-b/subnet-[1.1.1.1/24]", "uni/tn-a/BD-b")
