"""A published store with the stand-in's relatedness cases, and the readers' app over it."""
import pytest
from fastapi.testclient import TestClient

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.hashing import HashingProvider
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import embed_ids, plan_batches
from motion_ops.publish import publish
from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.standalone import query_embedder
from motion_ops.similarity import compute_version
from tests.plugins.motion_ops.test_sync import sync


@pytest.fixture(scope="module")
def cases_corpus():
    from devkit.standin.corpus import Corpus

    return Corpus(motions=60, cases=True)


@pytest.fixture
def published(store, cases_corpus, clock):
    """The corpus synced, embedded and published (version 1); returns (corpus, model, version)."""
    from devkit.standin.server import StandinServer

    with StandinServer(cases_corpus, page_size=80) as srv:
        sync(store, srv.url, clock)
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan_batches(store, model=embedder.model, batch_size=10_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=64)
    v = compute_version(store, model=embedder.model, top_n=8)["version"]
    publish(store, v)
    return cases_corpus, embedder.model, v


@pytest.fixture
def client(published, pg_uri):
    app = create_app(Settings(dsn=pg_uri, secret=b"test-secret", embed=query_embedder(ProviderConfig()),
                              version_ttl=0))  # the tests publish and read at once
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
