"""DAG tests run Airflow in-process against the SQLite metadata DB that `make test` migrates
(.airflow/, set up by `python -m devkit airflow-db`); the environment is the dev kit's."""
import os

from devkit.env import airflow_env
from tests.conftest import ROOT

for _key, _value in airflow_env(home=ROOT / ".airflow", base={}).items():
    if _key != "PYTHONPATH":
        os.environ.setdefault(_key, _value)
