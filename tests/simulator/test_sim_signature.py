"""Signature-based (certificate) authentication and the cert user's websocket session (reference 1.9)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from yarl import URL


def signed_cookie(key, dn: str, method: str, path_qs: str, body: str = "") -> str:
    """The cookie header a signing client sends: RSA-SHA256 over METHOD + path?query + body."""
    signature = key.sign((method + path_qs + body).encode(), padding.PKCS1v15(), hashes.SHA256())
    return (
        f"APIC-Certificate-Algorithm=v1.0; APIC-Certificate-DN={dn}; "
        f"APIC-Certificate-Fingerprint=fingerprint; APIC-Request-Signature={base64.b64encode(signature).decode()}"
    )


def cert_key(sim):
    return serialization.load_pem_private_key(sim.cert_user.key.read_bytes(), password=None)


async def test_signed_get_and_post_work(client):
    sim = client.sim
    key, dn = cert_key(sim), sim.cert_user.dn
    path = "/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,\"common\")"
    status, body, _ = await client.request("GET", path, cookie=signed_cookie(key, dn, "GET", path))
    assert status == 200 and body["totalCount"] == "1"
    payload = '{"fvTenant":{"attributes":{"name":"signed"}}}'
    post_path = "/api/mo/uni.json"
    status, _, _ = await client.request(
        "POST", post_path, body=payload, cookie=signed_cookie(key, dn, "POST", post_path, payload)
    )
    assert status == 200 and sim.mit.get("uni/tn-signed") is not None


async def test_signature_over_the_unquoted_query_is_accepted(client):
    sim = client.sim
    key, dn = cert_key(sim), sim.cert_user.dn
    raw = "/api/class/fvTenant.json?query-target-filter=eq(fvTenant.name,\"my tenant\")"
    encoded = raw.replace(" ", "%20").replace('"', "%22")
    status, _, _ = await client.request("GET", encoded, cookie=signed_cookie(key, dn, "GET", raw))
    assert status == 200


async def test_bad_signatures_are_403(client):
    sim = client.sim
    key, dn = cert_key(sim), sim.cert_user.dn
    path = "/api/mo/uni.json"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = [
        signed_cookie(other_key, dn, "GET", path),  # signed by someone else
        signed_cookie(key, dn, "GET", "/api/mo/uni/tn-common.json"),  # signature for another URL
        signed_cookie(key, dn, "POST", path),  # signature for another method
        signed_cookie(key, "uni/userext/user-nobody/usercert-x", "GET", path),  # unregistered certificate
        signed_cookie(key, dn, "GET", path).replace("v1.0", "v9"),  # unknown algorithm
        f"APIC-Certificate-DN={dn}; APIC-Request-Signature=***",  # not base64
    ]
    for cookie in cases:
        status, body, _ = await client.request("GET", path, cookie=cookie)
        assert status == 403, cookie
        assert body["imdata"][0]["error"]["attributes"]["code"] == "403"


async def test_cert_user_websocket_session_binds_subscriptions(client):
    """aci-containers' flow: signed webtokenSession, socket with that token, subscriptions naming it."""
    sim = client.sim
    key, dn = cert_key(sim), sim.cert_user.dn
    path = "/api/webtokenSession.json"
    status, body, _ = await client.request("GET", path, cookie=signed_cookie(key, dn, "GET", path))
    assert status == 200
    token = body["imdata"][0]["webtokenSession"]["attributes"]["token"]
    socket_path = "/socket" + token
    ws = await client.http.ws_connect(
        URL(sim.ws_url + socket_path, encoded=True), ssl=client.ssl,
        headers={"Cookie": signed_cookie(key, dn, "GET", socket_path)},
    )
    sub_path = "/api/class/fvTenant.json?subscription=yes"
    unbound, _, _ = await client.request("GET", sub_path, cookie=signed_cookie(key, dn, "GET", sub_path))
    assert unbound == 405  # signed, but no APIC-WebSocket-Session: the APIC cannot find the socket
    cookie = signed_cookie(key, dn, "GET", sub_path) + f"; APIC-WebSocket-Session={token}"
    status, body, _ = await client.request("GET", sub_path, cookie=cookie)
    assert status == 200
    sim.control.create_tenant("cert-push")
    frame = await client.next_frame(ws)
    assert frame["subscriptionId"] == [body["subscriptionId"]]
    await ws.close()


async def test_signed_requests_have_no_session_to_refresh(client):
    sim = client.sim
    path = "/api/aaaRefresh.json"
    cookie = signed_cookie(cert_key(sim), sim.cert_user.dn, "GET", path)
    status, _, _ = await client.request("GET", path, cookie=cookie)
    assert status == 403


async def test_cert_user_files_are_what_clients_expect(apic):
    """The key file is named after the certificate (cisco.aci derives certificate_name from it)."""
    cert = apic.cert_user
    assert cert.key.name == f"{cert.cert_name}.key" and cert.key.stat().st_mode & 0o077 == 0
    assert isinstance(serialization.load_pem_private_key(cert.key.read_bytes(), None), rsa.RSAPrivateKey)
    assert cert.dn == f"uni/userext/user-{cert.user}/usercert-{cert.cert_name}"

