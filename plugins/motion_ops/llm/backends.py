"""The LLM backends a connection describes, and the router that picks a chain per motion.

A backend is an Airflow connection of the common.ai provider's type ``pydanticai``: host = the
base URL of an OpenAI-compatible endpoint (or Ollama's ``.../v1``), password = the API key,
extra ``model`` = ``openai:<model>`` or ``ollama:<model>``. The cascade is the first connection
followed by its extra ``fallback_conn_ids`` (the provider's own field), each with optional extras
of ours: ``context_window`` (tokens), ``max_output_tokens``, ``timeout`` (s per read),
``deadline`` (s for a whole request and its answer, default twice ``timeout``), ``motion_deadline`` (s for
one motion across all its attempts and fallbacks, default three times ``deadline``), ``min_request_interval``
(s between requests of one ``summarize`` instance, the rate limit: with N slots in the pool
``llm_provider`` the endpoint sees up to N times that rate), ``max_attempts`` (per motion, honouring ``Retry-After``),
``price_input_per_1k`` / ``price_output_per_1k``. Without a connection the chain is the embedded
extractive summarizer. A ``user:password@`` in the host is never part of the URL used or shown: its
password is the API key when the connection has none (an OpenAI-compatible endpoint takes the key
as a bearer token), and is dropped with a warning when the connection's password is set.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from motion_ops.clients.redact import split_userinfo
from motion_ops.llm.prompt import INSTRUCTIONS, MotionText, user_prompt
from motion_ops.numerics.finite import DURATIONS, MAX_SECONDS, finite, seconds
from motion_ops.numerics.tokens import token_estimate

log = logging.getLogger(__name__)

KINDS = ("openai", "ollama")
DEFAULT_TIMEOUT = 60.0  # s per read; a request's deadline defaults to twice its timeout
SCHEMA_CHARS = 2500  # what the JSON schema of the answer adds to every request, in characters


class BadConfiguration(ValueError):
    """A backend's connection cannot be used as it is (a person must fix it)."""


@dataclass(frozen=True)
class Backend:
    """One backend of the cascade; its fields' defaults are the defaults of a connection's extras
    (:meth:`from_connection` reads them from here)."""

    name: str  # the connection id
    kind: str  # openai | ollama
    model: str  # the model name as the endpoint knows it
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    context_window: int = 8192
    max_output_tokens: int = 1024
    timeout: float = DEFAULT_TIMEOUT
    deadline: float = 2 * DEFAULT_TIMEOUT  # a whole request: httpx's timeout is per read, a trickling answer never trips it
    motion_deadline: float = 6 * DEFAULT_TIMEOUT  # one motion: all its attempts, waits and fallbacks (3 deadlines)
    min_request_interval: float = 0.0
    max_attempts: int = 3
    price_input_per_1k: float = 0.0
    price_output_per_1k: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind}:{self.model})"

    @classmethod
    def from_connection(cls, conn_id: str, *, host: str | None, password: str | None, extra: dict[str, Any]) -> "Backend":
        """A backend from a ``pydanticai`` connection's fields (pure: tests pass plain values)."""
        spec = str(extra.get("model") or "")
        kind, _, model = spec.partition(":")
        kind = "openai" if kind == "openai-chat" else kind
        if kind not in KINDS or not model:
            raise BadConfiguration(f"connection {conn_id!r}: extra 'model' must be 'openai:<model>' or "
                                   f"'ollama:<model>', not {spec!r}")
        if kind == "ollama" and not host:
            raise BadConfiguration(f"connection {conn_id!r}: an Ollama backend needs its URL as host (http://...:11434/v1)")

        def number(key: str, default: float, kind_: type = float) -> Any:
            try:
                value = (seconds if key in DURATIONS else functools.partial(finite, kind=kind_))(
                    extra.get(key, default), f"extra {key!r}")
            except ValueError as exc:
                raise BadConfiguration(f"connection {conn_id!r}: {exc}") from None
            if value < 0:
                raise BadConfiguration(f"connection {conn_id!r}: extra {key!r} must not be negative")
            return value

        timeout = number("timeout", cls.timeout)
        deadline = number("deadline", min(2 * timeout, MAX_SECONDS))  # the field's default is twice the default timeout
        if not deadline:
            raise BadConfiguration(f"connection {conn_id!r}: extra 'deadline' must be more than 0 s")
        motion_deadline = number("motion_deadline", min(3 * deadline, MAX_SECONDS))
        if not motion_deadline:
            raise BadConfiguration(f"connection {conn_id!r}: extra 'motion_deadline' must be more than 0 s")
        base_url, auth = split_userinfo(host) if host else (None, None)
        if auth is not None and auth[1]:
            if password and password != auth[1]:
                log.warning("connection %r: the user:password@ in its host is not sent; the API key is the "
                            "connection's password (leave the host without credentials)", conn_id)
            elif not password:
                log.info("connection %r: the password in its host is used as the API key; better put it in the "
                         "connection's password field and leave the host without credentials", conn_id)
                password = auth[1]
        return cls(name=conn_id, kind=kind, model=model, base_url=(base_url or None), api_key=password or None,
                   motion_deadline=motion_deadline,
                   context_window=number("context_window", cls.context_window, int),
                   max_output_tokens=number("max_output_tokens", cls.max_output_tokens, int), timeout=timeout,
                   deadline=deadline, min_request_interval=number("min_request_interval", cls.min_request_interval),
                   max_attempts=max(1, number("max_attempts", cls.max_attempts, int)),
                   price_input_per_1k=number("price_input_per_1k", cls.price_input_per_1k),
                   price_output_per_1k=number("price_output_per_1k", cls.price_output_per_1k))


def estimated_tokens(m: MotionText) -> int:
    """Tokens of the request for ``m`` (instructions, schema and prompt), estimated from its length
    (:func:`~motion_ops.numerics.tokens.token_estimate`, as every estimate of tokens)."""
    return token_estimate(len(INSTRUCTIONS) + len(user_prompt(m)) + SCHEMA_CHARS)


def route(backends: list[Backend], m: MotionText) -> list[Backend]:
    """The chain for motion ``m``: the backends, in order, whose context window holds its request
    and the answer (a long motion skips a small local model)."""
    need = estimated_tokens(m)
    return [b for b in backends if need + b.max_output_tokens <= b.context_window]


def chain_key(backends: list[Backend]) -> str:
    """What identifies a chain for approvals and provenance: its backends' kinds and models, in order."""
    return " > ".join(f"{b.kind}:{b.model}" for b in backends) or "extractive"
