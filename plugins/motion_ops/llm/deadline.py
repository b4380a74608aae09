"""Deadlines of the cascade: one request's (a backend's ``deadline``) and one motion's across all its
attempts, waits and fallbacks (the first backend's ``motion_deadline``), kept per thread: each
``summarize`` instance's thread works on one motion at a time."""
from __future__ import annotations

import asyncio
import math
import threading
import time
from typing import Any, Awaitable


class MotionClock:
    """The time left for this thread's motion (infinite before :meth:`start`)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self, seconds: float) -> None:
        self._local.until, self._local.seconds = time.monotonic() + seconds, seconds

    @property
    def seconds(self) -> float:
        return getattr(self._local, "seconds", math.inf)

    def left(self) -> float:
        return getattr(self._local, "until", math.inf) - time.monotonic()


async def within(request: Awaitable[Any], model: str, deadline: float, budget: MotionClock) -> Any:
    """``request``'s answer, or pydantic-ai's ``ModelTimeoutError`` when the request's ``deadline`` or the
    motion's budget runs out first (however the bytes trickle in: httpx's timeout is per read)."""
    from pydantic_ai.exceptions import ModelTimeoutError

    left = budget.left()
    limit, what = (deadline, f"the deadline of {deadline:g}s") if deadline <= left else \
        (max(left, 0.0), f"the motion's deadline of {budget.seconds:g}s")
    if limit <= 0:
        if asyncio.iscoroutine(request):
            request.close()  # never started: nothing sent
        raise ModelTimeoutError(model, f"no request started: {what} is spent")
    try:
        return await asyncio.wait_for(request, limit)
    except asyncio.TimeoutError:
        raise ModelTimeoutError(model, f"no complete answer within {what}") from None
