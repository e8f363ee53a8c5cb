"""The management information tree: POST/DELETE semantics, the changes it reports, and its errors."""

import datetime as dt

import pytest
from apicsim.clock import apic_timestamp
from apicsim.errors import ApiError
from apicsim.mit import Mit


def mo(cls, children=(), **attrs):
    body = {"attributes": attrs}
    if children:
        body["children"] = list(children)
    return {cls: body}


@pytest.fixture
def mit():
    tree = Mit()
    tree.post("", mo("polUni"))
    return tree


@pytest.fixture
def seen(mit):
    """Every listener call, as a list of (status, dn) lists."""
    calls = []
    mit.listen(lambda changes: calls.append([(c.status, c.dn) for c in changes]))
    return calls


def tenant_tree():
    return mo(
        "fvTenant",
        [
            mo("fvCtx", name="v"),
            mo("fvBD", [mo("fvRsCtx", tnFvCtxName="v"), mo("fvSubnet", ip="10.0.0.1/24")], name="b"),
        ],
        name="a",
        descr="first",
    )


def test_post_creates_a_nested_tree_parents_first(mit, seen):
    changes = mit.post("uni", tenant_tree())
    assert [(c.status, c.dn) for c in changes] == [
        ("created", "uni/tn-a"),
        ("created", "uni/tn-a/health"),
        ("created", "uni/tn-a/ctx-v"),
        ("created", "uni/tn-a/ctx-v/health"),
        ("created", "uni/tn-a/BD-b"),
        ("created", "uni/tn-a/BD-b/health"),
        ("created", "uni/tn-a/BD-b/rsctx"),
        ("created", "uni/tn-a/BD-b/subnet-[10.0.0.1/24]"),
    ]
    assert seen == [[(c.status, c.dn) for c in changes]]
    tenant = changes[0]
    assert tenant.cls == "fvTenant" and tenant.changed == ()
    assert tenant.attrs["dn"] == "uni/tn-a" and tenant.attrs["name"] == "a" and tenant.attrs["descr"] == "first"
    assert tenant.attrs["status"] == "" and tenant.attrs["childAction"] == "" and tenant.attrs["lcOwn"] == "local"
    assert tenant.attrs["modTs"].endswith("+00:00") and tenant.attrs["modTs"][:2] == "20"
    assert all(isinstance(v, str) for c in changes for v in c.attrs.values())
    assert len({c.ts for c in changes}) == 1
    health = mit.get("uni/tn-a/health").attrs
    assert (health["cur"], health["prev"], health["maxSev"]) == ("100", "100", "cleared")
    subnet = mit.get("uni/tn-a/BD-b/subnet-[10.0.0.1/24]")
    assert subnet.attrs["ip"] == "10.0.0.1/24" and subnet.parent is mit.get("uni/tn-a/BD-b")
    assert list(mit.get("uni/tn-a").children) == ["health", "ctx-v", "BD-b"]
    assert len(mit) == 9


def test_post_to_the_objects_own_dn_or_with_dn_in_the_body(mit):
    assert [c.dn for c in mit.post("uni/tn-a", mo("fvTenant", name="a"))] == ["uni/tn-a", "uni/tn-a/health"]
    assert mit.post("uni/tn-a", mo("fvTenant", descr="named by the url"))[0].changed == ("descr",)
    created = mit.post("uni", mo("fvTenant", dn="uni/tn-b"))
    assert created[0].attrs["name"] == "b"
    created = mit.post("", mo("fvBD", dn="uni/tn-b/BD-x"))
    assert created[0].dn == "uni/tn-b/BD-x"


def test_modify_reports_only_changed_properties(mit, seen):
    mit.post("uni", tenant_tree())
    before = mit.get("uni/tn-a").attrs["modTs"]
    assert mit.post("uni", mo("fvTenant", name="a", descr="first")) == []
    assert mit.post("uni", tenant_tree()) == []
    assert len(seen) == 1
    (change,) = mit.post("uni/tn-a", mo("fvTenant", descr="second", nameAlias="A"))
    assert change.status == "modified" and change.changed == ("descr", "nameAlias")
    assert change.attrs["descr"] == "second" and change.attrs["name"] == "a"
    assert change.attrs["modTs"] >= before
    assert mit.get("uni/tn-a").attrs["descr"] == "second"


def test_changes_keep_their_attributes_after_later_writes(mit):
    mit.post("uni", mo("fvTenant", name="a", descr="1"))
    (first,) = mit.modify("uni/tn-a", {"descr": "2"})
    mit.modify("uni/tn-a", {"descr": "3"})
    assert first.attrs["descr"] == "2"


def test_delete_removes_the_subtree_children_first(mit, seen):
    mit.post("uni", tenant_tree())
    changes = mit.delete("uni/tn-a/BD-b")
    assert [(c.status, c.dn) for c in changes] == [
        ("deleted", "uni/tn-a/BD-b/health"),
        ("deleted", "uni/tn-a/BD-b/rsctx"),
        ("deleted", "uni/tn-a/BD-b/subnet-[10.0.0.1/24]"),
        ("deleted", "uni/tn-a/BD-b"),
    ]
    assert changes[-1].attrs["name"] == "b" and changes[-1].attrs["dn"] == "uni/tn-a/BD-b"
    assert mit.get("uni/tn-a/BD-b") is None and mit.get("uni/tn-a/BD-b/rsctx") is None
    assert mit.count_class("fvSubnet") == 0
    assert mit.delete("uni/tn-a/BD-b") == [] and mit.delete("uni/tn-zzz") == []
    assert len(seen) == 2


def test_status_deleted_in_a_posted_tree(mit):
    mit.post("uni", tenant_tree())
    changes = mit.post("uni/tn-a", mo("fvTenant", [mo("fvCtx", name="v", status="deleted")], name="a"))
    assert [(c.status, c.dn) for c in changes] == [
        ("deleted", "uni/tn-a/ctx-v/health"),
        ("deleted", "uni/tn-a/ctx-v"),
        ("modified", "uni/tn-a/BD-b/rsctx"),
    ]
    assert changes[-1].changed == ("state",) and changes[-1].attrs["state"] == "missing-target"
    assert [c.status for c in mit.post("uni", mo("fvTenant", name="a", status="deleted"))] == ["deleted"] * 6


def test_status_created_and_modified(mit):
    assert mit.post("uni", mo("fvTenant", name="a", status="created"))[0].status == "created"
    assert mit.post("uni", mo("fvTenant", name="a", status="modified", descr="x"))[0].status == "modified"
    assert mit.post("uni", mo("fvTenant", name="a", status="created,modified", descr="y"))[0].status == "modified"
    assert mit.post("uni", mo("fvTenant", name="c", status="created,modified"))[0].status == "created"


@pytest.mark.parametrize(
    ("dn", "body", "status", "code", "text"),
    [
        ("uni", mo("fvFoobar", name="x"), 400, "122", "unknown managed object class fvFoobar"),
        (
            "uni",
            mo("fvTenant", name="a", status="created"),
            400,
            "103",
            "Cannot create fvTenant uni/tn-a; object already exists",
        ),
        (
            "uni",
            mo("fvTenant", name="n", status="modified"),
            400,
            "102",
            "configured object ((Dn0)) not found Dn0=uni/tn-n, ",
        ),
        ("uni/tn-zz", mo("fvBD", name="b"), 400, "102", "configured object ((Dn0)) not found Dn0=uni/tn-zz, "),
        ("uni", mo("fvBD", name="b"), 400, "121", "Request failed, fvBD cannot be created under polUni uni"),
        (
            "uni",
            mo("fvTenant", dn="uni/tn-a", name="b"),
            400,
            "121",
            "Request failed, naming property name 'b' of fvTenant does not match its dn uni/tn-a",
        ),
        (
            "uni/tn-a",
            mo("fvTenant", name="b"),
            400,
            "121",
            "Request failed, naming property name 'b' of fvTenant does not match its dn uni/tn-a",
        ),
        (
            "uni",
            mo("fvTenant", dn="uni/ctx-a"),
            400,
            "121",
            "Request failed, dn uni/ctx-a does not name a fvTenant (expected rn tn-{name})",
        ),
        (
            "uni",
            mo("fvTenant", name="a", description="x"),
            400,
            "400",
            "unknown attribute 'description' in element 'fvTenant'",
        ),
        (
            "uni",
            mo("fvTenant", name="a", status="gone"),
            400,
            "801",
            "property status of tn-a failed validation for value 'gone'",
        ),
        (
            "uni",
            mo("fvTenant", name="a", descr=["x"]),
            400,
            "801",
            "property descr of tn-a failed validation for value '['x']'",
        ),
        ("uni", mo("fvTenant"), 400, "801", "property name of tn- failed validation for value ''"),
        (
            "uni",
            {"fvTenant": {"children": []}},
            400,
            "400",
            "invalid data at line '1'. Attributes are missing, tag 'attributes' must be specified first, "
            "before any other tag",
        ),
        (
            "uni",
            {"totalCount": "1", "imdata": []},
            400,
            "400",
            "invalid data: a managed object must be one class name mapping to its content, got totalCount, imdata",
        ),
        (
            "uni/tn-a",
            mo("fvTenant", dn="uni/tn-b"),
            400,
            "400",
            "Request failed, dn uni/tn-b in the body of fvTenant lies outside the URL dn uni/tn-a",
        ),
        (
            "uni",
            mo("fvTenant", [mo("fvBD", dn="uni/tn-q/BD-b")], name="a"),
            400,
            "400",
            "Request failed, child dn uni/tn-q/BD-b of fvBD is not directly under uni/tn-a",
        ),
        (
            "uni",
            mo("fvTenant", name="a", childrenx="y"),
            400,
            "400",
            "unknown attribute 'childrenx' in element 'fvTenant'",
        ),
        ("", mo("recordSubject", affected="uni"), 400, "122", "unknown managed object class recordSubject"),
        (
            "uni/tn-a[",
            mo("fvTenant", name="a"),
            400,
            "400",
            "Request failed, malformed dn 'uni/tn-a[': unbalanced brackets",
        ),
    ],
)
def test_post_errors(mit, dn, body, status, code, text):
    mit.post("uni", mo("fvTenant", name="a"))
    with pytest.raises(ApiError) as err:
        mit.post(dn, body)
    assert (err.value.status, err.value.code, err.value.text) == (status, code, text)


def test_a_failed_post_changes_nothing(mit, seen):
    mit.post("uni", tenant_tree())
    size, calls = len(mit), len(seen)
    bad = mo("fvTenant", [mo("fvCtx", name="w"), mo("fvBD", name="b", descr="new"), mo("fvFoobar", name="x")], name="a")
    with pytest.raises(ApiError):
        mit.post("uni", bad)
    assert len(mit) == size and len(seen) == calls
    assert mit.get("uni/tn-a/ctx-w") is None and mit.get("uni/tn-a/ctx-w/health") is None
    assert mit.get("uni/tn-a/BD-b").attrs["descr"] == ""
    bad_delete = mo(
        "fvTenant", [mo("fvBD", name="b", status="deleted"), mo("fvAp", name="p", status="modified")], name="a"
    )
    with pytest.raises(ApiError):
        mit.post("uni", bad_delete)
    assert mit.get("uni/tn-a/BD-b/subnet-[10.0.0.1/24]") is not None and len(mit) == size
    assert list(mit.get("uni/tn-a/BD-b").children) == ["health", "rsctx", "subnet-[10.0.0.1/24]"]
    assert [m.dn for m in mit.walk("uni/tn-a")][-1] == "uni/tn-a/BD-b/subnet-[10.0.0.1/24]"


def test_a_cisco_aci_style_bd_payload_is_accepted(mit):
    mit.post("uni", mo("fvTenant", name="a"))
    bd = mo(
        "fvBD",
        [
            mo("fvRsCtx", tnFvCtxName="v", annotation="orchestrator:ansible"),
            mo("fvRsIgmpsn", tnIgmpSnoopPolName="", annotation="orchestrator:ansible"),
            mo("fvRsBdToEpRet", resolveAct="resolve", tnFvEpRetPolName="", annotation="orchestrator:ansible"),
            mo("fvAccP", encap="vlan-100", annotation="orchestrator:ansible"),
        ],
        name="b",
        arpFlood="yes",
        descr="",
        epClear="no",
        epMoveDetectMode="garp",
        ipLearning="yes",
        limitIpLearnToSubnets="yes",
        mac="00:22:BD:F8:19:FF",
        mcastAllow="no",
        multiDstPktAct="bd-flood",
        type="regular",
        unicastRoute="yes",
        unkMacUcastAct="flood",
        unkMcastAct="flood",
        v6unkMcastAct="flood",
        nameAlias="",
        enableRogueExceptMac="no",
        hostBasedRouting="no",
        intersiteBumTrafficAllow="no",
        intersiteL2Stretch="no",
        ipv6McastAllow="no",
        llAddr="::",
        mcastARPDrop="yes",
        vmac="not-applicable",
        OptimizeWanBandwidth="no",
        annotation="orchestrator:ansible",
    )
    changes = mit.post("uni/tn-a/BD-b", bd)
    assert [c.cls for c in changes] == ["fvBD", "healthInst", "fvRsCtx", "fvRsIgmpsn", "fvRsBdToEpRet", "fvAccP"]
    assert mit.get("uni/tn-a/BD-b").attrs["arpFlood"] == "yes" and mit.get("uni/tn-a/BD-b/accp") is not None
    assert mit.post("uni/tn-a/BD-b", bd) == []


def test_client_posts_ignore_system_properties_and_accept_numbers(mit):
    mit.post("uni", mo("fvTenant", name="a"))
    echoed = dict(mit.get("uni/tn-a").attrs, descr="x", uid="99", modTs="1999", lcOwn="policy")
    (change,) = mit.post("uni/tn-a", {"fvTenant": {"attributes": echoed}})
    assert change.changed == ("descr",) and change.attrs["uid"] == "0"
    assert mit.post("uni/tn-a/BD-q", mo("fvBD", name="q", mtu=9000))[0].attrs["mtu"] == "9000"


def test_lenient_mode_accepts_unknown_attributes():
    tree = Mit(strict_attributes=False)
    tree.post("", mo("polUni", [mo("fvTenant", name="a", custom="1")]))
    assert tree.get("uni/tn-a").attrs["custom"] == "1"


def test_write_only_password_is_never_in_attributes_or_changes(mit):
    changes = mit.post("uni", mo("aaaUserEp", [mo("aaaUser", name="bob", pwd="s3cret!")]))
    assert all("s3cret!" not in repr(c) for c in changes)
    user = mit.get("uni/userext/user-bob")
    assert "pwd" not in user.attrs and user.secrets == {"pwd": "s3cret!"}
    assert "s3cret!" not in repr(user.to_dict(children=True))
    assert mit.post("uni/userext/user-bob", mo("aaaUser", pwd="n3w")) == []
    assert user.secrets["pwd"] == "n3w"


def test_relations_resolve_in_the_tenant_then_common(mit):
    mit.post("uni", mo("fvTenant", [mo("fvCtx", name="default")], name="common"))
    mit.post("uni", tenant_tree())
    rsctx = mit.get("uni/tn-a/BD-b/rsctx").attrs
    assert (rsctx["tDn"], rsctx["state"], rsctx["tCl"]) == ("uni/tn-a/ctx-v", "formed", "fvCtx")
    (change,) = mit.post("uni/tn-a/BD-b/rsctx", mo("fvRsCtx", tnFvCtxName="nope"))
    assert change.changed == ("tnFvCtxName", "tDn", "tRn", "state")
    assert (change.attrs["tDn"], change.attrs["state"]) == ("uni/tn-a/ctx-nope", "missing-target")
    (change,) = mit.post("uni/tn-a/BD-b/rsctx", mo("fvRsCtx", tnFvCtxName=""))
    assert (change.attrs["tDn"], change.attrs["state"]) == ("uni/tn-common/ctx-default", "formed")


def test_relations_re_form_when_their_target_comes_and_goes(mit, seen):
    mit.post(
        "uni",
        mo("fvTenant", [mo("fvAp", [mo("fvAEPg", [mo("fvRsBd", tnFvBDName="b")], name="e")], name="p")], name="a"),
    )
    assert mit.get("uni/tn-a/ap-p/epg-e/rsbd").attrs["state"] == "missing-target"
    changes = mit.post("uni/tn-a", mo("fvBD", name="b"))
    assert [(c.status, c.dn) for c in changes] == [
        ("created", "uni/tn-a/BD-b"),
        ("created", "uni/tn-a/BD-b/health"),
        ("modified", "uni/tn-a/ap-p/epg-e/rsbd"),
    ]
    assert changes[-1].changed == ("state",) and changes[-1].attrs["tDn"] == "uni/tn-a/BD-b"
    mit.post("uni", mo("fvTenant", [mo("fvBD", name="b")], name="common"))
    changes = mit.delete("uni/tn-a/BD-b")
    assert changes[-1].dn == "uni/tn-a/ap-p/epg-e/rsbd" and changes[-1].changed == ("tDn",)
    assert (changes[-1].attrs["tDn"], changes[-1].attrs["state"]) == ("uni/tn-common/BD-b", "formed")
    assert [c.status for c in mit.delete("uni/tn-a")] == ["deleted"] * 7
    assert mit.post("uni", mo("fvTenant", [mo("fvBD", name="b")], name="common")) == []


def test_batch_is_one_commit_and_rolls_back_on_error(mit, seen):
    with mit.batch():
        mit.create("fvTenant", "uni/tn-x")
        mit.modify("uni/tn-x", {"descr": "d"})
        mit.set_health("uni/tn-x", 90)
    assert seen == [
        [
            ("created", "uni/tn-x"),
            ("created", "uni/tn-x/health"),
            ("modified", "uni/tn-x"),
            ("modified", "uni/tn-x/health"),
        ]
    ]
    with pytest.raises(ApiError), mit.batch():
        mit.delete("uni/tn-x")
        mit.create("fvTenant", "uni/tn-y")
        mit.modify("uni/tn-nothing", {"descr": "d"})
    assert len(seen) == 1
    assert mit.get("uni/tn-y") is None and mit.get("uni/tn-x/health").attrs["cur"] == "90"
    assert mit.get("uni/tn-x").attrs["descr"] == "d" and mit.count_class("fvTenant") == 1


def test_listeners_can_stop_and_a_broken_one_does_not_hide_commits(mit, caplog):
    calls = []

    def broken(changes):
        raise RuntimeError("listener bug")

    mit.listen(broken)
    stop = mit.listen(calls.append)
    mit.create("fvTenant", "uni/tn-x")
    assert len(calls) == 1 and "listener bug" in caplog.text
    stop()
    mit.modify("uni/tn-x", {"descr": "d"})
    assert len(calls) == 1


def test_system_writes_may_set_operational_properties(mit):
    mit.create("fvTenant", "uni/tn-x", {"descr": "d"})
    (change,) = mit.modify("uni/tn-x", {"monPolDn": "uni/tn-x/monepg-x"})
    assert change.changed == ("monPolDn",)
    with pytest.raises(ApiError, match="already exists"):
        mit.create("fvTenant", "uni/tn-x")
    with pytest.raises(ApiError, match="unknown managed object class fvNope"):
        mit.create("fvNope", "uni/x")
    with pytest.raises(ApiError, match="not found Dn0=uni/tn-q"):
        mit.modify("uni/tn-q", {"descr": "d"})
    with pytest.raises(ApiError, match="naming property name 'y'"):
        mit.modify("uni/tn-x", {"name": "y"})


def test_set_health_tracks_previous_score_and_severity(mit, seen):
    mit.post("", mo("fabricTopology", [mo("fabricPod", [mo("fabricNode", [mo("topSystem")], id="101")], id="1")]))
    mit.create("faultInst", "topology/pod-1/node-101/sys/fault-F0532", {"code": "F0532", "severity": "major"})
    seen.clear()
    (created,) = mit.set_health("topology/pod-1/node-101/sys", 80)
    assert created.status == "created" and created.dn == "topology/pod-1/node-101/sys/health"
    assert {k: created.attrs[k] for k in ("cur", "prev", "chng", "twScore", "maxSev")} == {
        "cur": "80",
        "prev": "100",
        "chng": "-20",
        "twScore": "80",
        "maxSev": "major",
    }
    (mod,) = mit.set_health("topology/pod-1/node-101/sys", 95, "warning")
    assert mod.status == "modified" and mod.changed == ("cur", "prev", "chng", "twScore", "maxSev", "updTs")
    assert (mod.attrs["cur"], mod.attrs["prev"], mod.attrs["chng"]) == ("95", "80", "15")
    assert mit.set_health("topology/pod-1/node-101/sys", 95, "warning") == []
    (same_prev,) = mit.set_health("topology/pod-1/node-101/sys", 95, "major")
    assert same_prev.changed == mod.changed and same_prev.attrs["prev"] == "95"
    assert len(seen) == 3
    for bad in (101, -1, "90", True):
        with pytest.raises(ApiError, match="from 0 to 100"):
            mit.set_health("topology/pod-1/node-101/sys", bad)
    with pytest.raises(ApiError, match="maxSev"):
        mit.set_health("topology/pod-1/node-101/sys", 50, "fatal")
    with pytest.raises(ApiError, match="not found"):
        mit.set_health("topology/pod-1/node-999", 50)


def test_health_severity_counts_faults_anywhere_beneath(mit):
    """A tenant's maxSev reflects a fault on one of its bridge domains, not only faults on the tenant."""
    mit.post("uni", mo("fvTenant", [mo("fvBD", name="web"), mo("fvAp", name="shop")], name="t"))
    mit.create("faultInst", "uni/tn-t/BD-web/fault-F0467", {"code": "F0467", "severity": "minor"})
    assert mit.set_health("uni/tn-t", 90)[0].attrs["maxSev"] == "minor"
    mit.create("faultInst", "uni/tn-t/fault-F1000", {"code": "F1000", "severity": "warning"})
    mit.create("faultInst", "uni/tn-t/ap-shop/fault-F0999", {"code": "F0999", "severity": "major"})
    assert mit.set_health("uni/tn-t", 80)[0].attrs["maxSev"] == "major"
    assert mit.set_health("uni/tn-t/BD-web", 70)[0].attrs["maxSev"] == "minor"  # siblings' faults do not count
    mit.delete("uni/tn-t/ap-shop")
    assert mit.set_health("uni/tn-t", 85)[0].attrs["maxSev"] == "minor"


def test_records_live_under_an_internal_subject_node(mit, seen):
    (change,) = mit.create("aaaModLR", "subj-[uni/tn-a]/mod-1", {"id": "1", "affected": "uni/tn-a", "descr": "x"})
    assert change.cls == "aaaModLR" and change.attrs["modTs"] == "never" and change.attrs["created"]
    assert len(mit) == 2 and [m.dn for m in mit.walk()] == ["uni", "subj-[uni/tn-a]/mod-1"]
    assert [c.dn for c in mit.delete("subj-[uni/tn-a]/mod-1")] == ["subj-[uni/tn-a]/mod-1"]
    assert mit.get("subj-[uni/tn-a]") is None and len(mit) == 1


def test_walk_and_to_dict(mit):
    mit.post("uni", tenant_tree())
    assert [m.dn for m in mit.walk("uni/tn-a/BD-b")] == [
        "uni/tn-a/BD-b",
        "uni/tn-a/BD-b/health",
        "uni/tn-a/BD-b/rsctx",
        "uni/tn-a/BD-b/subnet-[10.0.0.1/24]",
    ]
    assert list(mit.walk("uni/none")) == []
    body = mit.get("uni/tn-a/BD-b").to_dict(children=True)["fvBD"]
    assert body["attributes"]["dn"] == "uni/tn-a/BD-b"
    assert [next(iter(c)) for c in body["children"]] == ["healthInst", "fvRsCtx", "fvSubnet"]
    assert "children" not in mit.get("uni/tn-a/BD-b/rsctx").to_dict(children=True)["fvRsCtx"]
    assert (
        set(mit.get("uni/tn-a").to_dict()) == {"fvTenant"}
        and "children" not in mit.get("uni/tn-a").to_dict()["fvTenant"]
    )


def test_the_default_fabric_loads_without_pending_changes():
    tree = Mit.from_seed()
    calls = []
    tree.listen(calls.append)
    assert calls == [] and len(tree) > 100
    for dn in (
        "uni/tn-common",
        "uni/tn-infra",
        "uni/tn-mgmt",
        "uni/tn-prod/ap-shop/epg-web/rsbd",
        "topology/pod-1/node-201/sys",
        "topology/pod-1/node-101/sys/phys-[eth1/3]/fault-F0532",
        "uni/userext/user-admin/userdomain-all/role-admin",
    ):
        assert tree.get(dn) is not None, dn
    roles = {m.attrs["role"] for m in tree.of_class("fabricNode")}
    assert roles == {"controller", "leaf", "spine"}
    assert tree.get("uni/tn-prod/health").attrs["cur"] == "92"
    assert tree.get("uni/tn-prod/ap-shop/epg-web/health").attrs["maxSev"] == "minor"
    assert tree.get("uni/tn-prod/ap-shop/epg-web/rsbd").attrs["state"] == "formed"
    assert tree.count_class("faultInst") == 2 and tree.count_class("aaaModLR") == 1


def test_a_broken_seed_names_its_file(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"tree": [{"polUni": {"attributes": {}, "children": [{"fvBogus": {"attributes": {}}}]}}]}')
    with pytest.raises(ValueError, match=r"seed\.json: unknown managed object class fvBogus"):
        Mit.from_seed(seed)


@pytest.mark.parametrize("epoch", [0.0, 1714558953.123, 1714558953.0005, 1714558953.9999996, 1714558999.999])
def test_commit_stamps_are_iso_8601_utc_with_milliseconds(epoch):
    """One formatter stamps commits, pushes and faults; it must write what datetime's ISO form writes."""
    expected = dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds")
    assert apic_timestamp(epoch) == expected


@pytest.mark.parametrize("dn", ["subj-[uni/tn-a/mod-1", "uni/tn-a]", "uni//tn-a"])
def test_deleting_a_malformed_dn_is_a_400_even_next_to_existing_objects(mit, dn):
    mit.post("uni", mo("fvTenant", name="a"))
    mit.create("aaaModLR", "subj-[uni/tn-a]/mod-1", {"id": "1", "affected": "uni/tn-a", "descr": "x"})
    with pytest.raises(ApiError) as err:
        mit.delete(dn)
    assert err.value.status == 400 and "malformed dn" in err.value.text
    assert mit.get("subj-[uni/tn-a]/mod-1") is not None and mit.get("uni/tn-a") is not None
