"""Shared set-up for the benchmarks: an embedded Postgres in .pgdata-bench and a clean schema."""
from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]  # run as a script: motion_ops and devkit


def fresh_store():
    import atexit

    from devkit import pgembedded
    from motion_ops.store.db import Store

    store = Store(pgembedded.ensure(ROOT / ".pgdata-bench"))
    atexit.register(pgembedded.stop, ROOT / ".pgdata-bench")
    store.conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    store.migrate()
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 20.0) -> None:
    """Until something listens on 127.0.0.1:``port``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")
