"""Reconnect backoff: immediate first retry, exponential growth, a cap, and bounded jitter."""

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.core.backoff import ExponentialBackoff


def test_first_retry_is_immediate_then_doubles_up_to_the_cap():
    backoff = ExponentialBackoff(initial=1, maximum=10, factor=2, jitter=0, rand=lambda: 0.7)
    assert [backoff.delay() for _ in range(7)] == [0, 1, 2, 4, 8, 10, 10]
    assert backoff.attempts == 7


def test_jitter_only_shortens_within_its_fraction():
    low = ExponentialBackoff(initial=2, maximum=100, jitter=0.5, rand=lambda: 1.0)
    high = ExponentialBackoff(initial=2, maximum=100, jitter=0.5, rand=lambda: 0.0)
    assert [low.delay() for _ in range(4)] == [0, 1, 2, 4]
    assert [high.delay() for _ in range(4)] == [0, 2, 4, 8]


def test_reset_starts_again_from_an_immediate_retry():
    backoff = ExponentialBackoff(initial=1, maximum=8, jitter=0)
    for _ in range(5):
        backoff.delay()
    backoff.reset()
    assert backoff.delay() == 0
    assert backoff.delay() == 1


def test_huge_attempt_counts_stay_at_the_cap():
    backoff = ExponentialBackoff(initial=1, maximum=30, jitter=0)
    backoff.attempts = 10_000
    assert backoff.delay() == 30


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"initial": -1}, "initial"), ({"initial": 5, "maximum": 1}, "maximum"),
    ({"factor": 0.5}, "factor"), ({"jitter": 2}, "jitter"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ExponentialBackoff(**kwargs)
