"""Airflow hooks: turn the connections ``motion_db``, ``motion_feed`` and ``motion_embeddings``
into the plain clients of :mod:`motion_ops` (no logic beyond reading the connection)."""
from __future__ import annotations

import time
from typing import Any

from airflow.sdk import BaseHook

from motion_ops.embedding import Embedder
from motion_ops.feed import FeedClient
from motion_ops.providers import ProviderConfig, make_providers, model_name
from motion_ops.retry import RateLimiter, RetryPolicy
from motion_ops.store import Store


def _base_url(host: str | None, port: int | None, scheme: str | None, default_scheme: str) -> str:
    host = (host or "").rstrip("/")
    if not host:
        raise ValueError("the connection has no host")
    if "://" in host:
        return host
    return f"{scheme or default_scheme}://{host}{f':{port}' if port else ''}"


class MotionDbHook(BaseHook):
    """The motion store (Postgres with pgvector): ``host/port/login/password/schema`` (= database)."""

    conn_name_attr = "motion_db_conn_id"
    default_conn_name = "motion_db"
    conn_type = "postgres"
    hook_name = "Motion store (Postgres + pgvector)"

    def __init__(self, motion_db_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_db_conn_id = motion_db_conn_id

    def dsn(self) -> str:
        from psycopg.conninfo import make_conninfo

        c = self.get_connection(self.motion_db_conn_id)
        extra = c.extra_dejson
        return make_conninfo(host=c.host or None, port=c.port or None, user=c.login or None, password=c.password or None,
                             dbname=c.schema or extra.get("dbname") or None, sslmode=extra.get("sslmode") or None)

    def get_conn(self) -> Store:
        return Store(self.dsn(), application_name="motion_ops-airflow")

    def test_connection(self) -> tuple[bool, str]:
        try:
            with self.get_conn() as store:
                row = store.conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
            return (True, f"connected; pgvector {row[0]}") if row else (False, "connected, but pgvector is not installed")
        except Exception as exc:  # the UI shows the message
            return False, f"{type(exc).__name__}: {exc}"


class MotionFeedHook(BaseHook):
    """The Tweede Kamer API: host (e.g. ``https://gegevensmagazijn.tweedekamer.nl``); extra
    ``timeout`` (s) and ``max_bytes`` (response cap)."""

    conn_name_attr = "motion_feed_conn_id"
    default_conn_name = "motion_feed"
    conn_type = "http"
    hook_name = "Tweede Kamer SyncFeed"

    def __init__(self, motion_feed_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_feed_conn_id = motion_feed_conn_id

    def get_conn(self, *, pool_size: int = 10) -> FeedClient:
        c = self.get_connection(self.motion_feed_conn_id)
        extra = c.extra_dejson
        return FeedClient(_base_url(c.host, c.port, c.schema or extra.get("scheme"), "https"),
                          timeout=float(extra.get("timeout", 30)), max_bytes=int(extra.get("max_bytes", 20 * 2**20)),
                          pool_size=pool_size)

    def test_connection(self) -> tuple[bool, str]:
        try:
            client = self.get_conn(pool_size=1)
            t0 = time.perf_counter()
            page = client.feed_page("Fractie")
            return True, f"{client.base_url}: {len(page.entities)} Fractie entities in {time.perf_counter() - t0:.2f}s"
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"


class EmbeddingsHook(BaseHook):
    """An embedding provider. Extra ``provider`` (hashing | openai | ollama | sentence_transformers),
    ``model``, ``dimensions``, ``batch_size``, ``max_input_chars``, ``requests_per_minute``, ``timeout``,
    ``fallbacks`` (list of base URLs), ``model_path``, ``retry_attempts`` (3), ``retry_backoff`` (0.5 s);
    host = base URL, password = API key."""

    conn_name_attr = "motion_embeddings_conn_id"
    default_conn_name = "motion_embeddings"
    conn_type = "generic"
    hook_name = "Motion embeddings provider"

    def __init__(self, motion_embeddings_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_embeddings_conn_id = motion_embeddings_conn_id

    def config(self) -> ProviderConfig:
        return self._config(self.get_connection(self.motion_embeddings_conn_id))

    @staticmethod
    def _config(c: Any) -> ProviderConfig:
        x = c.extra_dejson
        kind = x.get("provider") or (c.conn_type if c.conn_type in ("openai", "ollama") else "hashing")
        base = _base_url(c.host, c.port, c.schema or x.get("scheme"), "http") if c.host else None
        fallbacks = x.get("fallbacks") or []
        return ProviderConfig(
            kind=kind, base_url=base, model=x.get("model"), api_key=c.password or None,
            dimensions=int(x["dimensions"]) if x.get("dimensions") else None, timeout=float(x.get("timeout", 60)),
            batch_size=int(x["batch_size"]) if x.get("batch_size") else None,
            max_input_chars=int(x.get("max_input_chars", 8000)),
            requests_per_minute=float(x["requests_per_minute"]) if x.get("requests_per_minute") else None,
            fallbacks=tuple(fallbacks if isinstance(fallbacks, list) else [fallbacks]), model_path=x.get("model_path"))

    def get_conn(self) -> Embedder:
        c = self.get_connection(self.motion_embeddings_conn_id)
        cfg, x = self._config(c), c.extra_dejson
        policy = RetryPolicy(attempts=int(x.get("retry_attempts", 3)), backoff=float(x.get("retry_backoff", 0.5)))
        return Embedder(make_providers(cfg), policy=policy, limiter=RateLimiter(cfg.requests_per_minute),
                        expected_dims=cfg.dimensions, max_input_chars=cfg.max_input_chars,
                        max_request_inputs=cfg.batch_size)

    def model(self) -> str:
        """The configured model's name (builds no client)."""
        return model_name(self.config())

    def test_connection(self) -> tuple[bool, str]:
        from motion_ops.embedding import check_embedder

        return check_embedder(self.get_conn())
