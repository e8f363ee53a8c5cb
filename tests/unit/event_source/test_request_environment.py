"""The proxy and ~/.netrc settings the source looks up once per connection, as aiohttp's trust_env would."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import request_environment
from proxy_env import basic_auth, clear_proxy_environment
from yarl import URL


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    clear_proxy_environment(monkeypatch, netrc)
    return netrc


def test_nothing_set_means_nothing_added(clean_env):
    environment = request_environment.resolve(URL("https://apic.example.net"))
    assert (environment.options, environment.headers) == ({}, {})


def test_the_scheme_proxy_and_its_credentials_are_used(clean_env, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://user:pw@proxy.example.net:3128")
    environment = request_environment.resolve(URL("https://apic.example.net/api"))
    assert environment.options == {"proxy": URL("http://proxy.example.net:3128"),
                                   "proxy_headers": {"Proxy-Authorization": basic_auth("user", "pw")}}
    assert request_environment.resolve(URL("wss://apic.example.net/socket")).options == {}  # wss needs wss_proxy


def test_no_proxy_hosts_are_reached_directly(clean_env, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example.net:3128")
    monkeypatch.setenv("no_proxy", "apic.example.net")
    assert request_environment.resolve(URL("https://apic.example.net")).options == {}
    assert request_environment.resolve(URL("https://other.example.net")).options == {"proxy": URL("http://proxy.example.net:3128")}


def test_netrc_credentials_of_the_host_become_its_authorization_header(clean_env):
    clean_env.write_text("machine apic.example.net login eda password s3cret\n")
    clean_env.chmod(0o600)
    headers = request_environment.resolve(URL("https://apic.example.net")).headers
    assert headers == {"Authorization": basic_auth("eda", "s3cret")}
    assert request_environment.resolve(URL("https://other.example.net")).headers == {}
