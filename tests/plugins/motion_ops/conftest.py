"""The stand-in corpus with the relatedness cases (amended motions, a party merge, a dossier only
in the externeidentifier), synced and embedded by the real stages."""
import pytest

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.hashing import HashingProvider
from motion_ops.embeddings import embed_ids, plan
from tests.plugins.motion_ops.test_sync import sync


@pytest.fixture(scope="session")
def cases_corpus():
    from devkit.standin.corpus import Corpus

    return Corpus(motions=60, cases=True)


@pytest.fixture
def synced(store, cases_corpus, clock):
    """The cases corpus synced from the stand-in and embedded with the default provider: (corpus, model key)."""
    from devkit.standin.server import StandinServer

    with StandinServer(cases_corpus, page_size=80) as srv:
        sync(store, srv.url, clock)
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan(store, model=embedder.model, batch_size=10_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=64)
    return cases_corpus, embedder.model
