"""The modules' HTTP client against the simulator: sessions, re-login, signing, paging, errors."""

from __future__ import annotations

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.client import ApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.core import errors
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import connection_settings
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import class_path, mo_path


def client_for(sim, **overrides) -> ApicClient:
    options = {"host": "127.0.0.1", "port": sim.port, "username": sim.username, "password": sim.password,
               "ca_path": str(sim.ca_file)}
    options.update(overrides)
    return ApicClient(connection_settings(options, {}))


def test_logs_in_lazily_relogs_once_after_token_timeout_and_logs_out(apic_thread):
    sim = apic_thread.sim
    client = client_for(sim)
    assert apic_thread.call(sim.control.stats)["sessions"] == 0
    first = client.get(class_path("fvTenant"))
    assert int(first["totalCount"]) >= 3
    assert apic_thread.call(sim.control.stats)["sessions"] == 1
    old_token = client.secrets[-1]
    apic_thread.call(sim.control.expire_sessions)
    again = client.get(class_path("fvTenant"))
    assert again["totalCount"] == first["totalCount"]
    assert client.secrets[-1] != old_token, "a new session was opened"
    client.logout()
    assert apic_thread.call(sim.control.stats)["sessions"] == 0


def test_expired_token_twice_is_reported(apic_thread, monkeypatch):
    sim = apic_thread.sim
    client = client_for(sim)
    client.login()
    apic_thread.call(sim.control.expire_sessions)
    real_login = client.login

    def login_then_expire():
        info = real_login()
        apic_thread.call(sim.control.expire_sessions)
        return info

    monkeypatch.setattr(client, "login", login_then_expire)
    with pytest.raises(errors.TokenExpiredError, match="APIC error 403"):
        client.get(class_path("fvTenant"))


def test_signature_auth_has_no_session(apic_thread):
    sim = apic_thread.sim
    cert = sim.cert_user
    client = client_for(sim, username=cert.user, password=None, private_key=str(cert.key),
                        certificate_name=cert.cert_name)
    client.post(mo_path("uni/tn-signed"), {"fvTenant": {"attributes": {"name": "signed"}}})
    assert client.get(mo_path("uni/tn-signed"))["imdata"][0]["fvTenant"]["attributes"]["name"] == "signed"
    assert apic_thread.call(sim.control.stats)["sessions"] == 0
    wrong = client_for(sim, username=cert.user, password=None, private_key=str(cert.key),
                       certificate_name="not-registered")
    with pytest.raises(errors.ApicError) as info:
        wrong.get(class_path("fvTenant"))
    assert info.value.status in (401, 403)


def test_paging_returns_every_object_once(apic_thread):
    sim = apic_thread.sim
    for n in range(7):
        apic_thread.call(sim.control.create_tenant, f"page-{n}")
    client = client_for(sim)
    whole = client.get(class_path("fvTenant"))["imdata"]
    for size in (1, 3, 1000):
        paged = client.get_all(class_path("fvTenant"), {"order-by": "fvTenant.name|asc"}, page_size=size)
        dns = [obj["fvTenant"]["attributes"]["dn"] for obj in paged]
        assert len(dns) == len(set(dns)) == len(whole)
    client.logout()


def test_throttled_login_is_typed_and_readable(apic_thread):
    sim = apic_thread.sim
    apic_thread.call(sim.control.throttle_logins, 30)
    with pytest.raises(errors.ThrottledError) as info:
        client_for(sim).get(class_path("fvTenant"))
    assert str(info.value).startswith("APIC error 503")


def test_wrong_password_never_echoed(apic_thread):
    sim = apic_thread.sim
    with pytest.raises(errors.AuthenticationError) as info:
        client_for(sim, password="Zz-not-it-9").get(class_path("fvTenant"))
    assert "Zz-not-it-9" not in str(info.value)
    assert info.value.status == 401
