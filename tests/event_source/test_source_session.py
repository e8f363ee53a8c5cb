"""The session under the subscriptions: token changes in flight, and logins the APIC stops accepting."""

import pytest
from apicsim.tls import ensure_cert_user
from source_harness import live, source_args


def _refreshes(requests_seen) -> list[str]:
    """The status of every subscriptionRefresh the simulator answered, in order."""
    return [line.split()[2] for line in requests_seen.lines if "/api/subscriptionRefresh.json" in line]


@pytest.mark.apicsim(refresh_timeout=1)  # aaaRefresh every 0.5 s, each one killing the token before it
async def test_a_subscription_refresh_that_crosses_a_session_refresh_is_sent_again(apic, start_source,
                                                                                   requests_seen):
    log = await start_source(source_args(apic, refresh_timeout=6))  # subscriptionRefresh every 2 s
    await live(log, apic)
    # The next subscriptionRefresh is held 0.8 s before its token is checked: an aaaRefresh answers meanwhile.
    apic.control.disturb_refreshes(count=1, delay=0.8, fail=False, before_auth=True)
    await log.wait_for(lambda _: _refreshes(requests_seen)[:2] == ["403", "200"],
                       "a refresh refused with the replaced token, then accepted with the new one")
    apic.control.create_tenant("after-race")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-after-race"), "an event after the race")
    assert not log.of("created", "uni/tn-after-race")[0]["recovered"]
    assert requests_seen.count("/api/aaaRefresh.json") >= 1
    assert requests_seen.count("/api/aaaLogin.json") == 1, "the session was thrown away and opened again"
    assert requests_seen.count("subscription=yes") == 1, "the subscription was made again"


async def test_a_certificate_refused_after_a_healthy_start_is_retried(apic_factory, start_source, tmp_path,
                                                                      requests_seen):
    apic = await apic_factory()
    cert = apic.cert_user
    args = source_args(apic, username=cert.user, private_key=str(cert.key), certificate_name=cert.cert_name,
                       reconnect_delay=0.05, reconnect_delay_max=0.1)
    del args["password"]
    log = await start_source(args)
    await live(log, apic)
    # The APIC now holds another certificate under the same name: every signature fails to verify.
    other = ensure_cert_user(tmp_path, cert.user)
    apic.verifier.register(cert.user, cert.cert_name, other.cert.read_bytes())
    apic.control.expire_sessions()
    apic.control.drop()
    await log.wait_for(lambda _: requests_seen.count("/api/webtokenSession.json 403") >= 3,
                       "the refused certificate tried again and again")
    assert not log.task.done()
    apic.verifier.register(cert.user, cert.cert_name, cert.cert.read_bytes())
    await live(log, apic)
    apic.control.create_tenant("cert-back")
    await log.wait_for(lambda seen: seen.of("created", "uni/tn-cert-back"), "an event once the certificate is back")
