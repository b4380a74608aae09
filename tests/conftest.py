"""Shared fixtures: an embedded Postgres (one server per test session, a fresh schema per test),
the stand-in feed, and a fake clock. Nothing here talks to anything but 127.0.0.1."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared" / "reference" / "tk-open-data"


@pytest.fixture(scope="session")
def pg_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    from motion_ops import pgembedded

    # under the repo, not pytest's 0700 tmp dirs: pgserver runs postgres as an unprivileged user
    datadir = Path(os.environ.get("MOTION_OPS_TEST_PGDATA") or ROOT / ".pgdata-test")
    uri = pgembedded.ensure(datadir)
    yield uri
    pgembedded.stop(datadir)


@pytest.fixture
def store(pg_uri: str):
    """A migrated, empty store."""
    from motion_ops.store import Store

    s = Store(pg_uri)
    s.conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
    s.conn.execute("CREATE SCHEMA public")
    s.conn.commit()
    s.migrate()
    yield s
    s.close()


@pytest.fixture(scope="session")
def small_corpus():
    from motion_ops.standin.corpus import Corpus

    return Corpus(motions=60)


@pytest.fixture
def standin(small_corpus):
    from motion_ops.standin.server import StandinServer

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
