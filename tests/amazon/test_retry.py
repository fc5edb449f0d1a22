"""The retry policy: what it retries, how long it waits."""
from __future__ import annotations

import pytest

from connector.amazon.errors import (
    AmazonAccessDenied, AmazonConnectionError, AmazonServerError, AmazonThrottled, InvalidGrant, LWAUnavailable,
)
from connector.amazon.retry import RetryPolicy


def failing(errors, result="done"):
    calls = []

    def attempt(number):
        calls.append(number)
        if errors:
            raise errors.pop(0)
        return result

    return attempt, calls


@pytest.mark.parametrize("error", [AmazonConnectionError("x"), AmazonServerError("x", http_status=500),
                                   AmazonThrottled("x", http_status=429), LWAUnavailable("x")])
def test_retryable_errors_are_retried(error):
    sleeps = []
    attempt, calls = failing([error, error])
    assert RetryPolicy(sleep=sleeps.append).run(attempt) == "done"
    assert calls == [1, 2, 3] and len(sleeps) == 2


@pytest.mark.parametrize("error", [AmazonAccessDenied("x", http_status=403), InvalidGrant("x")])
def test_other_errors_are_not(error):
    attempt, calls = failing([error])
    with pytest.raises(type(error)):
        RetryPolicy(sleep=lambda s: None).run(attempt)
    assert calls == [1]


def test_gives_up_after_max_attempts():
    attempt, calls = failing([AmazonServerError("x")] * 10)
    with pytest.raises(AmazonServerError):
        RetryPolicy(max_attempts=3, sleep=lambda s: None).run(attempt)
    assert calls == [1, 2, 3]


def test_full_jitter_exponential_backoff_capped():
    upper_bounds = []
    policy = RetryPolicy(jitter=lambda low, high: upper_bounds.append((low, high)) or high)
    delays = [policy.delay(attempt, AmazonServerError("x")) for attempt in range(1, 10)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert all(low == 0 for low, _ in upper_bounds)
    assert 0 <= RetryPolicy().delay(3, AmazonServerError("x")) <= 4


def test_retry_after_wins():
    sleeps = []
    attempt, _ = failing([AmazonThrottled("x", retry_after=7.5)])
    RetryPolicy(sleep=sleeps.append).run(attempt)
    assert sleeps == [7.5]


def test_max_attempts_from_config():
    assert RetryPolicy.from_config({}).max_attempts == 5
    assert RetryPolicy.from_config({"AMAZON_MAX_ATTEMPTS": "2"}).max_attempts == 2
