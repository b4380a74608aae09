"""The embedded PostgreSQL (+pgvector) used by ``make demo`` and the tests, via the pgserver wheel.

``ensure(datadir)`` starts a server on that folder, or reuses the one another process already
started there, and returns its unix-socket URI. Production uses any Postgres with pgvector
through the ``motion_db`` connection instead.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def ensure(datadir: str | os.PathLike[str]) -> str:
    """Start (or reuse) the embedded server in ``datadir``; return a libpq URI for it."""
    import pgserver

    path = Path(datadir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(path, cleanup_mode=None)
    uri = server.get_uri()
    log.info("embedded postgres at %s", uri)
    return uri


def stop(datadir: str | os.PathLike[str]) -> None:
    """Stop the embedded server in ``datadir`` if one runs there."""
    import subprocess

    path = Path(datadir).resolve()
    if not (path / "postmaster.pid").exists():
        return
    import pgserver

    server = pgserver.get_server(path, cleanup_mode=None)
    try:
        server.cleanup()
    except Exception:  # pgserver's cleanup may refuse for a server it did not start
        pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
        subprocess.run([str(pg_ctl), "-D", str(path), "stop", "-m", "fast"], check=False, capture_output=True)
