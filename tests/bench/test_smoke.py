"""Every benchmark runs end to end on a tiny size (``--smoke``), so a broken one fails the suite.

Each script runs as ``make bench`` runs it, a subprocess on its own embedded Postgres; only that
it finishes and prints its ratio line is checked, never a timing.
"""
from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

BENCH = ROOT / "bench"
# each script's headline: the ratio it exists to print
RATIO_LINES = {
    "sync": r"^ratio \(b\)/\(a\) = \d+\.\d\d ",
    "sync_latency": r"^parallel \(connection defaults\) +\d+\.\d\ds, \d+ requests = +\d+\.\d\dx the bound",
    "embed": r"^ratio = \d+\.\d\d ",
    "similarity": r"^N= *[\d,]+: ours .* GEMM fraction +\d+\.\d\d ",
    "quality": r"^after vs random: top-5 same dossier \d+\.\dx",
    "search": r"^hybrid\(default model\)/best\(hashing\) = \d+\.\d\dx ",
    "serve": r"p99 ratio per round [\d., ]+; median \d+\.\d\d \(target <= 3\)",
    "summaries": r"^throughput ratio stage/bare per round [\d., ]+; median \d+\.\d+ \(target >= 0\.9\)",
    "alerts": r"^ratio digest run/bare SQL = \d+\.\d\d ",
}


def run_bench(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env={**os.environ, **(env or {})})


def test_every_benchmark_script_has_a_smoke_run_here_and_a_line_in_make_bench():
    scripts = {p.stem for p in BENCH.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(RATIO_LINES)
    make_bench = re.search(r"^bench:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert set(re.findall(r"bench/(\w+)\.py", make_bench)) == scripts


@pytest.mark.parametrize("name", sorted(RATIO_LINES))
def test_the_benchmark_runs_end_to_end_in_smoke_mode_and_prints_its_ratio(name):
    t = time.perf_counter()
    out = run_bench(name, "--smoke")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    assert re.search(RATIO_LINES[name], out.stdout, re.M), out.stdout
    if name == "similarity":  # without faiss-cpu (requirements-bench.txt) it says so instead of failing
        if importlib.util.find_spec("faiss") is None:
            assert "FAISS absent" in out.stdout and "ratio to FAISS" not in out.stdout, out.stdout
        else:
            assert re.search(r"ratio to FAISS +\d+\.\d\d", out.stdout), out.stdout
    if name == "search":  # its Rocchio variants are built outside the API: the one the API runs must score as the API's
        assert "scores as the API's feedback 2: True" in out.stdout, out.stdout
    print(f"{name}: smoke run {time.perf_counter() - t:.1f}s")


def test_two_benchmarks_back_to_back_or_at_once_do_not_share_an_embedded_postgres():
    # with one shared data folder the first to exit stopped the server the other was using
    env = {"MOTION_BENCH_SMOKE": "1"}
    procs = [subprocess.Popen([sys.executable, str(BENCH / f"{name}.py")], cwd=ROOT, env={**os.environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("embed", "sync_latency")]
    try:
        for p in procs:
            stdout, stderr = p.communicate(timeout=180)
            assert p.returncode == 0, stdout[-2000:] + stderr[-4000:]
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)  # its atexit stops its embedded Postgres
                p.wait(30)
    assert (ROOT / ".pgdata-bench-embed").is_dir() and (ROOT / ".pgdata-bench-sync_latency").is_dir()
