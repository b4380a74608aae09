"""A published store with the stand-in's relatedness cases, and the readers' app over it."""
import pytest
from fastapi.testclient import TestClient

from motion_ops.clients.providers import ProviderConfig
from motion_ops.publish import publish
from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.query_embedding import QueryEmbedder
from motion_ops.similarity import compute_version


@pytest.fixture
def published(store, synced):
    """The cases corpus synced, embedded and published (version 1); returns (corpus, model, version)."""
    corpus, model = synced
    v = compute_version(store, model=model, top_n=8)["version"]
    publish(store, v)
    return corpus, model, v


@pytest.fixture
def client(published, pg_uri):
    app = create_app(Settings(dsn=pg_uri, secret=b"test-secret", embed=QueryEmbedder(ProviderConfig()),
                              version_ttl=0))  # the tests publish and read at once
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
