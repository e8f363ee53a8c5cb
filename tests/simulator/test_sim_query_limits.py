"""The APIC's result limit ("result dataset is too big"), and paging over HTTP, plain and subscribing."""

from __future__ import annotations

import pytest
from apicsim.query import TOO_BIG_TEXT


def _dns(body: dict) -> list[str]:
    return [next(iter(item.values()))["attributes"]["dn"] for item in body["imdata"]]


async def _tenants(client, count: int, prefix: str = "t") -> None:
    for index in range(count):
        client.sim.control.create_tenant(f"{prefix}{index:03d}")


@pytest.mark.apicsim(max_query_objects=10)
async def test_a_class_query_above_the_limit_is_refused_with_the_apic_text(client):
    await _tenants(client, 8)  # 5 tenants come with the fabric: 13 in all
    token = await client.token()
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json", token=token)
    assert status == 400
    assert body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT
    # a subtree query counts the objects it returns, too
    status, body, _ = await client.request("GET", "/api/mo/uni.json?query-target=subtree&target-subtree-class=fvTenant",
                                           token=token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT
    # the count alone, a filtered result and a page within the limit are answered
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json?rsp-subtree-include=count", token=token)
    assert status == 200 and body["imdata"][0]["moCount"]["attributes"]["count"] == "13"
    status, body, _ = await client.request(
        "GET", '/api/class/fvTenant.json?query-target-filter=wcard(fvTenant.name,"t00")', token=token)
    assert status == 200 and len(body["imdata"]) == 8
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json?page=1&page-size=10", token=token)
    assert status == 200 and body["totalCount"] == "13" and len(body["imdata"]) == 3
    # a page that would hold more than the limit is refused like the whole result
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json?page=0&page-size=11", token=token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT


async def test_the_default_limit_answers_a_fabric_of_ordinary_size(client):
    assert client.sim.options.max_query_objects == 50_000
    await _tenants(client, 20)
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json", token=await client.token())
    assert status == 200 and body["totalCount"] == "25"


@pytest.mark.apicsim(max_query_objects=10)
async def test_pages_ordered_by_dn_cover_the_class_once(client):
    await _tenants(client, 20)
    token = await client.token()
    seen = []
    total = None
    for page in range(3):
        status, body, _ = await client.request(
            "GET", f"/api/class/fvTenant.json?order-by=fvTenant.dn&page={page}&page-size=10", token=token)
        assert status == 200, body
        total = int(body["totalCount"])
        seen.extend(_dns(body))
    assert total == 25 and len(seen) == 25 and seen == sorted(seen)
    status, body, _ = await client.request(
        "GET", "/api/class/fvTenant.json?order-by=fvTenant.dn|desc&page=0&page-size=3", token=token)
    assert _dns(body) == sorted(seen, reverse=True)[:3]


@pytest.mark.apicsim(max_query_objects=10)
async def test_an_unpaged_subscription_above_the_limit_is_refused_and_makes_no_subscription(client):
    await _tenants(client, 8)
    token, ws = await client.session()
    status, body = await client.subscribe("/api/class/fvTenant.json", token)
    assert status == 400 and body["imdata"][0]["error"]["attributes"]["text"] == TOO_BIG_TEXT
    assert "subscriptionId" not in body
    client.sim.control.create_tenant("after-refusal")
    status, body = await client.subscribe("/api/class/fvCtx.json", token)  # a frame for it proves the socket lives
    client.sim.control.post("uni/tn-common", {"fvCtx": {"attributes": {"name": "v-after"}}})
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [body["subscriptionId"]]  # nothing came for the refused fvTenant query
    await ws.close()


@pytest.mark.apicsim(max_query_objects=10)
async def test_a_paged_subscription_answers_one_page_and_pushes_for_every_page(client):
    await _tenants(client, 20)
    token, ws = await client.session()
    status, body = await client.subscribe("/api/class/fvTenant.json?order-by=fvTenant.dn&page=0&page-size=5", token)
    assert status == 200 and body["totalCount"] == "25" and len(body["imdata"]) == 5
    sub = body["subscriptionId"]
    first_page = set(_dns(body))
    last = "uni/tn-t019"
    assert last not in first_page
    client.sim.control.modify(last, {"descr": "on the last page"})
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [sub] and client.only_mo(frame)[1]["dn"] == last
    # the next pages are plain queries: they make no second subscription
    status, body, _ = await client.request(
        "GET", "/api/class/fvTenant.json?order-by=fvTenant.dn&page=4&page-size=5", token=token)
    assert status == 200 and last in _dns(body) and "subscriptionId" not in body
    client.sim.control.delete(last)
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [sub] and client.only_mo(frame)[1]["status"] == "deleted"
    await ws.close()
