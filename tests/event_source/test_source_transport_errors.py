"""What a transport failure says: the timeout that actually ran out, the host and port that did not answer."""

import asyncio

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import connection_settings
from ansible_collections.fabricops.aci.plugins.module_utils.core.errors import ConnectionFailedError
from ansible_collections.fabricops.aci.plugins.module_utils.core.tls import ssl_context
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.async_client import AsyncApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.secret_store import SecretStore
from loopback import closed_port


def _client(apic, port: int) -> AsyncApicClient:
    """A client of 127.0.0.1:``port`` with the simulator's credentials and CA, and a 30 s request timeout."""
    settings = connection_settings({"host": "127.0.0.1", "port": port, "username": apic.username,
                                    "password": apic.password, "ca_path": str(apic.ca_file), "timeout": 30},
                                   environ={})
    return AsyncApicClient(settings, ssl_context(True, str(apic.ca_file)), SecretStore((apic.password,)))


async def test_a_refresh_that_times_out_reports_its_own_timeout(apic):
    client = _client(apic, apic.port)
    await client.start()
    socket = None
    try:
        await client.login()
        socket = await client.open_socket(None)
        sub_id, _ = await client.subscribe("/api/class/fvTenant.json?subscription=yes")
        apic.control.disturb_refreshes(count=1, delay=3, fail=False)
        started = asyncio.get_running_loop().time()
        with pytest.raises(ConnectionFailedError) as info:
            await client.refresh_subscription(sub_id, timeout=1)
        took = asyncio.get_running_loop().time() - started
    finally:
        if socket is not None:
            await socket.close()
        await client.close()
    assert took < 2.5
    assert info.value.reason == "no answer within 1 s (timeout)"


async def test_a_refused_connection_names_the_host_and_port_only(apic):
    port = closed_port()
    client = _client(apic, port)
    await client.start()
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await client.login()
    finally:
        await client.close()
    assert str(info.value) == f"Cannot connect to the APIC at 127.0.0.1:{port}: Connection refused (127.0.0.1:{port})"


async def test_the_source_gives_up_with_a_readable_connection_error(apic, plugin_main):
    port = closed_port()
    args = {"host": f"127.0.0.1:{port}", "password": "pw", "ca_path": str(apic.ca_file), "subscriptions": ["fvTenant"],
            "reconnect_attempts": 1}
    with pytest.raises(SourceError) as info:
        await asyncio.wait_for(plugin_main(asyncio.Queue(), args), 10)
    message = str(info.value)
    assert message.endswith(f"Cannot connect to the APIC at 127.0.0.1:{port}: Connection refused (127.0.0.1:{port})")
    assert "SSLContext" not in message and "object at 0x" not in message
