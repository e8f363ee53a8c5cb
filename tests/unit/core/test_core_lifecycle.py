"""The lifecycle core with a fake clock: every decision of the event source's connection, path by path.

Times are plain numbers; nothing sleeps. Backoff first (immediate first retry, exponential growth, a cap,
bounded jitter), then reconnects and failover, the session's timers, subscription refreshes, and the paths
found in the field: a refresh racing aaaRefresh, a certificate refused at webtokenSession, 503 storms, every
member down.
"""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core import lifecycle
from ansible_collections.fabricops.aci.plugins.module_utils.core.lifecycle import (
    Action,
    Backoff,
    Outcome,
    Reconnects,
    Session,
)


def test_first_retry_is_immediate_then_doubles_up_to_the_cap():
    backoff = Backoff(initial=1, maximum=10, factor=2, jitter=0, rand=lambda: 0.7)
    assert [backoff.delay() for _ in range(7)] == [0, 1, 2, 4, 8, 10, 10]
    assert backoff.attempts == 7


def test_jitter_only_shortens_within_its_fraction():
    low = Backoff(initial=2, maximum=100, jitter=0.5, rand=lambda: 1.0)
    high = Backoff(initial=2, maximum=100, jitter=0.5, rand=lambda: 0.0)
    assert [low.delay() for _ in range(4)] == [0, 1, 2, 4]
    assert [high.delay() for _ in range(4)] == [0, 2, 4, 8]


def test_reset_starts_again_from_an_immediate_retry():
    backoff = Backoff(initial=1, maximum=8, jitter=0)
    for _ in range(5):
        backoff.delay()
    backoff.reset()
    assert backoff.delay() == 0
    assert backoff.delay() == 1


def test_huge_attempt_counts_stay_at_the_cap():
    backoff = Backoff(initial=1, maximum=30, jitter=0)
    backoff.attempts = 10_000
    assert backoff.delay() == 30


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"initial": -1}, "initial"), ({"initial": 5, "maximum": 1}, "maximum"),
    ({"factor": 0.5}, "factor"), ({"jitter": 2}, "jitter"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Backoff(**kwargs)


def _reconnects(members=3, attempts=0):
    return Reconnects(members, Backoff(initial=1, maximum=8, jitter=0), attempts)


def test_a_healthy_connection_that_drops_is_retried_at_once_on_the_same_member():
    reconnects = _reconnects()
    reconnects.healthy()
    assert reconnects.ended(True, Outcome.ENDED, "socket closed") == Action(Action.RECONNECT, member=0, delay=0.0)


def test_failed_attempts_fail_over_at_once_and_back_off_after_each_full_round():
    reconnects = _reconnects(members=3)
    plan = [reconnects.ended(False, Outcome.UNREACHABLE, "no route") for _ in range(7)]
    assert [(a.member, a.delay) for a in plan] == [(1, 0.0), (2, 0.0), (0, 0.0), (1, 0.0), (2, 0.0), (0, 1.0),
                                                   (1, 0.0)]
    # the first full round waited nothing (a healthy start resets to an immediate retry), the next 1 s


def test_all_members_down_backs_off_exponentially_up_to_the_cap():
    reconnects = _reconnects(members=2)
    waits = [reconnects.ended(False, Outcome.UNREACHABLE, "refused").delay for _ in range(12)]
    assert [w for w in waits if w] == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_a_503_storm_is_never_hammered():
    reconnects = _reconnects(members=1)
    clock, logins = 0.0, 0
    while clock < 30.0:  # 30 s of every login answered 503
        action = reconnects.ended(False, Outcome.THROTTLED, "HTTP 503")
        assert action.kind == Action.RECONNECT
        clock += action.delay
        logins += 1
    assert logins <= 10, f"{logins} logins in 30 s of throttling"


def test_reconnect_attempts_bound_consecutive_failures():
    reconnects = _reconnects(members=2, attempts=3)
    assert reconnects.ended(False, Outcome.UNREACHABLE, "a").kind == Action.RECONNECT
    assert reconnects.ended(False, Outcome.UNREACHABLE, "b").kind == Action.RECONNECT
    stop = reconnects.ended(False, Outcome.UNREACHABLE, "c")
    assert stop.kind == Action.STOP and "gave up after 3" in stop.reason and "the last: c" in stop.reason


@pytest.mark.parametrize("outcome", [Outcome.LOGIN_REFUSED, Outcome.TLS_FAILED, Outcome.REFUSED, Outcome.BAD_CONFIG])
def test_mistakes_retrying_cannot_fix_stop_the_source_only_before_it_ever_worked(outcome):
    fresh = _reconnects()
    assert fresh.ended(False, outcome, "refused: check it") == Action(Action.STOP, reason="refused: check it")
    worked = _reconnects()
    worked.healthy()
    worked.ended(True, Outcome.ENDED, "drop")
    assert worked.ended(False, outcome, "refused").kind == Action.RECONNECT


def test_a_certificate_refused_at_webtoken_session_stops_a_fresh_source():
    # webtokenSession answering 403 "Unknown certificate DN" is classified as a refused login
    assert _reconnects().ended(False, Outcome.LOGIN_REFUSED, "Unknown certificate DN").kind == Action.STOP


def test_the_session_is_refreshed_at_half_its_window_and_rolled_over_before_its_lifetime():
    session = Session(started=100.0, refresh_timeout=600, maximum_lifetime=86400, can_refresh=True)
    assert session.next() == Action(Action.REFRESH, at=400.0)
    session.refreshed(400.0)
    assert session.next() == Action(Action.REFRESH, at=700.0)
    session.refreshed(86_390.0)
    rollover = session.next()
    assert rollover.kind == Action.ROLLOVER and rollover.at == 100.0 + 86400 - 60


def test_a_certificate_session_is_never_refreshed_only_rolled_over():
    session = Session(started=0.0, refresh_timeout=600, maximum_lifetime=3600, can_refresh=False)
    assert session.next().kind == Action.ROLLOVER
    assert Session(0.0, 600, 0, False).next() == Action(Action.REFRESH, at=float("inf"))


def test_a_failed_session_refresh_is_retried_soon_until_the_window_is_over():
    session = Session(started=0.0, refresh_timeout=600, maximum_lifetime=0, can_refresh=True)
    assert session.refresh_failed(300.0, Outcome.THROTTLED, "503") == Action(Action.RETRY, at=301.0, reason="503")
    late = session.refresh_failed(600.0, Outcome.UNREACHABLE, "timeout")
    assert late.kind == Action.RECONNECT and "in time" in late.reason
    refused = session.refresh_failed(300.0, Outcome.TOKEN_EXPIRED, "Token timeout")
    assert refused.kind == Action.RECONNECT and "refused" in refused.reason


def test_a_session_refresh_retry_never_outlives_the_rollover():
    session = Session(started=0.0, refresh_timeout=600, maximum_lifetime=400, can_refresh=True)
    assert session.refresh_failed(359.5, Outcome.THROTTLED, "503").kind == Action.ROLLOVER


def test_a_nonsense_session_window_does_not_spin():
    session = Session(started=0.0, refresh_timeout=0, maximum_lifetime=0, can_refresh=True)
    assert session.next().at == 0.5


def test_subscriptions_refresh_every_third_of_their_timeout_and_often_enough_for_certificate_sessions():
    assert lifecycle.subscription_refresh_interval(300, 600, can_refresh=True) == 100
    assert lifecycle.subscription_refresh_interval(300, 90, can_refresh=False) == 45
    assert lifecycle.subscription_refresh_interval(0, None, can_refresh=True) == lifecycle.MIN_REFRESH_INTERVAL


def test_a_subscription_refresh_answered_keeps_it_live():
    assert lifecycle.subscription_refreshed(10.0, 300) == Action(Action.LIVE, at=310.0)


def test_a_failed_subscription_refresh_is_retried_until_it_would_lapse_then_resubscribed():
    assert lifecycle.subscription_refresh_failed(10.0, 20.0, Outcome.THROTTLED, "503").kind == Action.RETRY
    lapsed = lifecycle.subscription_refresh_failed(20.0, 20.0, Outcome.UNREACHABLE, "timeout")
    assert lapsed.kind == Action.RESUBSCRIBE and "lapsed" in lapsed.reason


def test_a_subscription_refresh_racing_aaa_refresh_is_resent_with_the_new_token():
    raced = lifecycle.subscription_refresh_failed(10.0, 20.0, Outcome.TOKEN_EXPIRED, "Token timeout",
                                                  token_replaced=True)
    assert raced.kind == Action.RESEND
    gone = lifecycle.subscription_refresh_failed(10.0, 20.0, Outcome.TOKEN_EXPIRED, "Token timeout")
    assert gone.kind == Action.RECONNECT


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.APIC_ERROR])
def test_a_subscription_the_apic_no_longer_knows_is_resubscribed(outcome):
    assert lifecycle.subscription_refresh_failed(10.0, 20.0, outcome, "unknown id").kind == Action.RESUBSCRIBE


def test_a_refused_resubscribe_on_a_working_connection_waits_for_the_next_round():
    assert lifecycle.resubscribe_failed(Outcome.REFUSED, "no such class").kind == Action.GIVE_UP
    assert lifecycle.resubscribe_failed(Outcome.THROTTLED, "503").kind == Action.RECONNECT
