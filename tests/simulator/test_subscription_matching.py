"""Matching a change to subscriptions: the per-class candidates the table keeps, and the queries that may skip
`Query.match` (every change of their class matches)."""

from __future__ import annotations

import pytest
from apicsim.clock import SimClock
from apicsim.mit import Change, Mit
from apicsim.query import compile_query
from apicsim.subscriptions import SubscriptionTable


@pytest.fixture(scope="module")
def catalogue():
    return Mit().catalogue


def _query(catalogue, path: str, **params: str):
    return compile_query(catalogue, path, {key.replace("_", "-"): value for key, value in params.items()})


def _change(cls: str, dn: str, **attrs: str) -> Change:
    return Change("modified", cls, dn, {"dn": dn, **attrs}, tuple(attrs), 0.0, dict.fromkeys(attrs, ""))


@pytest.mark.parametrize(("path", "params", "every"), [
    ("/api/class/fvTenant.json", {}, {"fvTenant"}),
    ("/api/class/fvTenant.json", {"query_target_filter": 'eq(fvTenant.name,"a")'}, set()),
    ("/api/class/fvTenant.json", {"query_target": "subtree"}, set()),
    ("/api/mo/uni/tn-a.json", {}, set()),
    ("/api/class/fvTenant.json", {"rsp_subtree_include": "health"}, {"fvTenant"}),
])
def test_only_plain_class_queries_match_every_change_of_their_class(catalogue, path, params, every):
    query = _query(catalogue, path, **params)
    assert query.matches_every == every
    for cls in every:  # what the flag promises is what match() says
        assert query.match(_change(cls, "uni/tn-zzz", descr="x"))


def test_candidates_follow_subscriptions_coming_and_going(catalogue):
    clock = SimClock()
    table = SubscriptionTable(clock)
    tenants = table.add(_query(catalogue, "/api/class/fvTenant.json"), "socket-1", "s", 60)
    change = _change("fvTenant", "uni/tn-a", descr="x")
    assert table.targets(change) == {"socket-1": [tenants.id]}
    filtered = table.add(_query(catalogue, "/api/class/fvTenant.json", query_target_filter='eq(fvTenant.name,"b")'),
                         "socket-1", "s", 600)
    anything = table.add(_query(catalogue, "/api/mo/uni.json", query_target="subtree"), "socket-2", "s", 600)
    assert [sub.id for sub in table.candidates("fvTenant")] == [tenants.id, filtered.id, anything.id]
    assert table.targets(change) == {"socket-1": [tenants.id], "socket-2": [anything.id]}
    assert table.targets(_change("fvTenant", "uni/tn-b", name="b")) == {
        "socket-1": [tenants.id, filtered.id], "socket-2": [anything.id]}

    clock.advance(61)  # the first one lapses: it stops matching and leaves the candidates
    assert table.targets(change) == {"socket-2": [anything.id]}
    assert [sub.id for sub in table.candidates("fvTenant")] == [filtered.id, anything.id]
    table.drop_channel("socket-2")
    assert table.targets(change) == {}
    assert [sub.id for sub in table.candidates("fvTenant")] == [filtered.id]
