"""Run Airflow 3 locally on the embedded defaults: ``make airflow`` / ``make stop``
(``python -m devkit.local_airflow start|stop``).

Starts the embedded Postgres (``.pgdata``; the motion store in database ``postgres``, Airflow's
metadata in database ``airflow``: LocalExecutor runs tasks in parallel, which SQLite cannot
serve), the stand-in SyncFeed on 127.0.0.1, and the api-server, scheduler, dag-processor and
triggerer with LocalExecutor; with ``--executor celery`` (``make airflow EXECUTOR=celery``) the
CeleryExecutor instead, with Debian's ``redis-server`` as the broker and two Celery workers, each a
process with its own hostname and queue (the compose file's deployment, on one machine); creates the ``embedding_provider`` and ``llm_provider`` pools and, where absent, the three
connections in the metadata DB (the user's own settings win and survive restarts); prints the
URL and login. Everything listens on 127.0.0.1 only (``--bind`` to choose otherwise); the JWT,
API and Fernet secrets are generated once per installation (``<home>/secrets.json``, mode 0600).
``<home>/env.sh`` points any shell's ``airflow`` and ``python -m motion_ops`` at this instance
(``make shell``). Everything started is recorded in ``.run/`` so ``stop`` ends it, also after a crash.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devkit.env import ROOT, airflow_env, embedded_connections

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
    bind: str = "127.0.0.1"  # the api-server's address; nothing else listens on a network port
    env_overrides: dict[str, str] = field(default_factory=dict)
    connections: dict[str, dict] = field(default_factory=dict)  # initial definitions beyond the defaults
    executor: str = "local"  # local | celery (Debian's redis-server as the broker, WORKERS Celery workers)
    redis_port: int = 6399
    workers: tuple[str, ...] = ("worker-1", "worker-2")
    worker_concurrency: int = 2

    @property
    def url(self) -> str:
        return f"http://{'127.0.0.1' if self.bind in ('127.0.0.1', '0.0.0.0') else self.bind}:{self.port}"

    def secrets(self) -> dict[str, str]:
        """This installation's secrets, generated on first use and kept readable by its owner only."""
        path = self.home / "secrets.json"
        if path.exists():
            return json.loads(path.read_text())
        from cryptography.fernet import Fernet

        self.home.mkdir(parents=True, exist_ok=True)
        values = {"jwt_secret": secrets.token_urlsafe(48), "api_secret_key": secrets.token_urlsafe(32),
                  "fernet_key": Fernet.generate_key().decode()}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(values, f)
        return values

    def initial_connections(self) -> dict[str, dict]:
        """The connections created on first start (when absent): the embedded defaults."""
        return {**embedded_connections(pg_socket_dir=self.pgdata.resolve(), database=self.store_db,
                                       feed_url=f"http://127.0.0.1:{self.feed_port}"), **self.connections}

    def env(self) -> dict[str, str]:
        sock = str(self.pgdata.resolve())
        keys = self.secrets()
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_MOTION_")}  # the DB's win
        celery = {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://postgres@/{self.metadata_db}?host={sock}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            # a worker reserves only the tasks it can run now: the others go to the idle worker
            "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "devkit.hostname.worker_hostname",
        } if self.executor == "celery" else {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
        return airflow_env(home=self.home, root=self.root, base=base, overrides={
            **celery,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@/{self.metadata_db}?host={sock}",
            "AIRFLOW__API__HOST": self.bind,
            "AIRFLOW__API__PORT": str(self.port),
            # the workers reach the API server here: it must follow the port
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__API__SECRET_KEY": keys["api_secret_key"],
            "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            **self.env_overrides})

    def write_env_file(self) -> Path:
        """``<home>/env.sh``: ``source`` it and ``airflow ...`` / ``python -m motion_ops ...`` reach this instance."""
        keep = ("AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__PLUGINS_FOLDER", "AIRFLOW__CORE__LOAD_EXAMPLES",
                "AIRFLOW__CORE__EXECUTOR", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__API__HOST", "AIRFLOW__API__PORT",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__CORE__FERNET_KEY", "PYTHONPATH")
        env = self.env()
        path = self.home / "env.sh"
        lines = ["# source me: every airflow / python -m motion_ops command then reaches the local Airflow"]
        lines += [f"export {k}={shlex.quote(env[k])}" for k in keep]
        lines.append(f"export PATH={shlex.quote(str(BIN))}:\"$PATH\"")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the Fernet key
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def password(self) -> str:
        path = self.home / "simple_auth_manager_passwords.json.generated"
        return json.loads(path.read_text())["admin"] if path.exists() else "(see the api-server log)"


def pools_of(dep: Deployment) -> dict[str, list]:
    """The pools a local Airflow gets (``airflow pools set`` on every start)."""
    return {"embedding_provider": [dep.pool_slots, "calls to the embedding provider"],
            "llm_provider": [dep.pool_slots, "summarize batches sent to the LLM backends"]}


def _airflow(dep: Deployment, *args: str) -> None:
    log = dep.run / "logs" / "setup.log"
    with open(log, "a") as out:
        subprocess.run([str(BIN / "airflow"), *args], env=dep.env(), stdout=out, stderr=subprocess.STDOUT, check=True)


def _spawn(dep: Deployment, name: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
    log = open(dep.run / "logs" / f"{name}.log", "ab")
    proc = subprocess.Popen(cmd, env={**dep.env(), **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=dep.root)
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
    with open(dep.run / "logs" / "setup.log", "a") as out:  # connections only where absent: the user's own settings win
        subprocess.run([sys.executable, "-m", "devkit.connections", json.dumps(dep.initial_connections()),
                        json.dumps(pools_of(dep))], env=dep.env(), stdout=out, stderr=subprocess.STDOUT, check=True,
                       cwd=dep.root)
    dep.write_env_file()
    _spawn(dep, "standin-feed", [sys.executable, "-m", "devkit.standin.server", "--port", str(dep.feed_port)])
    if dep.executor == "celery":
        start_celery(dep)
    # LocalExecutor: task logs are files the api-server reads, so no log server (ports 8793/8794) is needed
    for name, args in (("api-server", ["api-server", "--host", dep.bind, "--port", str(dep.port)]),
                       ("scheduler", ["scheduler", "--skip-serve-logs"]), ("dag-processor", ["dag-processor"]),
                       ("triggerer", ["triggerer", "--skip-serve-logs"])):
        _spawn(dep, name, [str(BIN / "airflow"), *args])
    _wait_http(f"{dep.url}/api/v2/monitor/health", 120)
    return dep


def start_celery(dep: Deployment) -> None:
    """The broker (Debian's redis-server on 127.0.0.1, no persistence) and the Celery workers,
    each a process of its own with its own hostname and queue besides the shared ``default``."""
    import shutil

    redis = shutil.which("redis-server")
    if not redis:
        raise RuntimeError("EXECUTOR=celery needs redis-server (Debian: apt-get install redis-server)")
    (dep.run / "redis").mkdir(parents=True, exist_ok=True)
    _spawn(dep, "redis", [redis, "--port", str(dep.redis_port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", str(dep.run / "redis")])
    for name in dep.workers:
        _spawn(dep, f"celery-{name}", [str(BIN / "airflow"), "celery", "worker", "--celery-hostname", f"{name}@%h",
                                       "--queues", f"default,{name}", "--concurrency", str(dep.worker_concurrency),
                                       "--skip-serve-logs"], env={"MOTION_OPS_WORKER_HOSTNAME": name})


def stop(dep: Deployment, *, quiet: bool = False) -> None:
    """Stop every process recorded in ``dep.run``; unless ``quiet``, also the embedded Postgres in
    ``dep.pgdata`` (``make status`` / ``make serve`` start it too) and the one ``start`` recorded."""
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
        pid_file.unlink(missing_ok=True)  # another stop (a test's finally, make stop) may have been first
        if not quiet:
            print(f"stopped {pid_file.stem}")
    if quiet:  # start() clearing up before it starts: the Postgres stays
        return
    from devkit import pgembedded

    marker = dep.run / "pgserver.started"
    # whoever started it (make airflow, make status, make serve): `make stop` stops it
    folders = {dep.pgdata.resolve()} | ({Path(marker.read_text()).resolve()} if marker.exists() else set())
    marker.unlink(missing_ok=True)
    for folder in sorted(folders):
        if pgembedded.stop(folder):
            print(f"stopped the embedded Postgres ({folder})")


def dag_is_paused(dep: Deployment, timeout: float = 90) -> bool | None:
    """Whether motion_enrichment is paused, as the API says once the DAG is parsed (None: not yet)."""
    token = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{dep.url}/auth/token", data=json.dumps({"username": "admin", "password": dep.password()}).encode(),
        headers={"Content-Type": "application/json"}), timeout=10).read())["access_token"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            req = urllib.request.Request(f"{dep.url}/api/v2/dags/motion_enrichment",
                                         headers={"Authorization": f"Bearer {token}"})
            return bool(json.loads(urllib.request.urlopen(req, timeout=10).read())["is_paused"])
        except OSError:
            time.sleep(2)
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["start", "stop", "shell", "pilot"])
    ap.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", 8080)))
    ap.add_argument("--bind", default=os.environ.get("AIRFLOW_BIND", "127.0.0.1"),
                    help="address of the api-server (default 127.0.0.1; 0.0.0.0 opens it to the network)")
    ap.add_argument("--executor", choices=["local", "celery"], default=os.environ.get("EXECUTOR", "local").lower())
    args = ap.parse_args()
    dep = Deployment(port=args.port, bind=args.bind, executor=args.executor)
    if args.command == "stop":
        stop(dep)
        return 0
    if args.command == "shell":
        env_file = dep.write_env_file()
        print(f"a shell on the local Airflow ({env_file}); exit to leave")
        os.execvp("bash", ["bash", "--rcfile", str(env_file), "-i"])
    if args.command == "pilot":
        from devkit.demo_pilot import run

        return run(dep)
    start(dep)
    paused = dag_is_paused(dep)
    print(f"Airflow is up: {dep.url}  (login: admin / {dep.password()})")
    state = {True: "paused: unpause it for nightly runs (03:00 Europe/Amsterdam), or trigger it by hand",
             False: "ACTIVE: the scheduler runs it nightly at 03:00 Europe/Amsterdam",
             None: "not parsed yet: see the DAGs page in a minute"}[paused]
    print(f"  DAG motion_enrichment is {state}. Triggering it from the UI form also unpauses it (Airflow's default):")
    print("  the scheduled catch-up run then starts too and runs first (one run at a time); with 'Unpause' unticked")
    print("  your run stays queued until you unpause the DAG.")
    if dep.bind not in ("127.0.0.1", "localhost", "::1"):
        print(f"  WARNING: the api-server listens on {dep.bind}: anyone who can reach this machine sees the login page")
    print(f"  CLI on this instance: make shell  (or: source {dep.home / 'env.sh'})")
    print(f"  stand-in feed: http://127.0.0.1:{dep.feed_port}; store: {dep.pgdata}/ (database {dep.store_db})")
    print(f"  logs: {dep.run / 'logs'}; stop everything with: make stop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
