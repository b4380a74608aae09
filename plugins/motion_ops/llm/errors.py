"""Errors of an LLM request, after the whole cascade: which stop the task (terminal), which are the
backend's (else: our own bug), their class, and a one-line description without credentials."""
from __future__ import annotations

import asyncio
import math

from motion_ops.llm.backends import BadConfiguration


class TerminalError(RuntimeError):
    """The backend refuses for a reason no retry fixes: stop the task, charge no motion."""


def terminal(exc: BaseException) -> bool:
    from pydantic_ai.exceptions import (
        ModelAuthenticationError,
        ModelHTTPError,
        ModelNotFoundError,
        ModelQuotaExceededError,
        UserError,
    )

    if isinstance(exc, (ModelAuthenticationError, ModelQuotaExceededError, ModelNotFoundError, UserError,
                        BadConfiguration, TerminalError)):
        return True
    if isinstance(exc, ModelHTTPError):
        body = str(getattr(exc, "body", "") or "")
        return exc.status_code in (401, 403, 404) or "insufficient_quota" in body
    return False


def flatten(exc: BaseException) -> list[BaseException]:
    inner = getattr(exc, "exceptions", None)
    return [e for sub in inner for e in flatten(sub)] if inner else [exc]


def from_backend(exc: BaseException) -> bool:
    """An error of the backend or its answer (else: of our code)."""
    from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior

    return all(isinstance(e, (ModelAPIError, UnexpectedModelBehavior, TimeoutError, asyncio.TimeoutError, OSError))
               for e in flatten(exc))


def classify(exc: BaseException) -> tuple[str, float | None]:
    """``(error class, retry_after)`` of a failed request (after the whole cascade)."""
    from pydantic_ai.exceptions import (
        ModelConnectionError,
        ModelContextWindowExceededError,
        ModelRateLimitError,
        ModelRequestRejectedError,
        ModelTimeoutError,
        UnexpectedModelBehavior,
    )

    errors = flatten(exc)
    if all(isinstance(e, ModelContextWindowExceededError) for e in errors):
        return "too_long", None
    if all(isinstance(e, ModelRequestRejectedError) for e in errors):  # 400/422: this request, as it is
        return "rejected", None
    waits = [e.retry_after for e in errors if getattr(e, "retry_after", None) and math.isfinite(e.retry_after)]
    if any(isinstance(e, ModelRateLimitError) or getattr(e, "status_code", None) == 429 for e in errors):
        return "rate_limited", max(waits) if waits else None
    if any(isinstance(e, (ModelTimeoutError, TimeoutError, asyncio.TimeoutError)) for e in errors):
        return "timeout", None
    if any(isinstance(e, UnexpectedModelBehavior) for e in errors):
        return "invalid_output", None
    if any(isinstance(e, ModelConnectionError) for e in errors):
        return "unreachable", None
    return "unavailable", max(waits) if waits else None


def describe(exc: BaseException, secrets: list[str | None]) -> str:
    """The errors of a failed request in one line, without the API keys (or anything shaped like one)."""
    from motion_ops.clients.redact import redact

    parts = [f"{type(e).__name__}: {e}" for e in flatten(exc)]
    return redact("; ".join(parts), secrets)[:1000]
