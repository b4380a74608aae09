"""The readers' app as its own process: ``python -m motion_ops serve``, with the read API's own login."""
import os
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port


def test_grant_reader_makes_a_read_only_login_and_serve_answers_with_it(published, pg_uri):
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}:{ROOT}", "MOTION_API_DB_PASSWORD": "reader-pw"}
    out = subprocess.run([sys.executable, "-m", "motion_ops", "--dsn", pg_uri, "grant-reader", "motion_api_test"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    host = pg_uri.split("host=")[1]
    login = f"postgresql://motion_api_test:reader-pw@/postgres?host={host}"
    import psycopg
    import pytest
    with psycopg.connect(login) as conn:
        assert conn.execute("SELECT count(*) FROM motions").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM motions")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "motion_ops", "--dsn", login, "serve", "--port", str(port)],
                            env={**env, "AIRFLOW_CONN_MOTION_EMBEDDINGS": '{"conn_type": "generic"}'},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, body = time.time() + 30, None
        while time.time() < deadline and body is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            except OSError:
                time.sleep(0.3)
        assert body and b'"status":"ok"' in body.replace(b" ", b"")
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert "Zoeken in moties" in page
    finally:
        proc.terminate()
        proc.wait(10)
