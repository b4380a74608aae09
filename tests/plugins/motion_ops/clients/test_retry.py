import random

import pytest

from motion_ops.clients.retry import RateLimiter, RetriesExhausted, RetryableError, RetryPolicy, parse_retry_after


def test_backoff_doubles_from_half_a_second_within_ten_percent_jitter():
    policy = RetryPolicy(attempts=4, backoff=0.5, jitter=0.1)
    rng = random.Random(1)
    for attempt, base in ((1, 0.5), (2, 1.0), (3, 2.0)):
        for _ in range(50):
            assert base * 0.9 <= policy.delay(attempt, rng=rng) <= base * 1.1


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    assert RetryPolicy().delay(1, retry_after=7.0) == 7.0
    assert RetryPolicy(max_delay=5.0).delay(1, retry_after=7.0) == 5.0


def test_call_retries_retryable_errors_and_returns_the_first_success(clock):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RetryableError("boom", status=503, retry_after=2.0)
        return "ok"

    assert RetryPolicy(attempts=3).call(flaky, what="t", sleep=clock.sleep) == "ok"
    assert len(attempts) == 3 and len(clock.sleeps) == 2 and all(s >= 2.0 for s in clock.sleeps)


def test_call_gives_up_after_the_configured_attempts(clock):
    def always():
        raise RetryableError("down", status=500)

    with pytest.raises(RetriesExhausted) as exc:
        RetryPolicy(attempts=3).call(always, what="GET x", sleep=clock.sleep)
    assert exc.value.attempts == 3 and exc.value.status == 500 and len(clock.sleeps) == 2


def test_non_retryable_errors_are_not_retried(clock):
    calls = []

    def bad():
        calls.append(1)
        raise ValueError("no")

    with pytest.raises(ValueError):
        RetryPolicy().call(bad, what="x", sleep=clock.sleep)
    assert calls == [1] and clock.sleeps == []


def test_parse_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=lambda: 1445412480.0) == 10.0


def test_rate_limiter_spaces_calls_evenly(clock):
    limiter = RateLimiter(120, clock=clock.now, sleep=clock.sleep)  # one call per 0.5 s
    for _ in range(4):
        limiter.acquire()
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5])


def test_a_retry_after_of_nan_or_infinity_is_no_wait_anyone_honours():
    assert parse_retry_after("inf") is None and parse_retry_after("NaN") is None and parse_retry_after("-inf") is None
