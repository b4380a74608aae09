import json
from pathlib import Path

from devkit.env import ROOT, airflow_env, connection_env, socket_dir


def test_the_local_airflow_environment_points_at_this_project():
    env = airflow_env(home=Path("/tmp/h"), base={"PYTHONPATH": "/elsewhere", "KEEP": "1"}, overrides={"X": "y"})
    assert env["AIRFLOW_HOME"] == "/tmp/h" and env["AIRFLOW__CORE__DAGS_FOLDER"] == str(ROOT / "dags")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False" and env["KEEP"] == "1" and env["X"] == "y"
    assert env["PYTHONPATH"].split(":") == [str(ROOT / "plugins"), str(ROOT), "/elsewhere"]


def test_the_connections_point_at_the_embedded_defaults():
    uri = "postgresql://postgres:@/postgres?host=/data/pg"
    env = connection_env(pg_socket_dir=socket_dir(uri), database="motions", feed_url="http://127.0.0.1:1")
    assert json.loads(env["AIRFLOW_CONN_MOTION_DB"])["host"] == "/data/pg"
    assert json.loads(env["AIRFLOW_CONN_MOTION_DB"])["schema"] == "motions"
    assert json.loads(env["AIRFLOW_CONN_MOTION_EMBEDDINGS"])["extra"] == {}  # no provider named: the default model


def test_the_feed_connection_can_carry_extras_for_a_local_stand_in():
    env = connection_env(pg_socket_dir="/data/pg", feed_url="http://127.0.0.1:1", feed_extra={"min_request_interval": 0})
    feed = json.loads(env["AIRFLOW_CONN_MOTION_FEED"])
    assert feed["host"] == "http://127.0.0.1:1" and feed["extra"] == {"min_request_interval": 0}
    assert "extra" not in json.loads(connection_env(pg_socket_dir="/d", feed_url="http://127.0.0.1:1")["AIRFLOW_CONN_MOTION_FEED"])
