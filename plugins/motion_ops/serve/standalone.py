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

from motion_ops.serve.app import READER_ROLE, Settings, create_app
from motion_ops.serve.reads import Unavailable

log = logging.getLogger(__name__)


def query_embedder(config: Any) -> Callable[[str], tuple[str, list[float]]]:
    """``text -> (model key, vector)`` through the provider a connection describes (one at a time)."""
    from motion_ops.clients.embedder import Embedder

    embedder, lock = Embedder.from_config(config), threading.Lock()

    def embed(text: str) -> tuple[str, list[float]]:
        with lock:
            (result,) = embedder.embed([text])
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
    return Settings(dsn_factory=_dsn, role=role, embed=query_embedder(_embeddings_config()))


def app_from_environment() -> Any:
    """The app uvicorn builds in each worker (``--factory``)."""
    return create_app(settings_from_environment())


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    uvicorn.run("motion_ops.serve.standalone:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=False)
