"""URLs and filters must reach the APIC with brackets, commas, quotes and parentheses raw."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import query as q


def test_paths():
    assert q.class_path("fvTenant") == "/api/class/fvTenant.json"
    assert q.class_path("topSystem", node="topology/pod-1/node-101") == (
        "/api/node/class/topology/pod-1/node-101/topSystem.json"
    )
    assert q.mo_path("uni/tn-a") == "/api/mo/uni/tn-a.json"
    assert q.mo_path("uni/tn-a/BD-b/subnet-[10.0.0.1/24]") == "/api/mo/uni/tn-a/BD-b/subnet-[10.0.0.1/24].json"
    assert q.mo_path("uni/tn-a b?#") == "/api/mo/uni/tn-a%20b%3F%23.json"


@pytest.mark.parametrize("bad", ["", "FvTenant", "fv-Tenant", "fvTenant.json", "fv/Tenant", None])
def test_bad_class_names_are_refused_with_a_hint(bad):
    with pytest.raises(ValueError, match="fvTenant"):
        q.class_path(bad)


def test_mo_path_needs_a_dn():
    with pytest.raises(ValueError, match="DN"):
        q.mo_path("/")


def test_query_string_keeps_apic_syntax_raw_and_order():
    flt = q.and_(q.eq("fvTenant.name", "a"), q.wcard("fvTenant.descr", "x y&z+1"))
    text = q.query_string(
        {
            "query-target": "subtree",
            "target-subtree-class": ["fvBD", "fvCtx"],
            "query-target-filter": flt,
            "subscription": True,
            "page": 0,
            "skipped": None,
        }
    )
    assert text == (
        "query-target=subtree&target-subtree-class=fvBD,fvCtx"
        '&query-target-filter=and(eq(fvTenant.name,"a"),wcard(fvTenant.descr,"x%20y%26z%2B1"))'
        "&subscription=yes&page=0"
    )


def test_build_url():
    assert q.build_url("/api/class/fvTenant.json") == "/api/class/fvTenant.json"
    assert q.build_url("/api/class/fvTenant.json", {"page-size": 10}) == "/api/class/fvTenant.json?page-size=10"
    with pytest.raises(ValueError, match="query option name"):
        q.query_string({"bad&name": 1})


def test_filters():
    assert q.eq("fvTenant.name", "a") == 'eq(fvTenant.name,"a")'
    assert q.ne("fvTenant.name", "a") == 'ne(fvTenant.name,"a")'
    assert q.lt("healthInst.cur", 90) == 'lt(healthInst.cur,"90")'
    assert q.gt("faultInst.occur", 1) == 'gt(faultInst.occur,"1")'
    assert q.le("healthInst.cur", 5) == 'le(healthInst.cur,"5")'
    assert q.ge("healthInst.cur", 5) == 'ge(healthInst.cur,"5")'
    assert q.or_(q.eq("a.b", "1"), q.eq("a.b", "2")) == 'or(eq(a.b,"1"),eq(a.b,"2"))'
    assert q.not_(q.eq("a.b", True)) == 'not(eq(a.b,"yes"))'
    assert q.and_(q.eq("a.b", "1")) == 'eq(a.b,"1")'
    assert q.and_("", q.eq("a.b", "1"), None) == 'eq(a.b,"1")'


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: q.eq("name", "a"), "<class>.<attribute>"),
        (lambda: q.eq("fvTenant.name", 'a"b'), "double quote"),
        (lambda: q.and_(), "at least one"),
        (lambda: q.not_(""), "needs a filter"),
    ],
)
def test_filter_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
