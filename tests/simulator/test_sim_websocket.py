"""The websocket: opening it for a session, subscribing, and no replay after a drop."""

from __future__ import annotations

import json

import aiohttp
import pytest
import websockets
from apicsim.rest import NO_SOCKET_TEXT


async def test_socket_path_takes_the_raw_token_with_slashes(client):
    token, ws = await client.session()
    assert "/" in token  # the simulator's tokens always contain "/", so this path really has one
    sub = await client.subscription("/api/class/fvTenant.json", token)
    client.sim.control.create_tenant("slash")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [sub]
    await ws.close()


async def test_a_different_client_library_can_hold_the_socket(client):
    """The `websockets` library (used by other APIC clients) with verified TLS."""
    token = await client.token()
    uri = client.sim.ws_url + "/socket" + token
    async with websockets.connect(uri, ssl=client.sim.client_ssl_context()) as ws:
        sub = await client.subscription("/api/class/fvTenant.json", token)
        client.sim.control.create_tenant("other-lib")
        frame = json.loads(await ws.recv())
        assert frame["subscriptionId"] == [sub]
        await ws.ping()  # answered by the server, or this would hang until the test times out


async def test_bad_token_is_rejected_at_the_handshake(client):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await client.socket("not-a-token")
    assert info.value.status == 403


@pytest.mark.apicsim(handshake_on_bad_token="accept-close")
async def test_bad_token_may_be_accepted_then_closed(client):
    ws = await client.socket("not-a-token")
    msg = await ws.receive(timeout=5)
    assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == client.sim.options.ws_close_code


async def test_socket_answers_pings_and_ignores_client_messages(client):
    token = await client.token()
    ws = await client.socket(token, autoping=False)
    await ws.ping(b"are-you-there")
    msg = await ws.receive(timeout=5)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.PONG, b"are-you-there")
    await ws.send_str('{"hello": "apic"}')
    sub = await client.subscription("/api/class/fvTenant.json", token)
    client.sim.control.create_tenant("after-chatter")
    assert (await client.next_frame(ws))["subscriptionId"] == [sub]
    await ws.close()


async def test_socket_survives_refresh_and_binds_new_token_subscriptions(client):
    token, ws, first = await client.subscribed("/api/class/fvTenant.json")
    _, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    new_token = body["imdata"][0]["aaaLogin"]["attributes"]["token"]
    second = await client.subscription("/api/class/fvTenant.json", new_token)
    client.sim.control.create_tenant("after-refresh")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [first, second]
    await ws.close()


async def test_logout_closes_the_socket(client):
    token, ws = await client.session()
    body = {"aaaUser": {"attributes": {"name": "admin"}}}
    await client.request("POST", "/api/aaaLogout.json", token=token, body=body)
    msg = await ws.receive(timeout=5)
    assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == client.sim.options.ws_close_code


async def test_session_expiry_closes_the_socket_without_any_request(client):
    _, ws = await client.session()
    client.sim.clock.advance(601)
    msg = await ws.receive(timeout=5)
    assert msg.type == aiohttp.WSMsgType.CLOSE


async def test_subscribe_without_a_socket_is_405_with_the_apic_text(client):
    token = await client.token()
    status, body = await client.subscribe("/api/class/fvTenant.json", token)
    assert status == 405
    assert body == {"totalCount": "1", "imdata": [{"error": {"attributes": {"code": "405", "text": NO_SOCKET_TEXT}}}]}


async def test_subscribe_answers_string_ids_that_increment_and_the_snapshot(client):
    token, ws = await client.session()
    status, first = await client.subscribe("/api/class/fvTenant.json", token)
    assert status == 200
    assert set(first) == {"totalCount", "subscriptionId", "imdata"}
    sub_id = first["subscriptionId"]
    assert isinstance(sub_id, str) and len(sub_id) == 17 and sub_id.isdigit()
    names = {mo["fvTenant"]["attributes"]["name"] for mo in first["imdata"]}
    assert {"common", "infra", "mgmt"} <= names
    assert first["totalCount"] == str(len(first["imdata"]))
    assert all(mo["fvTenant"]["attributes"]["status"] == "" for mo in first["imdata"])
    _, second = await client.subscribe("/api/node/class/fvTenant.json", token)
    assert int(second["subscriptionId"]) == int(sub_id) + 1
    await ws.close()


async def test_subscribing_to_a_missing_dn_is_200_with_nothing(client):
    token, ws = await client.session()
    status, body = await client.subscribe("/api/mo/uni/tn-nothere.json", token)
    assert status == 200 and body["totalCount"] == "0" and body["imdata"] == []
    await ws.close()


async def test_subscribing_to_an_unknown_class_is_400(client):
    token, ws = await client.session()
    status, body = await client.subscribe("/api/class/fvNoSuch.json", token)
    assert status == 400
    assert body["imdata"][0]["error"]["attributes"]["text"] == "Request failed, unresolved class for fvNoSuch"
    await ws.close()


async def test_query_target_filter_decides_what_is_pushed(client):
    _token, ws, sub = await client.subscribed('/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,"wanted")')
    client.sim.control.create_tenant("unwanted")
    client.sim.control.create_tenant("wanted")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [sub]
    assert client.only_mo(frame)[1]["dn"] == "uni/tn-wanted"
    await ws.close()


async def test_subtree_subscription_with_target_subtree_class(client):
    token, ws = await client.session()
    client.sim.control.create_tenant("tree")
    sub = await client.subscription("/api/mo/uni/tn-tree.json?query-target=subtree&target-subtree-class=fvBD", token)
    client.sim.control.post("uni/tn-tree", {"fvCtx": {"attributes": {"name": "v1"}}})
    client.sim.control.post("uni/tn-tree", {"fvBD": {"attributes": {"name": "b1"}}})
    client.sim.control.create_tenant("elsewhere")
    client.sim.control.post("uni/tn-elsewhere", {"fvBD": {"attributes": {"name": "b2"}}})
    client.sim.control.post("uni/tn-tree", {"fvBD": {"attributes": {"name": "b3"}}})
    frames = [await client.next_frame(ws) for _ in range(2)]
    assert all(frame["subscriptionId"] == [sub] for frame in frames)
    seen = [(cls, attrs["dn"]) for cls, attrs in map(client.only_mo, frames)]
    assert seen == [("fvBD", "uni/tn-tree/BD-b1"), ("fvBD", "uni/tn-tree/BD-b3")]
    await ws.close()


async def test_children_subscription_sees_only_direct_children(client):
    token, ws = await client.session()
    client.sim.control.create_tenant("kids")
    await client.subscription("/api/mo/uni/tn-kids.json?query-target=children", token)
    client.sim.control.post("uni/tn-kids", {"fvAp": {"attributes": {"name": "ap"}}})
    client.sim.control.post("uni/tn-kids/ap-ap", {"fvAEPg": {"attributes": {"name": "grandchild"}}})
    client.sim.control.post("uni/tn-kids", {"fvCtx": {"attributes": {"name": "v"}}})
    dns = [client.only_mo(await client.next_frame(ws))[1]["dn"] for _ in range(2)]
    assert dns == ["uni/tn-kids/ap-ap", "uni/tn-kids/ctx-v"]
    await ws.close()


async def test_no_replay_after_a_drop(client):
    token, ws, old_id = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.drop()
    msg = await ws.receive(timeout=5)
    assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE)
    client.sim.control.create_tenant("missed")  # happens while nobody listens
    ws2 = await client.socket(token)
    status, _body, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={old_id}", token=token)
    assert status == 400  # the old subscription died with its socket
    new_id = await client.subscription("/api/class/fvTenant.json", token)
    assert int(new_id) > int(old_id)
    client.sim.control.create_tenant("seen")
    frame = await client.next_frame(ws2)
    assert frame["subscriptionId"] == [new_id]
    assert client.only_mo(frame)[1]["dn"] == "uni/tn-seen"  # nothing about tn-missed was buffered
    await ws2.close()


async def test_duplicated_cookie_subscription_is_not_bound_to_the_socket(client):
    token, ws = await client.session()
    quirk_status, quirk = await client.subscribe(
        "/api/class/fvTenant.json", token, cookie=f"APIC-cookie={token}; APIC-cookie={token}"
    )
    assert quirk_status == 200 and quirk["subscriptionId"].isdigit()
    assert quirk["imdata"] == [] and quirk["totalCount"] == "0"
    normal = await client.subscription("/api/class/fvTenant.json", token)
    client.sim.control.create_tenant("quirk")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [normal]  # the quirk subscription never pushes
    await ws.close()


async def test_subscription_no_is_a_plain_get(client):
    token = await client.token()
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json?subscription=no", token=token)
    assert status == 200 and "subscriptionId" not in body and int(body["totalCount"]) >= 3


async def test_bracketed_dn_subscription_with_raw_brackets(client):
    control = client.sim.control
    control.create_tenant("br")
    control.post("uni/tn-br", {"fvBD": {"attributes": {"name": "bd"}}})
    control.post("uni/tn-br/BD-bd", {"fvSubnet": {"attributes": {"ip": "10.0.0.1/24"}}})
    token, ws = await client.session()
    status, body = await client.subscribe("/api/mo/uni/tn-br/BD-bd/subnet-[10.0.0.1/24].json", token)
    assert status == 200 and body["imdata"][0]["fvSubnet"]["attributes"]["ip"] == "10.0.0.1/24"
    control.modify("uni/tn-br/BD-bd/subnet-[10.0.0.1/24]", {"descr": "bracketed"})
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [body["subscriptionId"]]
    assert client.only_mo(frame)[1]["dn"] == "uni/tn-br/BD-bd/subnet-[10.0.0.1/24]"
    await ws.close()


async def test_paged_subscription_snapshot_still_pushes_the_whole_class(client):
    token, ws = await client.session()
    status, body = await client.subscribe("/api/class/fvTenant.json?page=0&page-size=1", token)
    assert status == 200 and len(body["imdata"]) == 1 and int(body["totalCount"]) > 1
    client.sim.control.create_tenant("zz-after-page")
    assert client.only_mo(await client.next_frame(ws))[1]["name"] == "zz-after-page"
    await ws.close()
