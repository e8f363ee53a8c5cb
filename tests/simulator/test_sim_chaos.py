"""Injected trouble: throttling, socket drops, forced expiry, refresh faults, failover."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from apicsim.request_auth import TOKEN_TIMEOUT_TEXT

CLOSED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
LOGIN = {"aaaUser": {"attributes": {"name": "admin", "pwd": "apicsim-demo"}}}


async def test_logins_answer_503_while_throttled(client):
    token = await client.token()
    client.sim.control.throttle_logins(30)
    status, body, headers = await client.request("POST", "/api/aaaLogin.json", body=LOGIN)
    assert status == 503 and "503 Service Temporarily Unavailable" in body
    assert headers["Content-Type"].startswith("text/html")
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200  # only logins
    client.sim.clock.advance(30)
    assert (await client.request("POST", "/api/aaaLogin.json", body=LOGIN))[0] == 200


async def test_throttling_every_request(client):
    token = await client.token()
    client.sim.control.throttle_logins(10, all_requests=True)
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 503
    client.sim.control.disturb_refreshes(count=2, delay=0.5)
    state = client.sim.control.reset_chaos()
    assert state == {"throttle_remaining": 0.0, "throttle_all_requests": False, "refresh_fault_remaining": 0.0,
                     "refresh_faults_left": 0, "refresh_delay": 0.0, "refresh_fail": False,
                     "refresh_before_auth": False, "query_traps": 0, "held_commits": None}, state
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200


@pytest.mark.parametrize("abort", [True, False])
async def test_drop_every_websocket(client, abort):
    token, ws = await client.session()
    _, ws2 = await client.session()
    sub = await client.subscription("/api/class/fvTenant.json", token)
    assert client.sim.control.drop(abort=abort) == {"dropped": 2}
    for socket in (ws, ws2):
        msg = await socket.receive(timeout=5)
        assert msg.type in CLOSED
    status, _, _ = await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token)
    assert status == 400  # subscriptions died with the socket
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200  # the session did not


async def test_expire_sessions_now(client):
    token, ws = await client.session()
    assert client.sim.control.expire_sessions() == {"expired": 1}
    msg = await ws.receive(timeout=5)
    assert msg.type in CLOSED
    status, body, _ = await client.request("GET", "/api/mo/uni.json", token=token)
    assert (status, body["imdata"][0]["error"]["attributes"]["text"]) == (403, TOKEN_TIMEOUT_TEXT)


@pytest.mark.parametrize(("disturbance", "recovery_wait"), [({"count": 1}, 0), ({"seconds": 20}, 20)])
async def test_refreshes_fail_for_a_count_or_a_while(client, disturbance, recovery_wait):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.disturb_refreshes(**disturbance)
    refresh = f"/api/subscriptionRefresh.json?id={sub}"
    assert (await client.request("GET", refresh, token=token))[0] == 400
    client.sim.clock.advance(recovery_wait)
    assert (await client.request("GET", refresh, token=token))[0] == 200
    await ws.close()


async def test_refreshes_can_be_delayed(client):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.disturb_refreshes(count=1, delay=30, fail=False)
    slow = asyncio.create_task(client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token))
    # another request completes while the refresh is still held back
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200
    assert not slow.done()
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    await ws.close()


@pytest.mark.apicsim(refresh_timeout=600)
@pytest.mark.parametrize("before_auth", [True, False])
async def test_a_refresh_held_before_auth_meets_the_token_an_aaa_refresh_replaced(client, before_auth):
    token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.disturb_refreshes(count=1, delay=0.5, fail=False, before_auth=before_auth)
    held = asyncio.create_task(client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=token))
    await asyncio.sleep(0.1)  # the refresh is on the wire, sent with the token of that moment
    status, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    assert status == 200
    new_token = body["imdata"][0]["aaaLogin"]["attributes"]["token"]
    status, body, _ = await held
    if before_auth:  # checked after the aaaRefresh: the old token is dead, as on an APIC that queued it
        assert (status, body["imdata"][0]["error"]["attributes"]["text"]) == (403, TOKEN_TIMEOUT_TEXT)
    else:  # checked on arrival, then held: the old token was still valid
        assert status == 200
    assert (await client.request("GET", f"/api/subscriptionRefresh.json?id={sub}", token=new_token))[0] == 200
    await ws.close()


async def test_disturb_refreshes_needs_a_duration_or_count(client):
    with pytest.raises(Exception, match="seconds > 0 or count > 0"):
        client.sim.control.disturb_refreshes()


# ----------------------------------------------------------------- cluster


@pytest.mark.apicsim(members=2)
async def test_tokens_are_per_member_by_default(client):
    other = type(client)(client.sim, client.http, base=client.sim.urls[1])
    token = await client.token()
    assert client.sim.urls[0] != client.sim.urls[1]
    assert (await other.request("GET", "/api/mo/uni.json", token=token))[0] == 403
    assert (await other.request("GET", "/api/mo/uni.json", token=await other.token()))[0] == 200


@pytest.mark.apicsim(members=2, tokens_across_members=True)
async def test_tokens_may_be_valid_across_members(client):
    other = type(client)(client.sim, client.http, base=client.sim.urls[1])
    token = await client.token()
    assert (await other.request("GET", "/api/mo/uni.json", token=token))[0] == 200
    # the socket still lives on one member: subscribing on the other finds no socket there
    ws = await client.socket(token)
    status, _ = await other.subscribe("/api/class/fvTenant.json", token)
    assert status == 405
    await ws.close()


@pytest.mark.apicsim(members=2)
async def test_members_share_the_object_tree(client):
    other = type(client)(client.sim, client.http, base=client.sim.urls[1])
    token, ws = await other.session()
    await other.subscription("/api/class/fvTenant.json", token)
    body = {"fvTenant": {"attributes": {"name": "shared"}}}
    assert (await client.request("POST", "/api/mo/uni.json", token=await client.token(), body=body))[0] == 200
    assert client.only_mo(await other.next_frame(ws))[1]["dn"] == "uni/tn-shared"
    await ws.close()


@pytest.mark.apicsim(members=2)
async def test_member_down_and_up(client):
    sim = client.sim
    other = type(client)(sim, client.http, base=sim.urls[1])
    token, ws = await client.session()
    other_token = await other.token()
    await sim.control.member_down(0)
    msg = await ws.receive(timeout=5)
    assert msg.type in CLOSED
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.request("GET", "/api/mo/uni.json", token=token)
    assert (await other.request("GET", "/api/mo/uni.json", token=other_token))[0] == 200  # failover target
    await sim.control.member_up(0)
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 403  # sessions were lost
    assert (await client.request("GET", "/api/mo/uni.json", token=await client.token()))[0] == 200
    stats = sim.control.stats()
    assert [m["up"] for m in stats["members"]] == [True, True]
    await ws.close()
