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
