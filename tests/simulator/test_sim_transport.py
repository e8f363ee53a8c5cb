"""TLS by default (verifiable with the generated CA), plain HTTP and IPv6 as options, and no secret in logs."""

from __future__ import annotations

import logging
import ssl

import aiohttp
import pytest
from apicsim.logs import redact_target
from apicsim.tls import ensure_tls


async def test_tls_verifies_with_the_generated_ca_only(apic, tmp_path):
    assert apic.url.startswith("https://127.0.0.1:")
    async with aiohttp.ClientSession() as http:
        async with http.get(apic.url + "/api/aaaListDomains.json", ssl=apic.client_ssl_context()) as resp:
            assert resp.status == 200
        stranger = ensure_tls(tmp_path / "other")  # a CA that did not sign the simulator's certificate
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(apic.url + "/api/aaaListDomains.json", ssl=stranger.client_context())
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(apic.url + "/api/aaaListDomains.json", ssl=ssl.create_default_context())


async def test_certificate_names_localhost_and_both_loopbacks(apic):
    async with aiohttp.ClientSession() as http:
        url = apic.url.replace("127.0.0.1", "localhost")
        async with http.get(url + "/api/aaaListDomains.json", ssl=apic.client_ssl_context()) as resp:
            assert resp.status == 200


@pytest.mark.apicsim(tls=False)
async def test_plain_http_option(client):
    assert client.sim.url.startswith("http://") and client.sim.ca_file is None
    _token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.create_tenant("plain")
    assert (await client.next_frame(ws))["subscriptionId"] == [sub]
    await ws.close()


@pytest.mark.apicsim(host="::1")
async def test_ipv6_loopback_option(client):
    assert client.sim.url.startswith("https://[::1]:")
    _token, ws, sub = await client.subscribed("/api/class/fvTenant.json")
    client.sim.control.create_tenant("six")
    assert (await client.next_frame(ws))["subscriptionId"] == [sub]
    await ws.close()


def test_redact_target():
    assert redact_target("/socketab/c+d=") == "/socket<redacted>"
    assert redact_target("/api/mo/uni.json?challenge=s3cr3t&x=1") == "/api/mo/uni.json?challenge=<redacted>&x=1"
    assert redact_target("/api/class/fvTenant.json?subscription=yes") == "/api/class/fvTenant.json?subscription=yes"


async def test_no_secret_reaches_a_log_line(client, caplog):
    """A whole session at DEBUG: password, tokens, challenge never appear in any record."""
    caplog.set_level(logging.DEBUG)
    attrs = await client.login(query="?gui-token-request=yes")
    token, challenge = attrs["token"], attrs["urlToken"]
    ws = await client.socket(token)
    headers = {"APIC-challenge": challenge}
    status, _ = await client.subscribe(f"/api/class/fvTenant.json?challenge={challenge}", token)
    assert status == 200
    await client.request("GET", "/api/aaaRefresh.json", token=token, headers=headers)
    bad_login = {"aaaUser": {"attributes": {"name": "admin", "pwd": "bad"}}}
    await client.request("POST", "/api/aaaLogin.json", body=bad_login)
    client.sim.control.create_tenant("logged")
    await client.next_frame(ws)
    await client.request("GET", "/api/mo/uni.json", token="bogus-token")
    await ws.close()
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await client.socket(token + "x")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/socket<redacted>" in text  # the access log did see the socket request
    for secret in (client.sim.password, token, challenge):
        assert secret not in text
