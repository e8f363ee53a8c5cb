"""GET semantics over the default fabric, and Query.match for every scope and include form."""

import pytest
from apicsim.errors import ApiError
from apicsim.mit import Mit
from apicsim.query import compile_query, run_query


@pytest.fixture(scope="module")
def fabric():
    """Read-only: tests that write use their own tree."""
    return Mit.from_seed()


def get(mit, path, **params):
    query = compile_query(mit.catalogue, path, {k.replace("_", "-"): v for k, v in params.items()})
    return run_query(mit, query)


def dns(result):
    return [next(iter(item.values()))["attributes"]["dn"] for item in result[1]]


def classes(result):
    return [next(iter(item)) for item in result[1]]


def kids(item):
    return [next(iter(child.values()))["attributes"]["dn"] for child in next(iter(item.values())).get("children", [])]


# ---------------------------------------------------------------- GET forms


def test_mo_query_returns_the_object_with_string_attributes(fabric):
    total, imdata = get(fabric, "/api/mo/uni/tn-prod.json")
    assert total == 1 and classes((total, imdata)) == ["fvTenant"]
    attrs = imdata[0]["fvTenant"]["attributes"]
    assert attrs["dn"] == "uni/tn-prod" and attrs["name"] == "prod" and attrs["status"] == ""
    assert all(isinstance(v, str) for v in attrs.values()) and "children" not in imdata[0]["fvTenant"]


def test_missing_dn_is_an_empty_answer(fabric):
    assert get(fabric, "/api/mo/uni/tn-nothing.json") == (0, [])
    assert get(fabric, "/api/node/mo/uni/tn-nothing.json", query_target="subtree") == (0, [])


def test_bracketed_dns_work_in_paths(fabric):
    assert dns(get(fabric, "/api/mo/uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24].json")) == [
        "uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24]"
    ]
    assert dns(get(fabric, "/api/mo/uni/tn-prod/BD-web-bd/subnet-[2001:db8:10:1::1/64].json")) == [
        "uni/tn-prod/BD-web-bd/subnet-[2001:db8:10:1::1/64]"
    ]
    phys = get(fabric, "/api/node/mo/topology/pod-1/node-101/sys/phys-[eth1/3].json", query_target="children")
    assert dns(phys) == ["topology/pod-1/node-101/sys/phys-[eth1/3]/phys",
                         "topology/pod-1/node-101/sys/phys-[eth1/3]/fault-F0532"]


def test_nested_brackets_in_paths_and_matches():
    tree = Mit.from_seed()
    dn = "uni/tn-prod/ctx-prod-vrf/fd-[resPolCont/ctxCont/ctx-[uni/tn-prod/ctx-prod-vrf]]-fault-F0955"
    (change,) = tree.create("faultDelegate", dn, {"code": "F0955", "severity": "minor"})
    assert change.attrs["affected"] == "resPolCont/ctxCont/ctx-[uni/tn-prod/ctx-prod-vrf]"
    assert dns(get(tree, f"/api/mo/{dn}.json")) == [dn]
    assert dns(
        get(
            tree,
            "/api/node/mo/uni/tn-prod/ctx-prod-vrf.json",
            query_target="children",
            target_subtree_class="faultDelegate",
        )
    ) == [dn]
    query = compile_query(tree.catalogue, f"/api/node/mo/{dn}.json", {})
    assert query.classes == frozenset({"faultDelegate"}) and query.match(change, tree)
    subtree = compile_query(tree.catalogue, "/api/mo/uni/tn-prod/ctx-prod-vrf.json", {"query-target": "subtree"})
    assert subtree.match(change, tree)


def test_class_queries_in_all_forms(fabric):
    tenants = ["uni/tn-common", "uni/tn-infra", "uni/tn-mgmt", "uni/tn-prod", "uni/tn-dev"]
    assert dns(get(fabric, "/api/class/fvTenant.json")) == tenants
    assert dns(get(fabric, "/api/node/class/fvTenant.json")) == tenants
    assert dns(get(fabric, "/api/node/class/topology/pod-1/node-101/l1PhysIf.json")) == [
        "topology/pod-1/node-101/sys/phys-[eth1/1]",
        "topology/pod-1/node-101/sys/phys-[eth1/3]",
        "topology/pod-1/node-101/sys/phys-[eth1/49]",
    ]
    assert get(fabric, "/api/node/class/topology/pod-1/node-999/l1PhysIf.json") == (0, [])
    assert get(fabric, "/api/class/faultDelegate.json") == (0, [])


def test_query_target_children_and_subtree(fabric):
    children = get(fabric, "/api/mo/uni/tn-prod/BD-web-bd.json", query_target="children")
    assert set(classes(children)) == {"healthInst", "fvRsCtx", "fvSubnet"}
    subtree = dns(get(fabric, "/api/mo/uni/tn-prod/ap-shop.json", query_target="subtree"))
    assert subtree[0] == "uni/tn-prod/ap-shop" and "uni/tn-prod/ap-shop/epg-web/rsprov-internet-to-web" in subtree
    assert subtree.index("uni/tn-prod/ap-shop/epg-web") < subtree.index("uni/tn-prod/ap-shop/epg-web/rsbd")
    by_class = get(fabric, "/api/class/fvAp.json", query_target="subtree", target_subtree_class="fvAEPg,fvRsBd")
    assert set(classes(by_class)) == {"fvAEPg", "fvRsBd"} and by_class[0] == 6
    tenant_children = get(fabric, "/api/class/fvTenant.json", query_target="children", target_subtree_class="fvCtx")
    assert "uni/tn-mgmt/ctx-oob" in dns(tenant_children) and set(classes(tenant_children)) == {"fvCtx"}


def test_query_target_filter(fabric):
    result = get(fabric, "/api/class/fabricNode.json", query_target_filter='eq(fabricNode.role,"spine")')
    assert dns(result) == ["topology/pod-1/node-201", "topology/pod-1/node-202"]
    result = get(
        fabric, "/api/class/fabricNode.json", query_target_filter='and(ge(fabricNode.id,"3"),lt(fabricNode.id,"102"))'
    )
    assert dns(result) == ["topology/pod-1/node-3", "topology/pod-1/node-101"]
    result = get(
        fabric,
        "/api/mo/uni/tn-prod.json",
        query_target="subtree",
        query_target_filter='or(wcard(fvBD.name,"^web"),eq(fvAEPg.name,"app"))',
    )
    assert dns(result) == ["uni/tn-prod/BD-web-bd", "uni/tn-prod/ap-shop/epg-app"]
    assert get(fabric, "/api/mo/uni/tn-prod.json", query_target_filter='eq(fvTenant.name,"dev")') == (0, [])


def test_rsp_subtree_children_full_and_class(fabric):
    (item,) = get(fabric, "/api/mo/uni/tn-prod/BD-web-bd.json", rsp_subtree="children")[1]
    assert kids(item) == [
        "uni/tn-prod/BD-web-bd/health",
        "uni/tn-prod/BD-web-bd/rsctx",
        "uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24]",
        "uni/tn-prod/BD-web-bd/subnet-[2001:db8:10:1::1/64]",
    ]
    assert "children" not in item["fvBD"]["children"][1]["fvRsCtx"]
    (item,) = get(
        fabric,
        "/api/mo/uni/tn-prod/BD-web-bd.json",
        rsp_subtree="children",
        rsp_subtree_class="fvSubnet",
        rsp_subtree_filter='eq(fvSubnet.scope,"public")',
    )[1]
    assert kids(item) == ["uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24]"]
    (item,) = get(fabric, "/api/mo/uni/tn-prod.json", rsp_subtree="full", rsp_subtree_class="fvRsBd")[1]
    assert kids(item) == ["uni/tn-prod/ap-shop"]
    (ap,) = item["fvTenant"]["children"]
    assert kids(ap) == ["uni/tn-prod/ap-shop/epg-web", "uni/tn-prod/ap-shop/epg-app"]
    assert kids(ap["fvAp"]["children"][0]) == ["uni/tn-prod/ap-shop/epg-web/rsbd"]
    (item,) = get(fabric, "/api/mo/uni/tn-prod/ap-shop.json", rsp_subtree="full")[1]
    assert kids(item) == ["uni/tn-prod/ap-shop/health", "uni/tn-prod/ap-shop/epg-web", "uni/tn-prod/ap-shop/epg-app"]
    assert kids(item["fvAp"]["children"][2]) == [
        "uni/tn-prod/ap-shop/epg-app/health",
        "uni/tn-prod/ap-shop/epg-app/rsbd",
        "uni/tn-prod/ap-shop/epg-app/rsprov-web-to-app",
        "uni/tn-prod/ap-shop/epg-app/rspathAtt-[topology/pod-1/paths-102/pathep-[eth1/1]]",
        "uni/tn-prod/ap-shop/epg-app/cep-00:50:56:A1:02:11",
    ]


def test_rsp_subtree_class_tolerates_classes_outside_the_catalogue(fabric):
    """cisco.aci modules list every child class they know; unknown ones simply select nothing."""
    (item,) = get(
        fabric,
        "/api/mo/uni/tn-prod/BD-web-bd.json",
        rsp_subtree="full",
        rsp_subtree_class="fvRsCtx,fvRsIgmpsn,fvRsBdFloodTo,igmpIfP",
        rsp_prop_include="config-only",
    )[1]
    assert kids(item) == ["uni/tn-prod/BD-web-bd/rsctx"]
    assert item["fvBD"]["children"][0]["fvRsCtx"]["attributes"]["tnFvCtxName"] == "prod-vrf"


def test_rsp_subtree_include_health_faults_records(fabric):
    (item,) = get(fabric, "/api/mo/uni/tn-prod/ap-shop/epg-web.json", rsp_subtree_include="health,faults")[1]
    assert kids(item) == ["uni/tn-prod/ap-shop/epg-web/health", "uni/tn-prod/ap-shop/epg-web/fault-F0467"]
    (item,) = get(
        fabric, "/api/mo/uni/tn-prod/ap-shop/epg-web.json", rsp_subtree="children", rsp_subtree_include="health"
    )[1]
    assert kids(item).count("uni/tn-prod/ap-shop/epg-web/health") == 1
    (item,) = get(
        fabric,
        "/api/mo/uni/tn-prod/ap-shop.json",
        rsp_subtree="children",
        rsp_subtree_class="fvAEPg",
        rsp_subtree_include="faults",
    )[1]
    web = item["fvAp"]["children"][0]
    assert kids(web) == ["uni/tn-prod/ap-shop/epg-web/fault-F0467"]
    scoped = get(fabric, "/api/class/fvTenant.json", rsp_subtree_include="health,no-scoped")
    assert set(classes(scoped)) == {"healthInst"} and scoped[0] == 5
    assert "uni/tn-prod/health" in dns(scoped)
    required = get(fabric, "/api/class/fvAEPg.json", rsp_subtree_include="faults,required")
    assert dns(required) == ["uni/tn-prod/ap-shop/epg-web"]
    (item,) = get(fabric, "/api/mo/uni/tn-prod/ap-shop/epg-web.json", rsp_subtree_include="fault-records")[1]
    assert kids(item) == ["subj-[uni/tn-prod/ap-shop/epg-web]/fr-4294967298"]
    (item,) = get(fabric, "/api/mo/uni/tn-prod.json", rsp_subtree_include="audit-logs")[1]
    assert kids(item) == ["subj-[uni/tn-prod]/mod-4294967297"]
    assert get(fabric, "/api/class/fvAp.json", rsp_subtree_include="count") == (
        1,
        [{"moCount": {"attributes": {"childAction": "", "count": "2", "dn": "", "status": ""}}}],
    )


def test_rsp_prop_include(fabric):
    naming = get(fabric, "/api/mo/uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24].json", rsp_prop_include="naming-only")
    assert naming[1] == [
        {"fvSubnet": {"attributes": {"dn": "uni/tn-prod/BD-web-bd/subnet-[10.10.1.1/24]", "ip": "10.10.1.1/24"}}}
    ]
    config = get(fabric, "/api/mo/uni/tn-prod/BD-web-bd.json", rsp_prop_include="config-only")[1][0]["fvBD"][
        "attributes"
    ]
    assert config["arpFlood"] == "no" and config["dn"] == "uni/tn-prod/BD-web-bd"
    assert "modTs" not in config and "pcTag" not in config and "lcOwn" not in config


def test_paging_and_ordering(fabric):
    ordered = get(fabric, "/api/class/fvTenant.json", order_by="fvTenant.name")
    assert dns(ordered) == ["uni/tn-common", "uni/tn-dev", "uni/tn-infra", "uni/tn-mgmt", "uni/tn-prod"]
    page = get(fabric, "/api/class/fvTenant.json", order_by="fvTenant.name|desc", page="1", page_size="2")
    assert page[0] == 5 and dns(page) == ["uni/tn-infra", "uni/tn-dev"]
    assert get(fabric, "/api/class/fvTenant.json", page="3", page_size="2") == (5, [])
    assert dns(get(fabric, "/api/class/fvTenant.json", page_size="1")) == ["uni/tn-common"]
    numeric = get(fabric, "/api/class/fabricNode.json", order_by="fabricNode.id|desc")
    assert dns(numeric)[:3] == ["topology/pod-1/node-202", "topology/pod-1/node-201", "topology/pod-1/node-102"]
    two_keys = get(fabric, "/api/class/fabricNode.json", order_by="fabricNode.role,fabricNode.id|desc")
    assert dns(two_keys)[:4] == [
        "topology/pod-1/node-3",
        "topology/pod-1/node-2",
        "topology/pod-1/node-1",
        "topology/pod-1/node-102",
    ]
    mixed = get(fabric, "/api/mo/uni/tn-prod/BD-web-bd.json", query_target="children", order_by="fvSubnet.ip|desc")
    assert classes(mixed)[:2] == ["fvSubnet", "fvSubnet"] and dns(mixed)[0].endswith("[2001:db8:10:1::1/64]")


def test_write_only_properties_never_come_back(fabric):
    tree = Mit.from_seed()
    tree.post("uni/userext", {"aaaUser": {"attributes": {"name": "eve", "pwd": "hunter2!"}}})
    assert "hunter2" not in repr(get(tree, "/api/class/aaaUser.json", rsp_subtree="full"))


@pytest.mark.parametrize(
    ("path", "params", "text"),
    [
        ("/api/class/fvFoobar.json", {}, "Request failed, unresolved class for fvFoobar"),
        ("/api/node/class/topology/pod-1/fvFoobar.json", {}, "Request failed, unresolved class for fvFoobar"),
        (
            "/api/class/fvTenant.json",
            {"target-subtree-class": "fvBD,fvNope"},
            "Request failed, unresolved class for fvNope",
        ),
        (
            "/api/class/fvTenant.json",
            {"query-target": "all"},
            "Request failed, invalid value 'all' for query-target; use one of self, children, subtree",
        ),
        (
            "/api/class/fvTenant.json",
            {"rsp-subtree": "yes"},
            "Request failed, invalid value 'yes' for rsp-subtree; use one of no, children, full",
        ),
        (
            "/api/class/fvTenant.json",
            {"rsp-prop-include": "some"},
            "Request failed, invalid value 'some' for rsp-prop-include; use one of all, naming-only, config-only",
        ),
        (
            "/api/class/fvTenant.json",
            {"rsp-subtree-include": "health,stats"},
            "Request failed, invalid value 'stats' for rsp-subtree-include; use any of audit-logs, count, event-logs, "
            "fault-records, faults, health, no-scoped, required",
        ),
        (
            "/api/class/fvTenant.json",
            {"page-size": "0"},
            "Request failed, invalid value '0' for page-size; use a positive integer",
        ),
        (
            "/api/class/fvTenant.json",
            {"page-size": "5", "page": "-1"},
            "Request failed, invalid value '-1' for page; use 0 or a positive integer",
        ),
        (
            "/api/class/fvTenant.json",
            {"order-by": "name"},
            "Request failed, invalid value 'name' for order-by; use <class>.<property>[|asc|desc]",
        ),
        (
            "/api/class/fvTenant.json",
            {"order-by": "fvTenant.name|up"},
            "Request failed, invalid direction 'up' in order-by; use asc or desc",
        ),
        (
            "/api/class/fvTenant.json",
            {"order-by": "fvTenant.size"},
            "Request failed, invalid value 'fvTenant.size' for order-by: class fvTenant has no property size",
        ),
        (
            "/api/class/fvTenant.json",
            {"target-subtree-class": ","},
            "Request failed, target-subtree-class is empty; give one or more class names separated by commas",
        ),
        (
            "/api/class/fvTenant.json",
            {"query-target-filter": 'eq(fvTenant.name,"a"'},
            "Request failed, invalid query-target-filter 'eq(fvTenant.name,\"a\"': unexpected end of expression",
        ),
        ("/api/class/fvTenant", {}, "Request failed, /api/class/fvTenant must end in .json or .xml"),
        ("/api/mo/uni/tn-[a.json", {}, "Request failed, malformed dn 'uni/tn-[a': unbalanced brackets"),
        ("/api/class/.json", {}, "Request failed, /api/class/.json names no class"),
        (
            "/api/aaaLogin.json",
            {},
            "Request failed, /api/aaaLogin.json is not a query path "
            "(expected /api/mo/<dn>.json or /api/class/<class>.json)",
        ),
        ("/socket123", {}, "Request failed, /socket123 is not an API path (expected /api/mo/... or /api/class/...)"),
    ],
)
def test_query_errors(fabric, path, params, text):
    with pytest.raises(ApiError) as err:
        compile_query(fabric.catalogue, path, params)
    assert (err.value.status, err.value.text) == (400, text)


def test_subscription_parameters_are_left_to_the_server(fabric):
    query = compile_query(
        fabric.catalogue, "/api/class/fvTenant.json", {"subscription": "yes", "refresh-timeout": "60"}
    )
    assert query.params["subscription"] == "yes" and run_query(fabric, query)[0] == 5


# ----------------------------------------------------------------- matching


@pytest.fixture
def tree():
    mit = Mit.from_seed()
    mit.post(
        "uni",
        {
            "fvTenant": {
                "attributes": {"name": "a"},
                "children": [
                    {
                        "fvBD": {
                            "attributes": {"name": "b"},
                            "children": [{"fvSubnet": {"attributes": {"ip": "10.1.1.1/24"}}}],
                        }
                    },
                    {"fvAp": {"attributes": {"name": "p"}, "children": [{"fvAEPg": {"attributes": {"name": "e"}}}]}},
                ],
            }
        },
    )
    return mit


def matched(tree, path, changes, **params):
    query = compile_query(tree.catalogue, path, {k.replace("_", "-"): v for k, v in params.items()})
    return [c.dn for c in changes if query.match(c, tree)]


def writes(tree):
    """One change of each interesting kind, in a tenant the query forms below can scope."""
    changes = []
    changes += tree.modify("uni/tn-a", {"descr": "t"})
    changes += tree.modify("uni/tn-a/BD-b", {"descr": "b"})
    changes += tree.modify("uni/tn-a/BD-b/subnet-[10.1.1.1/24]", {"descr": "s"})
    changes += tree.set_health("uni/tn-a", 70)
    changes += tree.set_health("uni/tn-a/BD-b", 60)
    changes += tree.create("faultInst", "uni/tn-a/fault-F1", {"code": "F1", "severity": "major"})
    changes += tree.create("faultDelegate", "uni/tn-a/ap-p/fd-[x/y]-fault-F2", {"code": "F2"})
    changes += tree.modify("uni/tn-prod", {"descr": "other tenant"})
    changes += tree.modify("topology/pod-1/node-101/sys/phys-[eth1/1]", {"operSt": "down"})
    changes += tree.delete("uni/tn-a/ap-p/epg-e")
    return changes


@pytest.mark.parametrize(
    ("path", "params", "expected", "possible"),
    [
        ("/api/class/fvTenant.json", {}, ["uni/tn-a", "uni/tn-prod"], {"fvTenant"}),
        ("/api/node/class/fvBD.json", {}, ["uni/tn-a/BD-b"], {"fvBD"}),
        (
            "/api/node/class/topology/pod-1/node-101/l1PhysIf.json",
            {},
            ["topology/pod-1/node-101/sys/phys-[eth1/1]"],
            {"l1PhysIf"},
        ),
        ("/api/node/class/topology/pod-1/node-102/l1PhysIf.json", {}, [], {"l1PhysIf"}),
        ("/api/mo/uni/tn-a.json", {}, ["uni/tn-a"], {"fvTenant"}),
        ("/api/mo/uni/tn-a/BD-b/subnet-[10.1.1.1/24].json", {}, ["uni/tn-a/BD-b/subnet-[10.1.1.1/24]"], {"fvSubnet"}),
        (
            "/api/mo/uni/tn-a.json",
            {"query_target": "children"},
            ["uni/tn-a/BD-b", "uni/tn-a/health", "uni/tn-a/fault-F1"],
            None,
        ),
        (
            "/api/mo/uni/tn-a.json",
            {"query_target": "subtree"},
            [
                "uni/tn-a",
                "uni/tn-a/BD-b",
                "uni/tn-a/BD-b/subnet-[10.1.1.1/24]",
                "uni/tn-a/health",
                "uni/tn-a/BD-b/health",
                "uni/tn-a/fault-F1",
                "uni/tn-a/ap-p/fd-[x/y]-fault-F2",
                "uni/tn-a/ap-p/epg-e/health",
                "uni/tn-a/ap-p/epg-e",
            ],
            None,
        ),
        (
            "/api/node/mo/uni/tn-a.json",
            {"query_target": "subtree", "target_subtree_class": "fvSubnet,fvAEPg"},
            ["uni/tn-a/BD-b/subnet-[10.1.1.1/24]", "uni/tn-a/ap-p/epg-e"],
            {"fvSubnet", "fvAEPg"},
        ),
        (
            "/api/class/fvTenant.json",
            {"query_target": "children"},
            ["uni/tn-a/BD-b", "uni/tn-a/health", "uni/tn-a/fault-F1"],
            None,
        ),
        (
            "/api/class/fvTenant.json",
            {"query_target": "subtree", "target_subtree_class": "fvSubnet"},
            ["uni/tn-a/BD-b/subnet-[10.1.1.1/24]"],
            {"fvSubnet"},
        ),
        ("/api/class/fvTenant.json", {"query_target_filter": 'eq(fvTenant.name,"a")'}, ["uni/tn-a"], {"fvTenant"}),
        (
            "/api/class/fvTenant.json",
            {"rsp_subtree_include": "health"},
            ["uni/tn-a", "uni/tn-a/health", "uni/tn-prod"],
            {"fvTenant", "healthInst"},
        ),
        (
            "/api/class/fvTenant.json",
            {"rsp_subtree_include": "health,no-scoped", "query_target_filter": 'eq(fvTenant.name,"prod")'},
            ["uni/tn-prod"],
            {"fvTenant", "healthInst"},
        ),
        (
            "/api/mo/uni/tn-a/BD-b.json",
            {"rsp_subtree_include": "health"},
            ["uni/tn-a/BD-b", "uni/tn-a/BD-b/health"],
            {"fvBD", "healthInst"},
        ),
        (
            "/api/mo/uni/tn-a.json",
            {"rsp_subtree_include": "faults"},
            ["uni/tn-a", "uni/tn-a/fault-F1"],
            {"fvTenant", "faultInst", "faultDelegate"},
        ),
        (
            "/api/class/fvAp.json",
            {"rsp_subtree_include": "faults"},
            ["uni/tn-a/ap-p/fd-[x/y]-fault-F2"],
            {"fvAp", "faultInst", "faultDelegate"},
        ),
        (
            "/api/class/fvBD.json",
            {"query_target": "children", "target_subtree_class": "fvSubnet", "rsp_subtree_include": "health"},
            ["uni/tn-a/BD-b/subnet-[10.1.1.1/24]"],
            {"fvSubnet", "healthInst"},
        ),
        (
            "/api/class/healthInst.json",
            {"query_target_filter": 'lt(healthInst.cur,"65")'},
            ["uni/tn-a/BD-b/health"],
            {"healthInst"},
        ),
    ],
)
def test_match_scopes_and_includes(tree, path, params, expected, possible):
    changes = writes(tree)
    query = compile_query(tree.catalogue, path, {k.replace("_", "-"): v for k, v in params.items()})
    assert sorted(c.dn for c in changes if query.match(c, tree)) == sorted(expected)
    assert query.classes == (None if possible is None else frozenset(possible))
    if query.classes is not None:
        assert all(c.cls in query.classes for c in changes if query.match(c, tree))


def test_match_agrees_with_the_snapshot(tree):
    """Whatever a query returns must be what its subscription would be pushed when created."""
    created = Mit(tree.catalogue)
    changes = []
    created.listen(changes.extend)
    for mo in tree.walk("uni"):
        if mo.dn != "uni" and created.get(mo.dn) is None:
            created.create(mo.cls, mo.dn, {k: v for k, v in mo.attrs.items() if k in mo.info.props})
        elif mo.dn == "uni":
            created.post("", {"polUni": {"attributes": {}}})
    for path, params in [
        ("/api/class/fvBD.json", {"query-target-filter": 'wcard(fvBD.name,"-bd")'}),
        ("/api/mo/uni/tn-prod.json", {"query-target": "subtree", "target-subtree-class": "fvAEPg,fvSubnet"}),
        ("/api/class/fvAp.json", {"query-target": "children"}),
    ]:
        query = compile_query(tree.catalogue, path, params)
        snapshot = sorted(next(iter(item.values()))["attributes"]["dn"] for item in run_query(created, query)[1])
        assert snapshot == sorted(c.dn for c in changes if query.match(c, created)), path


def test_include_filter_uses_the_parent_only_when_the_tree_is_given(tree):
    (change,) = tree.set_health("uni/tn-prod", 50)
    query = compile_query(
        tree.catalogue,
        "/api/class/fvTenant.json",
        {"rsp-subtree-include": "health", "query-target-filter": 'eq(fvTenant.name,"a")'},
    )
    assert query.match(change, tree) is False
    assert query.match(change) is True
