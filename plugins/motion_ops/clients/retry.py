"""Retry policy for HTTP calls: a small frozen value plus one loop that applies it.

Kept apart from transports and from batch halving (see ``motion_ops.embedding``): the policy
decides *whether and how long to wait*; callers decide what a failure means. ``sleep`` and
``clock`` are injected so tests never wait for real.
"""
from __future__ import annotations

import logging
import math
import random
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable, TypeVar

from motion_ops.clients.redact import redact

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class RetryableError(Exception):
    """A failure worth another attempt (connection error, timeout, 429, 5xx).

    :param retry_after: seconds the server asked us to wait, if it said so.
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(redact(message))
        self.status = status
        self.retry_after = retry_after


class RetriesExhausted(Exception):
    """Every attempt failed with a retryable error; ``last`` is the final one."""

    def __init__(self, message: str, *, attempts: int, last: RetryableError):
        super().__init__(redact(message))
        self.attempts = attempts
        self.last = last
        self.status = last.status


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request.

    :param attempts: total tries, including the first.
    :param backoff: base delay in seconds; attempt ``n`` (1-based) waits ``backoff * 2**(n-1)``.
    :param jitter: relative jitter, 0.1 = +-10 %.
    :param max_delay: cap on any single wait, including a server's ``Retry-After``.
    :param respect_retry_after: wait at least what the server asked for.
    """

    attempts: int = 3
    backoff: float = 0.5
    jitter: float = 0.1
    max_delay: float = 60.0
    respect_retry_after: bool = True
    statuses: frozenset[int] = field(default=RETRYABLE_STATUSES)

    def delay(self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = self.backoff * (2 ** (attempt - 1))
        r = (rng or random).uniform(-self.jitter, self.jitter)
        wait = base * (1.0 + r)
        if self.respect_retry_after and retry_after is not None:
            wait = max(wait, retry_after)
        return max(0.0, min(wait, self.max_delay))

    def call(
        self,
        fn: Callable[[], T],
        *,
        what: str,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> T:
        """Call ``fn`` until it returns or raises a non-retryable error.

        :param what: names the request in logs and errors (a URL or batch description).
        :raises RetriesExhausted: when every attempt raised :class:`RetryableError`.
        """
        last: RetryableError | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except RetryableError as exc:
                last = exc
                if attempt == self.attempts:
                    break
                wait = self.delay(attempt, exc.retry_after, rng)
                log.warning("%s: attempt %d/%d failed (%s); retrying in %.2fs", what, attempt, self.attempts, exc, wait)
                sleep(wait)
        assert last is not None
        raise RetriesExhausted(f"{what}: gave up after {self.attempts} attempts: {last}", attempts=self.attempts, last=last)


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None (also for
    ``nan`` or ``inf``: not a wait anyone can honour)."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        pass  # not delta-seconds: an HTTP date, or nothing
    else:
        return max(0.0, number) if math.isfinite(number) else None
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now())
    except (TypeError, ValueError, IndexError):
        return None


class RateLimiter:
    """Client-side limit of ``per_minute`` calls, spaced evenly; thread-safe.

    :param per_minute: 0 or None disables the limit.
    """

    def __init__(self, per_minute: float | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until the next call is allowed."""
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)
