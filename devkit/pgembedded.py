"""The embedded PostgreSQL (+pgvector) used by ``make demo`` and the tests, via the pgserver wheel.

``ensure(datadir)`` starts a server on that folder, or reuses the one another process already
started there, and returns its unix-socket URI. Production uses any Postgres with pgvector
through the ``motion_db`` connection instead.
"""
from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger(__name__)
# pgserver logs from its atexit handler, when the streams of pytest (or a closed terminal) are gone
logging.getLogger("pgserver").propagate = False


def ensure(datadir: str | os.PathLike[str]) -> str:
    """Start (or reuse) the embedded server in ``datadir``; return a libpq URI for it."""
    import warnings

    # pgserver asks platformdirs for a runtime folder; without XDG_RUNTIME_DIR it warns and uses /tmp
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver

    path = Path(datadir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    if not (path / "postmaster.pid").exists():  # stopped: pgserver's handle of it in this process is stale
        pgserver.PostgresServer._instances.pop(path, None)
    server = pgserver.get_server(path, cleanup_mode=None)
    uri = server.get_uri()
    if _raise_connection_limit(uri):  # once per folder: the setting stays in postgresql.auto.conf
        stop(path)
        pgserver.PostgresServer._instances.pop(path, None)  # pgserver's handle of the server just stopped
        uri = pgserver.get_server(path, cleanup_mode=None).get_uri()
    log.info("embedded postgres at %s", uri)
    return uri


#: connections the embedded server takes: the test session's apps, browsers and Airflow deployments
#: hold pools side by side (PostgreSQL's default of 100 ran out in the whole suite)
MAX_CONNECTIONS = 300


def _raise_connection_limit(uri: str) -> bool:
    """Set ``max_connections`` to :data:`MAX_CONNECTIONS` if it is lower; True if the server must restart."""
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        if int(conn.execute("SHOW max_connections").fetchone()[0]) >= MAX_CONNECTIONS:
            return False
        conn.execute(f"ALTER SYSTEM SET max_connections = {int(MAX_CONNECTIONS)}")
    return True


def stop(datadir: str | os.PathLike[str], *, timeout: float = 30.0) -> bool:
    """Stop the embedded server in ``datadir`` if one runs there (fast shutdown); True if it did.

    The postmaster is signalled directly: pgserver runs it as an unprivileged user when started
    by root, and ``pg_ctl`` refuses to run as root.
    """
    pidfile = Path(datadir).resolve() / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return False
    try:
        os.kill(pid, signal.SIGINT)  # "fast" shutdown: roll back open transactions, then exit cleanly
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    log.warning("embedded postgres (pid %d) did not stop within %.0fs", pid, timeout)
    return False
