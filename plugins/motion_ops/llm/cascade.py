"""The LLM cascade over pydantic-ai: one motion in, a validated, faithful summary out, with the
provenance of what actually served it.

- Structured output: pydantic-ai's ``PromptedOutput`` of :class:`MotionSummary` (JSON in the
  answer's text, which every OpenAI-compatible server and Ollama model can give); a schema error
  or a faithfulness problem (:mod:`motion_ops.llm.faithfulness`, an output validator) is re-asked
  once with its reason (``output_retries=1``), then the motion fails.
- The cascade: pydantic-ai's ``FallbackModel`` over the backends the router picks for the motion
  (:func:`motion_ops.llm.backends.route`), falling back on transient errors only.
- Each backend's model is wrapped (:class:`_Served`) to hold its own settings (timeout per read,
  a deadline for the whole request and one for the whole motion, :mod:`motion_ops.llm.deadline`,
  a ``timeout`` error class like a slow read; output
  tokens, no SDK retries: we count attempts), to keep its rate limit (``min_request_interval``)
  and to record that it served the answer.
- Terminal errors (authentication, quota, unknown model, bad configuration) raise
  :class:`TerminalError` at once: retrying or charging the motion cannot help. It carries only
  a redacted description, never the provider's error (whose body may echo the API key). A rate limit's
  ``Retry-After`` is waited out (up to ``max_wait``) within the motion's ``max_attempts``.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from motion_ops.llm import extractive
from motion_ops.llm.backends import Backend, route
from motion_ops.llm.deadline import MotionClock, within
from motion_ops.llm.errors import TerminalError, classify, describe, flatten, from_backend, terminal

__all__ = ["Cascade", "Outcome", "TerminalError", "default_model_factory"]
from motion_ops.llm.faithfulness import Semantic, problems
from motion_ops.llm.prompt import INSTRUCTIONS, MotionText, user_prompt
from motion_ops.llm.schema import MotionSummary

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What summarizing one motion gave: a summary, or an error, and its provenance."""

    motion_id: str
    summary: MotionSummary | None = None
    status: str | None = None  # llm | fallback | extractive (None: failed)
    backend: str | None = None
    model: str | None = None  # as the answer named it
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    cost: float = 0.0  # from the backends' prices per 1k tokens (0 where none is set)
    error: str | None = None
    error_class: str | None = None  # rate_limited | unavailable | timeout | invalid_output | too_long | ...
    substituted: bool = False  # the answer names another model than the one asked for
    rejected: MotionSummary | None = None  # the last answer the faithfulness check refused (kept for review)
    reasons: list[str] = field(default_factory=list)  # why it was refused

    @property
    def ok(self) -> bool:
        return self.summary is not None


def default_model_factory(b: Backend) -> Any:
    """The pydantic-ai model of a backend (what ``PydanticAIHook.get_conn()`` resolves for a
    ``pydanticai`` connection: the provider with the connection's key and base URL)."""
    from pydantic_ai.models.openai import OpenAIChatModel

    if b.kind == "ollama":
        from pydantic_ai.providers.ollama import OllamaProvider

        provider: Any = OllamaProvider(base_url=b.base_url, api_key=b.api_key)
    else:
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(base_url=b.base_url, api_key=b.api_key or "none")
    return OpenAIChatModel(b.model, provider=provider)


def _served_class() -> type:
    from pydantic_ai.models.wrapper import WrapperModel
    from pydantic_ai.settings import merge_model_settings

    class _Served(WrapperModel):
        """A backend's model with its own settings and rate limit, recording what it served."""

        def __init__(self, wrapped: Any, backend: Backend, record: Callable[[Backend, Any], None], budget: MotionClock):
            super().__init__(wrapped)
            self.backend, self.record, self.budget = backend, record, budget
            self.own = {"timeout": backend.timeout, "max_tokens": backend.max_output_tokens, "temperature": 0.0,
                        "max_retries": 0}
            self._lock, self._next = threading.Lock(), 0.0

        async def request(self, messages: Any, model_settings: Any, model_request_parameters: Any) -> Any:
            if self.backend.min_request_interval:
                with self._lock:
                    now = time.monotonic()
                    wait, self._next = max(0.0, self._next - now), max(now, self._next) + self.backend.min_request_interval
                if wait:
                    await asyncio.sleep(wait)
            self.record(self.backend, None)
            response = await within(super().request(messages, merge_model_settings(model_settings, self.own),
                                                    model_request_parameters), self.backend.model, self.backend.deadline, self.budget)
            self.record(self.backend, response)
            return response

    return _Served


@dataclass
class Cascade:
    """Summarize motions through ``backends`` (empty: the extractive summarizer).

    :param extractive_fallback: when the chain fails (or no backend's context holds the motion),
        give the extractive summary (status ``extractive``) instead of failing the motion.
    :param max_wait: the longest ``Retry-After`` waited out; a longer one fails the motion for now.
    :param semantic: the embedding support of the faithfulness check (None: lexical only).
    """

    backends: list[Backend]
    extractive_fallback: bool = False
    max_wait: float = 120.0
    model_factory: Callable[[Backend], Any] = default_model_factory
    sleep: Callable[[float], None] = time.sleep
    semantic: Semantic | None = None
    _agents: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)
    _served: threading.local = field(default_factory=threading.local, repr=False)
    _models: dict[str, Any] = field(default_factory=dict, repr=False)
    _budget: MotionClock = field(default_factory=MotionClock, repr=False)

    def _record(self, backend: Backend, response: Any) -> None:
        """Called before each request (``response`` None) and after each answer: the requests, the
        tokens (also of answers refused later) and who served the last answer, for this thread's motion."""
        tally = self._served
        if response is None:
            tally.requests = getattr(tally, "requests", 0) + 1
            return
        usage = getattr(response, "usage", None)
        i, o = int(getattr(usage, "input_tokens", 0) or 0), int(getattr(usage, "output_tokens", 0) or 0)
        tally.input_tokens = getattr(tally, "input_tokens", 0) + i
        tally.output_tokens = getattr(tally, "output_tokens", 0) + o
        tally.cost = getattr(tally, "cost", 0.0) + i / 1000 * backend.price_input_per_1k + o / 1000 * backend.price_output_per_1k
        tally.last = (backend, getattr(response, "model_name", None))

    def _agent(self, chain: list[Backend]) -> Any:
        key = tuple(b.name for b in chain)
        if key not in self._agents:
            from pydantic_ai import Agent, ModelRetry, PromptedOutput, RunContext
            from pydantic_ai.models.fallback import FallbackModel

            served = _served_class()
            models = []
            for b in chain:
                if b.name not in self._models:
                    self._models[b.name] = served(self.model_factory(b), b, self._record, self._budget)
                models.append(self._models[b.name])
            model = models[0] if len(models) == 1 else FallbackModel(
                *models, fallback_on=lambda e: from_backend(e) and not terminal(e))
            agent = Agent(model, output_type=PromptedOutput(MotionSummary), instructions=INSTRUCTIONS,
                          deps_type=MotionText, retries={"output": 1})

            @agent.output_validator
            async def faithful(ctx: RunContext[MotionText], output: MotionSummary) -> MotionSummary:
                # async: runs on this motion's thread (a sync validator runs in a worker thread,
                # where this motion's tally is not)
                found = problems(ctx.deps, output, self.semantic)
                if found:
                    self._served.rejected = (output, found)
                    raise ModelRetry("De samenvatting is niet trouw aan de motie: " + "; ".join(found))
                return output

            self._agents[key] = agent
        return self._agents[key]

    def extractive(self, m: MotionText, started: float) -> Outcome:
        return Outcome(m.id, summary=extractive.summarize(m), status="extractive", backend="extractive",
                       model="extractive", latency_ms=int((time.monotonic() - started) * 1000))

    def summarize(self, m: MotionText) -> Outcome:
        """One motion through its chain. Raises :class:`TerminalError`; every other failure is the
        motion's (an :class:`Outcome` with ``error``)."""
        started = time.monotonic()
        if not self.backends:
            return self.extractive(m, started)
        chain = route(self.backends, m)
        if not chain:
            if self.extractive_fallback:
                return self.extractive(m, started)
            return Outcome(m.id, error="no backend's context window holds this motion", error_class="too_long")
        keys = [b.api_key for b in chain]
        refused: TerminalError | None = None
        try:
            agent = self._agent(chain)
        except Exception as exc:  # noqa: BLE001 - a model that cannot be built: configuration, no retry helps
            refused = TerminalError(f"bad configuration of {', '.join(b.name for b in chain)}: {describe(exc, keys)}")
        if refused is not None:  # raised outside the except block: nothing of the provider's error is chained
            raise refused
        out = Outcome(m.id)
        tally = self._served
        tally.requests = tally.input_tokens = tally.output_tokens = 0
        tally.cost, tally.rejected = 0.0, None
        self._budget.start(chain[0].motion_deadline)
        for attempt in range(1, chain[0].max_attempts + 1):
            tally.last = None
            try:
                result = agent.run_sync(user_prompt(m), deps=m)
            except Exception as exc:  # noqa: BLE001 - classified below; terminal ones stop the task
                if not from_backend(exc):
                    raise  # our own bug, not the backend's: no retry, no motion charged
                if any(terminal(e) for e in flatten(exc)):
                    # the provider's error may carry the response body (some echo the Authorization
                    # header): only its redacted description goes on, never the error itself
                    refused = TerminalError(describe(exc, keys))
                    break
                out.error_class, retry_after = classify(exc)
                out.error = describe(exc, keys)
                if out.error_class in ("invalid_output", "rejected", "too_long") or attempt == chain[0].max_attempts:
                    break
                wait = retry_after if retry_after is not None else min(2.0 ** (attempt - 1), 30.0)
                if wait > self.max_wait:
                    out.error += f" (Retry-After {wait:g}s is longer than {self.max_wait:g}s: tried again next run)"
                    break
                if wait >= self._budget.left():
                    out.error += f" (the motion's deadline of {self._budget.seconds:g}s is spent: tried again next run)"
                    break
                self.sleep(wait)
                continue
            backend, model = tally.last or (chain[0], None)
            out.summary, out.error, out.error_class = result.output, None, None
            out.status = "llm" if backend.name == chain[0].name else "fallback"
            out.backend, out.model = backend.name, model or backend.model
            # a dated snapshot ("gpt-4o-mini-2024-07-18") or a tag ("llama3.1:latest") is the model asked for
            out.substituted = bool(model) and not _same_model(model, backend.model)
            break
        if refused is not None:  # outside the except block: no chained or implicit context
            raise refused
        out.attempts, out.input_tokens, out.output_tokens = tally.requests, tally.input_tokens, tally.output_tokens
        out.cost, out.backend = round(tally.cost, 6), out.backend or chain[0].name
        out.latency_ms = int((time.monotonic() - started) * 1000)
        if not out.ok and tally.rejected is not None:
            out.rejected, out.reasons = tally.rejected
            out.error = "unfaithful: " + "; ".join(out.reasons)[:900]
        if not out.ok and self.extractive_fallback:
            fallback = self.extractive(m, started)
            fallback.attempts, fallback.error = out.attempts, out.error
            fallback.rejected, fallback.reasons = out.rejected, out.reasons
            fallback.input_tokens, fallback.output_tokens, fallback.cost = out.input_tokens, out.output_tokens, out.cost
            return fallback
        return out


def _same_model(answered: str, asked: str) -> bool:
    """The model asked for: the same name, a dated snapshot of it, or Ollama's default tag."""
    import re

    return answered == asked or bool(re.fullmatch(re.escape(asked) + r"(?:-\d{4}-\d{2}-\d{2}|-\d{4}|:latest)", answered))
