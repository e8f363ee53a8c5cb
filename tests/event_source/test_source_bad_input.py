"""Mistakes end the source at start with one line that names the option (or subscription) and the fix."""

import asyncio

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.event_source import entry
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError
from apicsim.tls import ensure_cert_user
from loopback import closed_port
from source_harness import live, source_args

FAST = 10.0  # seconds: "at start" means before any long retrying


async def _fails(plugin_main, args) -> str:
    queue = asyncio.Queue()
    with pytest.raises(SourceError) as info:
        await asyncio.wait_for(plugin_main(queue, args), FAST)
    message = str(info.value)
    assert "\n" not in message
    assert queue.empty()
    return message


@pytest.mark.parametrize(("change", "expected"), [
    ({"subscriptions": None}, "subscriptions: required"),
    ({"refresh_timeout": "soon"}, "refresh_timeout: expected a whole number"),
    ({"hots": "apic"}, "hots: unknown option"),
    ({"subscriptions": [{"class": "fvTenant", "query_options": {"page-size": 10}}]}, "'page-size' is not allowed"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path: CA file '/nonexistent/ca.pem' does not exist"),
    ({"private_key": "not a key", "password": None}, "private_key:"),
])
async def test_bad_arguments(apic, plugin_main, change, expected):
    args = source_args(apic)
    args.update(change)
    message = await _fails(plugin_main, {key: value for key, value in args.items() if value is not None})
    assert expected in message
    assert apic.password not in message


async def test_wrong_password(apic, plugin_main):
    message = await _fails(plugin_main, source_args(apic, password="wrong-password"))
    assert "refused the login" in message
    assert "check username and password" in message
    assert "wrong-password" not in message


@pytest.mark.parametrize(("wrong", "apic_text"), [
    ("certificate_name", "Unknown certificate DN"),
    ("private_key", "signature verification failed"),
])
async def test_refused_certificate(apic, plugin_main, tmp_path, wrong, apic_text):
    cert = apic.cert_user
    args = source_args(apic, username=cert.user, private_key=str(cert.key), certificate_name=cert.cert_name)
    del args["password"]
    if wrong == "certificate_name":
        args["certificate_name"] = "not-registered"
    else:  # a key of the right shape that the APIC's certificate for the user does not match
        args["private_key"] = str(ensure_cert_user(tmp_path, cert.user, cert.cert_name).key)
    message = await _fails(plugin_main, args)
    assert f"the APIC at 127.0.0.1:{apic.port} refused the login" in message
    assert apic_text in message
    assert "check username, private_key and certificate_name" in message
    assert "PRIVATE KEY" not in message


async def test_unknown_class_names_the_subscription_and_the_apic_text(apic, plugin_main):
    message = await _fails(plugin_main, source_args(apic, {"name": "typo", "class": "fvTenantt"}))
    assert "subscription 'typo'" in message
    assert "unresolved class for fvTenantt" in message


async def test_rejected_filter_names_the_subscription(apic, plugin_main):
    bad = {"name": "filtered", "class": "fvTenant", "query_target_filter": "eq(fvTenant.name"}
    message = await _fails(plugin_main, source_args(apic, bad))
    assert "subscription 'filtered'" in message


async def test_unverifiable_certificate_names_ca_path(apic, plugin_main):
    args = source_args(apic)
    del args["ca_path"]  # the system trust store does not know the simulator's CA
    message = await _fails(plugin_main, args)
    assert "TLS certificate verification failed" in message
    assert "ca_path" in message


async def test_validate_certs_false_is_the_explicit_way_out(apic, start_source):
    args = source_args(apic, {"name": "tenants", "class": "fvTenant"}, validate_certs=False)
    del args["ca_path"]
    log = await start_source(args)
    await live(log, apic)
    apic.control.create_tenant("unverified")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-unverified"), "an event without verification")


async def test_unreachable_apic_gives_up_only_when_asked(plugin_main):
    args = {"host": f"127.0.0.1:{closed_port()}", "password": "x", "subscriptions": ["fvTenant"],
            "reconnect_delay": 0.01, "reconnect_delay_max": 0.02, "reconnect_attempts": 3, "timeout": 2}
    message = await _fails(plugin_main, args)
    assert "gave up after 3 failed connection attempt(s)" in message
    assert "Cannot connect to the APIC at 127.0.0.1" in message


async def test_unreachable_apic_is_retried_forever_by_default(plugin_main):
    args = {"host": f"127.0.0.1:{closed_port()}", "password": "x", "subscriptions": ["fvTenant"],
            "reconnect_delay": 0.01, "reconnect_delay_max": 0.05}
    task = asyncio.ensure_future(plugin_main(asyncio.Queue(), args))
    done, _ = await asyncio.wait([task], timeout=0.5)
    assert not done, "the source gave up although reconnect_attempts is 0"
    task.cancel()
    await asyncio.wait([task], timeout=1)
    assert task.cancelled()


def test_missing_aiohttp_is_reported_with_an_install_hint(monkeypatch):
    monkeypatch.setattr(entry, "HAS_AIOHTTP", False)  # aiohttp is installed here; its absence is simulated
    with pytest.raises(SourceError, match="needs the Python package aiohttp"):
        entry.build_source(asyncio.Queue(), {"host": "a", "password": "p", "subscriptions": ["fvTenant"]})
