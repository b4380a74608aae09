"""Shared set-up for the benchmarks: an embedded Postgres in .pgdata-bench and a clean schema."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))


def fresh_store():
    import atexit

    from motion_ops import pgembedded
    from motion_ops.store import Store

    store = Store(pgembedded.ensure(ROOT / ".pgdata-bench"))
    atexit.register(pgembedded.stop, ROOT / ".pgdata-bench")
    store.conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    store.migrate()
    return store
