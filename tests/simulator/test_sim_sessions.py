"""Sessions as the APIC keeps them: login, refresh, logout, auth errors, lifetimes, challenge."""

from __future__ import annotations

import pytest
from apicsim.request_auth import CHALLENGE_TEXT, NO_TOKEN_TEXT, TOKEN_TIMEOUT_TEXT

LOGIN_KEYS = {
    "token", "siteFingerprint", "refreshTimeoutSeconds", "maximumLifetimeSeconds", "guiIdleTimeoutSeconds",
    "restTimeoutSeconds", "creationTime", "firstLoginTime", "userName", "remoteUser", "unixUserId",
    "sessionId", "lastName", "firstName", "version", "buildTime", "node",
}


def error_of(body: dict) -> tuple[str, str]:
    assert body["totalCount"] == "1"
    attrs = body["imdata"][0]["error"]["attributes"]
    return attrs["code"], attrs["text"]


async def login_raw(client, name, pwd, query=""):
    return await client.request(
        "POST", "/api/aaaLogin.json" + query, body={"aaaUser": {"attributes": {"name": name, "pwd": pwd}}}
    )


async def test_login_envelope_cookie_and_opaque_token(client):
    status, body, headers = await login_raw(client, "admin", client.sim.password)
    assert status == 200
    assert body["totalCount"] == "1" and len(body["imdata"]) == 1
    login = body["imdata"][0]["aaaLogin"]
    attrs = login["attributes"]
    assert set(attrs) >= LOGIN_KEYS
    assert all(isinstance(v, str) for v in attrs.values()), attrs
    assert attrs["refreshTimeoutSeconds"] == "600" and attrs["maximumLifetimeSeconds"] == "86400"
    assert attrs["userName"] == "admin" and "urlToken" not in attrs
    assert {next(iter(c)) for c in login["children"]} == {"aaaUserDomain", "DnDomainMapEntry"}
    token = attrs["token"]
    assert "/" in token and "+" in token and "=" in token
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"APIC-cookie={token};")


async def test_bad_password_is_401_with_the_apic_body(client):
    status, body, headers = await login_raw(client, "admin", "wrong")
    assert status == 401
    assert error_of(body) == ("401", "Username or password is incorrect - FAILED local authentication")
    assert "Set-Cookie" not in headers


@pytest.mark.parametrize("name", ["apic#fallback\\admin", "apic:fallback\\admin", "apic#DefaultAuth\\admin"])
async def test_login_domains_are_accepted(client, name):
    status, body, _ = await login_raw(client, name, client.sim.password)
    assert status == 200, body
    assert body["imdata"][0]["aaaLogin"]["attributes"]["userName"] == "admin"


async def test_unknown_login_domain_is_refused(client):
    status, _body, _ = await login_raw(client, "apic#nosuch\\admin", client.sim.password)
    assert status == 401


async def test_list_domains_is_anonymous(client):
    status, body, _ = await client.request("GET", "/api/aaaListDomains.json")
    assert status == 200
    names = [d["name"] for d in body["imdata"]]
    assert "fallback" in names and body["totalCount"] == str(len(names))


@pytest.mark.parametrize("body", ['{"aaaUser": {}}', '{"fvTenant": {"attributes": {}}}', "not json", ""])
async def test_malformed_login_bodies_are_400(client, body):
    status, data, _ = await client.request("POST", "/api/aaaLogin.json", body=body)
    assert status == 400
    assert error_of(data)[0] == "400"


async def test_refresh_returns_aaalogin_with_a_new_token_same_session(client):
    first = await client.login()
    status, body, headers = await client.request("GET", "/api/aaaRefresh.json", token=first["token"])
    assert status == 200
    attrs = body["imdata"][0]["aaaLogin"]["attributes"]
    assert attrs["token"] != first["token"]
    assert attrs["sessionId"] == first["sessionId"] and attrs["creationTime"] == first["creationTime"]
    assert headers["Set-Cookie"].startswith(f"APIC-cookie={attrs['token']};")
    # the new token works; the old one is gone (strict default)
    assert (await client.request("GET", "/api/mo/uni.json", token=attrs["token"]))[0] == 200
    status, body, _ = await client.request("GET", "/api/mo/uni.json", token=first["token"])
    assert (status, error_of(body)[1]) == (403, TOKEN_TIMEOUT_TEXT)


async def test_refresh_by_post_works_too(client):
    token = await client.token()
    status, body, _ = await client.request("POST", "/api/aaaRefresh.json", token=token)
    assert status == 200 and body["imdata"][0]["aaaLogin"]["attributes"]["token"] != token


@pytest.mark.apicsim(old_token_survives_refresh=True)
async def test_old_token_may_survive_refresh(client):
    token = await client.token()
    status, _body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    assert status == 200
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200


async def test_no_cookie_is_403_need_a_valid_webtoken(client):
    status, body, _ = await client.request("GET", "/api/class/fvTenant.json")
    assert status == 403
    assert error_of(body) == ("403", NO_TOKEN_TEXT)


async def test_token_expires_after_refresh_timeout(client):
    token = await client.token()
    client.sim.clock.advance(599)
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200
    client.sim.clock.advance(2)
    status, body, _ = await client.request("GET", "/api/mo/uni.json", token=token)
    assert (status, error_of(body)) == (403, ("403", TOKEN_TIMEOUT_TEXT))
    # refreshing an expired session is too late as well
    assert (await client.request("GET", "/api/aaaRefresh.json", token=token))[0] == 403


async def test_refresh_restarts_the_idle_window(client):
    token = await client.token()
    client.sim.clock.advance(500)
    _, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    token = body["imdata"][0]["aaaLogin"]["attributes"]["token"]
    client.sim.clock.advance(500)
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200


async def test_strict_idle_timer_ignores_ordinary_requests(client):
    token = await client.token()
    for _ in range(2):
        client.sim.clock.advance(250)
        assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200
    client.sim.clock.advance(250)  # 750 s after login, 250 s after the last request
    status, _, _ = await client.request("GET", "/api/mo/uni.json", token=token)
    assert status == 403


@pytest.mark.apicsim(idle_timer="sliding")
async def test_sliding_idle_timer_is_kept_alive_by_requests(client):
    token = await client.token()
    for _ in range(4):
        client.sim.clock.advance(400)
        assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200


@pytest.mark.apicsim(maximum_lifetime=1000, refresh_timeout=600)
async def test_refresh_cannot_pass_the_maximum_lifetime(client):
    token = await client.token()
    client.sim.clock.advance(500)
    _, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    token = body["imdata"][0]["aaaLogin"]["attributes"]["token"]
    client.sim.clock.advance(501)  # 1001 s after login: past the cap though the refresh was 501 s ago
    status, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token)
    assert (status, error_of(body)[1]) == (403, TOKEN_TIMEOUT_TEXT)


async def test_logout_ends_the_session(client):
    token = await client.token()
    body = {"aaaUser": {"attributes": {"name": "admin"}}}
    status, data, _ = await client.request("POST", "/api/aaaLogout.json", token=token, body=body)
    assert (status, data) == (200, {"totalCount": "0", "imdata": []})
    status, data, _ = await client.request("GET", "/api/mo/uni.json", token=token)
    assert (status, error_of(data)[1]) == (403, TOKEN_TIMEOUT_TEXT)


async def test_challenge_is_enforced_when_asked_for(client):
    attrs = await client.login(query="?gui-token-request=yes")
    token, challenge = attrs["token"], attrs["urlToken"]
    assert challenge
    status, body, _ = await client.request("GET", "/api/mo/uni.json", token=token)
    assert (status, error_of(body)[1]) == (403, CHALLENGE_TEXT)
    wrong = {"APIC-challenge": challenge + "x"}
    assert (await client.request("GET", "/api/mo/uni.json", token=token, headers=wrong))[0] == 403
    good = {"APIC-challenge": challenge}
    assert (await client.request("GET", "/api/mo/uni.json", token=token, headers=good))[0] == 200
    assert (await client.request("GET", f"/api/mo/uni.json?challenge={challenge}", token=token))[0] == 200
    # refresh answers an empty urlToken; the original challenge stays valid for the new token
    status, body, _ = await client.request("GET", "/api/aaaRefresh.json", token=token, headers=good)
    refreshed = body["imdata"][0]["aaaLogin"]["attributes"]
    assert status == 200 and refreshed["urlToken"] == ""
    assert (await client.request("GET", "/api/mo/uni.json", token=refreshed["token"], headers=good))[0] == 200


async def test_no_challenge_without_gui_token_request(client):
    token = await client.token()
    assert (await client.request("GET", "/api/mo/uni.json", token=token))[0] == 200


async def test_cookie_forms_real_clients_send(client):
    token = await client.token()
    forms = [
        f"APIC-cookie={token}; path=/; HttpOnly; Secure",  # cisco.aci echoes the whole Set-Cookie value
        f"APIC-Cookie={token}",
        f"other=1; APIC-cookie={token}",
        f"APIC-cookie={token}; APIC-cookie={token}",  # the duplicated-cookie quirk: reads still work
    ]
    for cookie in forms:
        assert (await client.request("GET", "/api/mo/uni.json", cookie=cookie))[0] == 200, cookie
    assert (await client.request("GET", "/api/mo/uni.json", headers={"DevCookie": token}))[0] == 200


async def test_writes_with_a_duplicated_cookie_work(client):
    token = await client.token()
    body = {"fvTenant": {"attributes": {"name": "dup"}}}
    status, _, _ = await client.request("POST", "/api/mo/uni.json", body=body,
                                        cookie=f"APIC-cookie={token}; APIC-cookie={token}")
    assert status == 200 and client.sim.mit.get("uni/tn-dup") is not None
