"""Run Airflow 3 locally on the embedded defaults: ``make airflow`` / ``make stop``
(``python -m devkit.local_airflow start|stop``).

Starts the embedded Postgres (``.pgdata``; the motion store in database ``postgres``, Airflow's
metadata in database ``airflow``: LocalExecutor runs tasks in parallel, which SQLite cannot
serve), the stand-in SyncFeed on 127.0.0.1, and the api-server, scheduler, dag-processor and
triggerer with LocalExecutor; creates the ``embedding_provider`` pool; prints the URL and login.
Everything started is recorded in ``.run/`` so ``stop`` ends it, also after a crash.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devkit.env import ROOT, airflow_env, connection_env

BIN = Path(sys.executable).parent


@dataclass
class Deployment:
    """Where one local Airflow lives; tests make their own with other folders, ports and env."""

    root: Path = ROOT
    home: Path = ROOT / ".airflow-local"
    run: Path = ROOT / ".run"
    pgdata: Path = ROOT / ".pgdata"
    port: int = 8080
    feed_port: int = 8765
    metadata_db: str = "airflow"
    store_db: str = "postgres"
    pool_slots: int = 4
    env_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def env(self) -> dict[str, str]:
        sock = str(self.pgdata.resolve())
        return airflow_env(home=self.home, root=self.root, overrides={
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@/{self.metadata_db}?host={sock}",
            "AIRFLOW__API__PORT": str(self.port),
            # the workers reach the API server here: it must follow the port
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{self.port}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__API_AUTH__JWT_SECRET": "motion-ops-local-only-secret",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            **connection_env(pg_socket_dir=sock, database=self.store_db, feed_url=f"http://127.0.0.1:{self.feed_port}"),
            **self.env_overrides})

    def password(self) -> str:
        path = self.home / "simple_auth_manager_passwords.json.generated"
        return json.loads(path.read_text())["admin"] if path.exists() else "(see the api-server log)"


def _airflow(dep: Deployment, *args: str) -> None:
    log = dep.run / "logs" / "setup.log"
    with open(log, "a") as out:
        subprocess.run([str(BIN / "airflow"), *args], env=dep.env(), stdout=out, stderr=subprocess.STDOUT, check=True)


def _spawn(dep: Deployment, name: str, cmd: list[str]) -> None:
    log = open(dep.run / "logs" / f"{name}.log", "ab")
    proc = subprocess.Popen(cmd, env=dep.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=dep.root)
    (dep.run / f"{name}.pid").write_text(str(proc.pid))


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f}s")


def start(dep: Deployment) -> Deployment:
    """Start everything (idempotent set-up) and wait until the API answers."""
    import psycopg

    from devkit import pgembedded
    from motion_ops.store.db import Store

    stop(dep, quiet=True)
    (dep.run / "logs").mkdir(parents=True, exist_ok=True)
    dep.home.mkdir(parents=True, exist_ok=True)
    started_pg = not (dep.pgdata / "postmaster.pid").exists()
    uri = pgembedded.ensure(dep.pgdata)
    if started_pg:
        (dep.run / "pgserver.started").write_text(str(dep.pgdata))
    with psycopg.connect(uri, autocommit=True) as conn:
        for db in {dep.metadata_db, dep.store_db} - {"postgres"}:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
                conn.execute(f'CREATE DATABASE "{db}"')  # identifiers cannot be bound parameters
    store_uri = uri.replace("/postgres?", f"/{dep.store_db}?")
    with Store(store_uri) as store:
        store.migrate()
    _airflow(dep, "db", "migrate")
    _airflow(dep, "pools", "set", "embedding_provider", str(dep.pool_slots), "calls to the embedding provider")
    _spawn(dep, "standin-feed", [sys.executable, "-m", "devkit.standin.server", "--port", str(dep.feed_port)])
    for name, args in (("api-server", ["api-server", "--port", str(dep.port)]), ("scheduler", ["scheduler"]),
                       ("dag-processor", ["dag-processor"]), ("triggerer", ["triggerer"])):
        _spawn(dep, name, [str(BIN / "airflow"), *args])
    _wait_http(f"{dep.url}/api/v2/monitor/health", 120)
    return dep


def stop(dep: Deployment, *, quiet: bool = False) -> None:
    """Stop every process recorded in ``dep.run`` (and the embedded Postgres if we started it)."""
    for pid_file in sorted(dep.run.glob("*.pid")) if dep.run.exists() else []:
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(50):
            try:
                os.killpg(pid, 0)
                time.sleep(0.2)
            except ProcessLookupError:
                break
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pid_file.unlink()
        if not quiet:
            print(f"stopped {pid_file.stem}")
    marker = dep.run / "pgserver.started"
    if marker.exists() and not quiet:
        from devkit import pgembedded

        pgembedded.stop(Path(marker.read_text()))
        marker.unlink()
        print("stopped the embedded Postgres")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["start", "stop"])
    ap.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", 8080)))
    args = ap.parse_args()
    dep = Deployment(port=args.port)
    if args.command == "stop":
        stop(dep)
        return 0
    start(dep)
    print(f"Airflow is up: {dep.url}  (login: admin / {dep.password()})")
    print("  DAG motion_enrichment is paused: unpause it in the UI for nightly runs, or trigger it by hand.")
    print(f"  stand-in feed: http://127.0.0.1:{dep.feed_port}; store: {dep.pgdata}/ (database {dep.store_db})")
    print(f"  logs: {dep.run / 'logs'}; stop everything with: make stop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
