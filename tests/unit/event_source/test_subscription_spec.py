"""The subscriptions argument: every form users write, and a one-line error naming the item for each mistake."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.subscription_spec import (
    SubscriptionSpec,
    parse_subscriptions,
)


def _urls(value):
    return [(spec.name, spec.url) for spec in parse_subscriptions(value)]


def test_class_dn_and_path_subscriptions_build_raw_apic_urls():
    assert _urls([
        {"name": "tenants", "class": "fvTenant", "rsp_subtree_include": "health"},
        {"name": "bd", "dn": "uni/tn-a/BD-b/subnet-[10.0.0.1/24]"},
        {"name": "web", "dn": "uni/tn-a", "query_target": "subtree", "target_subtree_class": ["fvAEPg", "fvBD"],
         "query_target_filter": 'eq(fvAEPg.name,"web")'},
        {"name": "leaf", "class": "faultInst", "node": "topology/pod-1/node-101"},
        {"name": "raw", "path": '/api/node/class/faultInst.json?query-target-filter=eq(faultInst.severity,"critical")'},
    ]) == [
        ("tenants", "/api/class/fvTenant.json?rsp-subtree-include=health"),
        ("bd", "/api/mo/uni/tn-a/BD-b/subnet-[10.0.0.1/24].json"),
        ("web", '/api/mo/uni/tn-a.json?query-target=subtree&target-subtree-class=fvAEPg,fvBD'
                '&query-target-filter=eq(fvAEPg.name,"web")'),
        ("leaf", "/api/node/class/topology/pod-1/node-101/faultInst.json"),
        ("raw", '/api/node/class/faultInst.json?query-target-filter=eq(faultInst.severity,"critical")'),
    ]


def test_shorthands_strings_comma_text_and_json_text():
    assert _urls(["fvTenant"]) == [("fvTenant", "/api/class/fvTenant.json")]
    assert _urls("fvTenant, fvBD") == [("fvTenant", "/api/class/fvTenant.json"), ("fvBD", "/api/class/fvBD.json")]
    assert _urls('[{"class": "fvCtx", "name": "vrfs"}]') == [("vrfs", "/api/class/fvCtx.json")]


def test_query_options_pass_any_other_apic_option():
    assert _urls([{"class": "fvTenant", "query_options": {"rsp-prop-include": "config-only"}}]) == [
        ("fvTenant", "/api/class/fvTenant.json?rsp-prop-include=config-only")]


def test_subscribe_url_adds_subscription_and_refresh_timeout():
    spec = SubscriptionSpec("a", "/api/class/fvTenant.json")
    assert spec.subscribe_url(60) == "/api/class/fvTenant.json?subscription=yes&refresh-timeout=60"
    spec = SubscriptionSpec("a", "/api/class/fvTenant.json?rsp-subtree-include=health")
    assert spec.subscribe_url(5) == (
        "/api/class/fvTenant.json?rsp-subtree-include=health&subscription=yes&refresh-timeout=5")


@pytest.mark.parametrize(("value", "message"), [
    (None, r"subscriptions: required"),
    ([], r"subscriptions: required"),
    ("[not json", r"subscriptions: the text looks like JSON"),
    ([42], r"subscriptions\[0\]: expected a class name or a mapping"),
    ([{"name": "x"}], r"subscriptions\[0\]: give exactly one of class, dn or path"),
    ([{"class": "fvTenant", "dn": "uni"}], r"subscriptions\[0\]: give exactly one of class, dn or path"),
    ([{"class": "fv Tenant"}], r"subscriptions\[0\]\.class: .*not an APIC class name"),
    (["fvTenant", {"class": "fvBD", "clas": "x"}], r"subscriptions\[1\]: unknown key\(s\) clas"),
    ([{"class": "fvTenant", "query_target": "everything"}], r"subscriptions\[0\]\.query_target: must be one of"),
    ([{"class": "fvTenant", "rsp_subtree": "deep"}], r"subscriptions\[0\]\.rsp_subtree: must be one of"),
    ([{"class": "fvTenant", "query_options": {"page-size": 1}}], r"'page-size' is not allowed"),
    ([{"class": "fvTenant", "query_options": {"subscription": "no"}}], r"'subscription' is not allowed"),
    ([{"class": "fvTenant", "query_options": "x"}], r"query_options: expected a mapping"),
    ([{"path": "fvTenant"}], r"subscriptions\[0\]\.path: expected an API path"),
    ([{"path": "/api/class/fvTenant.json?page=0&page-size=1"}], r"'page' is not allowed in the path"),
    ([{"path": "/api/class/fvTenant.json", "query_target": "self"}], r"a raw path carries its own query"),
    ([{"dn": "uni/tn-a", "node": "topology/pod-1/node-1"}], r"node: only applies to class subscriptions"),
    (["fvTenant", "fvTenant"], r"subscriptions\[1\]\.name: 'fvTenant' is used twice"),
    ([{"name": "has space", "class": "fvTenant"}], r"subscriptions\[0\]\.name: use letters"),
    ([{"class": "fvTenant", "target_subtree_class": []}], r"target_subtree_class: must not be an empty list"),
    ([{"class": ["fvTenant"]}], r"subscriptions\[0\]\.class: expected text"),
])
def test_mistakes_give_one_line_naming_the_item(value, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_subscriptions(value)
    assert "\n" not in str(info.value)
