from fastapi.testclient import TestClient

from motion_ops.qa import Thresholds, run_qa
from motion_ops.serve.app import Settings, create_app
from motion_ops.similarity import compute_version
from tests.plugins.motion_ops.test_similarity import embed_all


def test_a_runs_qa_page_is_served_from_the_store_per_try_and_unknown_runs_are_a_plain_404(store, motions, pg_uri, tmp_path):
    version = compute_version(store, model=embed_all(store), top_n=5)["version"]
    for try_number in (1, 2):
        run_qa(store, version=version, run_id="manual__2026-12-01T03:00:00+00:00", sample_size=10, failure_ratio=0.0,
               thresholds=Thresholds(min_relevance=0.0), reports_dir=tmp_path, try_number=try_number)
    client = TestClient(create_app(Settings(dsn=pg_uri)))
    first = client.get("/qa/manual__2026-12-01T03%3A00%3A00%2B00%3A00", params={"try": 1})
    newest = client.get("/qa/manual__2026-12-01T03%3A00%3A00%2B00%3A00")
    assert first.status_code == newest.status_code == 200
    assert "(try 1)" in first.text and "(try 2)" in newest.text and "<svg" in newest.text
    missing = client.get("/qa/no-such-run")
    assert missing.status_code == 404 and "Traceback" not in missing.text
    broken = TestClient(create_app(Settings(dsn="postgresql://nobody@127.0.0.1:1/x?connect_timeout=1")))
    down = broken.get("/qa/run")
    assert down.status_code == 503 and "127.0.0.1" not in down.text


def test_a_nul_byte_or_a_number_beyond_the_columns_range_is_4xx_not_503(store, pg_uri):
    client = TestClient(create_app(Settings(dsn=pg_uri)))
    for path in ("/qa/%00", "/qa/run%00x", "/qa/run?try=99999999999999999999", "/qa/run?try=2147483648",
                 "/qa/run?version=9223372036854775808"):
        r = client.get(path)
        assert r.status_code in (404, 422), path
        assert "cannot be read" not in r.text and "Traceback" not in r.text
