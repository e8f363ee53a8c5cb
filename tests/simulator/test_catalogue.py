"""The class catalogue: naming rules, parents and defaults read from data/classes.json."""

import pytest
from apicsim.catalogue import Catalogue
from apicsim.errors import ApiError

REQUIRED = [
    "polUni",
    "fvTenant",
    "fvCtx",
    "fvBD",
    "fvSubnet",
    "fvRsCtx",
    "fvAp",
    "fvAEPg",
    "fvRsBd",
    "fvRsProv",
    "fvRsCons",
    "vzBrCP",
    "vzSubj",
    "vzFilter",
    "vzEntry",
    "fabricTopology",
    "fabricPod",
    "fabricNode",
    "topSystem",
    "healthInst",
    "faultInst",
    "faultDelegate",
    "eventRecord",
    "aaaModLR",
    "aaaUser",
]


@pytest.fixture(scope="module")
def cat():
    return Catalogue.load()


def test_required_classes_have_rules(cat):
    for name in REQUIRED:
        info = cat.get(name)
        assert info is not None, name
        assert info.category in {"config", "topology", "endpoint", "health", "fault", "record"}
        assert info.parents, name
        for key, value in info.defaults.items():
            assert isinstance(value, str), (name, key)
        assert {"dn", "status", "childAction"} <= set(info.defaults)


def test_defaults_are_realistic_and_sorted(cat):
    bd = cat.get("fvBD")
    assert bd.props["arpFlood"] == "no"
    assert bd.props["unicastRoute"] == "yes"
    assert bd.props["unkMacUcastAct"] == "proxy"
    assert list(bd.defaults) == sorted(bd.defaults)
    assert cat.get("fvTenant").naming == ("name",)
    assert cat.get("fvRsCtx").naming == ()
    assert cat.get("faultDelegate").naming == ("affected", "code")


@pytest.mark.parametrize(
    ("cls", "attrs", "rn"),
    [
        ("fvTenant", {"name": "a"}, "tn-a"),
        ("fvSubnet", {"ip": "10.0.0.1/24"}, "subnet-[10.0.0.1/24]"),
        ("healthInst", {}, "health"),
        ("fvRsCtx", {"tnFvCtxName": "v"}, "rsctx"),
        ("faultInst", {"code": "F0467"}, "fault-F0467"),
        (
            "faultDelegate",
            {"affected": "resPolCont/ctx-[uni/tn-a/ctx-b]", "code": "F0955"},
            "fd-[resPolCont/ctx-[uni/tn-a/ctx-b]]-fault-F0955",
        ),
        ("l1PhysIf", {"id": "eth1/3"}, "phys-[eth1/3]"),
    ],
)
def test_make_rn(cat, cls, attrs, rn):
    assert cat.make_rn(cls, attrs) == rn
    info = cat.get(cls)
    assert cat.naming_values(info, rn) == {k: v for k, v in attrs.items() if k in info.naming}


@pytest.mark.parametrize(("attrs", "value"), [({}, ""), ({"name": ""}, ""), ({"name": "a/b"}, "a/b")])
def test_make_rn_refuses_bad_naming_values(cat, attrs, value):
    with pytest.raises(ApiError) as err:
        cat.make_rn("fvTenant", attrs)
    assert err.value.code == "801"
    assert err.value.text == f"property name of tn-{value} failed validation for value '{value}'"


def test_class_for_rn_depends_on_the_parent(cat):
    assert cat.class_for_rn("topRoot", "uni").name == "polUni"
    assert cat.class_for_rn("polUni", "tn-a").name == "fvTenant"
    assert cat.class_for_rn("vzBrCP", "subj-http").name == "vzSubj"
    assert cat.class_for_rn("topRoot", "subj-[uni/tn-a]").name == "recordSubject"
    assert cat.class_for_rn("fvTenant", "fault-F1").name == "faultInst"
    assert cat.class_for_rn("fvTenant", "fd-[x/y]-fault-F2").name == "faultDelegate"
    assert cat.class_for_rn("fvTenant", "health").name == "healthInst"
    assert cat.class_for_rn("fvTenant", "subnet-[1.1.1.1/24]") is None
    assert cat.class_for_rn("polUni", "BD-x") is None


def test_class_of_dn_walks_from_the_root(cat):
    assert cat.class_of_dn("") == "topRoot"
    assert cat.class_of_dn("uni/tn-a/BD-b/subnet-[10.0.0.1/24]") == "fvSubnet"
    assert cat.class_of_dn("topology/pod-1/node-101/sys/phys-[eth1/3]/fault-F0532") == "faultInst"
    assert cat.class_chain("uni/tn-a/ap-b/epg-c/health") == ("polUni", "fvTenant", "fvAp", "fvAEPg", "healthInst")
    assert cat.class_of_dn("uni/nothing-here") is None
    assert cat.class_of_dn("uni/tn-[broken") is None


def test_health_and_faults_may_live_under_config_and_topology(cat):
    health, fault = cat.get("healthInst"), cat.get("faultInst")
    for parent in ("fvTenant", "fvAp", "fvAEPg", "fvBD", "fabricPod", "fabricNode", "topSystem", "l1PhysIf"):
        assert cat.may_contain(parent, health), parent
        assert cat.may_contain(parent, fault), parent
    assert not cat.may_contain("topRoot", health)
    assert not cat.may_contain("healthInst", fault)


def test_require_gives_the_apic_text(cat):
    assert cat.require("fvTenant").name == "fvTenant"
    for name in ("fvFoobar", "recordSubject"):
        with pytest.raises(ApiError) as err:
            cat.require(name)
        assert (err.value.status, err.value.text) == (400, f"Request failed, unresolved class for {name}")
    assert "fvTenant" in cat and "fvFoobar" not in cat


def test_error_envelope_shape():
    err = ApiError(400, 122, "unknown managed object class fvFoobar")
    assert err.envelope() == {
        "totalCount": "1",
        "imdata": [{"error": {"attributes": {"code": "122", "text": "unknown managed object class fvFoobar"}}}],
    }


def test_a_catalogue_with_an_unknown_template_is_refused(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"classes": {"x": {"rn": "x", "category": "config", "template": "nope"}}}')
    with pytest.raises(ValueError, match="unknown template 'nope'"):
        Catalogue.load(path)
