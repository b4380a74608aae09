import os

from tests.conftest import ROOT


def test_stop_also_stops_an_embedded_postgres_that_make_status_or_make_serve_started(tmp_path):
    from devkit import pgembedded
    from devkit.local_airflow import Deployment, stop

    pgdata = ROOT / ".pgdata-stop-test"
    pgembedded.ensure(pgdata)  # what `make status` / `make serve` do: no make airflow, no marker in .run
    pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    try:
        stop(Deployment(run=tmp_path / "run", home=tmp_path / "home", pgdata=pgdata))
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive, "make stop left the embedded Postgres running"
    finally:
        pgembedded.stop(pgdata)

