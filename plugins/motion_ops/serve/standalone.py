"""The readers' app outside Airflow: ``python -m motion_ops serve`` (uvicorn), and the
``motion-api`` service of docker-compose.

Configuration from the environment: ``MOTION_API_DSN`` (libpq URI of the store; else the
``motion_db`` connection, e.g. ``AIRFLOW_CONN_MOTION_DB``), ``MOTION_API_ROLE`` (default
``motion_reader``; empty: the login's own privileges), ``MOTION_API_SECRET`` (signs paging
cursors: the same on every replica), and the ``motion_embeddings`` connection for semantic
search (the built-in hashing provider when it is not defined).
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable

from motion_ops.clients.redact import redact
from motion_ops.serve.app import READER_ROLE, Settings, create_app
from motion_ops.serve.reads import Unavailable

log = logging.getLogger(__name__)


def query_embedder(config: Any) -> Callable[[str], tuple[str, list[float]]]:
    """``text -> (model key, vector)`` through the provider a connection describes (one at a time)."""
    lock = threading.Lock()
    built: list[Any] = []

    def embed(text: str) -> tuple[str, list[float]]:
        with lock:  # built on the first semantic query (not when Airflow loads the plugin), then one at a time
            if not built:
                from motion_ops.clients.embedder import Embedder

                try:
                    built.append(Embedder.from_config(config() if callable(config) else config))
                except Exception as exc:  # noqa: BLE001 - a provider that cannot be built: no semantic search
                    log.warning("semantic search unavailable: %s", redact(str(exc)))
                    raise Unavailable(f"the embedding provider cannot be used: {type(exc).__name__}") from None
            embedder = built[0]
            try:
                (result,) = embedder.embed([text])
            except Exception as exc:  # noqa: BLE001 - the provider is down or refuses: 409, not 500
                raise Unavailable(f"the query could not be embedded: {type(exc).__name__}") from None
        if result.vector is None:
            raise Unavailable(f"the query could not be embedded: {result.error}")
        return embedder.model, result.vector.tolist()

    return embed


def _embeddings_config() -> Any:
    from motion_ops.clients.providers import ProviderConfig

    try:
        from motion_ops.hooks import EmbeddingsHook

        return EmbeddingsHook().config()
    except Exception as exc:  # noqa: BLE001 - no connection defined: the embedded default
        log.info("motion_embeddings connection not available (%s): semantic search uses the hashing provider",
                 type(exc).__name__)
        return ProviderConfig()


def _dsn() -> str:
    dsn = os.environ.get("MOTION_API_DSN")
    if dsn:
        return dsn
    from motion_ops.hooks import MotionDbHook

    return MotionDbHook().dsn()


def settings_from_environment() -> Settings:
    role = os.environ.get("MOTION_API_ROLE", READER_ROLE) or None
    return Settings(dsn_factory=_dsn, role=role, embed=query_embedder(_embeddings_config))


def app_from_environment() -> Any:
    """The app uvicorn builds in each worker (``--factory``)."""
    return create_app(settings_from_environment())


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    if workers > 1 and not (os.environ.get("MOTION_API_SECRET") or os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET")):
        raise ValueError("several workers need one MOTION_API_SECRET (it signs the paging cursors every worker accepts)")
    uvicorn.run("motion_ops.serve.standalone:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=False)
