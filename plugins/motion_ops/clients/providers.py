"""Embedding providers behind one interface: ``embed(texts) -> vectors`` for one request.

- ``hashing``: the zero-dependency default, a *lexical* method (:mod:`motion_ops.clients.hashing`).
- ``openai``: the OpenAI-compatible ``POST …/v1/embeddings`` (OpenAI, Azure-style gateways, vLLM,
  TEI, Infinity, llama.cpp, LM Studio). The base URL may include ``/v1`` or not; servers that
  serve ``/embeddings`` at the root are found on a 404. ``usage`` is ignored.
- ``ollama``: ``POST …/api/embed``.
- ``sentence_transformers``: a local model directory (optional extra; torch is not a default dependency).

A provider raises :class:`~motion_ops.clients.retry.RetryableError` for what deserves another attempt
(connection errors, timeouts, 429, 5xx) and :class:`EmbeddingError` otherwise; ``too_large`` marks
413/token-limit errors (split at once) and ``fatal`` marks errors no retry or split can fix (401/403).
Retries, rate limiting, validation and batch halving live in :mod:`motion_ops.clients.embedder`.
"""
from __future__ import annotations

import base64
import json
import logging
import re
import struct
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

import requests

from motion_ops.clients.connection import ConnectionLike, base_url, extra_number
from motion_ops.clients.hashing import HASHING_DIMENSIONS, HashingProvider
from motion_ops.parsers.substance import model_key
from motion_ops.clients.redact import redact, split_userinfo
from motion_ops.clients.retry import RETRYABLE_STATUSES, RetryableError, RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

Vector = list[float]


class EmbeddingError(Exception):
    """A request failed in a way retrying the same request will not fix (the message carries no credentials)."""

    def __init__(self, message: str, *, status: int | None = None, too_large: bool = False, fatal: bool = False):
        super().__init__(redact(message))
        self.status = status
        self.too_large = too_large
        self.fatal = fatal


class ModelMismatch(EmbeddingError):
    """The provider answered for another model than configured."""


DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_INPUT_CHARS = 8000
DEFAULT_RETRY_ATTEMPTS = RetryPolicy.attempts  # the retry policy's defaults, as the feed's
DEFAULT_RETRY_BACKOFF = RetryPolicy.backoff


@dataclass(frozen=True)
class ProviderConfig:
    """Everything needed to build a provider chain (the ``motion_embeddings`` connection).

    ``api_key`` is excluded from ``repr`` so it cannot leak into logs or exceptions.
    """

    kind: str = "hashing"
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

    @property
    def embedded(self) -> bool:
        """Runs here at no cost (the hashing default, a local sentence-transformers model): no pilot."""
        return self.kind.lower().replace("-", "_") in ("hashing", "sentence_transformers", "st")

    @classmethod
    def from_connection(cls, conn: ConnectionLike) -> "ProviderConfig":
        """Read a connection: extra ``provider`` (hashing | openai | ollama | sentence_transformers;
        else the connection type when it is openai/ollama, else hashing), ``model``, ``dimensions``,
        ``max_inputs_per_request`` (alias ``batch_size``), ``max_input_chars``,
        ``requests_per_minute``, ``timeout``, ``fallbacks`` (base URLs), ``model_path``,
        ``retry_attempts``, ``retry_backoff``, ``price_input_per_1k`` (price per 1,000 input tokens);
        host = base URL, password = API key.

        :raises ValueError: an extra that is not a number where one is expected.
        """
        x = conn.extra_dejson
        conn_type = getattr(conn, "conn_type", None)
        kind = x.get("provider") or (conn_type if conn_type in ("openai", "ollama") else "hashing")
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
            price_per_1k=extra_number(x, "price_input_per_1k", "price_per_1k", default=0.0))


class EmbeddingProvider(Protocol):
    model: str
    endpoint: str

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Embed ``texts`` in one request; results align with the inputs."""


# ---------------------------------------------------------------------------------------------
def _error_message(resp: requests.Response) -> str:
    """The server's own words from OpenAI (``{"error": …}``), FastAPI (``{"detail": …}``) or text bodies."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:300]
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("message") or err)[:300]
        if err:
            return str(err)[:300]
        detail = body.get("detail")
        if isinstance(detail, list):
            return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)[:300]
        if detail:
            return str(detail)[:300]
        if body.get("message"):
            return str(body["message"])[:300]
    return str(body)[:300]


_TOO_LARGE = re.compile(r"too (long|large|many tokens)|maximum context|token limit|context length|exceeds", re.I)


class _HttpProvider:
    """Shared transport: one session, timeouts, and the status -> exception mapping."""

    def __init__(self, config: ProviderConfig, session: requests.Session | None = None):
        if not config.base_url:
            raise ValueError(f"{config.kind} provider needs a host/base URL")
        if not config.model:
            raise ValueError(f"{config.kind} provider needs a model (connection extra 'model')")
        self.config = config
        self.model = config.model
        self.base, auth = split_userinfo(config.base_url.rstrip("/"))
        self.session = session or requests.Session()
        self.headers = {"Content-Type": "application/json"}
        if auth is not None:  # user:password@ in the host: basic auth, never part of a URL we report
            self.session.auth = auth
        if config.api_key:
            self.headers["Authorization"] = f"Bearer {config.api_key}"
        self._secrets = tuple(x for x in (config.api_key, auth[1] if auth else None) if x)

    def _post(self, url: str, payload: dict[str, Any]) -> requests.Response:
        try:
            resp = self.session.post(url, data=json.dumps(payload), headers=self.headers, timeout=self.config.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            # not chained: a requests error holds the request (its Authorization header) and may print URLs
            raise RetryableError(f"{type(exc).__name__} calling {url}: {redact(str(exc), self._secrets)[:300]}") from None
        if resp.status_code < 400:
            return resp
        message = redact(_error_message(resp), self._secrets)  # some servers echo the request's headers
        status = resp.status_code
        if status in RETRYABLE_STATUSES:
            raise RetryableError(f"HTTP {status} from {url}: {message}", status=status,
                                 retry_after=parse_retry_after(resp.headers.get("Retry-After")))
        if status in (401, 403):
            raise EmbeddingError(f"HTTP {status} from {url}: not authorised (check the connection's API key)",
                                 status=status, fatal=True)
        too_large = status == 413 or bool(_TOO_LARGE.search(message))
        raise EmbeddingError(f"HTTP {status} from {url}: {message}", status=status, too_large=too_large)

    def _json(self, resp: requests.Response, url: str) -> Any:
        try:
            return resp.json()
        except ValueError as exc:
            raise EmbeddingError(f"{url} answered with a body that is not JSON") from exc

    def _check_model(self, reported: Any, url: str) -> None:
        if reported and str(reported) != self.model and not str(reported).endswith("/" + self.model):
            raise ModelMismatch(f"{url} answered for model {reported!r}, configured {self.model!r}")


class OpenAIProvider(_HttpProvider):
    """OpenAI-compatible embeddings."""

    def __init__(self, config: ProviderConfig, session: requests.Session | None = None):
        super().__init__(config, session)
        self._url = self.base + "/embeddings" if self.base.endswith("/v1") else self.base + "/v1/embeddings"
        self._root_url = None if self.base.endswith("/v1") else self.base + "/embeddings"
        self.endpoint = self._url

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        payload: dict[str, Any] = {"model": self.model, "input": list(texts)}
        if self.config.dimensions:
            payload["dimensions"] = self.config.dimensions
        try:
            resp = self._post(self._url, payload)
        except EmbeddingError as exc:
            if exc.status != 404 or not self._root_url:
                raise
            log.info("%s answered 404; trying %s", self._url, self._root_url)
            self._url, self._root_url = self._root_url, None
            self.endpoint = self._url
            resp = self._post(self._url, payload)
        body = self._json(resp, self._url)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise EmbeddingError(f"{self._url}: response has no 'data' list")
        self._check_model(body.get("model"), self._url)
        return [_decode(d.get("embedding")) for d in _in_input_order(body["data"], self._url)]


def _in_input_order(items: list[Any], url: str) -> list[dict[str, Any]]:
    """The answer's items in input order: by ``index``, which must be exactly 0..n-1 (a gateway that
    chunks and concatenates restarts at 0); items without any index are taken in the order sent.

    :raises EmbeddingError: items that are not objects, or indexes that are not a permutation of 0..n-1.
    """
    if not all(isinstance(d, dict) for d in items):
        raise EmbeddingError(f"{url}: 'data' holds items that are not objects")
    indexes = [d.get("index") for d in items]
    if all(i is None for i in indexes):
        return items
    if sorted(i if isinstance(i, int) and not isinstance(i, bool) else -1 for i in indexes) != list(range(len(items))):
        raise EmbeddingError(f"{url}: the answer's indexes are not 0..{len(items) - 1} (got {indexes[:8]}...): "
                             "vectors cannot be matched to their inputs")
    return sorted(items, key=lambda d: d["index"])


def _decode(embedding: Any) -> Vector:
    if isinstance(embedding, str):  # encoding_format=base64: little-endian float32
        raw = base64.b64decode(embedding)
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    if not isinstance(embedding, list):
        return []
    return embedding


class OllamaProvider(_HttpProvider):
    """Ollama's ``/api/embed``."""

    def __init__(self, config: ProviderConfig, session: requests.Session | None = None):
        super().__init__(config, session)
        self.endpoint = self.base + "/api/embed"

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        resp = self._post(self.endpoint, {"model": self.model, "input": list(texts)})
        body = self._json(resp, self.endpoint)
        if not isinstance(body, dict) or not isinstance(body.get("embeddings"), list):
            raise EmbeddingError(f"{self.endpoint}: response has no 'embeddings' list")
        self._check_model(body.get("model"), self.endpoint)
        return [e if isinstance(e, list) else [] for e in body["embeddings"]]


class SentenceTransformersProvider:
    """A local sentence-transformers model directory (``pip install sentence-transformers``)."""

    def __init__(self, config: ProviderConfig):
        path = config.model_path or config.model
        if not path:
            raise ValueError("sentence_transformers provider needs extra 'model_path'")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError("sentence_transformers is not installed: pip install -r requirements-st.txt",
                                 fatal=True) from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.model = config.model or path
        self.endpoint = f"local:{path}"

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [list(map(float, v)) for v in self._model.encode(list(texts), convert_to_numpy=True)]


def model_name(config: ProviderConfig) -> str:
    """The key a config's vectors are stored under (model and input recipe), without building the
    provider (no session, no model load)."""
    if config.kind.lower() == "hashing":
        return model_key(HashingProvider(config.dimensions or HASHING_DIMENSIONS).model)
    name = config.model or config.model_path
    if not name:
        raise ValueError(f"{config.kind} provider needs a model (connection extra 'model')")
    return model_key(name)


def make_provider(config: ProviderConfig, session: requests.Session | None = None) -> EmbeddingProvider:
    """Build the provider a config names."""
    kind = config.kind.lower().replace("-", "_")
    if kind == "hashing":
        return HashingProvider(config.dimensions or HASHING_DIMENSIONS)
    if kind in ("openai", "openai_compatible"):
        return OpenAIProvider(config, session)
    if kind == "ollama":
        return OllamaProvider(config, session)
    if kind in ("sentence_transformers", "st"):
        return SentenceTransformersProvider(config)
    raise ValueError(f"unknown embedding provider kind {config.kind!r} (hashing, openai, ollama, sentence_transformers)")


def make_providers(config: ProviderConfig, session: requests.Session | None = None) -> list[EmbeddingProvider]:
    """The primary provider followed by its fallbacks (same kind and model, other endpoints)."""
    chain = [make_provider(config, session)]
    for url in config.fallbacks:
        chain.append(make_provider(ProviderConfig(**{**config.__dict__, "base_url": url, "fallbacks": ()}), session))
    return chain
