"""The demo's report, read back from a store the real stages filled from the stand-in, and how it runs its two DAGs."""
import os
import re
import shlex
import subprocess
import sys

from devkit.demo import SEARCH_QUERY, report, search_answer
from devkit.standin.corpus import Corpus
from devkit.standin.real import RealCorpus
from motion_ops.clients.embedder import Embedder
from motion_ops.clients.hashing import HashingProvider
from motion_ops.clients.providers import ProviderConfig
from motion_ops.embeddings import embed_ids, plan
from motion_ops.publish import publish
from motion_ops.similarity import compute_version
from tests.conftest import ROOT
from tests.plugins.motion_ops.conftest import cases_corpus, synced  # noqa: F401 (fixtures)
from tests.plugins.motion_ops.serve.conftest import published  # noqa: F401 (fixture)
from tests.plugins.motion_ops.test_sync import sync

HASHING = {"conn_type": "motion_embeddings", "extra": {"provider": "hashing"}}


def published_report(store, clock, corpus):
    """``corpus`` served by the stand-in, synced, embedded (hashing) and published."""
    from devkit.standin.server import StandinServer

    with StandinServer(corpus) as srv:
        sync(store, srv.url, clock)
        url = srv.url
    embedder = Embedder([HashingProvider()])
    (ids,), _ = plan(store, model=embedder.model, batch_size=10_000, max_batches=None)
    embed_ids(store, embedder, ids, group_size=64)
    publish(store, compute_version(store, model=embedder.model, top_n=5)["version"])
    t0 = store.conn.execute("SELECT now() - interval '1 hour'").fetchone()[0]
    store.conn.commit()
    return report(store, t0=t0, feed_url=url, corpus=corpus, elapsed=1.0, log_path=__import__("pathlib").Path("/tmp/x.log"),
                  embeddings=HASHING)


def test_the_report_on_real_motions_shows_them_related_across_dossiers_and_a_search_answer(store, clock):
    text = published_report(store, clock, RealCorpus(limit=160))
    assert "160 real motions of the Tweede Kamer (devkit/data, open data CC0)" in text and "GENERATED" not in text
    block = text.split("three real motions and their top-3 related motions")[1].split("one amended motion")[0]
    assert int(re.search(r"\((\d+) dossiers among them\)", block).group(1)) >= 2
    samples = [line for line in block.splitlines() if line.startswith("    * ")]
    assert len(samples) == 3 and len(re.findall(r"^        [123]\. ", block, re.M)) == 9
    shown = re.findall(r"\[dossier ([^\]]+)\]", block)
    assert len(set(shown)) >= 2  # related motions from more than one dossier
    assert "earlier version:" in text and "linked by zaak" in text  # an amended motion and the one it replaces
    answer = text.split(f'search "{SEARCH_QUERY}"')[1]
    assert "text " in answer and "semantic  (by meaning, model " in answer
    assert re.search(r"semantic .*: 5 results\n(        \d\. .*\[dossier [^\]]+\]\n){5}", answer)


def test_the_report_on_the_generated_corpus_labels_every_motion_it_shows_as_generated(store, clock):
    text = published_report(store, clock, Corpus(motions=60, cases=True))
    assert "GENERATED sample motions (made up by devkit/standin, not Tweede Kamer data)" in text
    assert "CC0" not in text and "three generated motions" in text
    shown = [line for line in text.splitlines() if "[dossier " in line or "earlier version: " in line]
    assert len(shown) >= 3 + 9 + 1 + 5
    assert all(line.endswith("  [GENERATED sample, not Tweede Kamer data]") for line in shown)


def test_a_semantic_search_the_provider_cannot_answer_says_so_instead_of_listing(store, clock):
    published_report(store, clock, RealCorpus(limit=20))
    other = ProviderConfig(kind="openai", model="another-model", base_url="http://127.0.0.1:9")
    lines = search_answer(store, SEARCH_QUERY, other, modes=("semantic",))
    assert len(lines) == 2 and "not available" in lines[1] and "another-model" in lines[1]


def test_the_demos_related_hint_works_from_a_fresh_shell(published, pg_uri):  # noqa: F811 (the fixture)
    from devkit.demo import related_command

    corpus = published[0]
    command = related_command(corpus.cases["amended_tvv"])  # a Zaak nummer, as the demo prints it
    # a fresh shell: no PYTHONPATH, no AIRFLOW_CONN_*, no activated venv; the store the test filled
    # (the demo's is .pgdata); -o: the shared test venv is installed, make must not reinstall it
    args = shlex.split(command)
    assert args[0] == "make"
    pgdata = pg_uri.split("host=", 1)[1].split("&", 1)[0]
    out = subprocess.run([args[0], "-s", "-o", ".venv/.installed", *args[1:], f"PGDATA={pgdata}"], cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Gewijzigde motie" in out.stdout and "earlier version" in out.stdout.lower(), out.stdout


ENRICHMENT = """
import pathlib, sys, time
d = pathlib.Path(sys.argv[1])
(d / "texts").touch()  # sync_content has stored the texts
deadline = time.time() + 60
while not (d / "summaries-started").exists():  # the embedding goes on meanwhile
    if time.time() > deadline:
        sys.exit(3)
    time.sleep(0.05)
print("enrichment done")
sys.exit(int(sys.argv[2]))
"""
SUMMARIES = """
import os, pathlib, sys
(pathlib.Path(sys.argv[1]) / "summaries-started").touch()
print("summaries with", os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"))
"""


def both(tmp_path, enrichment_exit: int = 0):
    from devkit.demo import run_both

    home = tmp_path / "home"
    home.mkdir()
    (home / "airflow.db").write_bytes(b"migrated")
    logs = (tmp_path / "enrichment.log", tmp_path / "summaries.log")
    out = run_both([sys.executable, "-c", ENRICHMENT, str(tmp_path), str(enrichment_exit)],
                   [sys.executable, "-c", SUMMARIES, str(tmp_path)], env={**os.environ, "AIRFLOW_HOME": str(home)},
                   cwd=tmp_path, logs=logs, texts_ready=lambda: (tmp_path / "texts").exists(), poll=0.05)
    return out, logs, home


def test_the_summaries_run_starts_once_the_texts_are_synced_while_the_enrichment_goes_on(tmp_path):
    (code, failed, log), logs, home = both(tmp_path)
    assert code == 0 and failed[-1] == str(tmp_path) and log == logs[1]
    assert logs[0].read_text() == "enrichment done\n"  # it saw the summaries start before it ended
    # its own copy of the migrated SQLite metadata database: SQLite takes one writer at a time
    assert logs[1].read_text() == f"summaries with sqlite:///{home / 'airflow-summaries.db'}\n"
    assert (home / "airflow-summaries.db").read_bytes() == b"migrated"


def test_a_failing_enrichment_run_is_the_failure_reported_and_the_started_summaries_run_ends_first(tmp_path):
    (code, failed, log), logs, _ = both(tmp_path, enrichment_exit=2)
    assert code == 2 and failed[2] == ENRICHMENT and log == logs[0]
    assert logs[1].read_text().startswith("summaries with sqlite:///")


def test_the_texts_count_as_synced_once_sync_content_recorded_its_line_in_this_run(store):
    from devkit.demo import texts_synced

    t0 = store.conn.execute("SELECT now()").fetchone()[0]
    store.conn.commit()
    assert not texts_synced(store, t0)
    store.execute("upsert_run_metric", {"dag_id": "motion_enrichment", "run_id": "r", "task_id": "sync_content",
                                        "map_index": -1, "try_number": 1, "seconds": 0.1, "items": 0, "failures": 0,
                                        "summary": "announced"})
    assert texts_synced(store, t0)
    later = store.conn.execute("SELECT now() + interval '1 minute'").fetchone()[0]
    store.conn.commit()
    assert not texts_synced(store, later)
    store.conn.execute("DROP TABLE run_metrics")  # a first run before migrate_store created it
    store.conn.commit()
    assert not texts_synced(store, t0)
