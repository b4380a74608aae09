"""Shared set-up for the benchmarks: each script's own embedded Postgres (``.pgdata-bench-<script>``)
with a clean schema, the ``--smoke`` switch, and loopback helpers."""
from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]  # run as a script: motion_ops and devkit

SMOKE_ENV = "MOTION_BENCH_SMOKE"


def parse_args(ap: argparse.ArgumentParser, smoke: dict[str, object]) -> argparse.Namespace:
    """``ap``'s arguments plus ``--smoke`` (or ``MOTION_BENCH_SMOKE=1``): the same run end to end on
    the tiny sizes ``smoke`` (defaults only: an option given on the command line still wins), in
    seconds, to show that the benchmark works; its timings mean nothing."""
    ap.add_argument("--smoke", action="store_true", default=os.environ.get(SMOKE_ENV) == "1",
                    help=f"a tiny end-to-end run that only shows the benchmark works (also {SMOKE_ENV}=1)")
    if ap.parse_args().smoke:
        ap.set_defaults(**smoke)
    args = ap.parse_args()
    if args.smoke:
        sizes = ", ".join(f"{k}={v}" for k, v in smoke.items()) or "the full run is already that small"
        print(f"smoke run (tiny sizes, timings mean nothing): {sizes}")
    return args


def pgdata() -> Path:
    """This script's own data folder: a benchmark that exits stops only its own server, never one
    the next benchmark (``make bench`` runs them back to back) is already using."""
    return ROOT / f".pgdata-bench-{Path(sys.argv[0]).stem}"


def fresh_store():
    import atexit

    from devkit import pgembedded
    from motion_ops.store.db import Store

    datadir = pgdata()
    store = Store(pgembedded.ensure(datadir))
    atexit.register(pgembedded.stop, datadir)
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
