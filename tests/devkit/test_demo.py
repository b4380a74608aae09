import shlex
import subprocess

from tests.conftest import ROOT
from tests.plugins.motion_ops.conftest import cases_corpus, synced  # noqa: F401 (fixtures)
from tests.plugins.motion_ops.serve.conftest import published  # noqa: F401 (fixture)


def test_the_demos_related_hint_works_from_a_fresh_shell(published, pg_uri):
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
