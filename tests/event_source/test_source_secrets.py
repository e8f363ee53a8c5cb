"""Secrets never reach a log line, an event or an error, at DEBUG, aiohttp's own logging included.

Every token the simulator issues during the run is recorded (login, every aaaRefresh, every re-login),
and the run goes through the paths that print the most: drops, session expiry, refused refreshes,
throttled logins, a rejected websocket upgrade.
"""

import asyncio
import json
import logging

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.connection import connection_settings
from ansible_collections.fabricops.aci.plugins.module_utils.core.tls import ssl_context
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.async_client import AsyncApicClient
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SocketRejectedError
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.secret_store import SecretStore
from sim_tokens import record_issued_tokens
from source_harness import live, source_args


class Everything(logging.Handler):
    """Every record of every logger, formatted with its traceback, as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("apicsim"):  # the simulator is the test's APIC, not the client
            self.lines.append(self.format(record))


@pytest.fixture
def all_logs():
    handler = Everything()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ("aiohttp", "asyncio")}
    root.setLevel(logging.DEBUG)
    for name in saved[1]:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def issued_tokens(monkeypatch) -> list[str]:
    return record_issued_tokens(monkeypatch)


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [secret[:6] + "..." for secret in secrets if secret and secret in text]


@pytest.mark.apicsim(refresh_timeout=1)
async def test_no_secret_in_any_log_line_or_event_during_a_rough_run(apic, start_source, all_logs, issued_tokens):
    asyncio.get_running_loop().set_debug(True)
    log = await start_source(source_args(apic, {"name": "tenants", "class": "fvTenant"}, refresh_timeout=1))
    await live(log, apic)
    apic.control.create_tenant("s1")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-s1"), "the first tenant")
    apic.control.drop()
    apic.control.create_tenant("s2")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-s2"), "a tenant after a drop")
    apic.control.disturb_refreshes(count=2, fail=True)
    apic.control.expire_sessions()
    apic.control.create_tenant("s3")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-s3"), "a tenant after session expiry")
    apic.control.throttle_logins(0.5)
    apic.control.drop()
    apic.control.create_tenant("s4")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-s4"), "a tenant after throttled logins")
    await asyncio.sleep(1.2)  # a few aaaRefresh rounds: each one issues a new token
    await log.stop()
    asyncio.get_running_loop().set_debug(False)

    secrets = [apic.password, *issued_tokens]
    assert len(issued_tokens) >= 4, "the run should have issued several tokens"
    text = "\n".join(all_logs.lines)
    assert "event_source" in text  # the capture saw the source's own logging
    assert _leaks(text, secrets) == []
    assert _leaks(json.dumps(log.events), secrets) == []


async def test_a_rejected_websocket_upgrade_names_the_status_not_the_token(apic):
    settings = connection_settings({"host": "127.0.0.1", "port": apic.port, "password": apic.password,
                                    "ca_path": str(apic.ca_file)}, environ={})
    secrets = SecretStore((apic.password,))
    client = AsyncApicClient(settings, ssl_context(True, str(apic.ca_file)), secrets)
    await client.start()
    try:
        client.token = "not/a+valid=token"
        with pytest.raises(SocketRejectedError) as info:
            await client.open_socket(None)
    finally:
        await client.close()
    message = str(info.value)
    assert "HTTP 403" in message
    assert "not/a+valid=token" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
