from devkit.connections import with_port
from devkit.env import embedded_connections


def test_every_connection_make_airflow_defines_gets_the_port_the_ui_test_button_posts():
    defined = {k: with_port(v) for k, v in embedded_connections(pg_socket_dir="/data/pg", feed_url="http://127.0.0.1:8765").items()}
    assert defined["motion_db"]["port"] == 5432  # the socket .s.PGSQL.5432
    assert defined["motion_feed"]["port"] == 8765
    assert defined["motion_embeddings"]["port"] == 0  # no host: the UI posts Number(null) = 0


def test_a_url_host_without_a_port_gets_its_schemes_default_and_a_port_given_is_kept():
    assert with_port({"conn_type": "pydanticai", "host": "https://api.openai.com/v1"})["port"] == 443
    assert with_port({"conn_type": "motion_embeddings", "host": "http://ollama"})["port"] == 80
    assert with_port({"conn_type": "postgres", "host": "db", "port": 6432})["port"] == 6432
    assert with_port({"conn_type": "motion_feed", "host": "feed.example"})["port"] == 0


def test_the_connections_and_both_pools_are_set_in_one_process(tmp_path):
    import json
    import shutil
    import sqlite3
    import subprocess
    import sys

    from devkit.env import airflow_env
    from devkit.local_airflow import Deployment, pools_of
    from tests.conftest import ROOT

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(ROOT / ".airflow" / "airflow.db", home / "airflow.db")  # migrated by `make test`
    env = airflow_env(home=home, overrides={"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}"})
    defined = embedded_connections(pg_socket_dir="/data/pg", feed_url="http://127.0.0.1:8765")
    pools = pools_of(Deployment(pool_slots=3))
    out = subprocess.run([sys.executable, "-m", "devkit.connections", json.dumps(defined), json.dumps(pools)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    with sqlite3.connect(home / "airflow.db") as db:
        assert db.execute("SELECT pool, slots, description FROM slot_pool WHERE pool != 'default_pool' ORDER BY 1").fetchall() \
            == [("embedding_provider", 3, "calls to the embedding provider"),
                ("llm_provider", 3, "summarize batches sent to the LLM backends")]
        assert db.execute("SELECT conn_id, port FROM connection ORDER BY 1").fetchall() \
            == [("motion_db", 5432), ("motion_embeddings", 0), ("motion_feed", 8765)]
